"""A resident downloads their data (prepared by a job) and deletes their account in a real browser."""
from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
import os
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_accounts import PASSWORD, _register

SHOTS = os.environ.get("BROWSER_SHOTS")  # a folder: save what each width looked like, to be looked at


def test_a_resident_downloads_the_zip_then_deletes_the_account(page, live_server):
    base = live_server["url"]
    email = f"leaving.{uuid.uuid4().hex[:8]}@example.com"
    _register(page, base, email, "ผู้ที่จะลาออก")

    page.click("text=หน้าข้อมูลส่วนบุคคลของท่าน")
    page.wait_for_url(re.compile(r".*/profile/privacy$"))
    page.click("text=จัดเตรียมข้อมูลทั้งหมด (ZIP)")  # a job (run at once by this live server)
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    assert "ไฟล์ของท่านพร้อมแล้ว" in page.locator("main").inner_text()
    with page.expect_download() as info:
        page.click("main a.button[download]")
    download = info.value
    assert download.suggested_filename.startswith("ruamkhit-my-data-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert data["datasets"]["account"][0]["email"] == email
    assert data["datasets"]["consents"][0]["purpose"] == "privacy_notice"
    assert archive.read("account.csv").startswith("\ufeff".encode())

    page.goto(base + "/profile/privacy")
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


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_prepared_download_fits_the_screen_in_both_languages(browser, live_server, width, lang):
    base = live_server["url"]
    context = browser.new_context(locale="th-TH", viewport={"width": width, "height": 800})
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = context.new_page()
    sign_in(page, base, "resident5@demo.ruamkhit.th")
    page.goto(base + "/profile/privacy")
    button = "จัดเตรียมข้อมูลทั้งหมด (ZIP)" if lang == "th" else "Prepare my data (ZIP)"
    page.click(f"text={button}")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    ready = "ไฟล์ของท่านพร้อมแล้ว" if lang == "th" else "Your file is ready."
    assert ready in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/job-{lang}-{width}.png", full_page=True)
    page.goto(base + "/profile/privacy#download-title")
    assert page.locator("#download-title ~ ul a[download]").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if SHOTS:
        page.locator("#download-title").scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/privacy-{lang}-{width}.png")
    context.close()
