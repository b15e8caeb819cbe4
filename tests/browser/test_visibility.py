"""A hidden idea on a 360 px phone, in Thai: its author and the province's official read it, a
resident and a visitor see only that it is hidden, and why, with no button they cannot use."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from tests.browser.conftest import sign_in

TITLE = "ขอป้ายบอกทางไปโรงพยาบาลประจำตำบล"
TEXT = "นักท่องเที่ยวหลงทางบ่อย ขอป้ายบอกทางที่สี่แยก"
AUTHOR, RESIDENT, OFFICIAL = "resident2@demo.ruamkhit.th", "resident3@demo.ruamkhit.th", "official@demo.ruamkhit.th"
REASON = "มีข้อมูลส่วนบุคคลของผู้อื่น"
SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir())


def _phone(browser):
    context = browser.new_context(locale="th-TH", viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_hidden_idea_reads_right_in_thai_on_a_phone_for_each_reader(browser, live_server):
    base = live_server["url"]
    context, page = _phone(browser)
    try:
        # The author submits an idea in their own province, and the official hides it.
        sign_in(page, base, AUTHOR)
        page.goto(base + "/p/50/ideas/new")
        page.fill("#title", TITLE)
        page.fill("#description", TEXT)
        page.select_option("#category", "infrastructure")
        page.click("form.idea-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/ideas/new$"))
        page.click("form.preview-actions button:not([name=action])")
        page.wait_for_url(re.compile(r".*/ideas/\d+$"))
        idea_url = page.url
        # Their own idea: no support button, and the page says why.
        assert page.get_by_role("button", name="สนับสนุนไอเดียนี้").count() == 0
        assert "นี่คือไอเดียของท่าน" in page.content()
        context.close()

        context, page = _phone(browser)
        sign_in(page, base, OFFICIAL)
        page.goto(idea_url)
        page.get_by_role("link", name="ซ่อนไอเดียนี้").click()
        page.fill("#reason", REASON)
        page.click("main form button[type=submit]:not(.link-button)")
        page.wait_for_load_state()
        page.goto(idea_url)
        assert page.locator("h1").inner_text() == TITLE  # the official still reads it
        assert "ท่านเป็นเจ้าหน้าที่ของพื้นที่นี้" in page.content() and TEXT in page.content()
        page.screenshot(path=str(SHOTS / "official.png"), full_page=True)
        context.close()

        for who in (RESIDENT, None):
            context, page = _phone(browser)
            if who:
                sign_in(page, base, who)
            page.goto(idea_url)
            assert page.locator("h1").inner_text() == "ไอเดียที่ถูกซ่อน"
            body = page.content()
            assert TITLE not in body and TEXT not in body
            assert "ไอเดียนี้ถูกซ่อนโดยผู้ดูแล" in page.locator(".notice-hidden").inner_text()
            assert REASON in body  # the public reason
            # No button that would be refused: support, follow, comment, report.
            for name in ("สนับสนุนไอเดียนี้", "ติดตามไอเดียนี้"):
                assert page.get_by_role("button", name=name).count() == 0, (who, name)
            assert page.locator("#comment-form").count() == 0
            assert page.locator(f"a[href$='{idea_url[len(base):]}/report']").count() == 0
            assert _fits(page), "the hidden idea page is wider than a 360 px phone"
            page.screenshot(path=str(SHOTS / f"{'resident' if who else 'visitor'}.png"), full_page=True)
            # Its comment form says nothing about it either.
            if who:
                response = page.goto(idea_url + "/comments/new")
                assert response.status == 404
            context.close()

        context, page = _phone(browser)
        sign_in(page, base, AUTHOR)
        page.goto(idea_url)
        assert page.locator("h1").inner_text() == TITLE  # its author still reads it, told that others do not
        assert "ท่านเห็นเนื้อหาเพราะท่านเป็นผู้เขียน" in page.content()
        assert "มีผู้สนับสนุนหรือแสดงความคิดเห็นแล้ว" not in page.content()  # not the reason it cannot change
        assert _fits(page)
        page.screenshot(path=str(SHOTS / "author.png"), full_page=True)
        # The author's notification about the hiding names their idea.
        page.goto(base + "/notifications/")
        assert TITLE in page.content()
    finally:
        context.close()
