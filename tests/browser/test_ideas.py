"""Submitting an idea with a photo in a real browser (Thai, phone-sized), seeing it listed, supporting it."""
from __future__ import annotations

import re
from io import BytesIO

from PIL import ExifTags, Image

from tests.browser.conftest import sign_in

TITLE = "ขอม้านั่งและร่มเงาที่ป้ายรถเมล์หน้าตลาดช้างเผือก"


def _photo_with_gps(path) -> None:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (18.0, 48.0, 1.0)
    out = BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(out, format="JPEG", exif=exif)
    path.write_bytes(out.getvalue())


def test_resident_submits_an_idea_with_a_photo_sees_it_listed_and_it_gets_supported(page, browser, live_server, tmp_path):
    base = live_server["url"]
    sign_in(page, base, "resident1@demo.ruamkhit.th")
    page.goto(base + "/lg/3500102/ideas/new")

    # Similar ideas appear as the title is typed (ideas.js): the demo has street-light ideas here.
    page.fill("#title", "ไฟฟ้าส่องสว่าง")
    similar = page.locator("#similar-ideas")
    similar.wait_for(state="visible")
    assert "ส่องสว่าง" in similar.inner_text()

    page.fill("#title", TITLE)
    page.fill("#description", "ผู้สูงอายุต้องยืนรอรถกลางแดด\n\nขอม้านั่งและหลังคาที่ป้ายรถเมล์")
    page.select_option("#category", "infrastructure")
    # A subdistrict the City covers (ช้างเผือก, 500107, is ทต. and อบต.ช้างเผือก's since #10.6).
    page.select_option("#subdistrict_code", "500102")
    photo = tmp_path / "bus-stop.jpg"
    _photo_with_gps(photo)
    page.set_input_files("#photos", str(photo))
    page.click("form.idea-form button[type=submit]")

    # The preview step (works without JavaScript): check, then submit.
    page.wait_for_url(re.compile(r".*/ideas/new$"))
    assert page.locator("h1").inner_text() == "ตรวจสอบไอเดียของท่านก่อนส่ง"
    assert page.locator(".idea-preview img").count() == 1
    page.click("form.preview-actions button:not([name=action])")

    page.wait_for_url(re.compile(r".*/ideas/\d+$"))
    idea_url = page.url
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator(".flash-success").count() == 1
    image = page.locator(".photo-grid img").first
    assert image.evaluate("img => img.complete && img.naturalWidth") == 640

    # The cleaned photo carries no GPS position.
    response = page.request.get(base + image.get_attribute("src"))
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(BytesIO(response.body())) as served:
        assert not served.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    page.goto(base + "/lg/3500102/ideas")
    assert page.locator(".idea-list a", has_text=TITLE).count() == 1

    # Another resident supports it (the support button belongs to the engagement domain).
    context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844})
    other = context.new_page()
    try:
        sign_in(other, base, "resident2@demo.ruamkhit.th")
        other.goto(idea_url)
        other.get_by_role("button", name="สนับสนุนไอเดียนี้").click()
        other.wait_for_load_state()
        other.goto(idea_url)
        assert other.locator("[data-support-count] strong").inner_text() == "1"
    finally:
        context.close()
    # With a support, the author can no longer change the idea.
    page.goto(idea_url)
    assert page.locator(f"a[href$='/edit']").count() == 0
