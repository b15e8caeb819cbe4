"""The proposal form's year fields follow the chosen plan item while the officer types (JavaScript on)."""
from __future__ import annotations

from tests.browser.conftest import sign_in


def test_year_fields_follow_the_plan_item_and_keep_the_amounts(page, live_server):
    base = live_server["url"]
    sign_in(page, base, "officer@demo.ruamkhit.th")
    page.goto(base + "/proposals/new?area=3500102")
    assert page.input_value("input[name=budget_years]") != "2566,2567,2568,2569,2570"
    shown = page.input_value("input[name=budget_years]").split(",")
    assert page.locator(".js-choose-years").is_hidden()  # the no-JavaScript button is not needed
    index_2570 = shown.index("2570") if "2570" in shown else None
    if index_2570 is not None:
        page.fill(f"#budget_{index_2570}", "1,000,000")
    # an item of the city's development plan 2566-2570
    value = page.locator("#plan_item_id optgroup[label*='2566'] option").first.get_attribute("value")
    page.select_option("#plan_item_id", value)
    assert page.input_value("input[name=budget_years]") == "2566,2567,2568,2569,2570"
    labels = [page.locator(f"label[for=budget_{i}]").inner_text() for i in range(5)]
    assert labels == [f"งบประมาณปี {y} (บาท)" for y in range(2566, 2571)]
    assert all(page.locator(f"#budget_{i}").is_visible() for i in range(5))
    if index_2570 is not None:
        assert page.input_value("#budget_4") == "1,000,000"
        assert [page.input_value(f"#budget_{i}") for i in range(4)] == ["", "", "", ""]
