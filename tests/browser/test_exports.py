"""The officer of เทศบาลนครเชียงใหม่ downloads the shortlist as the ผ.02 Excel file, in a real browser.

It continues the triage flow (tests/browser/test_triage.py) without repeating
it: both tests share one live server, so running the flow twice would find
its idea already answered. Whatever is shortlisted when this test runs (the
demo's proposals, plus the flow's proposal when the triage test ran first)
must be in the file the officer downloads.
"""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.browser.conftest import sign_in
from tests.browser.test_triage import PROPOSAL_TITLE


def test_officer_downloads_the_p02_excel_file_of_the_shortlist(page, live_server, tmp_path):
    base = live_server["url"]
    sign_in(page, base, "officer@demo.ruamkhit.th")

    # From the local government's page to its exports.
    page.goto(base + "/lg/3500102")
    page.click("main a:has-text('ส่งออกโครงการที่ผ่านการคัดเลือก')")
    page.wait_for_url(re.compile(r".*/lg/3500102/exports$"))
    assert page.locator("h1").inner_text() == "ส่งออกข้อมูลโครงการของเทศบาลนครเชียงใหม่"
    row = page.locator("main table tbody tr", has_text="แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)")
    shortlisted = int(row.locator("td").nth(1).inner_text().replace(",", ""))
    assert shortlisted >= 1

    with page.expect_download() as download_info:
        row.locator("a", has_text="Excel").click()
    download = download_info.value
    assert re.fullmatch(r"p02-3500102-2566-2570-shortlisted\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    ws = load_workbook(io.BytesIO(path.read_bytes())).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "แบบ ผ.02"
    assert [r[0] for r in rows[1:4]] == ["รายละเอียดโครงการพัฒนา", "แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)",
                                       "เทศบาลนครเชียงใหม่ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่"]
    header = next(i for i, r in enumerate(rows) if r[0] == "ที่")
    assert rows[header + 1][4:9] == ["2566", "2567", "2568", "2569", "2570"]
    projects = [r for r in rows[header + 2:] if isinstance(r[0], int)]
    assert len(projects) == shortlisted
    assert any(str(r[0]).startswith("ยุทธศาสตร์ ") for r in rows[header + 2:])
    grand = rows[-1]
    assert grand[1] == f"รวมทั้งสิ้น ({shortlisted} โครงการ)"
    sums = [sum(r[c] for r in projects if r[c] != "-") for c in range(4, 9)]
    assert grand[4:9] == [s or "-" for s in sums]

    # The flow's proposal, when the triage test has shortlisted it in this session, is in the file.
    page.goto(base + "/proposals?area=3500102&state=shortlisted")
    if PROPOSAL_TITLE in page.locator("main").inner_text():
        assert PROPOSAL_TITLE in [r[1] for r in projects]

    # The printable page shows the same shortlist.
    page.goto(base + "/lg/3500102/exports")
    page.locator("main table tbody tr", has_text="แผนพัฒนาท้องถิ่น").locator("a", has_text="หน้าสำหรับพิมพ์").click()
    assert f"รวมทั้งสิ้น ({shortlisted} โครงการ)" in page.locator("main").inner_text()
    # The plan is named once in the title lines, and no header word is broken inside.
    titles = page.locator(".p02-form-label, .p02-title, .p02-title-line, .p02-note").all_inner_texts()
    assert sum(t.count("แผนพัฒนาท้องถิ่น") for t in titles) == 1, titles
    assert titles[0] == "แบบ ผ.02"
    for header in page.locator(".p02-table thead th").all():
        text = header.inner_text()
        lines = page.evaluate("(el) => { const r = document.createRange(); r.selectNodeContents(el); "
                              "return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; }",
                              header.element_handle())
        box = header.bounding_box()
        assert lines >= 1
        for word in ("รับผิดชอบ", "ตัวชี้วัด", "วัตถุประสงค์", "โครงการ", "งบประมาณ"):
            if word in text:
                # the word's own rectangles all sit on one line
                tops = page.evaluate(
                    "([el, word]) => { const t = el.textContent; const i = t.indexOf(word); let n = el; "
                    "const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let off = 0, node; "
                    "while ((node = walker.nextNode())) { const j = t.indexOf(word) - off; "
                    "if (j >= 0 && j < node.length) { const r = document.createRange(); "
                    "r.setStart(node, j); r.setEnd(node, Math.min(node.length, j + word.length)); "
                    "return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; } off += node.length; } "
                    "return 1; }", [header.element_handle(), word])
                assert tops == 1, (text, word, box)
