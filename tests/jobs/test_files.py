"""Files built by a job (the data download): built once, downloaded by their owner only, expired and removed.

The large ผ.02 and .pb exports use the same files (tests/exports, tests/cycles); a
real worker killed in the middle of the data download is in tests/jobs/test_export_worker.py.
"""
from __future__ import annotations

import io
import json
import os
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.core.timeutil import utcnow
from app.extensions import db
from app.jobs import files
from app.jobs.models import Job, JobFile, JobState
from app.privacy.jobs import request_export
from app.privacy.retention import run_all
from tests.accounts.factories import create_admin, create_user, sign_in


def _ask(client) -> int:
    response = client.post("/profile/my-data")
    assert response.status_code == 302
    return int(response.location.rsplit("/", 1)[1])


def _get(client, url):
    response = client.get(url)
    body = response.get_data()
    response.close()
    return response, body


def test_the_job_builds_the_file_and_its_owner_downloads_it(client):
    person = create_user(display_name="สมหญิง เจ้าของ")
    sign_in(client, person)
    job_id = _ask(client)
    job = db.session.get(Job, job_id)
    assert job.kind == "privacy.export" and job.state is JobState.DONE and job.created_by_id == person.id
    built = files.file_of(job)
    assert built.owner_id == person.id and built.download_name.endswith(".zip")
    path = files.file_path(built)
    assert path.is_file() and path.stat().st_size == built.size > 0
    assert built.expires_at - utcnow() > timedelta(days=1)

    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "ไฟล์ของท่านพร้อมแล้ว" in page and f"/jobs/{job_id}/file" in page
    response, body = _get(client, f"/jobs/{job_id}/file")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert built.download_name in response.headers["Content-Disposition"]
    data = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("data.json"))
    assert data["account_id"] == person.id
    # The privacy page lists the file while it can be downloaded.
    assert f"/jobs/{job_id}/file" in client.get("/profile/privacy").get_data(as_text=True)


def test_nobody_else_downloads_the_file_not_even_an_administrator(client):
    person = create_user()
    other = create_user()
    admin = create_admin()
    sign_in(client, person)
    job_id = _ask(client)
    client.post("/logout")

    assert client.get(f"/jobs/{job_id}/file").status_code == 302  # sign in first
    sign_in(client, other)
    assert client.get(f"/jobs/{job_id}/file").status_code == 404
    assert client.get(f"/jobs/{job_id}").status_code == 403
    client.post("/logout")
    sign_in(client, admin)
    assert client.get(f"/jobs/{job_id}/file").status_code == 404
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f"/jobs/{job_id}/file" not in page and "เฉพาะผู้ที่ขอ" in page
    assert client.get("/jobs/999999/file").status_code == 404


def test_each_request_makes_its_own_file_and_two_clicks_wait_for_one(client, app):
    person = create_user()
    sign_in(client, person)
    first, second = _ask(client), _ask(client)
    assert first != second  # a finished download does not stop a newer one
    assert db.session.scalar(select(func.count(JobFile.id)).where(JobFile.owner_id == person.id)) == 2
    # While one is still queued, asking again gives the same job.
    app.config["JOBS_BACKEND"] = "sqlite"  # queued, not run (this app has no queue to hand it to)
    try:
        waiting = request_export(person)
        db.session.commit()
        assert waiting.state is JobState.QUEUED
        assert request_export(person).id == waiting.id
    finally:
        app.config["JOBS_BACKEND"] = "immediate"


def test_expired_files_are_refused_then_removed_by_the_retention_rules(client):
    person = create_user()
    sign_in(client, person)
    job_id = _ask(client)
    built = files.file_of(db.session.get(Job, job_id))
    path = files.file_path(built)
    built.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert client.get(f"/jobs/{job_id}/file").status_code == 404
    assert "หมดอายุ" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f"/jobs/{job_id}/file" not in client.get("/profile/privacy").get_data(as_text=True)

    folder = files.files_dir()
    leftover = folder / f"job-{job_id + 1000}.{'a' * 32}.part"  # a dead attempt of a job that is gone
    leftover.write_bytes(b"half")
    old = time.time() - 2 * 3600
    os.utime(leftover, (old, old))
    unrelated = folder / "notes.txt"
    unrelated.write_text("not ours")
    counts = dict((rule.key, n) for rule, n in run_all(utcnow()))
    db.session.commit()
    assert counts["job_files"] == 2
    assert not path.exists() and not leftover.exists() and unrelated.exists()
    assert db.session.scalar(select(func.count(JobFile.id)).where(JobFile.job_id == job_id)) == 0
    unrelated.unlink()
    assert dict((rule.key, n) for rule, n in run_all(utcnow()))["job_files"] == 0


def test_a_running_jobs_part_file_is_kept_by_the_cleanup(client):
    person = create_user()
    job = Job(kind="privacy.export", payload={"user_id": person.id}, state=JobState.RUNNING, created_by_id=person.id)
    db.session.add(job)
    db.session.commit()
    folder = files.files_dir()
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"job-{job.id}.{'b' * 32}.part"
    part.write_bytes(b"being written")
    old = time.time() - 2 * 3600
    os.utime(part, (old, old))
    run_all(utcnow())
    db.session.commit()
    assert part.exists()
    part.unlink()


def test_deleting_the_account_removes_its_prepared_files(client):
    from tests.privacy.factories import PASSWORD

    person = create_user()
    sign_in(client, person)
    job_id = _ask(client)
    path = files.file_path(files.file_of(db.session.get(Job, job_id)))
    assert path.exists()
    response = client.post("/profile/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert not path.exists()
    assert db.session.scalar(select(func.count(JobFile.id))) == 0


def test_the_old_download_address_leads_to_the_privacy_page(client):
    sign_in(client, create_user())
    response = client.get("/profile/my-data.zip")
    assert response.status_code == 302 and response.location.endswith("/profile/privacy#download-title")
    html = client.get("/profile/privacy").get_data(as_text=True)
    assert 'action="/profile/my-data"' in html


def test_stored_names_cannot_leave_the_folder():
    assert files.stored_name(7, "../../etc/passwd") == "job-7"
    assert files.stored_name(7, "p02-50-2566-2570-both.xlsx") == "job-7.xlsx"
    assert Path(files.stored_name(7, "x.ZIP")).suffix == ".zip"
