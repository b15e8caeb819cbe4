"""The moderators' daily digest as a scheduled job (app/jobs/queue.py SCHEDULE)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.jobs.services import JobContext, register


@register("moderation.digest", _l("Moderators' daily digest"), max_attempts=3, retry_delay=300)
def digest_job(payload: dict, ctx: JobContext) -> dict:
    from app.moderation.services import send_digests

    sent = send_digests(once_key=ctx.idempotency_key or f"moderation.digest:job-{ctx.job_id}")
    return {"emailed": len(sent)}
