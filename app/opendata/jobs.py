"""The open-data build and the statistics refresh as background jobs (app/jobs/queue.py SCHEDULE).

The build runs every night and when an administrator asks for it on /open-data; the statistics
are refreshed every hour, and after each build.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, register

BUILD = "opendata.build"
STATISTICS = "opendata.statistics"


def enqueue_build(actor) -> Job:
    return enqueue(BUILD, {}, user=actor)


@register(BUILD, _l("Open data files"), max_attempts=3, retry_delay=300)
def build_job(payload: dict, ctx: JobContext) -> dict:
    from app.opendata.build import build
    from app.opendata.statistics import refresh_statistics

    totals: dict[str, int] = {}
    done: dict[str, int] = {}

    def progress(name: str, n: int, total: int) -> None:
        totals[name] = total
        done[name] = done.get(name, 0) + n
        ctx.progress(sum(done.values()), max(sum(totals.values()), 1))

    report = build(progress)
    refresh_statistics()
    return {"built_at": report.built_at.isoformat(), "rows": report.rows, "scopes": report.scopes,
            "seconds": round(report.seconds, 1)}


@register(STATISTICS, _l("Public statistics"), max_attempts=3, retry_delay=120)
def statistics_job(payload: dict, ctx: JobContext) -> dict:
    from app.opendata.statistics import refresh_statistics

    report = refresh_statistics()
    return {"scopes": report.scopes, "seconds": round(report.seconds, 1)}
