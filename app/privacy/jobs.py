"""The retention rules (`flask privacy purge`) as a daily job (app/jobs/queue.py SCHEDULE)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.jobs.services import JobContext, register


@register("privacy.purge", _l("Retention rules (personal data purge)"), max_attempts=3, retry_delay=600)
def purge_job(payload: dict, ctx: JobContext) -> dict:
    from app.core.timeutil import utcnow
    from app.privacy.retention import run_all

    # Removed photo files go after the job's commit (retention._delete_files_after_commit).
    return {rule.key: count for rule, count in run_all(utcnow())}
