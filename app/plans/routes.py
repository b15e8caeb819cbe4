"""Plan pages: public lists and tree views; the officials' forms, uploads and sample files."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.areas import services as areas
from app.areas.models import Area
from app.core import ratelimit
from app.extensions import db, limiter
from app.permissions import can_manage_plans, require
from app.plans import jobs as plan_jobs
from app.plans import services, upload
from app.plans.forms import ConfirmForm, ItemForm, PlanEditForm, PlanForm, UploadForm
from app.plans.models import Plan, PlanItem, PlanKind
from app.core.validators import as_id

bp = Blueprint("plans", __name__, template_folder="templates")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.record_once
def _register_hooks(state) -> None:
    state.app.extensions.setdefault("ruamkhit_area_sections", []).append(area_section)


def area_section(area: Area):
    """The plans section on a province or local government page."""
    return "plans/_area_section.html", {"area": area, "plans": services.plans_of(area)}


def area_scope(area: Area) -> str:
    return "p" if area.is_province else "lg"


def load_area(scope: str, code: str) -> Area:
    area = areas.get_province(code) if scope == "p" else areas.get_local_government(code)
    if area is None:
        abort(404)
    return area


@bp.app_context_processor
def plan_helpers():
    return {
        "plans_url": lambda area: url_for("plans.list_plans", scope=area_scope(area), code=area.code),
        "plan_level_name": services.level_name,
        "plan_kind_name": lambda kind: services.KIND_NAMES[kind],
    }


def _error(exc: services.PlanError) -> None:
    db.session.rollback()
    flash(str(exc.message), "error")


@bp.get("/p/<code>/plans", defaults={"scope": "p"})
@bp.get("/lg/<code>/plans", defaults={"scope": "lg"})
def list_plans(scope: str, code: str):
    area = load_area(scope, code)
    return render_template(
        "plans/list.html", area=area, plans=services.plans_of(area), kind=services.kind_for(area),
        can_manage=can_manage_plans(current_user, area),
    )


@bp.route("/p/<code>/plans/new", methods=["GET", "POST"], defaults={"scope": "p"})
@bp.route("/lg/<code>/plans/new", methods=["GET", "POST"], defaults={"scope": "lg"})
@login_required
@limiter.limit(**ratelimit.rule("PLAN_EDIT", methods=["POST"]))
def new_plan(scope: str, code: str):
    area = load_area(scope, code)
    require(can_manage_plans(current_user, area))
    kind = services.kind_for(area)
    form = PlanForm()
    details: list[str] = []
    if form.validate_on_submit():
        try:
            plan = services.create_plan(current_user, area, form.start_year.data, form.title.data)
            result = job = None
            if form.file.data and form.file.data.filename:
                received = upload.read_upload(form.file.data.stream, form.file.data.filename)
                if upload.needs_job(received):
                    job = plan_jobs.enqueue_import(current_user, plan, received)
                else:
                    result = services.import_items(current_user, plan, upload.parse_upload(received), received.filename)
            db.session.commit()
        except services.PlanError as exc:
            _error(exc)
            details = exc.details
        else:
            if job is not None:
                flash(_("The plan was created. Its file is large: it is being imported in the background."), "success")
                return redirect(url_for("jobs.progress", job_id=job.id))
            if result is not None:
                flash(_("The plan was created with %(n)d items from the file.", n=result.created), "success")
            else:
                flash(_("The plan was created. Add its items below or upload a file."), "success")
            return redirect(url_for(".show_plan", plan_id=plan.id))
    return render_template("plans/new.html", area=area, kind=kind, form=form, details=details,
                           default_title=services.default_title(area, kind, services.max_year() - services.YEARS_AHEAD + 1),
                           max_mb=upload.MAX_UPLOAD_BYTES // (1024 * 1024), max_rows=upload.MAX_ROWS)


def load_plan(plan_id: int) -> Plan:
    return db.get_or_404(Plan, plan_id)


@bp.get("/plans/<int:plan_id>")
def show_plan(plan_id: int):
    plan = load_plan(plan_id)
    children = services.children_of(plan)
    return render_template(
        "plans/show.html", plan=plan, area=plan.area, items=plan.items, children=children,
        can_manage=can_manage_plans(current_user, plan.area), confirm=ConfirmForm(),
    )


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@login_required
def edit_plan(plan_id: int):
    plan = load_plan(plan_id)
    require(can_manage_plans(current_user, plan.area))
    form = PlanEditForm(obj=plan)
    if form.validate_on_submit():
        try:
            services.update_plan(current_user, plan, form.title.data, form.start_year.data)
            db.session.commit()
        except services.PlanError as exc:
            _error(exc)
        else:
            flash(_("The plan was saved."), "success")
            return redirect(url_for(".show_plan", plan_id=plan.id))
    return render_template("plans/edit.html", plan=plan, area=plan.area, form=form)


@bp.post("/plans/<int:plan_id>/delete")
@login_required
def delete_plan(plan_id: int):
    plan = load_plan(plan_id)
    area = plan.area
    require(can_manage_plans(current_user, area))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_plan(current_user, plan)
        db.session.commit()
    except services.PlanError as exc:
        _error(exc)
        return redirect(url_for(".show_plan", plan_id=plan_id))
    flash(_("The plan was deleted."), "success")
    return redirect(url_for(".list_plans", scope=area_scope(area), code=area.code))


def load_item(plan: Plan, item_id: int | None) -> PlanItem | None:
    """An item of this plan (404 for an id of another plan or a tampered value)."""
    if item_id is None:
        return None
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        abort(404)
    return item


@bp.route("/plans/<int:plan_id>/items/new", methods=["GET", "POST"])
@login_required
def new_item(plan_id: int):
    plan = load_plan(plan_id)
    require(can_manage_plans(current_user, plan.area))
    parent = load_item(plan, as_id(request.args.get("parent")))
    if "parent" in request.args and parent is None:
        abort(404)
    if parent is not None and parent.level >= 3:
        abort(404)
    level = parent.level + 1 if parent else 1
    form = ItemForm()
    if form.validate_on_submit():
        try:
            item = services.add_item(current_user, plan, parent, form.title.data, form.code.data)
            db.session.commit()
        except services.PlanError as exc:
            _error(exc)
        else:
            flash(_("%(level)s %(code)s was added.", level=services.level_name(plan.kind, item.level), code=item.code), "success")
            return redirect(url_for(".show_plan", plan_id=plan.id, _anchor=f"item-{item.id}"))
    return render_template("plans/item_form.html", plan=plan, area=plan.area, form=form, parent=parent,
                           level=level, item=None, suggested_code=services.next_code(plan, parent))


@bp.route("/plans/<int:plan_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(plan_id: int, item_id: int):
    plan = load_plan(plan_id)
    require(can_manage_plans(current_user, plan.area))
    item = load_item(plan, item_id)
    form = ItemForm(obj=item)
    if form.validate_on_submit():
        try:
            services.update_item(current_user, item, form.title.data, form.code.data)
            db.session.commit()
        except services.PlanError as exc:
            _error(exc)
        else:
            flash(_("The item was saved."), "success")
            return redirect(url_for(".show_plan", plan_id=plan.id, _anchor=f"item-{item.id}"))
    return render_template("plans/item_form.html", plan=plan, area=plan.area, form=form, parent=item.parent,
                           level=item.level, item=item, suggested_code=item.code)


@bp.post("/plans/<int:plan_id>/items/<int:item_id>/delete")
@login_required
def delete_item(plan_id: int, item_id: int):
    plan = load_plan(plan_id)
    require(can_manage_plans(current_user, plan.area))
    item = load_item(plan, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_item(current_user, item)
        db.session.commit()
    except services.PlanError as exc:
        _error(exc)
    else:
        flash(_("The item and its sub-items were removed."), "success")
    return redirect(url_for(".show_plan", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/upload", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("PLAN_EDIT", methods=["POST"]))
def upload_items(plan_id: int):
    plan = load_plan(plan_id)
    require(can_manage_plans(current_user, plan.area))
    form = UploadForm()
    details: list[str] = []
    if form.validate_on_submit():
        try:
            if not form.file.data or not form.file.data.filename:
                raise services.PlanError(_("Choose a file to upload."))
            received = upload.read_upload(form.file.data.stream, form.file.data.filename)
            if upload.needs_job(received):
                # A workbook that unpacks large is read by a worker; the official watches its progress.
                job = plan_jobs.enqueue_import(current_user, plan, received)
                db.session.commit()
                return redirect(url_for("jobs.progress", job_id=job.id))
            result = services.import_items(current_user, plan, upload.parse_upload(received), received.filename)
            db.session.commit()
        except services.PlanError as exc:
            _error(exc)
            details = exc.details
        else:
            flash(_("The file was imported: %(created)d items added, %(updated)d titles changed, %(unchanged)d unchanged.",
                    created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
            return redirect(url_for(".show_plan", plan_id=plan.id))
    return render_template("plans/upload.html", plan=plan, area=plan.area, form=form, details=details,
                           max_mb=upload.MAX_UPLOAD_BYTES // (1024 * 1024), max_rows=upload.MAX_ROWS)


@bp.get("/plans/sample/<kind>.<fmt>")
def sample_file(kind: str, fmt: str):
    try:
        plan_kind = PlanKind(kind)
    except ValueError:
        abort(404)
    if fmt == "csv":
        data, mime = upload.sample_csv(plan_kind), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data, mime = upload.sample_xlsx(plan_kind), XLSX_MIME
    else:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=mime, as_attachment=True,
                     download_name=f"ruamkhit-plan-sample-{plan_kind.value}.{fmt}", max_age=0)
