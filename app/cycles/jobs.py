"""Importing a large pabulib .pb file as a background job, with its progress shown to the official.

A .pb file of 199,000 ballots takes a worker many seconds and hundreds of
megabytes: above INLINE_PB_BYTES the route hands the file to this job
(base64 in the payload, dropped once imported) and sends the official to
/jobs/<id>. The cycle, its projects and ballots are written in the job's own
transaction with its "done", so a worker killed midway leaves no half cycle
and the next attempt imports the file once.
"""
from __future__ import annotations

import base64
import io

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, register

# A few thousand ballots read in well under a second; larger files go to a worker.
INLINE_PB_BYTES = 512 * 1024


def enqueue_import(actor, area, data: bytes, filename: str) -> Job:
    return enqueue("cycles.import_pb", {
        "area_id": area.id, "actor_id": actor.id, "filename": filename,
        "data": base64.b64encode(data).decode("ascii"),
    }, user=actor)


def _done_url(job: Job) -> str | None:
    cycle_id = (job.result or {}).get("cycle_id")
    return url_for("cycles.manage_cycle", cycle_id=cycle_id) if cycle_id else None


@register("cycles.import_pb", _l("Import of a .pb file"), max_attempts=3, retry_delay=30, done_url=_done_url)
def import_pb_job(payload: dict, ctx: JobContext) -> dict:
    from app.accounts.models import User
    from app.areas.models import Area
    from app.cycles.errors import CycleError
    from app.cycles.results import import_pb

    actor = db.session.get(User, payload["actor_id"])
    area = db.session.get(Area, payload["area_id"])
    if actor is None or area is None:
        return {"ok": False, "message": "The area or the official's account no longer exists."}
    data = base64.b64decode(payload["data"])
    with force_locale(actor.locale or "th"):
        try:
            with db.session.begin_nested():
                cycle = import_pb(actor, area, io.BytesIO(data), payload["filename"], progress=ctx.progress)
        except CycleError as error:
            outcome = {"ok": False, "message": _("The file was not imported."),
                       "details": [str(m) for m in error.messages]}
        else:
            outcome = {"ok": True, "cycle_id": cycle.id,
                       "message": _("The file was imported as a new cycle. Compute its results from this page.")}
    ctx.forget_payload("data")
    return outcome
