"""The worker process: Huey's consumer plus our sweeper.

The sweeper runs when the worker starts and then every JOBS_SWEEP_SECONDS: it
hands over again the jobs whose worker died (their lease ran out) and the due
jobs that never reached the queue (Redis was down at the commit). Huey's
scheduler (periodic=True) enqueues the daily jobs; run it in one worker only
(the others with --no-periodic), although a second one would only find the
day's job already there.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)


def _sweep(app: Flask) -> None:
    from app.extensions import db
    from app.jobs.services import recover

    with app.app_context():
        try:
            ids = recover()
            if ids:
                log.info("handed over again %d job(s): %s", len(ids), ids[:20])
        except Exception:
            log.exception("the job sweeper failed; it tries again")
            db.session.rollback()
        finally:
            db.session.remove()


def _sweeper(app: Flask, stop: threading.Event) -> None:
    interval = max(0.5, float(app.config.get("JOBS_SWEEP_SECONDS", 30)))
    while not stop.wait(interval):
        _sweep(app)


def run_worker(app: Flask, workers: int = 2, periodic: bool = True) -> None:
    extension = app.extensions.get("ruamkhit_jobs")
    if extension is None:
        raise RuntimeError("JOBS_BACKEND is 'immediate': jobs run inside the request, there is no queue")
    _sweep(app)
    stop = threading.Event()
    sweeper = threading.Thread(target=_sweeper, args=(app, stop), name="job-sweeper", daemon=True)
    sweeper.start()
    consumer = extension.huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread",
                                              initial_delay=0.1, max_delay=2.0)
    try:
        consumer.run()
    finally:
        stop.set()
