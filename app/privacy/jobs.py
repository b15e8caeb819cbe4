"""The retention rules (`flask privacy purge`) as a daily job (app/jobs/queue.py SCHEDULE), and the data
download built by a job into a file only its owner can download (app/jobs/files.py)."""
from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, register

EXPORT_KIND = "privacy.export"


@register("privacy.purge", _l("Retention rules (personal data purge)"), max_attempts=3, retry_delay=600)
def purge_job(payload: dict, ctx: JobContext) -> dict:
    from app.core.timeutil import utcnow
    from app.privacy.retention import run_all

    # Removed photo files go after the job's commit (retention._delete_files_after_commit).
    return {rule.key: count for rule, count in run_all(utcnow())}


def request_export(user: Any) -> Job:
    """Queue the person's data download, or give back the one already on its way (two clicks, one file)."""
    from app.jobs.files import unfinished_job

    waiting = unfinished_job(EXPORT_KIND, user.id, user_id=user.id)
    if waiting is not None:
        return waiting
    return enqueue(EXPORT_KIND, {"user_id": user.id}, user=user)


@register(EXPORT_KIND, _l("Your data download (ZIP)"), max_attempts=3, retry_delay=30)
def export_job(payload: dict, ctx: JobContext) -> dict:
    from app.accounts.models import User
    from app.jobs.files import build_file
    from app.privacy import export

    user = db.session.get(User, payload["user_id"])
    if user is None or user.deleted_at is not None:
        return {"ok": False, "message": "The account no longer exists."}
    with force_locale(user.locale or "th"):
        built = build_file(ctx, owner_id=user.id, download_name=export.filename(user), mimetype="application/zip",
                           write=lambda fh: export.write_zip(user, fh, progress=ctx.progress))
        return {"ok": True, "file_id": built.id, "size": built.size, "message": _("Your file is ready.")}
