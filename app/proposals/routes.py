"""Proposal pages: the public list and page, officials' forms, evaluators' assessments."""
from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from app.accounts.models import Role, User
from app.areas.models import Area
from app.areas.services import get_area_by_code, subdistricts_of
from app.core.formatting import fiscal_year as fiscal_year_of
from app.core.locale import current_locale
from app.core.timeutil import utcnow
from app.core.validators import as_id
from app.core import ratelimit
from app.extensions import db, limiter
from app.ideas.models import Idea
from app.permissions import can_evaluate, can_manage_proposals, can_see_idea, can_view_internal, require
from app.plans.models import PlanItem
from app.plans.services import plans_of, tree_order
from app.proposals import models, services  # noqa: F401  (models registers the tables)
from app.proposals.forms import BUDGET_FIELDS, AddIdeaForm, AssessmentForm, EvaluatorForm, ProposalForm, StateForm
from app.proposals.models import Proposal, ProposalAssessment, ProposalState, Recommendation
from app.proposals.services import STATE_LABELS, AssessmentData, ProposalData, ProposalError
from app.core.numbers import MAX_PAGE, int_arg, parse_int

bp = Blueprint("proposals", __name__, template_folder="templates")


@bp.record_once
def _register_hooks(state) -> None:
    app = state.app
    app.extensions.setdefault("ruamkhit_area_sections", []).append(area_section)
    app.extensions.setdefault("ruamkhit_idea_sections", []).append(idea_section)
    app.extensions.setdefault("ruamkhit_nav", []).append((_l("Proposals"), "proposals.list_proposals"))
    app.extensions.setdefault("ruamkhit_dashboard_links", []).append(dashboard_links)


def dashboard_links(user) -> list[tuple[str, str]]:
    """On the officials' dashboard: the evaluator's assignments."""
    if not user.has_role(Role.EVALUATOR):
        return []
    waiting = sum(1 for a in services.assignments_of(user) if not a.is_submitted)
    return [(_("Proposals to assess (%(num)d waiting)", num=waiting), url_for("proposals.my_assessments"))]


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"proposal_state_labels": STATE_LABELS}


# --- hooks on other pages ------------------------------------------------------------

def area_section(area: Area):
    """On a province's or local government's page: its proposals by state."""
    internal = can_view_internal(current_user, area)
    counts = services.state_counts(area, include_drafts=internal)
    latest, _more = services.list_proposals(area=area, include_drafts=internal)
    return "proposals/_area_section.html", {
        "area": area, "counts": counts, "latest": latest[:10], "total": sum(counts.values()),
        "can_create": can_manage_proposals(current_user, area),
    }


def idea_section(idea: Idea, user):
    """On an idea's page: the proposals built from it (links back)."""
    proposals = services.proposals_of_idea(idea, include_drafts=can_view_internal(user, idea.area))
    if not proposals:
        return None
    return "proposals/_idea_section.html", {"proposals": proposals}


def proposal_sections(proposal: Proposal, user) -> list[tuple[str, dict]]:
    sections = []
    for provider in current_app.extensions.get("ruamkhit_proposal_sections", []):
        section = provider(proposal, user)
        if section is not None:
            sections.append(section)
    return sections


# --- helpers ----------------------------------------------------------------------------

def _add_error(form, field_name: Optional[str], message: Any) -> None:
    mapping = {"budget": "budget_0", "ideas": "idea_ids"}
    name = mapping.get(field_name or "", field_name)
    if name and name in form:
        form[name].errors = list(form[name].errors) + [str(message)]
    else:
        form.form_errors.append(str(message))


def _load(proposal_id: int) -> Proposal:
    proposal = db.get_or_404(Proposal, proposal_id)
    if not proposal.is_public and not can_view_internal(current_user, proposal.area):
        abort(404)
    return proposal


# Options cannot be styled, so depth is shown by leading no-break spaces (kept by browsers, read silently).
_INDENT = "\u00a0" * 4


def _plan_item_options(area: Area) -> list:
    """Each plan once (an <optgroup>), its items as a tree in order: code, then title, indented by level."""
    choices = [SelectChoice(None, _("— not linked to a plan —"))]
    for plan in plans_of(area):
        for item in tree_order(plan):
            choices.append(SelectChoice(item.id, f"{_INDENT * (item.level - 1)}{item.code} {item.title}", optgroup=plan.title))
    return choices


def _setup_proposal_form(form: ProposalForm, area: Area, ideas: list[Idea]) -> None:
    locale = current_locale()
    form.subdistrict_codes.choices = [SelectChoice(s.code, s.name(locale)) for s in subdistricts_of(area)]
    form.plan_item_id.choices = _plan_item_options(area)
    form.idea_ids.choices = [SelectChoice(i.id, f"#{i.id} {i.title}") for i in ideas]


def _shown_years(form: ProposalForm) -> Optional[list[int]]:
    parts = (form.budget_years.data or "").split(",")
    years = [parse_int(p, minimum=2400, maximum=2700) for p in parts]  # Buddhist-Era fiscal years
    if 0 < len(years) <= BUDGET_FIELDS and None not in years:
        return years
    return None


def _form_years(form: ProposalForm, area: Area) -> list[int]:
    """The budget years the submitted plan item and fiscal year call for."""
    item = None
    if form.plan_item_id.data is not None:
        item = db.session.get(PlanItem, form.plan_item_id.data) if form.plan_item_id.data > 0 else None
        if item is None or item.plan.area_id != area.id:
            # A wrong plan item: keep the years shown, so that the service names the real problem.
            shown = _shown_years(form)
            if shown is not None:
                return shown
            item = None
    fy = form.fiscal_year.data
    if not isinstance(fy, int) or not services.MIN_FISCAL_YEAR <= fy <= services.MAX_FISCAL_YEAR:
        fy = fiscal_year_of(utcnow()) + 1
    return services.budget_years(item, fy)


def _default_fiscal_year(area: Area) -> int:
    """Next fiscal year, unless the area's plans stop at the current one (then that one)."""
    current = fiscal_year_of(utcnow())
    covered = {y for item in services.plan_items_for(area) for y in item.plan.years}
    if covered and current + 1 not in covered and current in covered:
        return current
    return current + 1


def _label_budget(form: ProposalForm, years: list[int]) -> list:
    """(field, year) for every year field; the fields past the years get year None (rendered hidden for the script)."""
    form.budget_years.data = ",".join(str(y) for y in years)
    fields = form.budget_fields()
    for field, year in zip(fields, years):
        field.label.text = _("Budget for fiscal year %(year)d (baht)", year=year)
    return [(field, years[i] if i < len(years) else None) for i, field in enumerate(fields)]


def _data(form: ProposalForm, years: list[int]) -> ProposalData:
    budget_fields = form.budget_fields()
    return ProposalData(
        title=form.title.data, objective=form.objective.data, target_output=form.target_output.data,
        location_text=form.location_text.data, estimated_cost=form.estimated_cost.data,
        responsible_unit=form.responsible_unit.data, kpi=form.kpi.data, expected_result=form.expected_result.data,
        fiscal_year=form.fiscal_year.data, plan_item_id=form.plan_item_id.data,
        subdistrict_codes=list(form.subdistrict_codes.data or []),
        budget={year: budget_fields[i].data or 0 for i, year in enumerate(years)},
    )


def _years_changed(form: ProposalForm, years: list[int]) -> bool:
    return (form.budget_years.data or "") != ",".join(str(y) for y in years)


def _carry_budget(form: ProposalForm, years: list[int]) -> None:
    """Move what was typed in the year fields to the same years of the new list.

    The fields are numbered (budget_0..4); when the plan item or the fiscal
    year changes, the same field stands for another year. Amounts stay with
    their year, exactly as typed; a year that is new starts empty.
    """
    shown = _shown_years(form)
    if shown is None or shown == years:
        return
    fields = form.budget_fields()
    typed = {year: (fields[i].raw_data[0] if fields[i].raw_data else "") for i, year in enumerate(shown)}
    for i, field in enumerate(fields):
        raw = typed.get(years[i], "") if i < len(years) else ""
        field.raw_data = [raw]
        field.process_formdata([raw])


def _plan_years_map(form: ProposalForm) -> dict[str, list[int]]:
    """For the year fields' script: plan item id -> the plan's years."""
    ids = [c.value for c in form.plan_item_id.choices if c.value is not None]
    if not ids:
        return {}
    items = db.session.scalars(select(PlanItem).where(PlanItem.id.in_(ids)).options(selectinload(PlanItem.plan)))
    return {str(item.id): item.plan.years for item in items}


def _choosing() -> bool:
    """The no-JavaScript "show the years" button: re-render with the new years, save nothing."""
    return request.method == "POST" and "choose" in request.form


def _idea_ids_from_query() -> list[int]:
    ids = []
    for raw in request.args.getlist("idea")[:50]:
        ident = as_id(raw)  # ASCII digits, not past what the database holds
        if ident is not None:
            ids.append(ident)
    return list(dict.fromkeys(ids))


# --- public pages -------------------------------------------------------------------------

@bp.get("/proposals")
def list_proposals():
    area = None
    code = request.args.get("area", "").strip()[:10]
    if code:
        area = get_area_by_code(code)
        if area is None:
            abort(404)
    state = None
    raw_state = request.args.get("state", "")
    if raw_state:
        try:
            state = ProposalState(raw_state)
        except ValueError:
            abort(404)
    include_drafts = area is not None and can_view_internal(current_user, area)
    if state is ProposalState.DRAFT and not include_drafts:
        abort(404)
    page = int_arg("page", 1, maximum=MAX_PAGE)
    proposals, has_next = services.list_proposals(area=area, state=state, include_drafts=include_drafts, page=page)
    states = [s for s in ProposalState if include_drafts or s is not ProposalState.DRAFT]

    def page_url(n: int) -> str:
        return url_for(".list_proposals", area=code or None, state=raw_state or None, page=n)

    return render_template(
        "proposals/list.html", proposals=proposals, area=area, state=state, states=states,
        page_urls={"prev": page_url(page - 1) if page > 1 else None, "next": page_url(page + 1) if has_next else None},
    )


@bp.get("/proposals/<int:proposal_id>")
def show_proposal(proposal_id: int):
    proposal = _load(proposal_id)
    area = proposal.area
    manager = can_manage_proposals(current_user, area)
    internal = can_view_internal(current_user, area)
    ctx: dict[str, Any] = {
        "proposal": proposal, "manager": manager, "internal": internal,
        "decision": services.public_decision(proposal),
        "my_assessment": services.assessment_of(proposal, current_user) if current_user.is_authenticated else None,
        "sections": proposal_sections(proposal, current_user),
        "editable": proposal.state in services.EDITABLE_STATES,
    }
    if manager:
        ctx.update(_manager_forms(proposal))
    return render_template("proposals/show.html", **ctx)


def _manager_forms(proposal: Proposal, state_form: Optional[StateForm] = None,
                   evaluator_form: Optional[EvaluatorForm] = None, idea_form: Optional[AddIdeaForm] = None) -> dict:
    state_form = state_form or StateForm(formdata=None)
    state_form.to_state.choices = [SelectChoice(s.value, str(STATE_LABELS[s])) for s in services.next_states(proposal)]
    adoptable = [a for a in proposal.assessments if a.is_submitted and a.revised_cost is not None]
    state_form.adopt.choices = [SelectChoice(None, _("Keep the estimated cost (%(cost)s)", cost=f"฿{proposal.estimated_cost:,}"))] + [
        SelectChoice(a.id, _("Adopt the revised estimate of %(name)s (%(cost)s)", name=a.evaluator.display_name, cost=f"฿{a.revised_cost:,}"))
        for a in adoptable
    ]
    evaluator_form = evaluator_form or EvaluatorForm(formdata=None)
    assigned = {a.evaluator_id for a in proposal.assessments}
    evaluator_form.evaluator_id.choices = [
        SelectChoice(u.id, f"{u.display_name} ({u.email})") for u in services.eligible_evaluators(proposal.area) if u.id not in assigned
    ]
    return {
        "state_form": state_form, "evaluator_form": evaluator_form,
        "idea_form": idea_form or AddIdeaForm(formdata=None), "show_adopt": bool(adoptable),
        "can_assign": proposal.state in services.ASSIGNABLE_STATES,
    }


# --- officials' forms ---------------------------------------------------------------------------

@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal():
    idea_ids = _idea_ids_from_query()
    ideas = [i for i in (db.session.get(Idea, n) for n in idea_ids) if i is not None]
    code = request.args.get("area", "").strip()[:10]
    area = get_area_by_code(code) if code else (ideas[0].area if ideas else None)
    if area is None:
        abort(404)
    require(can_manage_proposals(current_user, area))
    # Only ideas of this area that the official may see fill the form: an idea number of another
    # province, or a hidden idea, must not bring its title and text into the page.
    ideas = [i for i in ideas if i.area_id == area.id and can_see_idea(current_user, i)]
    form = ProposalForm()
    _setup_proposal_form(form, area, ideas)
    if request.method == "GET":
        form.idea_ids.data = [i.id for i in ideas]
        form.fiscal_year.data = _default_fiscal_year(area)
        if len(ideas) == 1:
            form.title.data = ideas[0].title
            form.objective.data = ideas[0].description[:5000]
    years = _form_years(form, area)
    changed = request.method == "POST" and _years_changed(form, years)
    if request.method == "POST":
        _carry_budget(form, years)
    if not _choosing() and form.validate_on_submit():
        if changed:
            _add_error(form, "budget", _("The budget now follows the plan's fiscal years: check the amounts and send again."))
        else:
            chosen = [i for i in ideas if i.id in set(form.idea_ids.data or [])]
            try:
                proposal = services.create_proposal(current_user, area, _data(form, years), chosen, form.answer.data)
            except ProposalError as error:
                db.session.rollback()
                _add_error(form, error.field, error)
            else:
                db.session.commit()
                flash(_("The proposal was created as a draft."), "success")
                return redirect(url_for(".show_proposal", proposal_id=proposal.id))
    budget = _label_budget(form, years)
    return render_template("proposals/form.html", form=form, area=area, budget=budget, proposal=None,
                           has_ideas=bool(ideas), max_budget_fields=BUDGET_FIELDS, plan_years=_plan_years_map(form))


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_proposal(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    require(can_manage_proposals(current_user, proposal.area))
    if proposal.state not in services.EDITABLE_STATES:
        flash(_("A proposal can be edited only while it is a draft or under assessment."), "error")
        return redirect(url_for(".show_proposal", proposal_id=proposal.id))
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    _setup_proposal_form(form, proposal.area, [])
    if request.method == "GET":
        form.subdistrict_codes.data = [s.code for s in proposal.subdistricts]
        form.plan_item_id.data = proposal.plan_item_id
        form.estimated_cost.data = proposal.estimated_cost
        years = services.budget_years(proposal.plan_item, proposal.fiscal_year)
        by_year = proposal.budget_by_year
        for i, year in enumerate(years):
            form.budget_fields()[i].data = by_year.get(year, 0)
    years = _form_years(form, proposal.area)
    changed = request.method == "POST" and _years_changed(form, years)
    if request.method == "POST":
        _carry_budget(form, years)
    if not _choosing() and form.validate_on_submit():
        if changed:
            _add_error(form, "budget", _("The budget now follows the plan's fiscal years: check the amounts and send again."))
        else:
            try:
                services.update_proposal(current_user, proposal, _data(form, years))
            except ProposalError as error:
                db.session.rollback()
                _add_error(form, error.field, error)
            else:
                db.session.commit()
                flash(_("The proposal was saved."), "success")
                return redirect(url_for(".show_proposal", proposal_id=proposal.id))
    budget = _label_budget(form, years)
    return render_template("proposals/form.html", form=form, area=proposal.area, budget=budget, proposal=proposal,
                           has_ideas=False, max_budget_fields=BUDGET_FIELDS, plan_years=_plan_years_map(form))


def _rerender(proposal: Proposal, **forms):
    ctx = {
        "proposal": proposal, "manager": True, "internal": True, "decision": services.public_decision(proposal),
        "my_assessment": services.assessment_of(proposal, current_user), "sections": proposal_sections(proposal, current_user),
        "editable": proposal.state in services.EDITABLE_STATES,
    }
    ctx.update(_manager_forms(proposal, **forms))
    return render_template("proposals/show.html", **ctx)


@bp.post("/proposals/<int:proposal_id>/state")
@login_required
@limiter.limit(**ratelimit.rule("OFFICIAL_ACTION"))
def change_state(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    require(can_manage_proposals(current_user, proposal.area))
    form = StateForm()
    form.to_state.choices = [SelectChoice(s.value, str(STATE_LABELS[s])) for s in ProposalState]
    if form.validate_on_submit():
        adopt = None
        if isinstance(form.adopt.data, int):
            adopt = db.session.get(ProposalAssessment, form.adopt.data)
            if adopt is None:
                _add_error(form, "adopt", _("Choose a submitted assessment that gives a revised estimate."))
                return _rerender(proposal, state_form=form)
        try:
            services.transition(current_user, proposal, ProposalState(form.to_state.data), form.reason.data,
                                adopt_assessment=adopt)
        except ProposalError as error:
            db.session.rollback()
            _add_error(form, error.field, error)
        else:
            db.session.commit()
            flash(_("The proposal is now: %(state)s.", state=STATE_LABELS[proposal.state]), "success")
            return redirect(url_for(".show_proposal", proposal_id=proposal.id))
    return _rerender(proposal, state_form=form)


@bp.post("/proposals/<int:proposal_id>/evaluators")
@login_required
def assign_evaluator(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    require(can_manage_proposals(current_user, proposal.area))
    form = EvaluatorForm()
    if form.validate_on_submit():
        evaluator = db.session.get(User, form.evaluator_id.data) if isinstance(form.evaluator_id.data, int) else None
        try:
            services.assign_evaluator(current_user, proposal, evaluator)
        except ProposalError as error:
            db.session.rollback()
            _add_error(form, error.field, error)
        else:
            db.session.commit()
            flash(_("The evaluator was assigned and notified."), "success")
            return redirect(url_for(".show_proposal", proposal_id=proposal.id, _anchor="assessments"))
    return _rerender(proposal, evaluator_form=form)


@bp.post("/proposals/<int:proposal_id>/evaluators/<int:assessment_id>/remove")
@login_required
def unassign_evaluator(proposal_id: int, assessment_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    require(can_manage_proposals(current_user, proposal.area))
    assessment = db.get_or_404(ProposalAssessment, assessment_id)
    if assessment.proposal_id != proposal.id:
        abort(404)
    try:
        services.unassign_evaluator(current_user, assessment)
    except ProposalError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The evaluator was removed."), "success")
    return redirect(url_for(".show_proposal", proposal_id=proposal.id, _anchor="assessments"))


@bp.post("/proposals/<int:proposal_id>/ideas")
@login_required
def add_idea(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    require(can_manage_proposals(current_user, proposal.area))
    form = AddIdeaForm()
    if form.validate_on_submit():
        idea = db.session.get(Idea, form.idea_id.data)
        if idea is None or not can_see_idea(current_user, idea):
            _add_error(form, "idea_id", _("There is no idea with this number."))
        else:
            try:
                services.add_idea(current_user, proposal, idea, form.idea_answer.data)
            except ProposalError as error:
                db.session.rollback()
                _add_error(form, "idea_id", error)
            else:
                db.session.commit()
                flash(_("The idea joined the proposal; its author and followers were told."), "success")
                return redirect(url_for(".show_proposal", proposal_id=proposal.id))
    return _rerender(proposal, idea_form=form)


# --- evaluators ------------------------------------------------------------------------------------

@bp.get("/proposals/assessments")
@login_required
def my_assessments():
    return render_template("proposals/assessments.html", assignments=services.assignments_of(current_user))


@bp.route("/proposals/<int:proposal_id>/assess", methods=["GET", "POST"])
@login_required
def assess(proposal_id: int):
    proposal = db.get_or_404(Proposal, proposal_id)
    assessment = services.assessment_of(proposal, current_user)
    require(assessment is not None and can_evaluate(current_user, proposal.area))
    form = AssessmentForm()
    if request.method == "GET" and assessment.is_submitted:
        for name in ("legal_authority_ok", "technically_feasible", "cost_reasonable"):
            form[name].data = "yes" if getattr(assessment, name) else "no"
        form.recommendation.data = assessment.recommendation.value if assessment.recommendation else None
        form.revised_cost.data = assessment.revised_cost
        form.summary.data = assessment.summary
        form.notes.data = assessment.notes
    if form.validate_on_submit():
        data = AssessmentData(
            legal_authority_ok=form.legal_authority_ok.data == "yes",
            technically_feasible=form.technically_feasible.data == "yes",
            cost_reasonable=form.cost_reasonable.data == "yes",
            recommendation=Recommendation(form.recommendation.data),
            summary=form.summary.data, revised_cost=form.revised_cost.data, notes=form.notes.data,
        )
        try:
            services.record_assessment(current_user, proposal, data)
        except ProposalError as error:
            db.session.rollback()
            _add_error(form, error.field, error)
        else:
            db.session.commit()
            flash(_("Your assessment was recorded."), "success")
            return redirect(url_for(".show_proposal", proposal_id=proposal.id, _anchor="assessments"))
    return render_template("proposals/assess.html", form=form, proposal=proposal, assessment=assessment,
                           open_for_assessment=proposal.state is ProposalState.UNDER_ASSESSMENT)
