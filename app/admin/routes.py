"""Officials' and administrators' pages: dashboard, residents of an area, roles, audit log.

Other domains add links to the dashboard by appending a provider when their
blueprint is registered: `app.extensions.setdefault("ruamkhit_dashboard_links",
[]).append(fn)`, where `fn(user) -> list[(label, url)]`.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import false

from app.accounts import services as accounts
from app.accounts.labels import RESIDENCY_LABELS, RESIDENCY_METHOD_LABELS, ROLE_LABELS
from app.accounts.models import Role, RoleAssignment, User
from app.admin import hub, services
from app.admin.forms import (
    ActionForm, AssignRoleForm, AuditFilterForm, LGSubdistrictsForm, ResidentListForm, ResidentSearchForm, RoleFilterForm,
)
from app.areas.models import Area
from app.audit.actions import render_entries
from app.core.locale import current_locale
from app.core.routes import safe_next
from app.core import ratelimit
from app.extensions import db, limiter
from app.permissions import can_manage_areas, can_manage_roles, can_verify_resident, can_view_audit_log, require
from app.core.numbers import MAX_PAGE, int_arg

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

PER_PAGE = 50


def _area_or_404(code: str) -> Area:
    from app.areas.services import get_area_by_code

    area = get_area_by_code(code) if len(code) <= 10 else None
    if area is None:
        abort(404)
    return area


def _page_urls(pagination) -> dict[str, str | None]:
    args = request.args.to_dict()
    view_args = request.view_args or {}

    def url(page: int) -> str:
        return url_for(request.endpoint, **{**args, **view_args, "page": page})

    return {
        "prev": url(pagination.prev_num) if pagination.has_prev else None,
        "next": url(pagination.next_num) if pagination.has_next else None,
    }


def _page_number() -> int:
    page = int_arg("page", 1, maximum=MAX_PAGE)
    return page if 1 <= page <= 100_000 else 1


def _dashboard_links(user) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for provider in current_app.extensions.get("ruamkhit_dashboard_links", []):
        links.extend(provider(user) or [])
    return links


# --- dashboard -------------------------------------------------------------------

@bp.get("/")
@login_required
def dashboard():
    require(bool(current_user.roles))
    roles = sorted(current_user.roles, key=lambda r: (list(Role).index(r.role), r.area.code if r.area else ""))
    return render_template(
        "admin/dashboard.html",
        roles=roles,
        role_labels=ROLE_LABELS,
        can_verify_in=lambda area: can_verify_resident(current_user, area),
        is_admin=can_manage_roles(current_user),
        show_audit=can_view_audit_log(current_user),
        show_outbox=bool(current_app.config.get("DEV_OUTBOX_PAGE")) and can_manage_roles(current_user),
        extra_links=_dashboard_links(current_user),
        work=hub.hub(current_user),
    )


@bp.get("/residents")
@login_required
def find_residents():
    """The dashboard's "residents of an area" box: from a typed code to the area's page."""
    from app.areas.services import get_area_by_code

    code = (request.args.get("code") or "").strip()
    area = get_area_by_code(code) if code and len(code) <= 10 else None
    if area is None:
        flash(_("No province or local government has this code. A province has 2 digits (e.g. 50), a local government 7 (e.g. 3500102)."), "error")
        return redirect(url_for("admin.dashboard"))
    return redirect(url_for("admin.residents", code=area.code))


# --- residents and their verification -------------------------------------------

@bp.get("/areas/<code>/residents")
@login_required
def residents(code: str):
    area = _area_or_404(code)
    require(can_verify_resident(current_user, area))
    form = ResidentSearchForm(formdata=request.args)
    if form.validate():
        stmt = accounts.residents_query(area, form.q.data, form.state_value)
    else:
        stmt = accounts.residents_query(area)
    pagination = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False, count=True)
    from app.privacy.access import RESIDENTS_LIST, log_access

    if log_access(current_user, pagination.items, RESIDENTS_LIST, area):
        db.session.commit()
    from app.accounts.resident_list import resident_list_of, verified_counts

    return render_template(
        "admin/residents.html",
        area=area,
        form=form,
        by_method=verified_counts(area),
        method_labels=RESIDENCY_METHOD_LABELS,
        resident_list=resident_list_of(area),
        pagination=pagination,
        page_urls=_page_urls(pagination),
        residency_labels=RESIDENCY_LABELS,
    )


def _resident_action(code: str, user_id: int, action):
    area = _area_or_404(code)
    require(can_verify_resident(current_user, area))
    resident = db.get_or_404(User, user_id)
    form = ActionForm()
    back = safe_next(request.form.get("next"), url_for("admin.residents", code=area.code))
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(back)
    try:
        message = action(current_user, resident, area)
        from app.privacy.access import RESIDENT_VERIFICATION, log_access

        log_access(current_user, [resident], RESIDENT_VERIFICATION, area)
    except accounts.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(back)


@bp.post("/areas/<code>/residents/<int:user_id>/verify")
@login_required
def verify_resident(code: str, user_id: int):
    def action(official, resident, area):
        accounts.verify_residency(official, resident, area)
        return _("%(name)s is now a verified resident.", name=resident.display_name)

    return _resident_action(code, user_id, action)


@bp.post("/areas/<code>/residents/<int:user_id>/revoke")
@login_required
def revoke_resident(code: str, user_id: int):
    def action(official, resident, area):
        accounts.revoke_residency(official, resident, area)
        return _("The residency verification of %(name)s is withdrawn.", name=resident.display_name)

    return _resident_action(code, user_id, action)


# --- the area's resident list (self-verification) ------------------------------------

@bp.route("/areas/<code>/resident-list", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("RESIDENT_LIST_UPLOAD", methods=["POST"]))
def resident_list(code: str):
    """An official uploads the area's list of eligible residents (kept only as keyed hashes)."""
    from app.accounts import resident_list as lists
    from app.accounts.jobs import recent_uploads

    area = _area_or_404(code)
    require(can_verify_resident(current_user, area))
    form = ResidentListForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            problems = [(None, _("Choose a file to upload."))]
        else:
            from app.accounts.jobs import enqueue_upload

            data = upload.read(lists.MAX_BYTES + 1)
            upload.close()  # a large upload is spooled to a temporary file: closed now, not when collected
            try:
                lists.check_upload(upload.filename, data)
            except lists.ResidentListError as error:
                problems = error.problems
            else:
                # Checking and storing 100,000 rows is a job: the official follows it on its progress page.
                job = enqueue_upload(current_user, area, upload.filename, data)
                db.session.commit()
                return redirect(url_for("jobs.progress", job_id=job.id))
    elif form.is_submitted():
        problems = [(None, _("The form expired. Please send it again."))]
    return render_template(
        "admin/resident_list.html", area=area, form=form, problems=problems,
        current=lists.resident_list_of(area), max_rows=lists.MAX_ROWS, uploads=recent_uploads(area),
    ), (400 if problems else 200)


# --- which subdistricts a local government covers -----------------------------------

@bp.route("/areas/<code>/subdistricts", methods=["GET", "POST"])
@login_required
def lg_subdistricts(code: str):
    """An administrator corrects the subdistricts a local government covers (app/areas/coverage.py)."""
    from app.areas import services as areas

    lg = _area_or_404(code)
    require(can_manage_areas(current_user))
    if areas.covers_whole_province(lg):
        abort(404)
    form = LGSubdistrictsForm()
    if form.validate_on_submit():
        try:
            if form.restore.data:
                changed = areas.restore_registry_subdistricts(current_user, lg)
            else:
                changed = areas.set_lg_subdistricts(current_user, lg, form.subdistricts.data or [])
        except areas.CoverageError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The subdistricts of %(area)s are saved.", area=lg.title(current_locale())) if changed
                  else _("Nothing was changed."), "success" if changed else "info")
            return redirect(url_for("admin.lg_subdistricts", code=lg.code))
    elif form.is_submitted():
        flash(_("The form expired. Please send it again."), "error")
    chosen = set(form.subdistricts.data) if form.is_submitted() and form.subdistricts.data is not None else (
        areas.subdistrict_codes_of(lg) or set()
    )
    return render_template(
        "admin/lg_subdistricts.html", lg=lg, form=form, chosen=chosen,
        groups=areas.province_subdistricts_for_choice(lg), others=areas.other_coverers(lg),
    )


# --- roles -----------------------------------------------------------------------

def _render_roles(assign_form: AssignRoleForm):
    from app.areas.services import get_area_by_code

    filters = RoleFilterForm(formdata=request.args)
    role = area = None
    if filters.validate():
        role = Role(filters.role.data) if filters.role.data else None
        if filters.area.data:
            area = get_area_by_code(filters.area.data)
            if area is None:
                filters.area.errors.append(_("No province or local government has the code %(code)s.", code=filters.area.data))
    stmt = accounts.role_assignments_query(role, area)
    if filters.area.errors:
        stmt = stmt.where(false())
    pagination = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False, count=True)
    return render_template(
        "admin/roles.html",
        filters=filters,
        assign_form=assign_form,
        pagination=pagination,
        page_urls=_page_urls(pagination),
        role_labels=ROLE_LABELS,
        action_form=ActionForm(formdata=None),
    )


@bp.get("/roles")
@login_required
def roles():
    require(can_manage_roles(current_user))
    return _render_roles(AssignRoleForm(formdata=None))


@bp.post("/roles")
@login_required
def assign_role():
    require(can_manage_roles(current_user))
    form = AssignRoleForm()
    if form.validate_on_submit():
        role = Role(form.role.data)
        try:
            assignment = accounts.assign_role_by_email(current_user, form.email.data, role, form.area_code.data)
        except accounts.UnknownAccount as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        except accounts.AreaCodeError as error:
            db.session.rollback()
            form.area_code.errors.append(str(error))
        except accounts.AccountError as error:
            db.session.rollback()
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            user = assignment.user
            if assignment.area is not None:
                flash(_("%(name)s is now %(role)s of %(area)s.", name=user.display_name, role=ROLE_LABELS[role],
                        area=assignment.area.title(current_locale())), "success")
            else:
                flash(_("%(name)s is now %(role)s.", name=user.display_name, role=ROLE_LABELS[role]), "success")
            return redirect(url_for("admin.roles"))
    return _render_roles(form)


@bp.route("/roles/<int:assignment_id>/remove", methods=["GET", "POST"])
@login_required
def remove_role(assignment_id: int):
    assignment = db.get_or_404(RoleAssignment, assignment_id)
    require(can_manage_roles(current_user))
    form = ActionForm()
    if form.validate_on_submit():
        user, role, area = assignment.user, assignment.role, assignment.area
        try:
            accounts.remove_role(current_user, assignment)
        except accounts.AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            if area is not None:
                flash(_("%(name)s is no longer %(role)s of %(area)s.", name=user.display_name, role=ROLE_LABELS[role],
                        area=area.title(current_locale())), "success")
            else:
                flash(_("%(name)s is no longer %(role)s.", name=user.display_name, role=ROLE_LABELS[role]), "success")
        return redirect(url_for("admin.roles"))
    return render_template("admin/remove_role.html", assignment=assignment, form=form, role_labels=ROLE_LABELS)


# --- audit log -------------------------------------------------------------------

@bp.get("/audit")
@login_required
def audit_log():
    from app.areas.services import get_area_by_code

    require(can_view_audit_log(current_user))
    form = AuditFilterForm(formdata=request.args)
    action = actor = area = None
    nothing = False
    if form.validate():
        action, actor = form.action.data or None, form.actor.data or None
        if form.area.data:
            area = get_area_by_code(form.area.data)
            if area is None:
                form.area.errors.append(_("No province or local government has the code %(code)s.", code=form.area.data))
                nothing = True
    else:
        nothing = True
    stmt = services.audit_query(action, actor, area)
    if nothing:
        stmt = stmt.where(false())
    pagination = db.paginate(stmt, page=_page_number(), per_page=PER_PAGE, error_out=False, count=True)
    entries = render_entries(list(pagination.items), current_locale())
    people = services.users_by_id([e.entry.actor_id for e in entries])
    areas = services.areas_by_id([e.entry.area_id for e in entries])
    return render_template(
        "admin/audit.html",
        form=form,
        entries=entries,
        pagination=pagination,
        page_urls=_page_urls(pagination),
        people=people,
        areas=areas,
    )
