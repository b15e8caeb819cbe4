"""Thai dictionary order: leading vowels are read after their consonant, tone marks only break ties."""
from __future__ import annotations

import geothai
from pythainlp.util import collate

from app.core.collation import thai_sort_key, thai_sorted


def test_leading_vowels_sort_with_their_consonant():
    names = ["อุบลราชธานี", "อ่างทอง", "แม่ฮ่องสอน", "เพชรบุรี", "เชียงใหม่", "จันทบุรี", "ชลบุรี", "พะเยา", "มหาสารคาม"]
    assert thai_sorted(names) == ["จันทบุรี", "ชลบุรี", "เชียงใหม่", "พะเยา", "เพชรบุรี", "มหาสารคาม", "แม่ฮ่องสอน",
                                  "อ่างทอง", "อุบลราชธานี"]
    # Code-point order, which the lists used before, gets all of these wrong.
    assert sorted(names)[-3:] == ["เชียงใหม่", "เพชรบุรี", "แม่ฮ่องสอน"]


def test_tone_marks_break_ties_only():
    assert thai_sorted(["กาก", "ก้า", "ก่า", "กา"]) == ["กา", "ก่า", "ก้า", "กาก"]


def test_agrees_with_pythainlp_on_the_province_names():
    names = [p.name_th for p in geothai.provinces()]
    assert thai_sorted(names) == collate(names)


def test_the_key_is_text_that_sorts_by_code_point_and_ignores_case_and_edges():
    assert thai_sort_key(" Chiang Mai ") == thai_sort_key("chiang mai")
    assert thai_sort_key(None) == thai_sort_key("")
    assert "\x00" not in thai_sort_key("a\x00b")
