"""`flask --app wsgi jobs worker`: run queued jobs (and the daily schedule); `jobs list`: what failed."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

jobs_cli = click.Group("jobs", help="Background jobs: the worker and the queue.")


@jobs_cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Jobs run at the same time (threads).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also enqueue the scheduled jobs (digest, retention, media cleanup). One worker is enough.")
@with_appcontext
def worker_command(workers: int, periodic: bool) -> None:
    """Run background jobs until stopped (Ctrl-C or SIGINT finishes the jobs in hand; SIGTERM stops at once)."""
    from app.jobs.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    if "ruamkhit_jobs" not in app.extensions:
        raise click.ClickException("JOBS_BACKEND is 'immediate': jobs run inside each request, there is no queue.")
    click.echo(f"jobs worker: backend {app.config['JOBS_BACKEND']}, {workers} thread(s), "
               f"schedule {'on' if periodic else 'off'}")
    run_worker(app, workers=workers, periodic=periodic)


@jobs_cli.command("list")
@click.option("--state", type=click.Choice(["queued", "running", "done", "failed"]), default="failed",
              show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@with_appcontext
def list_command(state: str, limit: int) -> None:
    """List jobs in one state, newest first, with their last error's final line."""
    from app.extensions import db
    from app.jobs.models import JobState
    from app.jobs.services import jobs_query

    for job in db.session.scalars(jobs_query(JobState(state)).limit(limit)):
        error = (job.last_error or "").strip().splitlines()[-1:] or [""]
        click.echo(f"{job.id}\t{job.kind}\t{job.attempts}/{job.max_attempts}\t{job.created_at:%Y-%m-%d %H:%M}\t{error[0]}")
