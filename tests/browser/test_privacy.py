"""A resident downloads their data and deletes their account in a real browser."""
from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path

from tests.browser.test_accounts import PASSWORD, _register


def test_a_resident_downloads_the_zip_then_deletes_the_account(page, live_server):
    base = live_server["url"]
    email = f"leaving.{uuid.uuid4().hex[:8]}@example.com"
    _register(page, base, email, "ผู้ที่จะลาออก")

    page.click("text=หน้าข้อมูลส่วนบุคคลของท่าน")
    page.wait_for_url(re.compile(r".*/profile/privacy$"))
    with page.expect_download() as info:
        page.click("text=ดาวน์โหลดข้อมูลทั้งหมด (ZIP)")
    download = info.value
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["datasets"]["account"][0]["email"] == email
    assert data["datasets"]["consents"][0]["purpose"] == "privacy_notice"
    assert archive.read("account.csv").startswith("\ufeff".encode())

    page.click("text=การลบบัญชีมีผลอย่างไร และลบได้อย่างไร")
    page.wait_for_url(re.compile(r".*/profile/delete$"))
    page.fill("#password", "a wrong password here")
    page.click("main form button[type=submit]")
    assert "รหัสผ่านไม่ถูกต้อง" in page.locator("main").inner_text()
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(base + "/")
    assert "ลบบัญชีของท่านแล้ว" in page.locator(".flashes").inner_text()

    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form:not(.lang-switch):not(.inline-form) button[type=submit]")
    page.wait_for_load_state()
    assert "/login" in page.url  # the account is gone
