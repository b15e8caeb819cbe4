"""Declaring kinds of job, enqueueing them, running them once, retrying and recovering them.

A domain declares each kind once, at import time:

    @register("privacy.purge", _l("Retention rules (privacy purge)"), max_attempts=3)
    def purge(payload: dict, ctx: JobContext) -> dict | None:
        ...  # do the work with db.session and flush; never commit

and calls `enqueue("privacy.purge", {...}, key="privacy.purge:2026-12-02")`.
The handler's database work and the job's "done" are committed together by
the runner, so a job whose worker dies before that commit leaves nothing
behind and simply runs again; a job already done is never run again.

JOBS_BACKEND decides where a job runs:
- "redis" (production) and "sqlite" (a file under instance/, for `make run`):
  the row is committed with the request and its id handed to Huey after the
  commit; `flask --app wsgi jobs worker` runs it.
- "immediate" (tests): at once, inside the caller's transaction (a savepoint,
  so that a failing job does not undo what the caller did).
"""
from __future__ import annotations

import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from flask import current_app
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.timeutil import utcnow
from app.extensions import db
from app.jobs.models import Job, JobState

log = logging.getLogger(__name__)

Handler = Callable[[dict, "JobContext"], Optional[dict]]
BACKENDS = ("redis", "sqlite", "immediate")
_PENDING = "ruamkhit_jobs_to_push"
_WROTE = "ruamkhit_jobs_wrote"


class JobError(Exception):
    """A rule about jobs was broken; the message is shown to the user."""


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    label: LazyString | str
    max_attempts: int = 5
    retry_delay: int = 30  # seconds before the second attempt; doubled for each one after
    max_delay: int = 3600
    # Where the person who started the job goes when it is done (an import's result), or None.
    done_url: Optional[Callable[[Job], Optional[str]]] = None


_KINDS: dict[str, JobKind] = {}


def register(kind: str, label: LazyString | str, *, max_attempts: int = 5, retry_delay: int = 30,
             max_delay: int = 3600, done_url: Callable[[Job], Optional[str]] | None = None,
             ) -> Callable[[Handler], Handler]:
    """Declare a kind of job and its handler (registering a kind again replaces it)."""
    def decorator(handler: Handler) -> Handler:
        _KINDS[kind] = JobKind(kind, handler, label, max_attempts, retry_delay, max_delay, done_url)
        return handler
    return decorator


def registered_kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


def kind_label(kind: str) -> str:
    registered = _KINDS.get(kind)
    return str(registered.label) if registered else kind


def done_url(job: Job) -> Optional[str]:
    registered = _KINDS.get(job.kind)
    if registered is None or registered.done_url is None:
        return None
    return registered.done_url(job)


def backoff(kind: JobKind, attempts: int) -> int:
    """Seconds to wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ..."""
    return int(min(kind.retry_delay * 2 ** max(0, attempts - 1), kind.max_delay))


class JobContext:
    """What a running handler may know and report about its job."""

    def __init__(self, job: Job, *, immediate: bool) -> None:
        self.job_id = job.id
        self.attempt = job.attempts
        self.idempotency_key = job.idempotency_key
        self.immediate = immediate
        self._job = job

    def forget_payload(self, *keys: str) -> None:
        """Drop parts of the payload (an uploaded file) in the job's own transaction, once they are used."""
        payload = {k: v for k, v in (self._job.payload or {}).items() if k not in keys}
        if self.immediate:
            self._job.payload = payload
            return
        db.session.execute(update(Job).where(Job.id == self.job_id).values(payload=payload)
                           .execution_options(synchronize_session=False))

    def progress(self, done: int, total: int) -> None:
        """Record how far the job is, for the page that shows it to the person who started it.

        Written on a connection of its own and committed at once, so the page
        sees it while the job's own transaction is still open.
        """
        done, total = max(0, int(done)), max(0, int(total))
        if self.immediate or db.engine.dialect.name == "sqlite":
            # SQLite: once this job has written, its own lock would hold another connection's write
            # until the job commits; and before that, a write committed by another connection makes
            # the job's own first write fail ("database is locked": its read snapshot is stale).
            # The progress is then shown with the job's commit (SQLite serves `make run` only).
            self._job.progress_done, self._job.progress_total = done, total
            return
        try:
            with db.engine.begin() as conn:
                conn.execute(update(Job).where(Job.id == self.job_id)
                             .values(progress_done=done, progress_total=total))
        except Exception:  # progress is a courtesy; the job goes on without it
            log.warning("could not record the progress of job %s", self.job_id, exc_info=True)


def backend() -> str:
    return current_app.config.get("JOBS_BACKEND", "immediate")


def enqueue(kind: str, payload: dict | None = None, *, key: str | None = None, user: Any = None,
            delay: int = 0) -> Job:
    """Add a job (flushed, committed with the caller's transaction) and hand it to the queue after the commit.

    With `key`, a second enqueue of the same key returns the first job instead of adding one.
    """
    registered = _KINDS.get(kind)
    if registered is None:
        raise ValueError(f"job kind {kind!r} is not registered")
    if key is not None:
        key = key[:200]
        existing = db.session.scalar(select(Job).where(Job.idempotency_key == key))
        if existing is not None:
            return existing
    now = utcnow()
    job = Job(
        kind=kind, payload=dict(payload or {}), state=JobState.QUEUED, attempts=0,
        max_attempts=registered.max_attempts, idempotency_key=key,
        created_by_id=getattr(user, "id", None), created_at=now,
        run_after=now + timedelta(seconds=max(0, delay)), pushed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:  # the same key, enqueued at the same moment by someone else
        existing = db.session.scalar(select(Job).where(Job.idempotency_key == key))
        if existing is None:
            raise
        return existing
    if backend() == "immediate":
        _run_inline(job, registered)
    else:
        _push_after_commit(job.id, delay)
    return job


# --- handing ids to Huey after the commit ------------------------------------------------

def _push_after_commit(job_id: int, delay: int = 0) -> None:
    db.session.info.setdefault(_PENDING, []).append((job_id, max(0, int(delay))))


@event.listens_for(Session, "after_commit")
def _push_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for job_id, delay in pending:
        push(job_id, delay)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    # A rolled-back transaction's jobs do not exist: nothing to hand over.
    if not session.in_transaction():
        session.info.pop(_PENDING, None)
        session.info.pop(_WROTE, None)


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _clear_written(session: Session) -> None:
    session.info.pop(_WROTE, None)


def push(job_id: int, delay: int = 0) -> bool:
    """Hand a job id to Huey; False (and a log line) when the queue cannot be reached.

    A job the queue never received stays queued in our table and the
    worker's sweeper hands it over again (`recover`).
    """
    extension = current_app.extensions.get("ruamkhit_jobs")
    if extension is None:
        return False
    try:
        if delay:
            extension.run_job.schedule(args=(job_id,), delay=delay)
        else:
            extension.run_job(job_id)
    except Exception:
        log.exception("could not hand job %s to the queue; the sweeper will try again", job_id)
        return False
    return True


# --- running -----------------------------------------------------------------------

def describe_error(error: BaseException) -> str:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return text[-4000:]


def _run_inline(job: Job, registered: JobKind) -> None:
    """The "immediate" backend: run now, in the caller's transaction, one attempt."""
    job.state = JobState.RUNNING
    job.attempts += 1
    job.started_at = utcnow()
    db.session.flush()
    ctx = JobContext(job, immediate=True)
    try:
        with db.session.begin_nested():
            result = registered.handler(dict(job.payload or {}), ctx)
    except Exception as error:
        log.exception("job %s (%s) failed", job.id, job.kind)
        job.state = JobState.FAILED
        job.last_error = describe_error(error)
    else:
        job.state = JobState.DONE
        job.result = result
        job.last_error = None
    job.finished_at = utcnow()
    db.session.flush()


class _Heartbeat:
    """Renews a running job's lease while its handler works, on a connection of its own."""

    def __init__(self, engine, job_id: int, token: str, lease: timedelta) -> None:
        self.engine, self.job_id, self.token, self.lease = engine, job_id, token, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-lease", daemon=True)

    def __enter__(self) -> "_Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        interval = max(0.2, self.lease.total_seconds() / 3)
        while not self._stop.wait(interval):
            try:
                with self.engine.begin() as conn:
                    conn.execute(update(Job).where(Job.id == self.job_id, Job.claim_token == self.token)
                                 .values(lease_until=utcnow() + self.lease))
            except Exception:
                log.warning("could not renew the lease of job %s", self.job_id, exc_info=True)


def _lease() -> timedelta:
    return timedelta(seconds=float(current_app.config.get("JOBS_LEASE_SECONDS", 60)))


def claim(job_id: int, now: datetime | None = None) -> Optional[str]:
    """Take a queued job, or a running one whose worker's lease ran out; the claim token, or None.

    One UPDATE with the state in its WHERE: of two workers handed the same
    id, one gets it. Committed at once, so that the job shows as running.
    SQLite refuses a write at once when another connection wrote since this
    one last read ("database is locked"): the claim is tried again.
    """
    from sqlalchemy.exc import OperationalError

    for attempt in range(5):
        try:
            return _claim(job_id, now or utcnow())
        except OperationalError:
            db.session.rollback()
            if attempt == 4:
                raise
            import time

            time.sleep(0.2 * (attempt + 1))
    return None


def _claim(job_id: int, now: datetime) -> Optional[str]:
    token = uuid.uuid4().hex
    taken = db.session.execute(
        update(Job)
        .where(Job.id == job_id, or_(
            and_(Job.state == JobState.QUEUED, Job.run_after <= now + timedelta(seconds=1)),
            and_(Job.state == JobState.RUNNING, Job.lease_until < now),
        ))
        .values(state=JobState.RUNNING, attempts=Job.attempts + 1, started_at=now,
                claim_token=token, lease_until=now + _lease())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return token if taken else None


def execute(job_id: int) -> str:
    """Run one job in a worker: "done", "retry", "failed", "skipped" (not ours to run) or "lost"."""
    token = claim(job_id)
    if token is None:
        return "skipped"
    job = db.session.get(Job, job_id, populate_existing=True)
    registered = _KINDS.get(job.kind) if job is not None else None
    if job is None:
        return "skipped"
    if registered is None:
        return _fail(job_id, token, f"unknown job kind {job.kind!r}", final=True)
    if job.attempts > job.max_attempts:
        # The worker died during each of its attempts (a job that kills its worker must stop somewhere).
        return _fail(job_id, token, job.last_error or "the worker stopped during every attempt", final=True)
    ctx = JobContext(job, immediate=False)
    payload = dict(job.payload or {})
    try:
        with _Heartbeat(db.engine, job_id, token, _lease()):
            result = registered.handler(payload, ctx)
            db.session.flush()
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed, attempt %s", job_id, registered.kind, ctx.attempt)
        return _fail(job_id, token, describe_error(error), final=False, registered=registered)
    # "Done" in the same transaction as the handler's effect, and only if the job is still ours.
    finished = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.claim_token == token, Job.state == JobState.RUNNING)
        .values(state=JobState.DONE, finished_at=utcnow(), result=result, last_error=None,
                lease_until=None, progress_done=Job.progress_total)
        .execution_options(synchronize_session=False)
    ).rowcount
    if finished != 1:
        db.session.rollback()
        log.warning("job %s was taken over by another worker; its work here is undone", job_id)
        return "lost"
    db.session.commit()
    return "done"


def _fail(job_id: int, token: str, error: str, *, final: bool, registered: JobKind | None = None) -> str:
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None or job.claim_token != token or job.state is not JobState.RUNNING:
        db.session.rollback()
        return "lost"
    job.last_error = error[-4000:]
    job.lease_until = None
    job.claim_token = None
    if final or registered is None or job.attempts >= job.max_attempts:
        job.state = JobState.FAILED
        job.finished_at = utcnow()
        outcome = "failed"
    else:
        delay = backoff(registered, job.attempts)
        job.state = JobState.QUEUED
        job.run_after = utcnow() + timedelta(seconds=delay)
        job.pushed_at = utcnow()
        _push_after_commit(job_id, delay)
        outcome = "retry"
    db.session.commit()
    return outcome


def recover(now: datetime | None = None) -> list[int]:
    """Hand over again the jobs a dead worker held and the due jobs the queue lost; their ids.

    Run by each worker when it starts and then every JOBS_SWEEP_SECONDS. A job
    handed over twice still runs once (`claim`).
    """
    now = now or utcnow()
    stale = now - timedelta(seconds=float(current_app.config.get("JOBS_REPUSH_SECONDS", 300)))
    ids = list(db.session.scalars(
        select(Job.id).where(or_(
            and_(Job.state == JobState.RUNNING, Job.lease_until < now),
            and_(Job.state == JobState.QUEUED, Job.run_after < stale,
                 or_(Job.pushed_at.is_(None), Job.pushed_at < stale)),
        )).order_by(Job.id).limit(1000)
    ))
    if not ids:
        db.session.rollback()
        return []
    db.session.execute(update(Job).where(Job.id.in_(ids)).values(pushed_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    for job_id in ids:
        push(job_id)
    return ids


# --- administrators -------------------------------------------------------------

def retry_job(job: Job, actor: Any) -> Job:
    """Queue a failed job again with a fresh set of attempts (audited)."""
    from app.audit.services import record

    if job.state is not JobState.FAILED:
        raise JobError("Only a failed job can be retried.")
    registered = _KINDS.get(job.kind)
    job.state = JobState.QUEUED
    job.attempts = 0
    job.max_attempts = registered.max_attempts if registered else job.max_attempts
    job.run_after = utcnow()
    job.pushed_at = utcnow()
    job.finished_at = None
    record(actor, "job.retry", job)  # the job's kind is in its title on the audit page
    db.session.flush()
    if backend() == "immediate":
        if registered is None:
            raise JobError("This kind of job is no longer known.")
        _run_inline(job, registered)
    else:
        _push_after_commit(job.id)
    return job


def jobs_query(state: JobState | None = None, kind: str | None = None):
    stmt = select(Job).order_by(Job.created_at.desc(), Job.id.desc())
    if state is not None:
        stmt = stmt.where(Job.state == state)
    if kind:
        stmt = stmt.where(Job.kind == kind)
    return stmt


def state_counts() -> dict[JobState, int]:
    from sqlalchemy import func

    rows = db.session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
    counts = {state: 0 for state in JobState}
    counts.update({state: count for state, count in rows})
    return counts


# --- the schedule ------------------------------------------------------------------

def scheduled_key(entry, now: datetime | None = None) -> str:
    now = now or utcnow()
    slot = now.strftime("%Y-%m-%d") if entry.every == "day" else now.strftime("%Y-%m-%dT%H")
    return f"{entry.kind}:{slot}"


def enqueue_scheduled(entry, now: datetime | None = None) -> Job:
    """The scheduler's turn for one entry: one job per day (or hour), however many schedulers run."""
    return enqueue(entry.kind, {}, key=scheduled_key(entry, now))
