"""Issue 14.3-14.5 in a real browser, in Thai, at 360 and 1280 px: the resident list upload job, a cycle's
accepted verification methods, and a forum that checks ID cards (on a server of its own: it records demo
residents as paper voters, which the other browser tests must not see)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.demo.base import _valid_id
from tests.browser.conftest import run_live_server, sign_in

OPEN_TITLE = "งบประมาณแบบมีส่วนร่วม จังหวัดเชียงใหม่ ปีงบประมาณ 2570"
SHOTS = os.environ.get("RESLIST_SHOTS")  # a folder to keep screenshots in, for a person to look at
RESIDENT2_ID, RESIDENT3_ID = _valid_id("110370012346"), _valid_id("110370012347")


@pytest.fixture(scope="module")
def own_server():
    with run_live_server() as server:
        yield server


def _fits(page, name: str) -> None:
    """Nothing wider than the screen (no sideways scrolling); a screenshot when asked for."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name}: {overflow}px wider than the screen"
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def _id(n: int) -> str:
    return _valid_id(f"3{n + 50_000_000_000:011d}"[:12])


@pytest.mark.parametrize("width", [360, 1280])
def test_resident_list_upload_paper_voters_and_methods(browser, own_server, width, tmp_path):
    base = own_server["url"]
    context = browser.new_context(locale="th-TH", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    sign_in(page, base, "officer@demo.ruamkhit.th")
    # 14.3: a list with a wrong check digit, a Common-Era date and a subdistrict of another area.
    bad = tmp_path / "bad.csv"
    bad.write_text("national_id,birth_date,subdistrict\n"
                   f"{_id(1)},15/08/2530,500101\n{_id(2)[:12]}0,15/08/2530,500101\n{_id(3)},15/08/1987,500101\n"
                   f"{_id(4)},15/08/2530,500108\n", encoding="utf-8")
    page.goto(base + "/admin/areas/3500102/resident-list")
    page.set_input_files("input[type=file]", str(bad))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    summary = page.locator(".error-summary").inner_text()
    assert "แถวที่ 3" in summary and "แถวที่ 4" in summary and "แถวที่ 5" in summary and "พุทธศักราช" in summary
    _fits(page, "upload-errors")
    good = tmp_path / "good.csv"
    good.write_text("national_id,birth_date,subdistrict\n" + "".join(f"{_id(n)},1/1/2500,500101\n" for n in range(10, 40)),
                    encoding="utf-8")
    page.get_by_role("link", name="อัปโหลดไฟล์อีกครั้ง").click()
    page.set_input_files("input[type=file]", str(good))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    assert "จำนวน 30 คน" in page.locator("main").inner_text()
    _fits(page, "upload-done")

    # 14.4: the cycle form offers the three methods, all ticked.
    official = browser.new_context(locale="th-TH", viewport={"width": width, "height": 900}).new_page()
    sign_in(official, base, "official@demo.ruamkhit.th")
    official.goto(base + "/cycles/new?area=50")
    boxes = official.locator("input[name=accepted_methods]")
    assert boxes.count() == 3 and all(boxes.nth(i).is_checked() for i in range(3))
    _fits(official, "cycle-form")

    # 14.5: the open cycle's paper page; resident3 votes online first (only in the first run).
    official.goto(base + "/cycles/")
    official.get_by_role("link", name=OPEN_TITLE).click()
    official.get_by_role("link", name="จัดการรอบงบประมาณนี้").click()
    official.locator("a[href$='/paper']").first.click()
    paper_url = official.url
    if width == 360:
        resident = browser.new_context(locale="th-TH", viewport={"width": width, "height": 900}).new_page()
        sign_in(resident, base, "resident3@demo.ruamkhit.th")
        resident.goto(base + "/cycles/")
        resident.get_by_role("link", name=OPEN_TITLE).click()
        resident.locator("main a.button", has_text="ลงคะแนน").first.click()
        resident.locator("input[name=project]").first.check()
        resident.click("main form button[type=submit]")
        resident.wait_for_url(re.compile(r".*/receipt$"))
        resident.context.close()
    official.goto(paper_url)
    official.fill("#pv-forum_name", "ประชาคมหมู่ 3 บ้านป่าตึง")
    from app.core.dates import format_date_input
    from app.cycles.phases import bangkok_today

    official.fill("#pv-forum_date", format_date_input(bangkok_today(), "th"))
    official.fill("#pv-national_id", RESIDENT2_ID)
    official.click("#paper-voters button[value=record]")
    official.wait_for_load_state()
    if SHOTS:
        official.screenshot(path=str(Path(SHOTS) / "after-record.png"), full_page=True)
    flash = official.locator(".flash-success, .flash-error").first.inner_text()
    assert ("บันทึกแล้ว" in flash) if width == 360 else ("ลงคะแนนด้วยบัตรกระดาษในงบประมาณนี้แล้ว" in flash), flash
    assert official.locator("#pv-forum_name").input_value() == "ประชาคมหมู่ 3 บ้านป่าตึง"  # kept for the next voter
    official.fill("#pv-national_id", RESIDENT3_ID)
    official.click("#paper-voters button[value=record]")
    assert "ลงคะแนนออนไลน์ในงบประมาณนี้แล้ว" in official.locator(".flash-error").inner_text()
    _fits(official, "paper-voters")
    # The same page in English.
    official.context.add_cookies([{"name": "lang", "value": "en", "url": base}])
    official.goto(paper_url)
    assert "Voters at a forum that checks ID cards" in official.locator("main").inner_text()
    _fits(official, "paper-voters-en")
    official.goto(base + "/cycles/new?area=50")
    assert "Residents may vote when their residency was verified by" in official.locator("main").inner_text()
    _fits(official, "cycle-form-en")

    # resident2, recorded on paper, is told why they cannot vote online.
    resident = browser.new_context(locale="th-TH", viewport={"width": width, "height": 900}).new_page()
    sign_in(resident, base, "resident2@demo.ruamkhit.th")
    resident.goto(base + "/cycles/")
    resident.get_by_role("link", name=OPEN_TITLE).click()
    assert "ลงคะแนนด้วยบัตรกระดาษที่ประชาคมหมู่บ้าน" in resident.locator("main").inner_text()
    _fits(resident, "voted-on-paper")
    resident.goto(base + "/profile")
    _fits(resident, "profile")
    resident.context.close()
    official.context.close()
    context.close()
