"""Importing a large plan file as a background job, with its progress shown to the official.

The route hands over the file's bytes (at most MAX_UPLOAD_BYTES, base64 in the
job's payload, removed from it once the job is done) and sends the official to
/jobs/<id>, which refreshes itself until the import is done. A file with
mistakes is not a failed job: the job is done, nothing is changed, and the
page lists the mistakes as the form would.
"""
from __future__ import annotations

import base64

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, register


def enqueue_import(actor, plan, received) -> Job:
    from app.plans.upload import Upload  # noqa: F401  (the type of `received`)

    return enqueue("plans.import", {
        "plan_id": plan.id, "actor_id": actor.id, "filename": received.filename,
        "data": base64.b64encode(received.data).decode("ascii"),
    }, user=actor)


def _done_url(job: Job) -> str | None:
    plan_id = (job.result or {}).get("plan_id")
    return url_for("plans.show_plan", plan_id=plan_id) if plan_id and (job.result or {}).get("ok") else None


@register("plans.import", _l("Plan file import"), max_attempts=3, retry_delay=30, done_url=_done_url)
def import_job(payload: dict, ctx: JobContext) -> dict:
    from app.accounts.models import User
    from app.plans import services, upload
    from app.plans.models import Plan

    actor = db.session.get(User, payload["actor_id"])
    plan = db.session.get(Plan, payload["plan_id"])
    if actor is None or plan is None:
        return {"ok": False, "message": "The plan or the official's account no longer exists."}
    received = upload.Upload(filename=payload["filename"], data=base64.b64decode(payload["data"]))
    with force_locale(actor.locale or "th"):
        try:
            with db.session.begin_nested():  # all or nothing, as in the request
                rows = upload.parse_upload(received, progress=ctx.progress)
                result = services.import_items(actor, plan, rows, received.filename)
        except services.PlanError as error:
            outcome = {"ok": False, "plan_id": plan.id, "message": str(error), "details": [str(d) for d in error.details]}
        else:
            outcome = {"ok": True, "plan_id": plan.id, "message": _(
                "The file was imported: %(created)d items added, %(updated)d titles changed, %(unchanged)d unchanged.",
                created=result.created, updated=result.updated, unchanged=result.unchanged)}
    ctx.forget_payload("data")  # the file is not kept once it is imported
    return outcome
