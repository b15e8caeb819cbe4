"""Sorting Thai names the way a Thai dictionary does.

Code-point order puts every name that starts with a leading vowel (เ แ โ ใ ไ)
after ฮ, so เชียงใหม่, เพชรบุรี and แม่ฮ่องสอน end a province list, and tone
marks (which come after the vowels in Unicode) put อ่างทอง after อุบลราชธานี.
A dictionary orders by consonant first: a leading vowel is read after the
consonant it precedes, and tone marks only break ties.

`thai_sort_key` returns a plain string whose code-point order is dictionary
order, so the same key sorts Python lists and, stored in `areas.sort_th`,
SQL queries alike (SQLite compares text by code point; the PostgreSQL column
uses the "C" collation for the same reason).

pythainlp.util.collate sorts a list of strings by nearly the same rule, but
gives no key for objects or for a column, and keeps only a word's first tone
mark; the tests check that both agree on the province names.
"""
from __future__ import annotations

import re
import unicodedata

_LEADING_VOWELS = "เแโใไ"
# Marks that never decide the order unless everything else is equal, ranked
# as a dictionary ranks them: none, ไม้ไต่คู้, เอก, โท, ตรี, จัตวา, การันต์.
_TIE_MARKS = {"\u0e47": "1", "\u0e48": "2", "\u0e49": "3", "\u0e4a": "4", "\u0e4b": "5", "\u0e4c": "6"}
_SWAP = re.compile(r"([เแโใไ])([ก-ฮ])")
# Sorts before every character that a name holds, so a shorter name comes first.
_SEPARATOR = "\u0001"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def thai_sort_key(name: str | None) -> str:
    """A string whose code-point order is Thai dictionary order (Latin letters case-folded)."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", (name or "").strip())).casefold()
    text = _SWAP.sub(r"\2\1", text)
    primary: list[str] = []
    ties: list[str] = []
    for char in text:
        mark = _TIE_MARKS.get(char)
        if mark is not None:
            if ties:
                ties[-1] = mark
            continue
        primary.append(char)
        ties.append("0")
    return "".join(primary) + _SEPARATOR + "".join(ties)


def thai_sorted(items, key=lambda item: item):
    """`items` sorted by the Thai dictionary order of `key(item)`."""
    return sorted(items, key=lambda item: thai_sort_key(key(item)))
