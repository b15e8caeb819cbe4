"""Uploading a resident list as a background job, with its progress shown to the official (issue 14.3).

A list of 100,000 rows takes seconds to check and store: longer than a request
should wait. The route checks what it can at once (a file was chosen, its
kind, its size), keeps the file in a private folder (UPLOAD_DIR/private, never
served; the file holds national ID numbers in clear, so it is not put in the
job's payload, which a database backup would keep) and sends the official to
/jobs/<id>. The job reads and checks the whole file, replaces the area's list
or stores nothing, and deletes the file: a list with mistakes is not a failed
job: the job is done, nothing is changed, and its page names every problem by
its row. A file left behind by a job that failed for good is removed by the
retention rule `resident_list_uploads`.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, register

KIND = "resident_list.import"
_SUFFIXES = (".csv", ".xlsx")


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "private" / "resident-lists"


def _path_of(token: str, suffix: str) -> Path | None:
    if not token.isalnum() or suffix not in _SUFFIXES:
        return None
    return upload_folder() / f"{token}{suffix}"


def save_upload(filename: str, data: bytes) -> tuple[str, str]:
    """Keep the file until its job has read it; (token, suffix) name it in the job's payload."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError("only .csv and .xlsx files are kept")
    token = secrets.token_hex(16)
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{token}{suffix}"
    path.write_bytes(data)
    path.chmod(0o600)
    return token, suffix


def enqueue_upload(official, area, filename: str, data: bytes) -> Job:
    token, suffix = save_upload(filename, data)
    return enqueue(KIND, {
        "area_id": area.id, "actor_id": official.id, "filename": (filename or "")[-200:],
        "token": token, "suffix": suffix,
    }, user=official)


def _done_url(job: Job) -> str | None:
    code = (job.result or {}).get("area_code")
    return url_for("admin.resident_list", code=code) if code else None


def _row_line(row: int | None, message) -> str:
    return _("Row %(row)d: %(message)s", row=row, message=message) if row else str(message)


@register(KIND, _l("Resident list upload"), max_attempts=3, retry_delay=30, done_url=_done_url)
def import_job(payload: dict, ctx: JobContext) -> dict:
    from app.accounts import resident_list as lists
    from app.accounts.models import User
    from app.areas.models import Area

    path = _path_of(str(payload.get("token", "")), str(payload.get("suffix", "")))
    actor = db.session.get(User, payload.get("actor_id"))
    area = db.session.get(Area, payload.get("area_id"))
    if path is None or actor is None or area is None:
        _remove(path)
        return {"ok": False, "message": "The area or the official's account no longer exists."}
    with force_locale(actor.locale or "th"):
        if not path.is_file():
            return {"ok": False, "area_code": area.code,
                    "message": _("The uploaded file is no longer there. Upload it again.")}
        data = path.read_bytes()
        try:
            with db.session.begin_nested():  # all or nothing
                stored = lists.store_resident_list(actor, area, payload.get("filename") or path.name, data,
                                                   progress=ctx.progress)
        except lists.ResidentListError as error:
            outcome = {
                "ok": False, "area_code": area.code,
                "message": _("Nothing was saved: the file has problems"),
                "details": [_row_line(row, message) for row, message in error.problems],
            }
        else:
            outcome = {"ok": True, "area_code": area.code, "rows": stored.row_count, "message": ngettext(
                "The resident list of %(area)s is saved: %(num)d resident.",
                "The resident list of %(area)s is saved: %(num)d residents.",
                stored.row_count, area=area.title(actor.locale or "th"))}
    del data
    _remove(path)  # the numbers in clear are gone once the list is read
    return outcome


def _remove(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def remove_stale_uploads(older_than_seconds: float, now: datetime | None = None) -> int:
    """Delete uploaded lists that no job read (the job failed for good); how many were removed."""
    folder = upload_folder()
    if not folder.is_dir():
        return 0
    limit = (now or datetime.now(timezone.utc)).timestamp() - older_than_seconds
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime <= limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


def recent_uploads(area, limit: int = 5) -> list[Job]:
    """The area's latest upload jobs, newest first, so that an official who left a progress page finds it again."""
    from sqlalchemy import select

    # The payload is JSON (its area id cannot be indexed on every database): look at the kind's latest jobs.
    latest = db.session.scalars(select(Job).where(Job.kind == KIND).order_by(Job.id.desc()).limit(200))
    return [job for job in latest if (job.payload or {}).get("area_id") == area.id][:limit]

