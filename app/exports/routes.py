"""Export pages: the area's export page, and each plan's Excel file, CSV and printable page.

Everything here is public and read-only: plans and shortlisted or selected
proposals are public. The downloads are rate-limited because an export costs
a worker's time; a plan with more than EXPORT_INLINE_ROWS proposals is not
built inside a request at all: a signed-in reader asks for it and a job
builds it (app/exports/jobs.py).
"""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.exports import jobs, p02, services
from app.core import ratelimit
from app.core.locale import current_locale
from app.extensions import db, limiter
from app.plans import services as plans
from app.plans.models import Plan
from app.plans.routes import XLSX_MIME, area_scope, load_area

bp = Blueprint("exports", __name__, template_folder="templates")



def state_filter() -> str:
    """The ?state= filter; anything but the three known values is a bad request."""
    value = request.args.get("state", services.DEFAULT_FILTER)
    if value not in services.STATE_FILTERS:
        abort(400)
    return value


@bp.app_context_processor
def export_helpers():
    return {"export_filter_labels": services.FILTER_LABELS, "export_is_large": jobs.is_large}


@bp.get("/p/<code>/exports", defaults={"scope": "p"})
@bp.get("/lg/<code>/exports", defaults={"scope": "lg"})
def area_exports(scope: str, code: str):
    area = load_area(scope, code)
    chosen = state_filter()
    states = services.STATE_FILTERS[chosen]
    rows = [(plan, services.count_rows(plan, states)) for plan in plans.plans_of(area)]
    return render_template(
        "exports/area.html", area=area, scope=area_scope(area), plans=rows, chosen=chosen,
        filters=services.STATE_FILTERS, unlinked=services.unlinked_count(area, states),
    )


def _load(plan_id: int) -> tuple[Plan, str]:
    return db.get_or_404(Plan, plan_id), state_filter()


def _exports_page(plan: Plan, chosen: str) -> str:
    return url_for("exports.area_exports", scope=area_scope(plan.area), code=plan.area.code, state=chosen)


def _too_large(plan: Plan, chosen: str):
    """A large plan's file is prepared by a job: back to the exports page, which says so and offers it."""
    count = services.count_rows(plan, services.STATE_FILTERS[chosen])
    if not jobs.is_large(count):
        return None
    flash(_("This plan has %(num)s proposals: its file is prepared in the background. Use the Prepare button below.",
            num=f"{count:,}"), "info")
    return redirect(_exports_page(plan, chosen), code=303)


@bp.post("/plans/<int:plan_id>/export.<fmt>/prepare")
@login_required
@limiter.limit(**ratelimit.rule("EXPORT"))
def prepare(plan_id: int, fmt: str):
    """Queue a large plan's file for the signed-in reader and follow it on its job page."""
    from app.admin.forms import ActionForm

    plan, chosen = _load(plan_id)
    if fmt not in jobs.FORMATS:
        abort(404)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(_exports_page(plan, chosen))
    if not jobs.is_large(services.count_rows(plan, services.STATE_FILTERS[chosen])):
        # Small enough to be served at once: no job, no file to keep.
        endpoint = {"xlsx": "exports.download_xlsx", "csv": "exports.download_csv", "html": "exports.print_view"}[fmt]
        return redirect(url_for(endpoint, plan_id=plan.id, state=chosen), code=303)
    job = jobs.request_export(current_user._get_current_object(), plan, chosen, fmt, current_locale())
    db.session.commit()
    return redirect(url_for("jobs.progress", job_id=job.id), code=303)


@bp.get("/plans/<int:plan_id>/export.xlsx")
@limiter.limit(**ratelimit.rule("EXPORT"))
def download_xlsx(plan_id: int):
    plan, chosen = _load(plan_id)
    if (queued := _too_large(plan, chosen)) is not None:
        return queued
    out = io.BytesIO()
    p02.write_xlsx(services.export_meta(plan, chosen), services.export_rows(plan, services.STATE_FILTERS[chosen]), out)
    out.seek(0)
    return send_file(out, mimetype=XLSX_MIME, as_attachment=True,
                     download_name=services.export_filename(plan, chosen, "xlsx"), max_age=0)


@bp.get("/plans/<int:plan_id>/export.csv")
@limiter.limit(**ratelimit.rule("EXPORT"))
def download_csv(plan_id: int):
    plan, chosen = _load(plan_id)
    if (queued := _too_large(plan, chosen)) is not None:
        return queued
    filename = services.export_filename(plan, chosen, "csv")

    def generate():
        # The body is produced after this view has returned and its session has
        # been removed: load the plan again in the session of the streaming context.
        streamed = db.session.get(Plan, plan_id)
        meta = services.export_meta(streamed, chosen)
        yield from p02.csv_chunks(meta, services.export_rows(streamed, services.STATE_FILTERS[chosen]))

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/plans/<int:plan_id>/export")
@limiter.limit(**ratelimit.rule("EXPORT"))
def print_view(plan_id: int):
    plan, chosen = _load(plan_id)
    if (queued := _too_large(plan, chosen)) is not None:
        return queued
    table = p02.table_context(services.export_meta(plan, chosen), services.export_rows(plan, services.STATE_FILTERS[chosen]))
    return render_template(
        "exports/print.html", plan=plan, area=plan.area, chosen=chosen, scope=area_scope(plan.area), **table,
    )
