"""Background jobs: a durable `jobs` table in our database, carried by a Huey queue.

Why Huey (3.x, pinned): one small, well-kept library that stores its queue in
Redis in production and in a plain SQLite file for `make run` (nothing to
install, and queued work survives a restart because the queue is a file), with
delayed tasks, periodic tasks (crontab) and a consumer process. RQ needs Redis
always; Dramatiq needs a broker (RabbitMQ or Redis).

Huey only carries job ids. What a job is, its state, its attempts and its last
error live in our `jobs` table (app/jobs/models.py): administrators see failed
jobs at /admin/jobs and retry them, and a job's handler marks it done in the
same database transaction as its effect, so that a worker killed mid-job and
a job run twice still show the person one email, one import.
"""
from __future__ import annotations

# Every module that registers a kind of job: the worker must know them all.
JOB_MODULES = (
    "app.jobs.mail",
    "app.notifications.services",
    "app.moderation.jobs",
    "app.privacy.jobs",
    "app.media.jobs",
    "app.plans.jobs",
    "app.cycles.jobs",
    "app.opendata.jobs",
    "app.exports.jobs",
    "app.accounts.jobs",
)


def init_jobs(app) -> None:
    import importlib

    from app.jobs.queue import init_queue

    for name in JOB_MODULES:
        importlib.import_module(name)
    init_queue(app)
