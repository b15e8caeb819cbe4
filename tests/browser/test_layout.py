"""The phone layout (#12.12, #12.13): a compact header whose menu works without JavaScript,
and no page wider than a 360 px screen."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

PHONE = {"width": 360, "height": 800}
WIDE_PAGES = ("/", "/provinces", "/p/50", "/lg/3500102", "/admin/", "/admin/audit", "/admin/roles",
              "/proposals?area=50", "/triage", "/moderation/")


def _context(browser, *, width: int, javascript: bool = True):
    return browser.new_context(locale="th-TH", viewport={"width": width, "height": 800}, java_script_enabled=javascript)


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False])
def test_phone_header_is_compact_and_its_menu_opens_without_script(browser, live_server, javascript):
    base = live_server["url"]
    context = _context(browser, width=360, javascript=javascript)
    page = context.new_page()
    sign_in(page, base, "official@demo.ruamkhit.th")
    page.goto(base + "/")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 64, f"the phone header takes {header['height']} px"
    assert not page.get_by_role("link", name="จังหวัด", exact=True).is_visible()
    page.click("header .nav-toggle")  # "เมนู"
    link = page.get_by_role("link", name="เจ้าหน้าที่")
    assert link.is_visible()
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/")
    context.close()


@pytest.mark.browser
def test_wide_screen_shows_the_menu_without_a_button(browser, live_server):
    context = _context(browser, width=1280)
    page = context.new_page()
    page.goto(live_server["url"] + "/")
    assert page.get_by_role("link", name="จังหวัด", exact=True).is_visible()
    assert not page.locator("header .nav-toggle").is_visible()
    context.close()


@pytest.mark.browser
def test_no_page_is_wider_than_a_phone(browser, live_server):
    base = live_server["url"]
    context = _context(browser, width=360)
    page = context.new_page()
    sign_in(page, base, "admin@demo.ruamkhit.th")
    too_wide = []
    for path in WIDE_PAGES:
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide.append(f"{path}: {width} px")
    context.close()
    assert too_wide == []
