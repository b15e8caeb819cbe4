"""A large plan's ผ.02 file (Excel, CSV or a printable HTML page) built by a job into a file for the person who asked for it.

A plan with more than EXPORT_INLINE_ROWS proposals in the chosen states
takes a worker seconds and, for Excel, memory that grows with it: its
download links become "prepare" buttons for signed-in readers, the job writes
the file (app/jobs/files.py) and its page (/jobs/<id>) offers it to that
person only. Smaller plans are still served at once, to anyone.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, register

KIND = "exports.p02"
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    # The printable page of a large plan, as one self-contained file (its
    # style inside it) that the reader opens in a browser and prints.
    "html": "text/html",
}
PROGRESS_EVERY = 500


def inline_limit() -> int:
    return int(current_app.config.get("EXPORT_INLINE_ROWS", 2000))


def is_large(count: int) -> bool:
    """Whether a plan export of this many proposals is built by a job rather than inside the request."""
    return count > inline_limit()


def request_export(user: Any, plan: Any, state_filter: str, fmt: str, locale: str) -> Job:
    """Queue the file, or give back the same one already on its way (a second click waits for the first)."""
    from app.jobs.files import unfinished_job

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    wanted = {"plan_id": plan.id, "state": state_filter, "format": fmt, "locale": locale}
    waiting = unfinished_job(KIND, user.id, **wanted)
    if waiting is not None:
        return waiting
    return enqueue(KIND, {**wanted, "owner_id": user.id}, user=user)


def _counted(rows, total: int, ctx: JobContext) -> Iterator:
    ctx.progress(0, total)
    for n, row in enumerate(rows, 1):
        if n % PROGRESS_EVERY == 0:
            ctx.progress(n, total)
        yield row


def write_printable(plan: Any, meta: Any, rows, lang: str, out) -> None:
    """The printable ผ.02 as a standalone HTML file, written as Jinja renders it (a template stream)."""
    from pathlib import Path

    from markupsafe import Markup

    from app.exports import p02

    css = Path(current_app.static_folder, "css", "exports.css").read_text(encoding="utf-8")
    template = current_app.jinja_env.get_template("exports/print_file.html")
    template.stream(plan=plan, lang=lang, css=Markup(css), **p02.table_context(meta, rows)).dump(out, encoding="utf-8")


@register(KIND, _l("Plan export (ผ.02)"), max_attempts=3, retry_delay=30)
def export_job(payload: dict, ctx: JobContext) -> dict:
    from app.exports import p02, services
    from app.jobs.files import build_file
    from app.plans.models import Plan

    plan = db.session.get(Plan, payload["plan_id"])
    state_filter, fmt = payload["state"], payload["format"]
    if plan is None or state_filter not in services.STATE_FILTERS or fmt not in FORMATS:
        with force_locale(payload.get("locale") or "th"):
            return {"ok": False, "export": True, "message": _("This plan no longer exists.")}
    states = services.STATE_FILTERS[state_filter]
    with force_locale(payload.get("locale") or "th"):
        meta = services.export_meta(plan, state_filter)
        total = services.count_rows(plan, states)

        def write(out) -> None:
            rows = _counted(services.export_rows(plan, states), total, ctx)
            if fmt == "xlsx":
                p02.write_xlsx(meta, rows, out)
            elif fmt == "html":
                write_printable(plan, meta, rows, payload.get("locale") or "th", out)
            else:
                for chunk in p02.csv_chunks(meta, rows):
                    out.write(chunk)

        built = build_file(ctx, owner_id=payload["owner_id"], download_name=services.export_filename(plan, state_filter, fmt),
                           mimetype=FORMATS[fmt], write=write)
        return {"ok": True, "file_id": built.id, "rows": total, "message": _("Your file is ready.")}
