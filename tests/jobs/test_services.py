"""Jobs without a worker process: enqueueing, the "immediate" backend, claiming, retries, leases, the schedule."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.timeutil import utcnow
from app.extensions import db
from app.jobs import services
from app.jobs.mail import deliver, queue_email
from app.jobs.models import Job, JobState
from app.jobs.queue import SCHEDULE
from app.jobs.services import JobContext, register

CALLS: list[dict] = []


@register("test.record", "test: record an audit row")
def _record(payload: dict, ctx: JobContext) -> dict:
    CALLS.append(payload)
    db.session.add(AuditEntry(action="test.effect", details={"n": payload.get("n")}))
    if payload.get("fail"):
        raise RuntimeError("the job broke on purpose")
    return {"n": payload.get("n")}


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()
    yield


def effects() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.effect"))


@pytest.fixture
def queued_backend(app):
    """Jobs stay queued (as with Redis or the SQLite file) for the test to run them as a worker would."""
    app.config["JOBS_BACKEND"] = "sqlite"
    yield
    app.config["JOBS_BACKEND"] = "immediate"


def test_immediate_backend_runs_the_job_at_once_and_marks_it_done():
    job = services.enqueue("test.record", {"n": 1})
    assert job.state is JobState.DONE and job.attempts == 1 and job.result == {"n": 1}
    assert effects() == 1


def test_the_same_key_twice_makes_one_job():
    first = services.enqueue("test.record", {"n": 1}, key="once")
    second = services.enqueue("test.record", {"n": 2}, key="once")
    assert first.id == second.id and len(CALLS) == 1 and effects() == 1


def test_a_failing_job_is_recorded_with_its_error_and_does_not_undo_the_caller():
    db.session.add(AuditEntry(action="test.caller"))
    job = services.enqueue("test.record", {"n": 1, "fail": True})
    db.session.commit()
    assert job.state is JobState.FAILED and "the job broke on purpose" in job.last_error
    assert effects() == 0  # the job's own work is undone
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.caller")) == 1


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        services.enqueue("no.such.kind", {})


def test_a_mail_job_sends_once_even_when_run_again(outbox):
    job = queue_email("someone@example.com", "สวัสดี", "ข้อความ")
    assert job.state is JobState.DONE and len(outbox()) == 1
    message_id = job.payload["message_id"]
    assert outbox()[0]["Message-ID"] == message_id
    # A worker that died after sending and before "done" runs the job again: the outbox already holds it.
    again = deliver(job.payload, JobContext(job, immediate=True))
    assert again["already_sent"] is True and len(outbox()) == 1


def test_claim_gives_a_job_to_one_worker_only(queued_backend):
    job = services.enqueue("test.record", {"n": 1})
    db.session.commit()
    assert job.state is JobState.QUEUED and CALLS == []
    first = services.claim(job.id)
    assert first is not None
    assert services.claim(job.id) is None  # the second worker handed the same id


def test_execute_marks_done_with_the_effect_and_never_runs_a_done_job_again(queued_backend):
    job = services.enqueue("test.record", {"n": 1})
    db.session.commit()
    assert services.execute(job.id) == "done"
    assert services.execute(job.id) == "skipped"
    db.session.refresh(job)
    assert job.state is JobState.DONE and job.attempts == 1 and effects() == 1


def test_a_failed_attempt_is_retried_later_with_backoff_then_fails_for_good(queued_backend):
    job = services.enqueue("test.record", {"n": 1, "fail": True})
    job.max_attempts = 2
    db.session.commit()
    before = utcnow()
    assert services.execute(job.id) == "retry"
    db.session.refresh(job)
    assert job.state is JobState.QUEUED and "on purpose" in job.last_error and effects() == 0
    assert job.run_after >= before + timedelta(seconds=29)  # the first retry waits 30 s
    assert services.execute(job.id) == "skipped"  # not yet due
    job.run_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.execute(job.id) == "failed"
    db.session.refresh(job)
    assert job.state is JobState.FAILED and job.attempts == 2 and job.finished_at is not None


def test_backoff_doubles_up_to_its_cap():
    kind = services.registered_kinds()["test.record"]
    assert [services.backoff(kind, n) for n in (1, 2, 3)] == [30, 60, 120]
    assert services.backoff(kind, 40) == kind.max_delay


def test_a_job_whose_worker_died_is_recovered_when_its_lease_runs_out(queued_backend):
    job = services.enqueue("test.record", {"n": 1})
    db.session.commit()
    assert services.claim(job.id) is not None  # a worker took it ... and died
    assert services.recover() == []  # its lease still runs
    assert services.execute(job.id) == "skipped"
    db.session.refresh(job)
    job.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert services.recover() == [job.id]
    assert services.execute(job.id) == "done"
    db.session.refresh(job)
    assert job.attempts == 2 and effects() == 1


def test_a_worker_whose_job_was_taken_over_undoes_its_work(queued_backend, monkeypatch):
    job = services.enqueue("test.record", {"n": 1})
    db.session.commit()

    def slow(payload, ctx):
        db.session.add(AuditEntry(action="test.effect"))
        # Meanwhile this worker's lease ran out and another worker claimed the job.
        db.session.execute(Job.__table__.update().where(Job.id == ctx.job_id).values(claim_token="someone-else"))
        return None

    monkeypatch.setitem(services._KINDS, "test.record", services.JobKind("test.record", slow, "slow"))
    assert services.execute(job.id) == "lost"
    assert effects() == 0


def test_a_lost_push_is_handed_over_again_by_the_sweeper(queued_backend):
    job = services.enqueue("test.record", {"n": 1})
    job.run_after = job.pushed_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert services.recover() == [job.id]
    assert services.recover() == []  # just handed over


def test_the_schedule_makes_one_job_a_day_however_many_schedulers_run():
    entry = next(e for e in SCHEDULE if e.kind == "media.cleanup")
    first = services.enqueue_scheduled(entry)
    second = services.enqueue_scheduled(entry)
    assert first.id == second.id and first.state is JobState.DONE
    assert first.idempotency_key == f"media.cleanup:{utcnow():%Y-%m-%d}"


def test_the_privacy_purge_runs_as_a_scheduled_job():
    entry = next(e for e in SCHEDULE if e.kind == "privacy.purge")
    old = services.enqueue("test.record", {"n": 1})
    old.finished_at = utcnow() - timedelta(days=400)
    db.session.flush()
    job = services.enqueue_scheduled(entry)
    assert job.state is JobState.DONE, job.last_error
    assert job.result["finished_jobs"] == 1
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.id == old.id)) == 0
