"""Files built by a job for one person to download: written once, downloaded by their owner only, then removed.

A handler builds its file with `build_file(ctx, owner_id=..., download_name=...,
mimetype=..., write=...)`, where `write(fh)` writes the content into an open
binary file. The content goes to a temporary `.part` file first, which is then
moved (atomically) to `job-<job id><extension>`, the same name at every
attempt; the `job_files` row is added in the job's own transaction, with its
"done". So a worker killed while writing leaves only a `.part` file (removed
by the next attempt or by the cleanup), and one killed after the move but
before the commit leaves a file that the next attempt replaces: the person
gets exactly one file.

The files live in JOB_FILES_DIR (instance/job-files by default; the web
processes and the workers must share it). Each expires after JOB_FILE_DAYS;
the retention rules (`privacy.purge`, daily) remove expired files and the
leftovers of jobs that never finished.
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Optional

from flask import current_app
from sqlalchemy import delete, event, select

from app.core.timeutil import utcnow
from app.extensions import db
from app.jobs.models import Job, JobFile, JobState

# job-<id>.<ext> (the file) or job-<id>.<random>.part (being written)
_NAME = re.compile(r"^job-(\d+)(\.[a-z0-9]{1,10})?(\.[0-9a-f]{32}\.part)?$")
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")
# A leftover of a finished or vanished job is removed once it is this old (a running job's files stay).
LEFTOVER_GRACE = timedelta(hours=1)


def files_dir() -> Path:
    return Path(current_app.config["JOB_FILES_DIR"])


def stored_name(job_id: int, download_name: str) -> str:
    extension = Path(download_name).suffix.lower()
    return f"job-{int(job_id)}{extension if _EXTENSION.match(extension) else ''}"


def file_path(row: JobFile) -> Path:
    return files_dir() / row.stored_name


def lifetime() -> timedelta:
    return timedelta(days=int(current_app.config.get("JOB_FILE_DAYS", 2)))


def _publish(part: Path, final: Path) -> None:
    """Move a written file into place (os.replace: atomic, and it replaces the file of a dead attempt)."""
    os.replace(part, final)


def _fresh_snapshot_for_sqlite() -> None:
    """SQLite: drop this job's read snapshot before its first write, when nothing is written yet.

    The job's progress is committed on another connection while the file is
    written; SQLite then refuses to turn this session's older read transaction
    into a write one ("database is locked"). Ending a transaction that wrote
    nothing undoes nothing; PostgreSQL does not need it.
    """
    from app.jobs.services import _WROTE

    if db.engine.dialect.name == "sqlite" and not db.session.info.get(_WROTE) and not db.session.new \
            and not db.session.dirty and not db.session.deleted:
        db.session.rollback()


def build_file(ctx: Any, *, owner_id: int, download_name: str, mimetype: str,
               write: Callable[[IO[bytes]], None]) -> JobFile:
    """Write a job's file and record it for its owner, in the job's transaction (the caller's session)."""
    folder = files_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = stored_name(ctx.job_id, download_name)
    for stale in folder.glob(f"job-{int(ctx.job_id)}.*.part"):  # what a dead attempt was writing
        stale.unlink(missing_ok=True)
    part = folder / f"job-{int(ctx.job_id)}.{uuid.uuid4().hex}.part"
    try:
        with part.open("wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _publish(part, folder / name)
    finally:
        part.unlink(missing_ok=True)
    if not getattr(ctx, "immediate", False):  # inline jobs share the caller's transaction
        _fresh_snapshot_for_sqlite()
    now = utcnow()
    row = db.session.scalar(select(JobFile).where(JobFile.job_id == ctx.job_id))
    if row is None:
        row = JobFile(job_id=ctx.job_id)
        db.session.add(row)
    row.owner_id = owner_id
    row.stored_name = name
    row.download_name = download_name[:200]
    row.mimetype = mimetype[:100]
    row.size = (folder / name).stat().st_size
    row.created_at = now
    row.expires_at = now + lifetime()
    db.session.flush()
    return row


def file_of(job: Job) -> Optional[JobFile]:
    return db.session.scalar(select(JobFile).where(JobFile.job_id == job.id))


def is_available(row: Optional[JobFile], now: datetime | None = None) -> bool:
    return row is not None and row.expires_at > (now or utcnow()) and file_path(row).is_file()


def can_download(user: Any, row: Optional[JobFile]) -> bool:
    """Only the person the file was built for; not an administrator (it may hold someone's personal data)."""
    return (row is not None and user is not None and getattr(user, "is_authenticated", False)
            and row.owner_id == user.id)


def ready_files(owner_id: int, kinds: tuple[str, ...], now: datetime | None = None) -> list[tuple[Job, JobFile]]:
    """The owner's files of these kinds of job that can still be downloaded, newest first."""
    rows = db.session.execute(
        select(Job, JobFile).join(JobFile, JobFile.job_id == Job.id)
        .where(JobFile.owner_id == owner_id, Job.kind.in_(kinds), JobFile.expires_at > (now or utcnow()))
        .order_by(JobFile.created_at.desc(), JobFile.id.desc())
    ).all()
    return [(job, row) for job, row in rows if file_path(row).is_file()]


def unfinished_job(kind: str, owner_id: int, **payload: Any) -> Optional[Job]:
    """A job of this kind that this person started with this payload and that has not finished yet."""
    candidates = db.session.scalars(
        select(Job).where(Job.kind == kind, Job.created_by_id == owner_id,
                          Job.state.in_([JobState.QUEUED, JobState.RUNNING])).order_by(Job.id.desc())
    )
    for job in candidates:
        if all((job.payload or {}).get(k) == v for k, v in payload.items()):
            return job
    return None


def _unlink_after_commit(names: list[str]) -> None:
    if not names:
        return
    folder = files_dir()
    session = db.session()

    @event.listens_for(session, "after_commit", once=True)
    def _remove(_session) -> None:
        for name in names:
            (folder / name).unlink(missing_ok=True)


def forget_files_of(owner_id: int) -> int:
    """Remove every file built for this person (their account is erased); the files go after the commit."""
    names = list(db.session.scalars(select(JobFile.stored_name).where(JobFile.owner_id == owner_id)))
    if names:
        db.session.execute(delete(JobFile).where(JobFile.owner_id == owner_id)
                           .execution_options(synchronize_session=False))
        _unlink_after_commit(names)
    return len(names)


def purge(now: datetime) -> int:
    """The retention rule: expired files and their rows, and the leftovers of jobs that never recorded theirs."""
    expired = db.session.execute(
        select(JobFile.id, JobFile.stored_name).where(JobFile.expires_at <= now)
    ).all()
    if expired:
        db.session.execute(delete(JobFile).where(JobFile.id.in_([i for i, _ in expired]))
                           .execution_options(synchronize_session=False))
    names = [name for _, name in expired]
    removed = len(expired)
    folder = files_dir()
    if folder.is_dir():
        kept = set(db.session.scalars(select(JobFile.stored_name)))
        live = set(db.session.scalars(select(Job.id).where(Job.state.in_([JobState.QUEUED, JobState.RUNNING]))))
        limit = (now - LEFTOVER_GRACE).timestamp()
        for path in folder.iterdir():
            match = _NAME.match(path.name)
            if match is None or path.name in kept or path.name in names or int(match.group(1)) in live:
                continue
            try:
                if path.stat().st_mtime <= limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # another purge got there first
                continue
    _unlink_after_commit(names)
    return removed
