"""Supporting a demo idea in a real browser: first without JavaScript (form and redirect), then with it."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in

RESIDENT = "resident4@demo.ruamkhit.th"  # the demo leaves this resident without any support
SUPPORT = "สนับสนุนไอเดียนี้"
WITHDRAW = "ถอนการสนับสนุน"


def _count(page) -> int:
    return int(page.locator("[data-support-count] strong").inner_text().replace(",", ""))


def _supportable_ideas(page, base: str) -> list[str]:
    """Links to demo ideas of Chiang Mai and its two local governments that show a support button."""
    links: list[str] = []
    for area in ("/p/50/ideas", "/lg/3500102/ideas", "/lg/5500107/ideas"):
        page.goto(base + area)
        for href in page.locator("main a[href^='/ideas/']").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
            if re.fullmatch(r"/ideas/\d+", href or "") and href not in links:
                links.append(href)
    return links


def _open_supportable(page, base: str, links: list[str], skip: set[str]) -> str:
    for href in links:
        if href in skip:
            continue
        page.goto(base + href)
        if page.get_by_role("button", name=SUPPORT).count():
            return href
    pytest.fail("no demo idea with a support button was found (is the ideas demo loaded?)")


def test_resident_supports_a_demo_idea_without_javascript(browser, live_server):
    base = live_server["url"]
    context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, base, RESIDENT)
        links = _supportable_ideas(page, base)
        assert links, "the demo has no ideas in Chiang Mai"
        href = _open_supportable(page, base, links, set())
        before = _count(page)
        page.get_by_role("button", name=SUPPORT).click()
        page.wait_for_load_state()
        assert page.url.startswith(base + href)
        assert _count(page) == before + 1
        assert page.get_by_role("button", name=WITHDRAW).count() == 1
        assert "ขอบคุณที่สนับสนุนไอเดียนี้" in page.content()
        # And it toggles off again.
        page.get_by_role("button", name=WITHDRAW).click()
        page.wait_for_load_state()
        assert _count(page) == before
    finally:
        context.close()


def test_resident_supports_a_demo_idea_with_javascript_in_place(page, live_server):
    base = live_server["url"]
    sign_in(page, base, RESIDENT)
    links = _supportable_ideas(page, base)
    href = _open_supportable(page, base, links, set())
    before = _count(page)
    page.get_by_role("button", name=SUPPORT).click()
    page.get_by_role("button", name=WITHDRAW).wait_for()
    assert _count(page) == before + 1
    assert page.url.startswith(base + href)  # no navigation: updated in place
    page.reload()
    assert _count(page) == before + 1  # and it was saved
    page.get_by_role("button", name=WITHDRAW).click()
    page.get_by_role("button", name=SUPPORT).wait_for()
    assert _count(page) == before
