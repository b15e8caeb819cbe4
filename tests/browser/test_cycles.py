"""A demo resident votes with a knapsack ballot on a phone, changes the vote, checks the receipt,
and sees the results once an official has closed voting and computed them."""
from __future__ import annotations

import re

from tests.browser.conftest import sign_in

OPEN_TITLE = "งบประมาณแบบมีส่วนร่วม จังหวัดเชียงใหม่ ปีงบประมาณ 2570"


def _receipt(page) -> str:
    page.wait_for_url(re.compile(r".*/receipt$"))
    return page.locator("#receipt-code").inner_text().strip()


def _check(page, base, code) -> str:
    page.goto(base + "/cycles/receipt")
    page.fill("#code", code)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page.locator(".receipt-result").inner_text()


def test_knapsack_vote_change_receipt_and_results(page, live_server, browser):
    base = live_server["url"]
    sign_in(page, base, "resident1@demo.ruamkhit.th")
    page.goto(base + "/cycles/")
    page.get_by_role("link", name=OPEN_TITLE).click()
    page.locator("main a.button", has_text="ลงคะแนน").first.click()
    page.wait_for_url(re.compile(r".*/vote$"))

    boxes = page.locator("input[name=project]")
    costs = [int(boxes.nth(i).get_attribute("data-cost")) for i in range(boxes.count())]
    order = sorted(range(len(costs)), key=lambda i: costs[i])
    # The running total (JavaScript) shows what is left of the ฿10,000,000 budget.
    boxes.nth(order[0]).check()
    boxes.nth(order[1]).check()
    left = 10_000_000 - costs[order[0]] - costs[order[1]]
    assert f"฿{left:,}" in page.locator(".knapsack-total").inner_text()
    # Too much: every project together is over the budget, and the server says so.
    for i in range(boxes.count()):
        boxes.nth(i).check()
    total = page.locator(".knapsack-total")
    assert "over" in (total.get_attribute("class") or "")
    # Over the budget it says by how much, in words and on one line, and stays on screen (#12.13).
    over = sum(costs) - 10_000_000
    assert f"เกินงบประมาณ ฿{over:,}" in " ".join(total.inner_text().split())
    assert "-฿" not in total.inner_text()
    amount = total.locator('[data-role="left"]').bounding_box()
    label = total.locator('[data-role="left-label"]').bounding_box()
    assert abs(amount["y"] - label["y"]) < 8, "the amount went to the next line"
    box = total.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"] + 1
    page.click("main form button[type=submit]")
    assert page.locator(".error-summary").count() == 1
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    boxes.nth(order[0]).check()
    boxes.nth(order[1]).check()
    page.click("main form button[type=submit]")
    first_code = _receipt(page)

    # Change the vote: the ballot comes back filled in; send another choice.
    page.goto(base + "/cycles/")
    page.get_by_role("link", name=OPEN_TITLE).click()
    page.locator("main a.button", has_text="เปลี่ยนการลงคะแนน").first.click()
    boxes = page.locator("input[name=project]")
    assert boxes.nth(order[0]).is_checked() and boxes.nth(order[1]).is_checked()
    # The page says why the resident sees their own choices, and that closing cuts the link.
    assert "ระบบจะตัดความเชื่อมโยงนี้" in page.locator("#previous-choices").inner_text()
    boxes.nth(order[1]).uncheck()
    boxes.nth(order[-1]).check()
    page.click("main form button[type=submit]")
    second_code = _receipt(page)
    assert second_code != first_code

    assert "แทนที่" in _check(page, base, first_code)
    assert "อยู่ในการนับคะแนน" in _check(page, base, second_code)

    # An official closes voting (audited override) and computes the results.
    official = browser.new_context(locale="th-TH").new_page()
    sign_in(official, base, "official@demo.ruamkhit.th")
    official.goto(base + "/cycles/")
    official.get_by_role("link", name=OPEN_TITLE).click()
    official.get_by_role("link", name="จัดการรอบงบประมาณนี้").click()
    official.select_option("#phase", "results")
    official.fill("#reason", "ปิดการลงคะแนนเพื่อทดสอบ")
    official.click("form[action$='/phase'] button[type=submit]")
    # Two steps (#13.3): a preview only officials see, then publishing it.
    official.click("form[action$='/results/preview'] button[type=submit]")
    official.wait_for_url(re.compile(r".*/results(#.*)?$"))
    assert official.locator(".preview-banner").count() == 1
    official.click("form[action$='/results/publish'] button[type=submit]")
    official.wait_for_url(re.compile(r".*/results$"))
    assert official.locator(".preview-banner").count() == 0
    official.context.close()

    # The resident sees the results with the reasons and the chart.
    page.goto(base + "/cycles/")
    page.get_by_role("link", name=OPEN_TITLE).click()
    page.get_by_role("link", name="ผลการลงคะแนนและเหตุผลที่แต่ละโครงการได้รับหรือไม่ได้รับเลือก").click()
    assert page.locator(".result-list li").count() == len(costs)
    assert page.locator(".tag-selected").count() >= 1
    # The chart: one bar per project, the names and figures in HTML text (legible on a phone).
    assert page.locator("figure.result-chart .chart-row").count() == len(costs)
    assert page.locator("figure.result-chart .chart-value").first.inner_text().strip() != ""
    assert "ได้รับเลือก" in page.locator(".result-list").inner_text()
    # Computing the results closed the vote: the link is gone, the receipt still works.
    assert "อยู่ในการนับคะแนน" in _check(page, base, second_code)
