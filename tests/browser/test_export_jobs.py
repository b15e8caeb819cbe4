"""Large exports through their job page in a real browser: a plan's ผ.02 file and a budget's .pb file,
prepared, followed on /jobs/<id> and downloaded, on a phone and a desktop, in Thai and English.

The server is started with tiny limits (EXPORT_INLINE_ROWS=1, PB_INLINE_BALLOTS=1), so that the
demo's plans and its finished cycle count as "large"; its jobs run inside the request.
"""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import run_live_server, sign_in

FINISHED_TITLE = "งบประมาณแบบมีส่วนร่วม เทศบาลนครเชียงใหม่ ปีงบประมาณ 2569"
SIZES = ((360, 740), (1280, 900))
SHOTS = os.environ.get("BROWSER_SHOTS")  # a folder: save what each page looked like
WORDS = {
    "th": {"xlsx": "จัดเตรียมไฟล์ Excel (แบบ ผ.02)", "pb": "จัดเตรียมบัตรลงคะแนนแบบไม่ระบุตัวตน (ไฟล์ .pb ของ pabulib)",
           "ready": "ไฟล์ของท่านพร้อมแล้ว"},
    "en": {"xlsx": "Prepare Excel (ผ.02)", "pb": "Prepare the anonymised ballots (pabulib .pb file)",
           "ready": "Your file is ready."},
}


@pytest.fixture(scope="module")
def large_server():
    with run_live_server({"EXPORT_INLINE_ROWS": "1", "PB_INLINE_BALLOTS": "1"}) as server:
        yield server


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("document.documentElement.clientWidth")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _download(page, name: str) -> bytes:
    with page.expect_download() as info:
        page.click("main a.button[download]")
    download = info.value
    assert download.suggested_filename.endswith(name)
    return Path(download.path()).read_bytes()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}px")
def test_a_large_plan_and_a_large_ballot_file_come_from_their_job_page(browser, large_server, lang, size):
    base = large_server["url"]
    context = browser.new_context(locale="th-TH", viewport={"width": size[0], "height": size[1]})
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    page = context.new_page()
    page.set_default_timeout(20000)
    words = WORDS[lang]

    # Not signed in: the exports page asks to sign in instead of offering the file.
    page.goto(base + "/lg/3500102/exports?state=both")
    assert page.locator("form.export-prepare").count() == 0
    assert page.locator(f"a[href*='/login']:has-text('{'เข้าสู่ระบบเพื่อจัดเตรียม' if lang == 'th' else 'Sign in to prepare'}')").count() >= 1
    _fits(page)

    sign_in(page, base, "resident5@demo.ruamkhit.th")
    page.goto(base + "/lg/3500102/exports?state=both")
    _fits(page)
    _shot(page, f"exports-{lang}-{size[0]}")
    page.locator("form.export-prepare button", has_text=words["xlsx"]).first.click()
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    assert words["ready"] in page.locator("main").inner_text()
    _fits(page)
    _shot(page, f"export-job-{lang}-{size[0]}")
    workbook = load_workbook(io.BytesIO(_download(page, ".xlsx")))
    assert workbook.worksheets[0].cell(1, 1).value in ("แบบ ผ.02", "Form P.02")

    page.goto(base + "/cycles/")
    page.get_by_role("link", name=FINISHED_TITLE).first.click()
    page.goto(page.url.rstrip("/") + "/results")
    page.locator("main form button", has_text=words["pb"]).first.click()
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    assert words["ready"] in page.locator("main").inner_text()
    _fits(page)
    _shot(page, f"pb-job-{lang}-{size[0]}")
    assert b"VOTES" in _download(page, ".pb")
    context.close()
