"""Registration to sign-in, in a real browser, in Thai on a phone-sized screen."""
from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

from tests.browser.conftest import open_menu, sign_in


def _last_mail(outbox):
    files = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime)
    return BytesParser(policy=policy.default).parsebytes(files[-1].read_bytes())


def test_register_confirm_email_sign_out_and_sign_in(page, live_server):
    base = live_server["url"]
    page.goto(base + "/register")
    assert page.locator("html").get_attribute("lang") == "th"
    page.fill("#email", "browser.user@example.com")
    page.fill("#display_name", "ผู้ทดสอบ เบราว์เซอร์ 🙂")
    page.select_option("#province_code", "50")
    page.fill("#password", "correct horse battery")
    page.fill("#password_again", "correct horse battery")
    page.check("#consent")
    page.click("main button[type=submit]")
    # Not signed in yet: the same answer as for an address that already has an account.
    page.wait_for_url(re.compile(r".*/login$"))
    assert "browser.user@example.com" in page.locator(".flash-success").inner_text()
    sign_in(page, base, "browser.user@example.com", "correct horse battery")
    page.goto(base + "/profile")
    assert "ผู้ทดสอบ เบราว์เซอร์" in page.content()

    mail = _last_mail(live_server["outbox"])
    link = re.search(r"https?://\S+/verify/\S+", mail.get_body(("plain",)).get_content()).group(0)
    page.goto(link.replace("http://localhost", base))
    assert page.locator(".flash-success").count() == 1

    open_menu(page)
    page.click("header form.inline-form button")
    page.wait_for_url(base + "/")
    sign_in(page, base, "browser.user@example.com", "correct horse battery")
    page.goto(base + "/profile")
    assert "browser.user@example.com" in page.content()
