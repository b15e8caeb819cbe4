"""Large plan files: a workbook of empty formatted cells is read only to its real data, and a large one by a job."""
from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import func, select

from app.extensions import db
from app.jobs.models import Job, JobState
from app.plans import upload
from app.plans.models import PlanItem
from tests.plans.factories import create_official, create_plan, lg, login
from tests.plans.test_upload import GOOD, xlsx


def padded_xlsx(rows, empty_rows: int, declared_rows: int = 1_048_576) -> bytes:
    """A small workbook that unpacks to many megabytes: `empty_rows` rows of empty formatted cells after the data,
    and a sheet that claims `declared_rows` rows (openpyxl then yields empty rows up to there)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                filler = '<row><c s="0"/><c s="0"/><c s="0"/><c s="0"/></row>' * empty_rows
                text = text.replace("</sheetData>", filler + "</sheetData>")
                text = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:D{declared_rows}"/>', text)
                data = text.encode("utf-8")
            target.writestr(item.filename, data)
    return out.getvalue()


def test_a_small_workbook_of_empty_cells_is_read_only_to_its_real_data():
    data = padded_xlsx(GOOD, empty_rows=700_000)  # ~39 MB of empty cells
    received = upload.Upload("plan.xlsx", data)
    assert len(data) < 200 * 1024 and upload.unpacked_size(received) > 30 * 1024 * 1024
    seen: list[int] = []
    rows = upload.parse_upload(received, progress=lambda done, total: seen.append(done))
    assert [r.code for r in rows] == [r[1] for r in GOOD]
    # Reading stopped MAX_BLANK_RUN empty rows after the data, not at row 700,000 or 1,048,576.
    assert not seen or max(seen) <= len(GOOD) + 1 + upload.MAX_BLANK_RUN


def test_a_sheet_that_only_claims_a_million_rows_is_read_fast():
    data = padded_xlsx(GOOD, empty_rows=0)
    seen: list[int] = []
    rows = upload.parse_upload(upload.Upload("plan.xlsx", data), progress=lambda done, total: seen.append(done))
    assert len(rows) == len(GOOD) and (not seen or max(seen) <= len(GOOD) + 1 + upload.MAX_BLANK_RUN)
    assert not upload.needs_job(upload.Upload("plan.xlsx", data))


def test_a_large_workbook_is_imported_by_a_job_whose_page_shows_the_result(client):
    plan = create_plan(lg(), items=[])
    official = create_official(lg())
    db.session.commit()
    login(client, official)
    data = padded_xlsx(GOOD, empty_rows=100_000)
    assert upload.needs_job(upload.Upload("plan.xlsx", data))
    response = client.post(f"/plans/{plan.id}/upload", data={"file": (io.BytesIO(data), "plan.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(select(Job).where(Job.kind == "plans.import"))
    assert job.created_by_id == official.id and job.state is JobState.DONE
    assert "data" not in job.payload  # the file is not kept once imported
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "นำเข้าไฟล์แล้ว" in page and f"/plans/{plan.id}" in page
    assert db.session.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id)) == len(GOOD)


def test_a_large_workbook_with_mistakes_lists_them_on_the_job_page_and_changes_nothing(client):
    plan = create_plan(lg(), items=[])
    login(client, create_official(lg()))
    bad = [list(r) for r in GOOD]
    bad[1][0] = "สอง"
    response = client.post(f"/plans/{plan.id}/upload",
                           data={"file": (io.BytesIO(padded_xlsx(bad, empty_rows=100_000)), "plan.xlsx")},
                           content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ไม่ได้นำเข้าไฟล์" in page and "แถวที่ 3 คอลัมน์ level" in page
    assert db.session.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id)) == 0
