"""The Huey queue behind the `jobs` table, built once per application.

Huey carries only job ids (`run_job(job_id)`); the schedule below enqueues our
own jobs, each with a key per day, so that two schedulers running by mistake
still make one purge a day. Huey evaluates crontabs in UTC (utc=True): the
times below are chosen for Thailand (UTC+7) and say so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)

QUEUE_NAME = "ruamkhit"


@dataclass(frozen=True)
class Scheduled:
    kind: str
    when: Callable  # a huey crontab
    every: str  # what the idempotency key is made of: "day" or "hour"
    description: str


# Huey's crontabs are in UTC; Thailand is UTC+7.
SCHEDULE = (
    Scheduled("moderation.digest", crontab(minute="0", hour="1"), "day",
              "08:00 Bangkok: each moderator's summary of what waits"),
    Scheduled("privacy.purge", crontab(minute="30", hour="19"), "day",
              "02:30 Bangkok: the retention rules (privacy purge)"),
    Scheduled("media.cleanup", crontab(minute="0", hour="20"), "day",
              "03:00 Bangkok: photos that nothing refers to"),
    Scheduled("opendata.build", crontab(minute="0", hour="21"), "day",
              "04:00 Bangkok: the open-data files (and the statistics after them)"),
    Scheduled("opendata.statistics", crontab(minute="5"), "hour",
              "every hour at :05: the public statistics"),
)


@dataclass
class JobsExtension:
    huey: Any
    run_job: Any


def build_huey(app: Flask):
    backend = app.config["JOBS_BACKEND"]
    if backend == "redis":
        url = app.config.get("JOBS_REDIS_URL") or app.config.get("REDIS_URL")
        if not url:
            raise RuntimeError("JOBS_BACKEND=redis needs REDIS_URL (or JOBS_REDIS_URL)")
        return RedisHuey(QUEUE_NAME, url=url, results=False, utc=True)
    if backend == "sqlite":
        path = Path(app.config.get("JOBS_SQLITE_PATH") or Path(app.instance_path) / "jobs-queue.sqlite3")
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, utc=True)
    raise RuntimeError(f"JOBS_BACKEND must be one of redis, sqlite, immediate; not {backend!r}")


def init_queue(app: Flask) -> None:
    """Attach the queue (none for the "immediate" backend) and register the task and the schedule."""
    if app.config["JOBS_BACKEND"] == "immediate":
        return
    huey = build_huey(app)

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        from app.extensions import db
        from app.jobs.services import execute

        with app.app_context():
            try:
                outcome = execute(int(job_id))
                log.info("job %s: %s", job_id, outcome)
            finally:
                db.session.remove()

    for entry in SCHEDULE:
        huey.periodic_task(entry.when, name=f"schedule_{entry.kind.replace('.', '_')}")(
            _scheduled_runner(app, entry)
        )
    app.extensions["ruamkhit_jobs"] = JobsExtension(huey=huey, run_job=run_job)


def _scheduled_runner(app: Flask, entry: Scheduled):
    def run() -> None:
        from app.extensions import db
        from app.jobs.services import enqueue_scheduled

        with app.app_context():
            try:
                enqueue_scheduled(entry)
                db.session.commit()
            finally:
                db.session.remove()

    run.__name__ = f"schedule_{entry.kind.replace('.', '_')}"
    return run
