"""A real worker process for tests/jobs/test_worker.py (run as a script, not collected by pytest).

The app runs on a SQLite database file and a SQLite queue file under
JOBS_TEST_ROOT, with short leases so that a killed worker's job is taken over
within seconds. One extra kind of job, "test.email_with_pause", sends an email
and records one audit row, and on its first attempt stops (to be killed)
before or after sending, as the test asks.

    python tests/jobs/worker_app.py migrate|worker
    python tests/jobs/worker_app.py enqueue before_send|after_send   (prints the job id)
    python tests/jobs/worker_app.py enqueue_export mid_write|after_move   (prints the job id)

"privacy.export" (the data download) is wrapped the same way: on its first
attempt it stops while the ZIP is being written (`mid_write`) or after the
file is in place and before the job is done (`after_move`).
"""
from __future__ import annotations

import os
import sys
import time
from email.utils import make_msgid
from pathlib import Path

ROOT = Path(os.environ["JOBS_TEST_ROOT"])


def make_app():
    from app import create_app

    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{ROOT / 'app.db'}",
        JOBS_BACKEND="sqlite",
        JOBS_SQLITE_PATH=str(ROOT / "queue.sqlite3"),
        OUTBOX_DIR=str(ROOT / "outbox"),
        UPLOAD_DIR=str(ROOT / "uploads"),
        JOB_FILES_DIR=str(ROOT / "job-files"),
        JOBS_LEASE_SECONDS=1.5,
        JOBS_SWEEP_SECONDS=0.5,
    )


def _stop_here(where: str) -> None:
    (ROOT / f"stopped-{where}").touch()
    time.sleep(120)  # the test kills this worker long before
    raise RuntimeError("the test did not kill the worker")


def register_test_kind() -> None:
    from app.audit.models import AuditEntry
    from app.extensions import db
    from app.jobs.mail import deliver
    from app.jobs.services import register

    @register("test.email_with_pause", "test: email with a pause", max_attempts=3)
    def email_with_pause(payload: dict, ctx) -> dict:
        (ROOT / f"attempt-{ctx.attempt}").touch()
        if payload["pause"] == "before_send" and ctx.attempt == 1:
            _stop_here("before_send")
        result = deliver(payload, ctx)
        if payload["pause"] == "after_send" and ctx.attempt == 1:
            _stop_here("after_send")
        db.session.add(AuditEntry(action="test.effect", details={"attempt": ctx.attempt}))
        return result


def wrap_export_job() -> None:
    from app.jobs import files
    from app.jobs.services import registered_kinds, register
    from app.privacy import export

    original = registered_kinds()["privacy.export"]
    state = {"attempt": 0, "pause": None}
    publish, write_zip = files._publish, export.write_zip

    def paused_write(user, out, progress=None):
        if state["attempt"] == 1 and state["pause"] == "mid_write":
            out.write(b"PK\x03\x04 half a zip")
            out.flush()
            _stop_here("mid_write")
        write_zip(user, out, progress)

    def paused_publish(part, final):
        publish(part, final)
        if state["attempt"] == 1 and state["pause"] == "after_move":
            _stop_here("after_move")

    files._publish = paused_publish
    export.write_zip = paused_write

    @register("privacy.export", original.label, max_attempts=3)
    def export_with_pause(payload: dict, ctx) -> dict:
        (ROOT / f"attempt-{ctx.attempt}").touch()
        state["attempt"], state["pause"] = ctx.attempt, payload.get("pause")
        return original.handler(payload, ctx)


def main(argv: list[str]) -> int:
    app = make_app()
    register_test_kind()
    wrap_export_job()
    mode = argv[1]
    with app.app_context():
        from app.extensions import db

        if mode == "migrate":
            from flask_migrate import upgrade

            upgrade()
            return 0
        if mode == "enqueue":
            from app.jobs.services import enqueue

            job = enqueue("test.email_with_pause", {
                "to": "resident@example.com", "subject": "ทดสอบ", "body": "ข้อความเดียว",
                "message_id": make_msgid(domain="ruamkhit.local"), "pause": argv[2],
            })
            db.session.commit()  # handed to the queue file with this commit
            print(job.id)
            return 0
        if mode == "enqueue_export":
            from app.accounts.models import User
            from app.core.timeutil import utcnow
            from app.jobs.services import enqueue

            user = User(email="owner@example.com", password_hash="", display_name="เจ้าของข้อมูล",
                        province_code="50", locale="th", consent_at=utcnow())
            db.session.add(user)
            db.session.flush()
            job = enqueue("privacy.export", {"user_id": user.id, "pause": argv[2]}, user=user)
            db.session.commit()
            print(job.id)
            return 0
    if mode == "worker":
        from app.jobs.worker import run_worker

        run_worker(app, workers=1, periodic=False)
        return 0
    return 2


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv))
