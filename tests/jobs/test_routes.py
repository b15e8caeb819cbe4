"""/admin/jobs for administrators only (with the error and a retry button), and the progress page of one's own job."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.extensions import db
from app.jobs import services
from app.jobs.models import Job, JobState
from tests.accounts.factories import create_admin, create_official, create_user, sign_in
from tests.jobs import test_services  # noqa: F401  (registers "test.record")


def _failed_job() -> Job:
    job = services.enqueue("test.record", {"n": 7, "fail": True})
    db.session.commit()
    assert job.state is JobState.FAILED
    return job


@pytest.mark.parametrize("role,code", [(Role.PROVINCIAL_OFFICIAL, "50"), (Role.LG_OFFICER, "3500102"), (None, None)])
def test_only_administrators_see_the_jobs(client, role, code):
    job = _failed_job()
    sign_in(client, create_official(role, code) if role else create_user())
    assert client.get("/admin/jobs").status_code == 403
    assert client.get(f"/admin/jobs/{job.id}").status_code == 403
    assert client.post(f"/admin/jobs/{job.id}/retry").status_code == 403
    db.session.refresh(job)
    assert job.state is JobState.FAILED


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/jobs").status_code == 302


def test_an_administrator_sees_a_failed_job_with_its_error_in_thai(client):
    job = _failed_job()
    sign_in(client, create_admin())
    html = client.get("/admin/jobs?state=failed").get_data(as_text=True)
    assert "งานเบื้องหลัง" in html and f"#{job.id}" in html and "the job broke on purpose" in html
    detail = client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert "RuntimeError: the job broke on purpose" in detail
    assert "ไม่สำเร็จ" in detail
    english = client.get(f"/admin/jobs/{job.id}", headers={"Accept-Language": "en"})
    assert english.status_code == 200


def test_the_dashboard_links_to_failed_jobs(client):
    _failed_job()
    sign_in(client, create_admin())
    html = client.get("/admin/").get_data(as_text=True)
    assert "/admin/jobs?state=failed" in html


def test_retry_needs_the_csrf_token_then_runs_the_job_again_and_is_audited(client, csrf_enabled, monkeypatch):
    job = _failed_job()
    admin = create_admin()
    sign_in(client, admin)
    assert client.post(f"/admin/jobs/{job.id}/retry").status_code == 400
    db.session.refresh(job)
    assert job.state is JobState.FAILED
    page = client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    job.payload = {"n": 7}  # the cause of the failure is fixed
    db.session.commit()
    response = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(job)
    assert job.state is JobState.DONE and job.attempts == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "job.retry"))
    assert entry.actor_id == admin.id and entry.object_id == job.id
    # A job that is not failed is not retried.
    response = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "ลองใหม่ได้เฉพาะงานที่ไม่สำเร็จ" in response.get_data(as_text=True)


def test_the_progress_page_refreshes_itself_for_the_person_who_started_the_job(client, app):
    owner = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    app.config["JOBS_BACKEND"] = "sqlite"
    try:
        job = services.enqueue("test.record", {"n": 1}, user=owner)
        job.progress_done, job.progress_total = 250, 1000
        db.session.commit()
    finally:
        app.config["JOBS_BACKEND"] = "immediate"
    sign_in(client, owner)
    response = client.get(f"/jobs/{job.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<meta http-equiv="refresh"' in html
    assert "25%" in html and "private" in response.headers["Cache-Control"]
    job.state = JobState.DONE
    db.session.commit()
    assert '<meta http-equiv="refresh"' not in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    client.post("/logout")
    sign_in(client, create_official(Role.PROVINCIAL_OFFICIAL, "50"))
    assert client.get(f"/jobs/{job.id}").status_code == 403
    assert client.get("/jobs/999999").status_code == 404
