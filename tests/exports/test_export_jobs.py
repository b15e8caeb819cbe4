"""A large plan's ผ.02 file is built by a job for the reader who asked; a small one is still served at once."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.jobs import files
from app.jobs.models import Job, JobState
from tests.exports.test_routes import demo_plan
from tests.plans.factories import create_user, login


@pytest.fixture
def small_limit(app):
    previous = app.config["EXPORT_INLINE_ROWS"]
    app.config["EXPORT_INLINE_ROWS"] = 2  # the demo plan's three shortlisted proposals are "large"
    yield
    app.config["EXPORT_INLINE_ROWS"] = previous


def _get(client, url):
    response = client.get(url)
    body = response.get_data()
    response.close()
    return response, body


def test_a_large_plan_is_not_built_inside_the_request(client, small_limit):
    plan = demo_plan()
    for path in ("export.xlsx", "export.csv", "export"):  # the printable page too
        response = client.get(f"/plans/{plan.id}/{path}?state=shortlisted")
        assert response.status_code == 303 and response.location.endswith("/lg/3500102/exports?state=shortlisted")
    page = client.get("/lg/3500102/exports").get_data(as_text=True)
    assert "แผนนี้มีข้อเสนอ 3 รายการ" in page  # the flash of the redirect
    assert f"/plans/{plan.id}/export.xlsx?" not in page  # no direct link
    assert f"/plans/{plan.id}/export?" not in page
    assert "เข้าสู่ระบบเพื่อจัดเตรียมไฟล์" in page  # anonymous readers are asked to sign in
    response = client.post(f"/plans/{plan.id}/export.xlsx/prepare?state=shortlisted")
    assert response.status_code == 302 and "/login" in response.location
    assert db.session.query(Job).filter_by(kind="exports.p02").count() == 0


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "html"])
def test_the_job_builds_the_file_and_only_the_reader_who_asked_downloads_it(client, small_limit, fmt):
    plan = demo_plan()
    reader, other = create_user(name="ผู้อ่าน"), create_user(name="คนอื่น")
    login(client, reader)
    page = client.get("/lg/3500102/exports").get_data(as_text=True)
    assert f'action="/plans/{plan.id}/export.{fmt}/prepare?state=shortlisted"' in page
    response = client.post(f"/plans/{plan.id}/export.{fmt}/prepare?state=shortlisted")
    assert response.status_code == 303 and "/jobs/" in response.location
    job_id = int(response.location.rsplit("/", 1)[1])
    job = db.session.get(Job, job_id)
    assert (job.kind, job.state, job.created_by_id) == ("exports.p02", JobState.DONE, reader.id)
    assert job.result["rows"] == 3
    built = files.file_of(job)
    assert built.owner_id == reader.id and built.download_name == f"p02-3500102-2566-2570-shortlisted.{fmt}"

    response, body = _get(client, f"/jobs/{job_id}/file")
    assert response.status_code == 200
    if fmt == "xlsx":
        rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows()]
        assert rows[0][0] == "แบบ ผ.02"
        titles = [r[1] for r in rows]
    elif fmt == "html":
        # A page that stands alone: its style inside it, nothing loaded from anywhere.
        text = body.decode("utf-8")
        assert text.startswith("<!doctype html>") and '<html lang="th">' in text and "@page" in text
        assert "<link" not in text and "<script" not in text and "src=" not in text
        assert "แบบ ผ.02" in text
        titles = [line.strip().removeprefix("<td>").removesuffix("</td>") for line in text.splitlines()]
    else:
        assert body.startswith("\ufeff".encode())
        titles = [cell for r in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in r]
    assert "คัดกรองเบาหวานผู้สูงอายุ" in titles and "ร่างภายใน" not in titles

    client.post("/logout")
    login(client, other)
    assert client.get(f"/jobs/{job_id}/file").status_code == 404
    assert client.get(f"/jobs/{job_id}").status_code == 403


def test_the_file_is_in_the_readers_language(client, small_limit):
    plan = demo_plan()
    login(client, create_user())
    client.set_cookie("lang", "en")
    job_id = int(client.post(f"/plans/{plan.id}/export.xlsx/prepare?state=both").location.rsplit("/", 1)[1])
    response, body = _get(client, f"/jobs/{job_id}/file")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows()]
    assert rows[0][0] == "Form P.02"
    assert "Your file is ready." in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_small_plan_is_still_served_at_once_and_needs_no_job(client):
    plan = demo_plan()
    response, _ = _get(client, f"/plans/{plan.id}/export.xlsx")
    assert response.status_code == 200
    login(client, create_user())
    response = client.post(f"/plans/{plan.id}/export.csv/prepare?state=both")
    assert response.status_code == 303 and response.location.endswith(f"/plans/{plan.id}/export.csv?state=both")
    response = client.post(f"/plans/{plan.id}/export.html/prepare?state=both")
    assert response.status_code == 303 and response.location.endswith(f"/plans/{plan.id}/export?state=both")
    assert db.session.query(Job).filter_by(kind="exports.p02").count() == 0


def test_bad_requests_change_nothing(client, small_limit):
    plan = demo_plan()
    login(client, create_user())
    assert client.post(f"/plans/{plan.id}/export.pdf/prepare").status_code == 404
    assert client.post(f"/plans/{plan.id}/export.xlsx/prepare?state=draft").status_code == 400
    assert client.post("/plans/999999/export.xlsx/prepare").status_code == 404
    assert db.session.query(Job).filter_by(kind="exports.p02").count() == 0
