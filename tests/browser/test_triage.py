"""From a resident's idea to a shortlisted proposal, in a real browser, in Thai on a phone-sized screen.

`triage_idea_to_shortlist` is the whole flow as one function so that sibling
tests can continue it (the exports test downloads the Excel file of the
shortlist from where it ends).
"""
from __future__ import annotations

import re

from tests.browser.conftest import sign_in

IDEA_TITLE = "ขอลานกีฬาเยาวชนในชุมชนหายยา"  # a demo idea of เทศบาลนครเชียงใหม่ nobody has answered yet
PROPOSAL_TITLE = "ลานกีฬาอเนกประสงค์สำหรับเยาวชนชุมชนหายยา"


def _switch_user(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, base, email)


def triage_idea_to_shortlist(page, base: str) -> str:
    """Officer answers an idea, makes a proposal of it; the evaluator finds it feasible; the officer shortlists it.

    Returns the URL of the shortlisted proposal; the officer
    (officer@demo.ruamkhit.th, เทศบาลนครเชียงใหม่) is signed in at the end.
    """
    sign_in(page, base, "officer@demo.ruamkhit.th")

    # 1. Triage: the inbox lists the unanswered idea; the officer puts it under review with an answer.
    page.goto(base + "/triage?area=3500102&view=unanswered")
    page.click(f"main a:has-text('{IDEA_TITLE}')")
    page.wait_for_url(re.compile(r".*/triage/ideas/\d+$"))
    idea_url = page.url
    page.select_option("#status", "under_review")
    page.fill("#answer", "เทศบาลรับเรื่องแล้ว กำลังสำรวจพื้นที่ว่างในชุมชน")
    page.click("form[action$='/status'] button[type=submit]")
    page.wait_for_url(idea_url)
    assert page.locator(".flash-success").count() == 1
    assert "เทศบาลรับเรื่องแล้ว" in page.locator("main").inner_text()

    # 2. A proposal from the idea, linked to the city's development plan (2566–2570).
    page.click("main a[href*='/proposals/new?idea=']")
    page.wait_for_url(re.compile(r".*/proposals/new\?idea=\d+$"))
    assert page.input_value("#title") == IDEA_TITLE
    page.fill("#title", PROPOSAL_TITLE)
    page.fill("#target_output", "ลานกีฬาคอนกรีต 1 แห่ง พร้อมแป้นบาสเกตบอล 2 ชุด")
    option = page.locator("#plan_item_id option", has_text="1.1.1 แผนงานเคหะและชุมชน").first.get_attribute("value")
    page.select_option("#plan_item_id", option)
    page.fill("#fiscal_year", "2570")
    page.fill("#estimated_cost", "1,350,000")
    page.fill("#kpi", "เยาวชนใช้ลานกีฬาไม่น้อยกว่า 60 คนต่อวัน")
    page.fill("#expected_result", "เยาวชนมีพื้นที่ออกกำลังกายที่ปลอดภัย")
    page.fill("#responsible_unit", "กองช่าง เทศบาลนครเชียงใหม่")
    # The plan's years differ from the default ones: the year fields followed the plan item at once.
    assert page.locator("label[for=budget_4]").inner_text().find("2570") >= 0
    save = "main form.proposal-form button[type=submit]:not([name=choose])"
    page.click(save)
    # The yearly budgets must add up to the estimated cost.
    page.wait_for_selector(".error-summary")
    assert "1,350,000" in page.locator(".error-summary").inner_text()
    assert page.input_value("#estimated_cost") == "1,350,000"
    page.fill("#budget_4", "1,350,000")
    page.click(save)
    page.wait_for_url(re.compile(r".*/proposals/\d+$"))
    proposal_url = page.url
    assert page.locator("h1").inner_text() == PROPOSAL_TITLE
    assert IDEA_TITLE in page.locator("main").inner_text()

    # 3. Assign the province's evaluator and send the proposal to assessment.
    evaluator = page.locator("#evaluator_id option", has_text="evaluator@demo.ruamkhit.th").first.get_attribute("value")
    page.select_option("#evaluator_id", evaluator)
    page.click("form[action$='/evaluators'] button[type=submit]")
    page.wait_for_load_state()
    page.select_option("#to_state", "under_assessment")
    page.fill("#reason", "ส่งให้ผู้ประเมินตรวจสอบอำนาจหน้าที่และราคา")
    page.click("form[action$='/state'] button[type=submit]")
    page.wait_for_url(proposal_url)
    assert page.locator(".proposal-meta .state-under_assessment").count() == 1

    # 4. The evaluator finds it feasible, with a lower cost.
    _switch_user(page, base, "evaluator@demo.ruamkhit.th")
    page.goto(base + "/proposals/assessments")
    page.click(f"main a:has-text('{PROPOSAL_TITLE}')")
    page.wait_for_url(re.compile(r".*/proposals/\d+/assess$"))
    page.check("#legal_authority_ok-0")
    page.check("#technically_feasible-0")
    page.check("#cost_reasonable-1")
    page.fill("#revised_cost", "1,200,000")
    page.check("#recommendation-0")
    page.fill("#summary", "อยู่ในอำนาจหน้าที่ของเทศบาล ทำได้จริง ปรับราคาตามราคากลาง")
    page.fill("#notes", "บันทึกภายใน: ที่ดินเป็นที่สาธารณประโยชน์")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(proposal_url) + "#assessments$"))
    assert page.locator(".proposal-meta .state-feasible").count() == 1
    assert "฿1,200,000" in page.locator(".facts").inner_text()

    # 5. The officer shortlists it.
    _switch_user(page, base, "officer@demo.ruamkhit.th")
    page.goto(proposal_url)
    page.select_option("#to_state", "shortlisted")
    page.fill("#reason", "ผ่านการประเมินและเข้ารอบให้ประชาชนลงคะแนน")
    page.click("form[action$='/state'] button[type=submit]")
    page.wait_for_url(proposal_url)
    assert page.locator(".proposal-meta .state-shortlisted").count() == 1
    return proposal_url


def test_official_triages_proposes_evaluator_assesses_officer_shortlists(page, live_server):
    base = live_server["url"]
    proposal_url = triage_idea_to_shortlist(page, base)

    # The public sees it in the area's shortlist and from the idea, but not the internal notes.
    page.context.clear_cookies()
    page.goto(base + "/proposals?area=3500102&state=shortlisted")
    assert PROPOSAL_TITLE in page.locator("main").inner_text()
    page.goto(proposal_url)
    text = page.locator("main").inner_text()
    assert "ปรับราคาตามราคากลาง" in text and "ที่ดินเป็นที่สาธารณประโยชน์" not in text
    page.click(f"main a:has-text('{IDEA_TITLE}')")
    assert PROPOSAL_TITLE in page.locator("main").inner_text()
