from datetime import date, datetime, timezone

import pytest

from app.core.formatting import fiscal_year, fiscal_year_bounds, format_baht, format_date, format_datetime


def test_thai_dates_use_the_buddhist_era():
    assert format_date(date(2024, 9, 6), "th") == "6 กันยายน 2567"
    assert format_date(date(2024, 9, 6), "th", short=True) == "6 ก.ย. 2567"


def test_english_dates_use_the_gregorian_calendar():
    assert format_date(date(2024, 9, 6), "en") == "6 September 2024"


def test_datetimes_are_shown_in_bangkok_time():
    # 20:30 UTC on 31 December is already 1 January in Bangkok (UTC+7).
    moment = datetime(2024, 12, 31, 20, 30, tzinfo=timezone.utc)
    assert format_datetime(moment, "th") == "1 มกราคม 2568 03:30 น."
    assert format_datetime(moment, "en") == "1 January 2025 03:30"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 10, 1), 2568),
        (date(2024, 9, 30), 2567),
        (date(2025, 9, 30), 2568),
        (date(2025, 10, 1), 2569),
        (date(2024, 1, 15), 2567),
    ],
)
def test_fiscal_year_starts_on_1_october(day, expected):
    assert fiscal_year(day) == expected


def test_fiscal_year_bounds():
    assert fiscal_year_bounds(2568) == (date(2024, 10, 1), date(2025, 9, 30))


def test_baht():
    assert format_baht(1234567) == "฿1,234,567"
    assert format_baht(1234567, "th", symbol=False) == "1,234,567 บาท"
    assert format_baht(0) == "฿0"
    assert format_baht(-500) == "-฿500"
    with pytest.raises(TypeError):
        format_baht(1.5)
