"""Dates and years typed by people, read in the reader's calendar.

Thai readers write dates in the Buddhist Era (1/10/2569), English readers
in the Common Era (1/10/2026). Every form reads dates with `parse_date_input`
(through `DateInputField` in app.core.fields) and shows them back with
`format_date_input`, so a date entered in Thai comes back in Thai as typed
and a year in the wrong era is refused with a message that names the
expected one, instead of being stored 543 years away.

Accepted: day/month/year with "/", "-", "." or spaces between
(1/10/2569, 01-10-2569, 1.10.2569), the 8 digits ddmmyyyy, a year first
(2569-10-01, the form ISO dates have, in the reader's calendar), and the
month as a name or abbreviation as the site prints it (1 ตุลาคม 2569,
1 ต.ค. 2569, 1 October 2026, 1 Oct 2026). Thai digits (๑/๑๐/๒๕๖๙) are read
as digits; no other non-ASCII digit is.
"""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from app.core.formatting import BE_OFFSET, ENGLISH_MONTHS, THAI_MONTHS, THAI_MONTHS_SHORT

# The years a date field accepts, in the Common Era (2400-2700 in the Buddhist Era).
MIN_CE_YEAR = 2400 - BE_OFFSET
MAX_CE_YEAR = 2700 - BE_OFFSET
MIN_BE_YEAR, MAX_BE_YEAR = MIN_CE_YEAR + BE_OFFSET, MAX_CE_YEAR + BE_OFFSET

# A date shown as an example in hints and messages (the start of fiscal year 2570).
EXAMPLE = date(2026, 10, 1)

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# re.ASCII: \\d is 0-9 only (Python's \\d also takes "٣" or "²"-like digits, which int() may or may not read).
_NUMERIC_DMY = re.compile(r"^(\d{1,2})[/.\- ]+(\d{1,2})[/.\- ]+(\d{4})$", re.ASCII)
_NUMERIC_YMD = re.compile(r"^(\d{4})[/.\- ]+(\d{1,2})[/.\- ]+(\d{1,2})$", re.ASCII)
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4})$", re.ASCII)
_NAMED = re.compile(r"^(\d{1,2})[ \-/]*([^\d \-/]+?)[ \-/]*(?:(?:พ\.ศ\.|ค\.ศ\.) ?)?(\d{4})$", re.ASCII)


def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for number, (full, short, english) in enumerate(zip(THAI_MONTHS, THAI_MONTHS_SHORT, ENGLISH_MONTHS), start=1):
        names[full] = names[short] = names[short.replace(".", "")] = number
        names[english.lower()] = names[english[:3].lower()] = number
    names["sept"] = 9
    return names


_MONTHS = _month_names()


class DateInputError(ValueError):
    """A typed date that cannot be read; `message` is a translatable string for the reader."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def date_pattern_hint(locale: str):
    """What a date field expects, with an example, in the reader's calendar."""
    if locale == "th":
        return _l("Day/month/year in the Buddhist Era (พ.ศ.), for example %(example)s.", example=format_date_input(EXAMPLE, locale))
    return _l("Day/month/year, for example %(example)s.", example=format_date_input(EXAMPLE, locale))


def date_placeholder(locale: str):
    return _l("dd/mm/yyyy")


def format_date_input(value: date | None, locale: str) -> str:
    """How a date field shows a date: 01/10/2569 in Thai, 01/10/2026 in English."""
    if value is None:
        return ""
    year = value.year + BE_OFFSET if locale == "th" else value.year
    return f"{value.day:02d}/{value.month:02d}/{year}"


def _split(text: str) -> tuple[int, int, int]:
    """(day, month, year as typed) or DateInputError."""
    for pattern, order in ((_NUMERIC_DMY, "dmy"), (_NUMERIC_YMD, "ymd"), (_COMPACT, "dmy")):
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups())))
            return parts["d"], parts["m"], parts["y"]
    match = _NAMED.match(text)
    if match:
        month = _MONTHS.get(match.group(2).strip().lower().rstrip(","))
        if month is not None:
            return int(match.group(1)), month, int(match.group(3))
    raise DateInputError(None)


def parse_date_input(text: str | None, locale: str) -> date | None:
    """The date a person typed, in their calendar (Buddhist Era in Thai); None when blank.

    Raises DateInputError with a message in the reader's terms when the text
    is not a date, the day does not exist or the year is of the other era or
    out of range.
    """
    cleaned = " ".join((text or "").translate(_THAI_DIGITS).split())
    if not cleaned:
        return None
    example = format_date_input(EXAMPLE, locale)
    try:
        day, month, year = _split(cleaned)
    except DateInputError:
        raise DateInputError(date_pattern_hint(locale)) from None
    if locale == "th":
        if year < MIN_BE_YEAR:
            if MIN_CE_YEAR <= year <= MAX_CE_YEAR:
                raise DateInputError(_l(
                    "%(year)d is a Christian-era year: enter the year in the Buddhist Era (พ.ศ.), for example %(be)d.",
                    year=year, be=year + BE_OFFSET,
                ))
            raise DateInputError(_l("Enter the year in the Buddhist Era (พ.ศ.), for example %(example)s.", example=example))
        if year > MAX_BE_YEAR:
            raise DateInputError(_l("The year must be between %(low)d and %(high)d (Buddhist Era).", low=MIN_BE_YEAR, high=MAX_BE_YEAR))
        year -= BE_OFFSET
    else:
        if MIN_BE_YEAR <= year <= MAX_BE_YEAR and year > MAX_CE_YEAR:
            raise DateInputError(_l(
                "%(year)d is a Buddhist-era year: enter the year of the Common Era, for example %(ce)d.",
                year=year, ce=year - BE_OFFSET,
            ))
        if not MIN_CE_YEAR <= year <= MAX_CE_YEAR:
            raise DateInputError(_l("The year must be between %(low)d and %(high)d.", low=MIN_CE_YEAR, high=MAX_CE_YEAR))
    if not 1 <= month <= 12:
        raise DateInputError(_l("The month is a number from 1 to 12."))
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError(_l("This day does not exist in that month: check the day and the month.")) from None


# Fiscal years are named in the Buddhist Era in both languages (ปีงบประมาณ 2570, fiscal year 2570 BE).
def parse_fiscal_year(text: str | None) -> int | None:
    """A Buddhist-Era fiscal year typed by a person (ASCII or Thai digits); None when blank."""
    cleaned = (text or "").translate(_THAI_DIGITS).strip()
    if not cleaned:
        return None
    digits = cleaned[1:] if cleaned.startswith("-") else cleaned
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 6):
        raise DateInputError(_l("Enter the fiscal year as a Buddhist-Era year, for example 2570."))
    year = int(cleaned)
    if MIN_CE_YEAR <= year < MIN_BE_YEAR:
        raise DateInputError(_l(
            "%(year)d is a Christian-era year: fiscal years are named in the Buddhist Era (พ.ศ.), for example %(be)d.",
            year=year, be=year + BE_OFFSET,
        ))
    if not MIN_BE_YEAR <= year <= MAX_BE_YEAR:
        raise DateInputError(_l("The fiscal year is a Buddhist-Era year between %(low)d and %(high)d, for example 2570.",
                                low=MIN_BE_YEAR, high=MAX_BE_YEAR))
    return year
