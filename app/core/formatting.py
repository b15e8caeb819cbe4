"""Thai-first formatting of dates, fiscal years and money.

Babel prints Thai dates with the Gregorian year ("ค.ศ. 2024"); Thai readers
expect the Buddhist Era (พ.ศ. = ค.ศ. + 543), so dates in Thai are formatted
here. English keeps the Gregorian calendar. Datetimes are shown in Bangkok time.
"""
from __future__ import annotations

from datetime import date, datetime

from app.core.timeutil import BANGKOK

BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def buddhist_year(year: int) -> int:
    return year + BE_OFFSET


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BANGKOK)
        return value.date()
    return value


def format_date(value: date | datetime | None, locale: str = "th", short: bool = False) -> str:
    """6 กันยายน 2567 in Thai (Buddhist Era), 6 September 2024 in English."""
    if value is None:
        return ""
    d = _local_date(value)
    if locale == "th":
        months = THAI_MONTHS_SHORT if short else THAI_MONTHS
        return f"{d.day} {months[d.month - 1]} {buddhist_year(d.year)}"
    month = ENGLISH_MONTHS[d.month - 1]
    return f"{d.day} {month[:3] if short else month} {d.year}"


def format_datetime(value: datetime | None, locale: str = "th") -> str:
    """6 กันยายน 2567 14:05 น. in Thai, 6 September 2024 14:05 in English (Bangkok time)."""
    if value is None:
        return ""
    local = value.astimezone(BANGKOK) if value.tzinfo is not None else value
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if locale == "th":
        return f"{format_date(local, 'th')} {clock} น."
    return f"{format_date(local, 'en')} {clock}"


def fiscal_year(value: date | datetime) -> int:
    """The Thai government fiscal year (Buddhist Era) that a date falls in.

    The year runs 1 October to 30 September and is named by the BE year in
    which it ends: 1 October 2024 starts ปีงบประมาณ 2568.
    """
    d = _local_date(value)
    ending_year = d.year + 1 if d.month >= 10 else d.year
    return buddhist_year(ending_year)


def fiscal_year_bounds(fy_be: int) -> tuple[date, date]:
    """First and last day of a BE fiscal year: 2568 -> (2024-10-01, 2025-09-30)."""
    end_year = fy_be - BE_OFFSET
    return date(end_year - 1, 10, 1), date(end_year, 9, 30)


def format_fiscal_year(fy_be: int, locale: str = "th") -> str:
    if locale == "th":
        return f"ปีงบประมาณ {fy_be}"
    return f"Fiscal year {fy_be} BE ({fy_be - BE_OFFSET - 1}–{str(fy_be - BE_OFFSET)[-2:]})"


def format_baht(amount: int | None, locale: str = "th", symbol: bool = True) -> str:
    """฿1,234,567 (or 1,234,567 บาท / 1,234,567 baht). Amounts are whole baht integers."""
    if amount is None:
        return ""
    if isinstance(amount, float):
        raise TypeError("money is an integer number of baht, never a float")
    number = f"{amount:,}"
    if amount < 0:
        number = "-" + number[1:]
    if symbol:
        return f"-฿{number[1:]}" if amount < 0 else f"฿{number}"
    return f"{number} บาท" if locale == "th" else f"{number} baht"
