"""Dates and fiscal years typed by people, read in the reader's calendar."""
from datetime import date

import pytest

from app.core.dates import DateInputError, format_date_input, parse_date_input, parse_fiscal_year


@pytest.mark.parametrize("text", [
    "1/10/2569", "01/10/2569", "1-10-2569", "1.10.2569", " 1 / 10 / 2569 ", "01102569", "2569-10-01",
    "1 ตุลาคม 2569", "1 ต.ค. 2569", "1 ต.ค. พ.ศ. 2569", "๑/๑๐/๒๕๖๙",
])
def test_thai_dates_are_read_in_the_buddhist_era(text):
    assert parse_date_input(text, "th") == date(2026, 10, 1)


@pytest.mark.parametrize("text", ["1/10/2026", "2026-10-01", "1 October 2026", "1 Oct 2026", "01102026"])
def test_english_dates_are_read_in_the_common_era(text):
    assert parse_date_input(text, "en") == date(2026, 10, 1)


def test_a_date_is_shown_back_in_the_calendar_it_was_typed_in():
    assert format_date_input(date(2026, 10, 1), "th") == "01/10/2569"
    assert format_date_input(date(2026, 10, 1), "en") == "01/10/2026"
    for locale in ("th", "en"):
        shown = format_date_input(date(2027, 2, 28), locale)
        assert parse_date_input(shown, locale) == date(2027, 2, 28)


def test_blank_is_no_date():
    assert parse_date_input("  ", "th") is None


def test_a_thai_date_below_2400_is_refused_saying_which_era():
    # The fault of the issue: 2569-09-01 typed into a Common-Era picker was stored as 3112.
    with pytest.raises(DateInputError) as error:
        parse_date_input("01/09/2026", "th")
    assert "2026" in str(error.value) and "2569" in str(error.value)
    with pytest.raises(DateInputError):
        parse_date_input("01/09/1999", "th")
    with pytest.raises(DateInputError):
        parse_date_input("01/09/2399", "th")
    assert parse_date_input("01/01/2400", "th") == date(1857, 1, 1)


def test_an_english_date_in_the_buddhist_era_is_refused():
    with pytest.raises(DateInputError) as error:
        parse_date_input("01/09/2569", "en")
    assert "2026" in str(error.value)


@pytest.mark.parametrize("text", ["31/02/2569", "1/13/2569", "hello", "1/10", "١/١٠/٢٥٦٩", "1/10/25690", "0/10/2569", "1 Smarch 2569"])
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(DateInputError):
        parse_date_input(text, "th")


def test_fiscal_years_are_buddhist_era_in_both_languages():
    assert parse_fiscal_year("2570") == 2570
    assert parse_fiscal_year("๒๕๗๐") == 2570
    assert parse_fiscal_year("") is None
    for bad in ("2026", "²⁵⁷⁰", "25 70", "3112", "abc", "-2570"):
        with pytest.raises(DateInputError):
            parse_fiscal_year(bad)
    with pytest.raises(DateInputError) as error:
        parse_fiscal_year("2026")
    assert "2569" in str(error.value)
