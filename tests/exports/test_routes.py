"""Export pages and downloads: public, read-only, opened by real readers (openpyxl, csv)."""
from __future__ import annotations

import csv
import re
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.proposals.models import Proposal, ProposalState
from tests.exports.factories import create_proposal
from tests.plans.factories import create_official, create_plan, lg, login, province


def demo_plan():
    plan = create_plan(lg())
    items = {i.code: i for i in plan.items}
    create_proposal(items["1.1.1"], "ก่อสร้างถนน คสล. ซอยวัดเกต", budget={2567: 1_250_000, 2568: 250_000})
    create_proposal(items["1.1.1"], "=cmd|' /C calc'!A0", objective="+SUM(1)", kpi="@x", budget={2566: 10_000})
    create_proposal(items["2.1.1"], "คัดกรองเบาหวานผู้สูงอายุ", budget={2569: 80_000})
    create_proposal(items["2.1.1"], "โครงการที่ได้รับงบแล้ว", state=ProposalState.SELECTED, budget={2570: 5_000})
    create_proposal(items["2.1.1"], "ร่างภายใน", state=ProposalState.DRAFT, budget={2570: 7})
    return plan


def test_the_exports_page_is_public_and_links_every_format(client):
    plan = demo_plan()
    page = client.get("/lg/3500102/exports").get_data(as_text=True)
    assert plan.title in page
    for url in (f"/plans/{plan.id}/export.xlsx?state=shortlisted", f"/plans/{plan.id}/export.csv?state=shortlisted",
                f"/plans/{plan.id}/export?state=shortlisted"):
        assert url in page
    assert "/lg/3500102/exports" in client.get("/lg/3500102").get_data(as_text=True)
    assert "/lg/3500102/exports" in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert client.get("/p/50/exports").status_code == 200
    assert client.get("/lg/3500102/exports?state=selected").status_code == 200
    assert client.get("/lg/3500102/exports?state=draft").status_code == 400
    assert client.get("/lg/9999999/exports").status_code == 404


def test_the_excel_download_opens_and_holds_the_shortlist(client):
    plan = demo_plan()
    response = client.get(f"/plans/{plan.id}/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename=p02-3500102-2566-2570-shortlisted.xlsx' in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "แบบ ผ.02"
    assert rows[1][0] == "รายละเอียดโครงการพัฒนา"
    assert rows[2][0] == "แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)"
    assert rows[3][0] == "เทศบาลนครเชียงใหม่ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่"
    titles = [r[1] for r in rows]
    assert "ก่อสร้างถนน คสล. ซอยวัดเกต" in titles and "คัดกรองเบาหวานผู้สูงอายุ" in titles
    assert "ร่างภายใน" not in titles and "โครงการที่ได้รับงบแล้ว" not in titles
    grand = rows[titles.index("รวมทั้งสิ้น (3 โครงการ)")]
    assert grand[4:9] == [10_000, 1_250_000, 250_000, 80_000, "-"]
    assert rows[titles.index("รวมยุทธศาสตร์ 1 (2 โครงการ)")][4:9] == [10_000, 1_250_000, 250_000, "-", "-"]
    evil = next(c for r in ws.iter_rows() for c in r if c.value == "=cmd|' /C calc'!A0")
    assert evil.data_type == "s"
    both = load_workbook(io.BytesIO(client.get(f"/plans/{plan.id}/export.xlsx?state=both").data)).worksheets[0]
    assert "โครงการที่ได้รับงบแล้ว" in [r[1].value for r in both.iter_rows()]


def test_the_csv_download_is_utf8_with_bom_and_safe(client):
    plan = demo_plan()
    response = client.get(f"/plans/{plan.id}/export.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.is_streamed
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["โครงการ"] for r in rows] == ["ก่อสร้างถนน คสล. ซอยวัดเกต", "'=cmd|' /C calc'!A0", "คัดกรองเบาหวานผู้สูงอายุ"]
    assert rows[1]["วัตถุประสงค์"] == "'+SUM(1)" and rows[1]["ตัวชี้วัด (KPI)"] == "'@x"
    assert rows[0]["งบประมาณ 2567 (บาท)"] == "1250000" and rows[0]["งบประมาณ 2566 (บาท)"] == ""
    assert rows[0]["ยุทธศาสตร์"] == "ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน" and rows[0]["รหัสแผนงาน"] == "1.1.1"
    assert rows[0]["สถานะ"]


def test_the_printable_page(client):
    plan = demo_plan()
    response = client.get(f"/plans/{plan.id}/export")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "css/exports.css" in page and "แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)" in page
    text_only = re.sub(r"<[^>]+>", "", page)
    for text in ("ยุทธศาสตร์ 1 ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน", "แผนงาน 2.1.1 แผนงานสาธารณสุข",
                 "1,250,000", "รวมทั้งสิ้น (3 โครงการ)", "ตัวชี้วัด (KPI)", "หน่วยงานรับผิดชอบหลัก", "แบบ ผ.02"):
        assert text in text_only, text
    # the title lines name the plan once; the h1 is the form's heading
    main = text_only.split('<main', 1)[-1] if '<main' in text_only else text_only[text_only.index("แบบ ผ.02"):]
    assert main.count("แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)") == 1
    assert re.search(r'<h1 class="p02-title">รายละเอียดโครงการพัฒนา</h1>', page)
    # header words are kept whole: "รับผิด|ชอบ" cannot be split by the browser
    assert '<span class="keep-word">รับผิดชอบ</span>' in page
    assert "ร่างภายใน" not in page
    assert client.get(f"/plans/{plan.id}/export?state=nonsense").status_code == 400
    assert client.get("/plans/999999/export").status_code == 404
    css = (Path(__file__).resolve().parents[2] / "static/css/exports.css").read_text()
    assert "@media print" in css and "landscape" in css


def test_a_province_exports_by_development_issue(client):
    items = [("1", None, "ท่องเที่ยวเชิงสร้างสรรค์"), ("1.1", "1", "แผนงานท่องเที่ยว"), ("2", None, "เกษตรปลอดภัย"),
             ("2.1", "2", "แผนงานเกษตร")]
    plan = create_plan(province(), 2570, items=items)
    ids = {i.code: i for i in plan.items}
    create_proposal(ids["2.1"], "ส่งเสริมกาแฟ", budget={2570: 1_000_000})
    create_proposal(ids["1.1"], "ป้ายบอกทางท่องเที่ยว", budget={2570: 200_000})
    rows = [[c.value for c in r] for r in
            load_workbook(io.BytesIO(client.get(f"/plans/{plan.id}/export.xlsx").data)).worksheets[0].iter_rows()]
    first = [r[0] for r in rows]
    assert rows[3][0] == "จังหวัดเชียงใหม่"
    assert first.index("ประเด็นการพัฒนา 1 ท่องเที่ยวเชิงสร้างสรรค์") < first.index("ประเด็นการพัฒนา 2 เกษตรปลอดภัย")
    header = first.index("ที่")
    assert rows[header + 1][4] == "2570" and len(rows[header]) == 8
    assert rows[-1][1] == "รวมทั้งสิ้น (2 โครงการ)" and rows[-1][4] == 1_200_000


def test_exports_change_nothing(client):
    plan = demo_plan()
    login(client, create_official(lg()))
    before = db.session.scalar(select(func.count(Proposal.id)))
    for url in (f"/plans/{plan.id}/export.xlsx", f"/plans/{plan.id}/export.csv", f"/plans/{plan.id}/export"):
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405
    assert db.session.scalar(select(func.count(Proposal.id))) == before


def test_the_csv_streams_after_the_view_has_returned(app, client):
    """In production the request's session is removed when the view returns, before the streamed body
    is read (the tests' shared app context hides this): the export must load what it needs itself."""
    plan_id = demo_plan().id
    db.session.commit()
    db.session.expunge_all()

    def end_of_request(exc=None):
        db.session.remove()

    hooks = app.teardown_request_funcs.setdefault(None, [])
    hooks.append(end_of_request)
    try:
        response = client.get(f"/plans/{plan_id}/export.csv")
        body = response.get_data()
    finally:
        hooks.remove(end_of_request)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert len(rows) == 4 and rows[1][5] == "ก่อสร้างถนน คสล. ซอยวัดเกต"
