"""The one parser for integers typed by people or sent in a query, a form or a spreadsheet cell.

Python's own readers are too generous for user input: `"²".isdigit()` is true
but `int("²")` raises (a 500 wherever a route trusted isdigit), while `int()`
itself accepts "١٢" (Arabic-Indic digits), "1_000", " +7 " and numbers of any
length (which the database driver then refuses). Every place that turns user
text into an int calls `parse_int` (or one of the helpers built on it), which
takes ASCII digits only, with optional Thai digits (๐-๙, which Thai clerks
type) where a caller allows them, and a bounded length and range.
"""
from __future__ import annotations

import re
from typing import Optional

_ASCII_INT = re.compile(r"-?[0-9]+", re.ASCII)
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Longer than any value the app stores (BIGINT has 19 digits): refused before int() does any work.
MAX_DIGITS = 19


def is_ascii_digits(text: object) -> bool:
    """Is `text` a non-empty string of the digits 0-9 only (a code such as "50" or "3500102")?"""
    return isinstance(text, str) and text.isascii() and text.isdigit()


def parse_int(
    value: object,
    *,
    minimum: Optional[int] = None,
    maximum: Optional[int] = None,
    thai_digits: bool = False,
    signed: bool = False,
) -> Optional[int]:
    """The integer written in `value`, or None when it is not one or lies outside [minimum, maximum].

    Surrounding spaces are ignored; a minus sign only when `signed`; nothing else but 0-9
    (and ๐-๙ with `thai_digits`). An int passes through the range check (bool does not).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip(" \t\r\n")
        if thai_digits:
            text = text.translate(THAI_DIGITS)
        if not _ASCII_INT.fullmatch(text) or len(text.lstrip("-")) > MAX_DIGITS:
            return None
        if text.startswith("-") and not signed:
            return None
        number = int(text)
    else:
        return None
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int) -> int:
    """An integer query argument such as ?page=3: `default` when missing or malformed, clamped to the range."""
    from flask import request

    number = parse_int(request.args.get(name, ""), signed=True)
    if number is None:
        return default
    return max(minimum, min(number, maximum))


# The last page of any paged list a person may ask for: past it the offset is pointless work for the database.
MAX_PAGE = 10_000
