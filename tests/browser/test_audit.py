"""The audit log as the demo administrator sees it in Thai: sentences, not codes, and a layout
that fits a 1280 px desktop and a 360 px phone (cards there), with the table's scroll region
reachable by keyboard."""
from __future__ import annotations

import os
import re

import pytest

from app.audit.actions import ACTIONS
from tests.browser.conftest import sign_in


@pytest.mark.parametrize("width,height", [(1280, 800), (360, 800)])
def test_audit_log_reads_in_thai_and_fits_the_screen(browser, live_server, width, height):
    context = browser.new_context(locale="th-TH", viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        base = live_server["url"]
        sign_in(page, base, "admin@demo.ruamkhit.th")
        page.goto(base + "/admin/audit")
        rows = page.locator(".audit-table tbody tr")
        assert rows.count() > 10  # the demo's officials left a trail
        text = page.locator("main").inner_text()
        codes = [code for code in ACTIONS if code in text]
        assert not codes, f"raw action codes on the Thai page: {codes}"
        assert not re.search(r"\{'|'\w+': ", text), "a Python value on the page"
        assert "2569" in text or "2570" in text  # Buddhist-Era dates
        assert page.locator(".audit-table a[href^='/proposals/'], .audit-table a[href^='/ideas/']").count() > 0
        # Nothing runs off the screen: the page is not wider than the window ...
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"the page is {page_width} px wide at {width} px"
        # ... and neither is the table inside its region.
        region = page.locator(".table-scroll")
        overflow = region.evaluate("el => el.scrollWidth - el.clientWidth")
        assert overflow <= 1, f"the table overflows its region by {overflow} px at {width} px"
        assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-label")
        if width <= 360:
            # Cards: each cell says what it is.
            first = rows.first.locator("td").first
            assert page.evaluate("el => getComputedStyle(el, '::before').content", first.element_handle()) != "none"
        if os.environ.get("SCREENSHOTS"):
            page.locator(".audit-table").scroll_into_view_if_needed()
            page.screenshot(path=f"{os.environ['SCREENSHOTS']}/audit-{width}.png", clip={"x": 0, "y": 700, "width": width, "height": 1400}, full_page=True)
    finally:
        context.close()
