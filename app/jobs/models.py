"""One background job: what to do (kind and payload), its state, its attempts and its last error."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        # The administrators' list filters by state, newest first; the sweeper looks for due and stale jobs.
        Index("ix_jobs_state_created", "state", "created_at"),
        Index("ix_jobs_state_run_after", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, name="job_state", values_callable=_values, validate_strings=True),
        default=JobState.QUEUED, server_default=JobState.QUEUED.value,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    # The same key twice makes one job (a daily task scheduled by two schedulers, an email sent once).
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(200), unique=True)
    result: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    # Progress for the person who started a long job (an import): done of total, shown on its page.
    progress_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    progress_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Not before this time (a retry's backoff); the sweeper re-sends due jobs the queue lost.
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pushed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # A running job belongs to the worker holding `claim_token` until `lease_until`; the worker renews
    # the lease while it works, so a lease that runs out means the worker died and the job runs again.
    claim_token: Mapped[Optional[str]] = mapped_column(String(64))
    lease_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    created_by: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state.value}>"

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if self.state is JobState.DONE:
            return 100
        if not self.progress_total:
            return 0
        return max(0, min(100, self.progress_done * 100 // self.progress_total))


class JobFile(db.Model):
    """A file a job built for one person to download (a data download, a large export), until it expires.

    Written by the job's handler in the job's own transaction: a job that dies
    before its commit leaves no row, and its next attempt writes the same file
    name again, so the person gets exactly one file.
    """

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    # Only this person may download it (not administrators: it may be their personal data).
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    download_name: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    job: Mapped[Job] = relationship()

    def __repr__(self) -> str:
        return f"<JobFile {self.id} job {self.job_id} {self.download_name}>"
