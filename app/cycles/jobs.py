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


# --- a large budget's .pb download, built by a job ---------------------------------------------
#
# The published (or, for the area's officials, the preview) .pb file is built
# on request from the live ballots; above PB_INLINE_BALLOTS ballots that takes
# a worker seconds and memory that grows with it, so the signed-in person who
# asks gets it from a job, as an owner-only file (app/jobs/files.py).

PB_EXPORT_KIND = "cycles.export_pb"
PB_MIMETYPE = "text/plain"


def pb_inline_limit() -> int:
    from flask import current_app

    return int(current_app.config.get("PB_INLINE_BALLOTS", 20000))


def pb_is_large(num_ballots: int | None) -> bool:
    return (num_ballots or 0) > pb_inline_limit()


def ballot_count(budget) -> int:
    from sqlalchemy import func, select

    from app.cycles.models import CycleBallot

    return db.session.scalar(select(func.count(CycleBallot.id)).where(
        CycleBallot.budget_id == budget.id, CycleBallot.replaced.is_(False))) or 0


def pb_filename(budget, preview: bool) -> str:
    cycle = budget.cycle
    suffix = "_preview" if preview else ""
    return f"ruamkhit_{cycle.area.code}_{cycle.fiscal_year}_cycle{cycle.id}_budget{budget.id}{suffix}.pb"


def pb_refusal(user, budget, preview: bool) -> bool:
    """Whether this person may not have this budget's .pb file now (the routes' rules, checked again by the job)."""
    from app.cycles import results
    from app.permissions import can_manage_cycles

    cycle = budget.cycle
    if preview:
        return (not can_manage_cycles(user, cycle.area) or cycle.results_published_at is not None
                or results.latest_preview(budget) is None)
    return not results.export_allowed(cycle)


def request_pb_export(user, budget, preview: bool) -> Job:
    from app.jobs.files import unfinished_job

    wanted = {"budget_id": budget.id, "preview": bool(preview)}
    waiting = unfinished_job(PB_EXPORT_KIND, user.id, **wanted)
    if waiting is not None:
        return waiting
    return enqueue(PB_EXPORT_KIND, {**wanted, "owner_id": user.id}, user=user)


@register(PB_EXPORT_KIND, _l("Anonymised ballots (.pb file)"), max_attempts=3, retry_delay=30)
def export_pb_job(payload: dict, ctx: JobContext) -> dict:
    from app.accounts.models import User
    from app.cycles import results
    from app.cycles.models import CycleBudget
    from app.jobs.files import build_file

    owner = db.session.get(User, payload["owner_id"])
    budget = db.session.get(CycleBudget, payload["budget_id"])
    preview = bool(payload.get("preview"))
    if owner is None or budget is None or pb_refusal(owner, budget, preview):
        # The results were published or withdrawn, or the official lost their role, since it was asked for.
        with force_locale(getattr(owner, "locale", None) or "th"):
            return {"ok": False, "export": True, "message": _("This ballot file can no longer be made for you.")}
    cycle = budget.cycle
    ctx.progress(0, 1)
    text = results.export_pb(cycle, budget, preview=preview)
    ctx.progress(1, 2)
    built = build_file(ctx, owner_id=owner.id, download_name=pb_filename(budget, preview), mimetype=PB_MIMETYPE,
                       write=lambda fh: fh.write(text.encode("utf-8")))
    with force_locale(owner.locale or "th"):
        return {"ok": True, "file_id": built.id, "message": _("Your file is ready.")}
