"""Export pages: the area's export page, and each plan's Excel file, CSV and printable page.

Everything here is public and read-only: plans and shortlisted or selected
proposals are public. The downloads are rate-limited because a large export
costs a few seconds of a worker.
"""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, render_template, request, send_file, stream_with_context

from app.exports import p02, services
from app.core import ratelimit
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
    return {"export_filter_labels": services.FILTER_LABELS}


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


@bp.get("/plans/<int:plan_id>/export.xlsx")
@limiter.limit(**ratelimit.rule("EXPORT"))
def download_xlsx(plan_id: int):
    plan, chosen = _load(plan_id)
    out = io.BytesIO()
    p02.write_xlsx(services.export_meta(plan, chosen), services.export_rows(plan, services.STATE_FILTERS[chosen]), out)
    out.seek(0)
    return send_file(out, mimetype=XLSX_MIME, as_attachment=True,
                     download_name=services.export_filename(plan, chosen, "xlsx"), max_age=0)


@bp.get("/plans/<int:plan_id>/export.csv")
@limiter.limit(**ratelimit.rule("EXPORT"))
def download_csv(plan_id: int):
    plan, chosen = _load(plan_id)
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
    meta = services.export_meta(plan, chosen)
    events = p02.walk(services.export_rows(plan, services.STATE_FILTERS[chosen]), len(meta.years))
    return render_template(
        "exports/print.html", plan=plan, area=plan.area, meta=meta, events=events, chosen=chosen,
        scope=area_scope(plan.area), group_heading=p02.group_heading, total_label=p02.total_label,
        empty_amount=p02.EMPTY_AMOUNT,
    )
