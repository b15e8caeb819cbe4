"""Plan pages: public reading, officials' forms and uploads, and who gets a 403."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.extensions import db
from app.plans.models import Plan, PlanItem
from tests.plans.factories import create_official, create_plan, create_user, lg, login, province


def plan_count(area) -> int:
    return db.session.scalar(select(func.count(Plan.id)).where(Plan.area_id == area.id))


def test_plans_are_public(client):
    plan = create_plan(lg())
    page = client.get("/lg/3500102/plans").get_data(as_text=True)
    assert plan.title in page
    tree = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    for text in ("ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน", "แผนงานเคหะและชุมชน", "กลยุทธ์", "1.1.1"):
        assert text in tree
    assert "/items/new" not in tree  # no forms for the public
    assert "/plans/%d" % plan.id in client.get("/lg/3500102").get_data(as_text=True)  # area section
    assert client.get("/p/50/plans").status_code == 200
    assert client.get("/p/99/plans").status_code == 404
    assert client.get("/lg/50/plans").status_code == 404  # a province code is not a local government
    assert client.get("/plans/999999").status_code == 404


def test_an_official_creates_a_plan_by_form_and_adds_items(client):
    official = create_official(province())
    login(client, official)
    assert client.get("/p/50/plans/new").status_code == 200
    response = client.post("/p/50/plans/new", data={"start_year": "2570", "title": ""})
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.area_id == province().id))
    assert plan.start_year == plan.end_year == 2570
    assert client.get(f"/plans/{plan.id}/items/new").status_code == 200
    client.post(f"/plans/{plan.id}/items/new", data={"code": "", "title": "พัฒนาการท่องเที่ยว"})
    issue = db.session.scalar(select(PlanItem).where(PlanItem.plan_id == plan.id))
    assert (issue.code, issue.level) == ("1", 1)
    assert client.get(f"/plans/{plan.id}/items/new?parent={issue.id}").status_code == 200
    client.post(f"/plans/{plan.id}/items/new?parent={issue.id}", data={"code": "1.5", "title": "แผนงานท่องเที่ยว"})
    programme = db.session.scalar(select(PlanItem).where(PlanItem.code == "1.5", PlanItem.plan_id == plan.id))
    assert programme.parent_id == issue.id and programme.level == 2
    client.post(f"/plans/{plan.id}/items/{programme.id}/edit", data={"code": "1.1", "title": "แผนงานท่องเที่ยวเชิงสร้างสรรค์"})
    db.session.refresh(programme)
    assert (programme.code, programme.title) == ("1.1", "แผนงานท่องเที่ยวเชิงสร้างสรรค์")
    tree = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "แผนงานท่องเที่ยวเชิงสร้างสรรค์" in tree and "ลบ 1.1" in tree
    client.post(f"/plans/{plan.id}/items/{issue.id}/delete")
    assert db.session.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id)) == 0
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == official.id)))
    assert {"plan.create", "plan.item_add", "plan.item_update", "plan.item_remove"} <= actions


def test_creating_a_plan_with_a_file(client):
    from app.plans.upload import sample_csv
    from app.plans.models import PlanKind

    login(client, create_official(lg()))
    response = client.post("/lg/3500102/plans/new", data={
        "start_year": "2566", "title": "แผนพัฒนาท้องถิ่นทดสอบ",
        "file": (io.BytesIO(sample_csv(PlanKind.LOCAL_DEVELOPMENT)), "plan.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.area_id == lg().id))
    assert (plan.title, plan.end_year, len(plan.items)) == ("แผนพัฒนาท้องถิ่นทดสอบ", 2570, 8)


def test_a_bad_file_at_creation_creates_nothing(client):
    login(client, create_official(lg()))
    response = client.post("/lg/3500102/plans/new", data={
        "start_year": "2566", "file": (io.BytesIO(b"level,code,title\r\n1,1,x\r\n"), "plan.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "ไม่มีคอลัมน์ parent_code" in response.get_data(as_text=True)
    assert plan_count(lg()) == 0


@pytest.mark.parametrize("year, message", [("2026", "ปีคริสต์ศักราช"), ("99999", "ต้องอยู่ระหว่าง"), ("abc", "พุทธศักราช"),
                                           ("", "พุทธศักราช"), ("-2570", "ต้องอยู่ระหว่าง")])
def test_absurd_years_in_the_form(client, year, message):
    login(client, create_official(lg()))
    response = client.post("/lg/3500102/plans/new", data={"start_year": year})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert plan_count(lg()) == 0


def test_upload_page_imports_and_reports_problems(client):
    plan = create_plan(lg(), items=[])
    login(client, create_official(lg()))
    assert client.get(f"/plans/{plan.id}/upload").status_code == 200
    bad = "level,code,parent_code,title\r\n1,1,,ยุทธศาสตร์\r\nสอง,1.1,1,กลยุทธ์\r\n".encode("utf-8-sig")
    response = client.post(f"/plans/{plan.id}/upload", data={"file": (io.BytesIO(bad), "p.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "แถวที่ 3 คอลัมน์ level" in page and "ไม่ได้นำเข้าไฟล์" in page
    assert len(db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id)).all()) == 0
    good = bad.replace("สอง".encode(), b"2")
    response = client.post(f"/plans/{plan.id}/upload", data={"file": (io.BytesIO(good), "p.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert len(db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id)).all()) == 2
    response = client.post(f"/plans/{plan.id}/upload", data={}, content_type="multipart/form-data")
    assert "กรุณาเลือกไฟล์" in response.get_data(as_text=True)


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart body built by hand: werkzeug's test builder leaves a temporary file open for large bodies."""
    boundary = "ruamkhit-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_10_mb_upload_is_refused_with_a_message(client):
    plan = create_plan(lg(), items=[])
    login(client, create_official(lg()))
    body, content_type = multipart("big.csv", b"level,code,parent_code,title\r\n" + b"1,1,,x\r\n" * (10 * 1024 * 1024 // 8))
    assert len(body) >= 10 * 1024 * 1024
    response = client.post(f"/plans/{plan.id}/upload", data=body, content_type=content_type)
    assert response.status_code == 200
    assert "ไฟล์มีขนาดเกิน 2 MB" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id)) == 0


@pytest.mark.parametrize("make_outsider", [
    lambda: create_official(province("10")),  # an official of another province
    lambda: create_official(lg("5500107")),  # the officer of another local government
    lambda: create_user(Role.EVALUATOR, province()),
    lambda: create_user(),
])
def test_outsiders_get_403(client, make_outsider):
    plan = create_plan(lg())
    item = plan.items[0]
    login(client, make_outsider())
    csv_file = lambda: (io.BytesIO(b"level,code,parent_code,title\r\n1,9,,x\r\n"), "p.csv")
    requests = [
        ("get", "/lg/3500102/plans/new", None), ("post", "/lg/3500102/plans/new", {"start_year": "2571"}),
        ("get", f"/plans/{plan.id}/edit", None), ("post", f"/plans/{plan.id}/edit", {"start_year": "2566", "title": "x"}),
        ("post", f"/plans/{plan.id}/delete", {}),
        ("get", f"/plans/{plan.id}/items/new", None), ("post", f"/plans/{plan.id}/items/new", {"title": "x"}),
        ("post", f"/plans/{plan.id}/items/{item.id}/edit", {"title": "x"}),
        ("post", f"/plans/{plan.id}/items/{item.id}/delete", {}),
        ("get", f"/plans/{plan.id}/upload", None),
        ("post", f"/plans/{plan.id}/upload", {"file": csv_file()}),
    ]
    for method, url, data in requests:
        kwargs = {"data": data, "content_type": "multipart/form-data"} if method == "post" else {}
        assert getattr(client, method)(url, **kwargs).status_code == 403, url
    assert len(plan.items) == 6 and plan_count(lg()) == 1
    assert "/items/new" not in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    plan = create_plan(lg())
    assert client.get(f"/plans/{plan.id}/upload").status_code == 302
    assert client.post("/lg/3500102/plans/new", data={"start_year": "2571"}).status_code == 302
    assert plan_count(lg()) == 1


def test_items_of_another_plan_or_tampered_ids_give_404(client):
    plan = create_plan(lg())
    other = create_plan(lg(), 2571)
    login(client, create_official(lg()))
    foreign = other.items[0]
    assert client.get(f"/plans/{plan.id}/items/new?parent={foreign.id}").status_code == 404
    assert client.post(f"/plans/{plan.id}/items/new?parent={foreign.id}", data={"title": "x"}).status_code == 404
    assert client.get(f"/plans/{plan.id}/items/new?parent=abc").status_code == 404
    assert client.post(f"/plans/{plan.id}/items/{foreign.id}/delete").status_code == 404
    assert client.get(f"/plans/{plan.id}/items/{foreign.id}/edit").status_code == 404
    leaf = next(i for i in plan.items if i.level == 3)
    assert client.get(f"/plans/{plan.id}/items/new?parent={leaf.id}").status_code == 404
    assert len(other.items) == 6


def test_a_provincial_official_may_manage_a_local_governments_plan(client):
    plan = create_plan(lg())
    login(client, create_official(province()))
    response = client.post(f"/plans/{plan.id}/items/new", data={"title": "ยุทธศาสตร์ที่สาม"})
    assert response.status_code == 302
    assert "3" in {i.code for i in db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))}


def test_sample_files_download(client):
    response = client.get("/plans/sample/local_development.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in wb.worksheets[0][1]] == ["level", "code", "parent_code", "title"]
    response = client.get("/plans/sample/provincial_action.csv")
    assert response.data.startswith(b"\xef\xbb\xbf") and "ประเด็น".encode() not in response.data[:40]
    assert client.get("/plans/sample/other.csv").status_code == 404
    assert client.get("/plans/sample/local_development.xls").status_code == 404


def test_edit_and_delete_plan(client):
    plan = create_plan(lg())
    login(client, create_official(lg()))
    assert client.get(f"/plans/{plan.id}/edit").status_code == 200
    response = client.post(f"/plans/{plan.id}/edit", data={"start_year": "2571", "title": "แผนพัฒนาท้องถิ่น (ฉบับทบทวน)"})
    assert response.status_code == 302
    db.session.refresh(plan)
    assert (plan.start_year, plan.end_year, plan.title) == (2571, 2575, "แผนพัฒนาท้องถิ่น (ฉบับทบทวน)")
    response = client.post(f"/plans/{plan.id}/edit", data={"start_year": "2026", "title": "x"})
    assert "ปีคริสต์ศักราช" in response.get_data(as_text=True)
    assert client.post(f"/plans/{plan.id}/delete").status_code == 302
    assert plan_count(lg()) == 0
