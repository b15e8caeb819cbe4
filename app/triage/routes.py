"""Triage pages: the officials' inbox, the answer forms of one idea, and the
sections this domain adds to idea and area pages (timeline, response time)."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.areas.models import Area
from app.areas.services import get_area_by_code
from app.core.locale import current_locale
from app.core.validators import MAX_ID
from app.core import ratelimit
from app.extensions import db, limiter
from app.ideas.models import STATUS_LABELS, Idea, IdeaStatus
from app.permissions import can_manage_proposals, can_triage, is_official_of, official_area_ids, require
from app.triage import models, services  # noqa: F401  (models registers the table)
from app.triage.forms import MergeForm, ReferForm, StatusForm
from app.triage.services import TriageError
from app.core.numbers import MAX_PAGE, int_arg

bp = Blueprint("triage", __name__, url_prefix="/triage", template_folder="templates")


@bp.record_once
def _register_hooks(state) -> None:
    app = state.app
    app.extensions.setdefault("ruamkhit_idea_sections", []).append(idea_section)
    app.extensions.setdefault("ruamkhit_area_sections", []).append(area_section)
    app.extensions.setdefault("ruamkhit_dashboard_links", []).append(dashboard_links)


def dashboard_links(user) -> list[tuple[str, str]]:
    """On the officials' dashboard: the triage inbox, with how many ideas wait."""
    areas = official_area_ids(user)
    if areas is not None and not areas:
        return []
    waiting = services.inbox_counts(user)["open"]
    return [(ngettext("Triage inbox (%(num)d idea waiting)", "Triage inbox (%(num)d ideas waiting)", waiting),
             url_for("triage.inbox"))]


def idea_section(idea: Idea, user):
    """On the idea's page: the dated timeline of answers, and a link for officials."""
    changes = services.timeline(idea)
    official = can_triage(user, idea.area)
    if not changes and not official:
        return None
    return "triage/_idea_timeline.html", {"idea": idea, "changes": changes, "official": official}


def area_section(area: Area):
    """On the area's page: how fast it answers ideas, and the inbox link for its officials."""
    return "triage/_area_response.html", {
        "area": area, "stats": services.response_time(area), "window_days": services.WINDOW_DAYS,
        "official": is_official_of(current_user, area),
    }


# --- inbox -------------------------------------------------------------------------------

@bp.get("")
@login_required
def inbox():
    areas = official_area_ids(current_user)
    if areas is not None and not areas:
        abort(403)
    view = request.args.get("view", "open")
    if view not in services.INBOX_FILTERS:
        view = "open"
    area: Optional[Area] = None
    code = request.args.get("area", "").strip()[:10]
    if code:
        area = get_area_by_code(code)
        if area is None:
            abort(404)
        require(can_triage(current_user, area))
    page = int_arg("page", 1, maximum=MAX_PAGE)
    ideas, has_next = services.inbox(current_user, view=view, area_id=area.id if area else None, page=page)
    counts = services.inbox_counts(current_user, area.id if area else None)

    def page_url(n: int) -> str:
        return url_for(".inbox", view=view, area=code or None, page=n)

    views = [("open", _("Waiting for an answer or decision")), ("unanswered", _("Never answered"))] + [
        (s.value, str(STATUS_LABELS[s])) for s in IdeaStatus
    ] + [("all", _("All"))]
    return render_template(
        "triage/inbox.html", ideas=ideas, view=view, views=views, counts=counts, area=area,
        page_urls={"prev": page_url(page - 1) if page > 1 else None, "next": page_url(page + 1) if has_next else None},
        joinable={s for s in IdeaStatus if s not in (IdeaStatus.MERGED, IdeaStatus.NOT_POSSIBLE, IdeaStatus.ALREADY_DONE)},
    )


# --- one idea ------------------------------------------------------------------------------

def _load(idea_id: int) -> Idea:
    idea = db.get_or_404(Idea, idea_id)
    require(can_triage(current_user, idea.area))
    return idea


def _page(idea: Idea, status_form: Optional[StatusForm] = None, refer_form: Optional[ReferForm] = None,
          merge_form: Optional[MergeForm] = None):
    status_form = status_form or StatusForm(formdata=None)
    status_form.status.choices = [SelectChoice(s.value, str(STATUS_LABELS[s])) for s in services.allowed_statuses(idea)]
    refer_form = refer_form or ReferForm(formdata=None)
    refer_form.target_area.choices = [SelectChoice(a.id, _area_name(a)) for a in services.referral_targets(current_user, idea)]
    merge_form = merge_form or MergeForm(formdata=None)
    merge_query = (request.values.get("merge_q") or "").strip()[:200]
    can_refer = IdeaStatus.REFERRED in services.TRANSITIONS[idea.status] and idea.withdrawn_at is None
    can_merge = IdeaStatus.MERGED in services.TRANSITIONS[idea.status] and idea.withdrawn_at is None
    from app.proposals.services import JOINABLE_IDEA_STATUSES

    candidates: list[Idea] = []
    if can_merge:
        candidates = services.merge_candidates(idea, merge_query)
        picked = merge_form.target_idea.data
        chosen = db.session.get(Idea, picked) if isinstance(picked, int) and 0 < picked <= MAX_ID else None
        if chosen is not None and chosen not in candidates and services.can_merge_into(idea, chosen):
            candidates.insert(0, chosen)  # a refused form keeps its choice
    return render_template(
        "triage/idea.html", idea=idea, changes=services.timeline(idea),
        status_form=status_form, refer_form=refer_form, merge_form=merge_form,
        can_refer=can_refer, can_merge=can_merge, merge_query=merge_query, merge_candidates=candidates,
        can_propose=idea.status in JOINABLE_IDEA_STATUSES and idea.is_publicly_visible and idea.withdrawn_at is None
        and can_manage_proposals(current_user, idea.area),
    )


def _area_name(area: Area) -> str:
    name = area.name(current_locale())
    # Bangkok is a province-level area but no จังหวัด: it keeps its own name.
    return _("Province of %(name)s", name=name) if area.is_province and area.code != "10" else name


def _fail(form: Any, field_name: str, error: Exception) -> None:
    field = form[field_name]
    field.errors = list(field.errors) + [str(error)]


@bp.get("/ideas/<int:idea_id>")
@login_required
def show_idea(idea_id: int):
    return _page(_load(idea_id))


@bp.post("/ideas/<int:idea_id>/status")
@login_required
@limiter.limit(**ratelimit.rule("OFFICIAL_ACTION"))
def change_status(idea_id: int):
    idea = _load(idea_id)
    form = StatusForm()
    form.status.choices = [SelectChoice(s.value, str(STATUS_LABELS[s])) for s in IdeaStatus]
    if form.validate_on_submit():
        try:
            services.change_status(current_user, idea, IdeaStatus(form.status.data), form.answer.data)
        except TriageError as error:
            db.session.rollback()
            _fail(form, error.field, error)
        else:
            db.session.commit()
            flash(_("The idea is now: %(status)s. Its author and followers were told.", status=STATUS_LABELS[idea.status]), "success")
            return redirect(url_for(".show_idea", idea_id=idea.id))
    return _page(idea, status_form=form)


@bp.post("/ideas/<int:idea_id>/refer")
@login_required
@limiter.limit(**ratelimit.rule("OFFICIAL_ACTION"))
def refer_idea(idea_id: int):
    idea = _load(idea_id)
    form = ReferForm()
    if form.validate_on_submit():
        target = db.session.get(Area, form.target_area.data) if form.target_area.data else None
        try:
            services.refer_idea(current_user, idea, target, form.reason.data)
        except TriageError as error:
            db.session.rollback()
            _fail(form, "reason" if error.field == "answer" else "target_area", error)
        else:
            db.session.commit()
            flash(_("The idea was referred to %(area)s.", area=_area_name(idea.area)), "success")
            if can_triage(current_user, idea.area):
                return redirect(url_for(".show_idea", idea_id=idea.id))
            return redirect(url_for(".inbox"))
    return _page(idea, refer_form=form)


@bp.post("/ideas/<int:idea_id>/merge")
@login_required
@limiter.limit(**ratelimit.rule("OFFICIAL_ACTION"))
def merge_idea(idea_id: int):
    idea = _load(idea_id)
    form = MergeForm()
    if form.validate_on_submit():
        target = db.session.get(Idea, form.target_idea.data)
        try:
            services.merge_idea(current_user, idea, target, form.merge_answer.data)
        except TriageError as error:
            db.session.rollback()
            _fail(form, "merge_answer" if error.field == "answer" else "target_idea", error)
        else:
            db.session.commit()
            flash(_("The idea was merged; its supports now count for the other idea."), "success")
            return redirect(url_for(".show_idea", idea_id=idea_id))
    return _page(idea, merge_form=form)
