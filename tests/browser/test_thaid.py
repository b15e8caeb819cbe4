"""A person signs in with the test ThaID in Chromium, is a verified resident at once, and votes.

The provider is a real OpenID Connect server over HTTP (tests/helpers/oidc_provider.py) and the site
a live server configured with THAID_* pointing at it, as a real deployment is.
"""
from __future__ import annotations

import re

import pytest

from tests.accounts.factories import valid_national_id
from tests.browser.conftest import run_live_server
from tests.helpers.oidc_provider import TestProvider

OPEN_TITLE = "งบประมาณแบบมีส่วนร่วม จังหวัดเชียงใหม่ ปีงบประมาณ 2570"
ADDRESS = "99 หมู่ 2 ต.ศรีภูมิ อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50200"


@pytest.fixture(scope="module")
def thaid_site():
    provider = TestProvider()
    try:
        with run_live_server({"THAID_ISSUER": provider.url, "THAID_CLIENT_ID": "ruamkhit-browser",
                              "THAID_CLIENT_SECRET": "browser-secret",
                              # The mock hands out given_name with the standard "profile" scope.
                              "THAID_SCOPES": "openid pid profile address"}) as site:
            yield provider, site
    finally:
        provider.stop()


def _new_page(browser, width: int, locale: str):
    context = browser.new_context(locale="th-TH" if locale == "th" else "en-GB",
                                  viewport={"width": width, "height": 844 if width < 800 else 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _authorize(page, sub: str) -> None:
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_sign_in_with_thaid_become_verified_and_vote(browser, thaid_site):
    provider, site = thaid_site
    base = site["url"]
    provider.set_user("browser-person-1", {"pid": valid_national_id("310010012345"), "given_name": "สมหวัง",
                                           "family_name": "ตั้งใจ", "address": ADDRESS})
    context, page = _new_page(browser, 360, "th")
    try:
        page.goto(base + "/login")
        _no_horizontal_scroll(page)
        page.get_by_role("link", name="เข้าสู่ระบบด้วย ThaID").click()
        page.wait_for_url(provider.url + "/oauth2/authorize*")
        _authorize(page, "browser-person-1")
        page.wait_for_url(re.compile(r".*/login/with/new-account$"))
        _no_horizontal_scroll(page)
        assert page.locator("h1").inner_text() == "สร้างบัญชีให้เสร็จ"
        assert page.locator("#display_name").input_value() == "สมหวัง ตั้งใจ"
        assert page.locator("#province_code").input_value() == "50"  # from ThaID's address
        page.fill("#email", "somwang@example.com")
        page.check("#consent")
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r".*/profile$"))
        text = page.locator("main").inner_text()
        assert "ThaID ยืนยันตัวตนและถิ่นที่อยู่ของท่านแล้ว" in text
        residency = page.locator("section[aria-labelledby=residency-title]").inner_text()
        assert "ยืนยันด้วย ThaID เมื่อ" in residency  # "verified by ThaID", with the date
        assert "ThaID ยืนยันตัวตนของท่านเมื่อ" in text
        _no_horizontal_scroll(page)

        # Verified at once: the Chiang Mai province budget takes the vote.
        page.goto(base + "/cycles/")
        page.get_by_role("link", name=OPEN_TITLE).click()
        page.locator("main a.button", has_text="ลงคะแนน").first.click()
        page.wait_for_url(re.compile(r".*/vote$"))
        boxes = page.locator("input[name=project]")
        costs = [int(boxes.nth(i).get_attribute("data-cost")) for i in range(boxes.count())]
        boxes.nth(min(range(len(costs)), key=lambda i: costs[i])).check()
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r".*/receipt$"))
        assert page.locator("#receipt-code").inner_text().strip()
    finally:
        context.close()


def test_thaid_sign_in_pages_in_english_at_1280(browser, thaid_site):
    provider, site = thaid_site
    base = site["url"]
    provider.set_user("browser-person-2", {"pid": valid_national_id("310010012346"), "given_name": "Somsak",
                                           "address": ADDRESS})
    context, page = _new_page(browser, 1280, "en")
    try:
        context.add_cookies([{"name": "lang", "value": "en", "url": base}])
        page.goto(base + "/login")
        _no_horizontal_scroll(page)
        page.get_by_role("link", name="Sign in with ThaID").click()
        _authorize(page, "browser-person-2")
        page.wait_for_url(re.compile(r".*/login/with/new-account$"))
        assert page.locator("h1").inner_text() == "Finish creating your account"
        _no_horizontal_scroll(page)
        # Without consent nothing is created, and the page says why.
        page.fill("#email", "somsak@example.com")
        page.click("main form button[type=submit]")
        assert "You must accept the personal data notice to register." in page.locator(".error-summary").inner_text()
    finally:
        context.close()


def test_a_provider_that_is_down_is_named_at_360_in_thai(browser, thaid_site):
    provider, site = thaid_site
    base = site["url"]
    context, page = _new_page(browser, 360, "th")
    try:
        provider.stop()  # last test of the module: the provider goes down
        page.goto(base + "/login")
        page.get_by_role("link", name="เข้าสู่ระบบด้วย ThaID").click()
        page.wait_for_url(re.compile(r".*/login$"))
        assert "ThaID ไม่ตอบสนองในขณะนี้" in page.locator("main").inner_text()
        _no_horizontal_scroll(page)
        # Passwords still sign in.
        page.fill("#email", "resident1@demo.ruamkhit.th")
        page.fill("#password", "ruamkhit-demo")
        page.click("form:not(.lang-switch):not(.inline-form) button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    finally:
        context.close()
