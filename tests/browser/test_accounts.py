"""Account flows in a real browser: password reset through the outbox, and a resident verified by an official."""
from __future__ import annotations

import re
import uuid
from email import policy
from email.parser import BytesParser

from tests.browser.conftest import open_menu, sign_in

PASSWORD = "correct horse battery"


def _mail_to(outbox, address: str):
    files = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
    for f in files:
        mail = BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        if mail["To"] == address:
            return mail
    raise AssertionError(f"no mail to {address}")


def _register(page, base, email, name):
    page.goto(base + "/register")
    page.fill("#email", email)
    page.fill("#display_name", name)
    page.select_option("#province_code", "50")
    page.fill("#password", PASSWORD)
    page.fill("#password_again", PASSWORD)
    page.check("#consent")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/login$"))  # registering does not sign in (it would tell who is new)
    sign_in(page, base, email, PASSWORD)
    page.goto(base + "/profile")


def _sign_out(page, base):
    open_menu(page)
    page.click("header form.inline-form button")
    page.wait_for_url(base + "/")


def test_forgotten_password_is_reset_from_the_emailed_link(page, live_server):
    base = live_server["url"]
    email = f"forgetful.{uuid.uuid4().hex[:8]}@example.com"
    _register(page, base, email, "ขี้ลืม ทดสอบ")
    _sign_out(page, base)

    page.goto(base + "/login")
    page.click("text=ลืมรหัสผ่าน")
    page.fill("#email", email)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/login$"))
    assert email in page.locator(".flash-info").inner_text()

    mail = _mail_to(live_server["outbox"], email)
    assert mail["Subject"] == "ตั้งรหัสผ่านใหม่สำหรับบัญชีร่วมคิด"
    link = re.search(r"https?://\S+/reset-password/\S+", mail.get_body(("plain",)).get_content()).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)
    page.goto(base + path)
    page.fill("#password", "a brand new password")
    page.fill("#password_again", "a brand new password")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/login$"))
    assert page.locator(".flash-success").count() == 1

    sign_in(page, base, email, PASSWORD)  # the old password no longer works
    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in page.content()
    sign_in(page, base, email, "a brand new password")
    page.goto(base + "/profile")
    assert email in page.content()

    page.goto(base + path)  # the link worked once
    assert "ใช้ไม่ได้แล้ว" in page.locator(".flash-error").inner_text()


def test_resident_adds_national_id_and_an_official_verifies_it(page, live_server):
    base = live_server["url"]
    email = f"voter.{uuid.uuid4().hex[:8]}@example.com"
    name = f"ผู้มีสิทธิ์ {uuid.uuid4().hex[:4]}"
    stem = f"3{uuid.uuid4().int % 10**11:011d}"
    total = sum(int(stem[i]) * (13 - i) for i in range(12))
    number = stem + str((11 - total % 11) % 10)

    _register(page, base, email, name)
    page.select_option("#profile-subdistrict_code", "500101")
    page.click("form[action='/profile'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/profile$"))
    page.fill("#nid-national_id", number)
    page.click("form[action='/profile/national-id'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/profile$"))
    assert "รอเจ้าหน้าที่ยืนยัน" in page.content() or "อยู่ระหว่างรอการยืนยัน" in page.content()
    _sign_out(page, base)

    sign_in(page, base, "officer@demo.ruamkhit.th")
    page.goto(base + "/admin/")
    page.click("a[href='/admin/areas/3500102/residents']")
    page.fill("#q", email)
    page.select_option("#state", "waiting")
    page.click("main form.search-form button[type=submit]")
    page.click(f"text=ยืนยันถิ่นที่อยู่ของ {name}")
    assert name in page.locator(".flash-success").inner_text()
    _sign_out(page, base)

    sign_in(page, base, email, PASSWORD)
    page.goto(base + "/profile")
    assert "ถิ่นที่อยู่ของท่านได้รับการยืนยันเมื่อ" in page.content()
