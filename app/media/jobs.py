"""Removing photos that nothing refers to, as a daily job (app/jobs/queue.py SCHEDULE)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.jobs.services import JobContext, register


@register("media.cleanup", _l("Unused photos removed"), max_attempts=3, retry_delay=600)
def cleanup_job(payload: dict, ctx: JobContext) -> dict:
    from app.media.cleanup import remove_orphans

    return {"removed": len(remove_orphans())}
