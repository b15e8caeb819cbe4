"""Proposal rules: creating from ideas, editing, states, evaluators and assessments.

States move only along `TRANSITIONS`, and only officials of the proposal's
area (`can_manage_proposals`) move them, each move with a reason, a time and
an audit entry:

    draft            -> under assessment
    under assessment -> feasible, not feasible (with at least one submitted assessment), draft
    feasible         -> shortlisted, under assessment (reassess)
    not feasible     -> under assessment (reassess)
    shortlisted      -> selected, feasible (taken off the shortlist)
    selected         -> in progress
    in progress      -> completed

Evaluators never move a proposal by hand. They record assessments; when every
assigned evaluator has submitted and all recommend the same verdict, the
proposal moves to it (actor: the evaluator who completed the set, reason:
their public summaries; for "feasible" the highest revised estimate becomes
the final cost, budgeting conservatively). When they disagree, an official
decides. Officials may also decide before every assessment is in, as long
as at least one is, and choose which revised estimate (if any) to adopt.

Plan items (documented choice): a proposal may serve only an item of a plan
of its own area: a local government's proposal its development plan, a
province's proposal its annual action plan. The budget is planned for the
linked plan's fiscal years, or for the five years from the proposal's fiscal
year when no plan is linked.

Proposals can be edited while draft or under assessment; after that, the
costs and texts that were assessed and shortlisted stay as they were.
Drafts are visible only to the officials and evaluators of the area.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Role, RoleAssignment, User
from app.areas.models import Area, Subdistrict
from app.areas.services import subdistricts_of
from app.audit.services import record
from app.core.timeutil import utcnow
from app.core.validators import _CONTROL
from app.extensions import db
from app.ideas.models import Idea, IdeaStatus
from app.notifications.services import notify, register_kind
from app.permissions import can_evaluate, can_manage_proposals, has_role_in
from app.plans.models import Plan, PlanItem
from app.proposals.models import (
    MAX_BAHT,
    Proposal,
    ProposalAssessment,
    ProposalBudgetYear,
    ProposalState,
    ProposalTransition,
    Recommendation,
    proposal_ideas,
)

P = ProposalState
TEXT_MAX = 5000
REASON_MAX = 2000
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 2500, 2700
DEFAULT_SPAN = 5

STATE_LABELS = {
    P.DRAFT: _l("Draft"),
    P.UNDER_ASSESSMENT: _l("Under assessment"),
    P.FEASIBLE: _l("Feasible"),
    P.NOT_FEASIBLE: _l("Not feasible"),
    P.SHORTLISTED: _l("Shortlisted"),
    P.SELECTED: _l("Selected for funding"),
    P.IN_PROGRESS: _l("In progress"),
    P.COMPLETED: _l("Completed"),
}

TRANSITIONS: dict[ProposalState, frozenset[ProposalState]] = {
    P.DRAFT: frozenset({P.UNDER_ASSESSMENT}),
    P.UNDER_ASSESSMENT: frozenset({P.FEASIBLE, P.NOT_FEASIBLE, P.DRAFT}),
    P.FEASIBLE: frozenset({P.SHORTLISTED, P.UNDER_ASSESSMENT}),
    P.NOT_FEASIBLE: frozenset({P.UNDER_ASSESSMENT}),
    P.SHORTLISTED: frozenset({P.SELECTED, P.FEASIBLE}),
    P.SELECTED: frozenset({P.IN_PROGRESS}),
    P.IN_PROGRESS: frozenset({P.COMPLETED}),
    P.COMPLETED: frozenset(),
}
EDITABLE_STATES = frozenset({P.DRAFT, P.UNDER_ASSESSMENT})
ASSIGNABLE_STATES = frozenset({P.DRAFT, P.UNDER_ASSESSMENT})
# Ideas in these statuses may join a proposal.
JOINABLE_IDEA_STATUSES = frozenset({
    IdeaStatus.RECEIVED, IdeaStatus.UNDER_REVIEW, IdeaStatus.REFERRED, IdeaStatus.ACCEPTED,
})

register_kind(
    "proposal.state_changed",
    _l('The proposal "%(title)s", which includes an idea you follow, is now: %(state)s'),
    email_subject=_l('News about the proposal "%(title)s"'),
)
register_kind(
    "proposal.evaluator_assigned",
    _l('You were asked to assess the proposal "%(title)s"'),
    email_subject=_l('Please assess the proposal "%(title)s"'),
)


class ProposalError(Exception):
    """A proposal rule was broken; the message is shown to the official or evaluator.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: Any, field: Optional[str] = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class ProposalData:
    """What an official types into the proposal form (already shaped by the form)."""

    title: str
    objective: str
    target_output: str
    estimated_cost: int
    responsible_unit: str
    kpi: str
    expected_result: str
    fiscal_year: int
    location_text: Optional[str] = None
    plan_item_id: Optional[int] = None
    subdistrict_codes: list[str] = field(default_factory=list)
    # Fiscal year (BE) -> amount in baht; the years must be budget_years(...).
    budget: dict[int, int] = field(default_factory=dict)


def text_now(message: Any) -> str:
    """A translatable message as text to store: in the request's language, or Thai outside a request."""
    if has_request_context():
        return str(message)
    with current_app.test_request_context("/"):
        return str(message)


# --- checks -----------------------------------------------------------------------

def _text(value: Optional[str], name: str, *, max_len: int, required: bool = True) -> Optional[str]:
    text = (value or "").strip()
    if not text:
        if required:
            raise ProposalError(_l("This field is required."), name)
        return None
    if len(text) > max_len:
        raise ProposalError(_l("This field can have at most %(max)d characters.", max=max_len), name)
    if _CONTROL.search(text):
        raise ProposalError(_l("This field contains characters that are not allowed."), name)
    return text


def check_amount(value: Any, name: str) -> int:
    """A whole number of baht between 0 and MAX_BAHT."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProposalError(_l("Enter a whole number of baht."), name)
    if value < 0:
        raise ProposalError(_l("An amount of money cannot be negative."), name)
    if value > MAX_BAHT:
        raise ProposalError(_l("This amount is too large (at most 1,000,000,000,000 baht)."), name)
    return value


def plan_items_for(area: Area) -> list[PlanItem]:
    """Items a proposal of `area` may serve: every item of the area's plans, in plan order."""
    return list(db.session.scalars(
        select(PlanItem).join(Plan).where(Plan.area_id == area.id)
        .options(selectinload(PlanItem.plan), selectinload(PlanItem.parent))
        .order_by(Plan.start_year.desc(), Plan.id, PlanItem.level, PlanItem.position, PlanItem.id)
    ))


def budget_years(plan_item: Optional[PlanItem], fiscal_year: int) -> list[int]:
    """The fiscal years to plan the budget for: the linked plan's, else five from `fiscal_year`."""
    if plan_item is not None:
        return plan_item.plan.years
    return list(range(fiscal_year, fiscal_year + DEFAULT_SPAN))


def _check_data(area: Area, data: ProposalData) -> tuple[dict[str, Any], Optional[PlanItem], list[Subdistrict]]:
    values = {
        "title": _text(data.title, "title", max_len=200),
        "objective": _text(data.objective, "objective", max_len=TEXT_MAX),
        "target_output": _text(data.target_output, "target_output", max_len=TEXT_MAX),
        "location_text": _text(data.location_text, "location_text", max_len=300, required=False),
        "responsible_unit": _text(data.responsible_unit, "responsible_unit", max_len=200),
        "kpi": _text(data.kpi, "kpi", max_len=TEXT_MAX),
        "expected_result": _text(data.expected_result, "expected_result", max_len=TEXT_MAX),
        "estimated_cost": check_amount(data.estimated_cost, "estimated_cost"),
    }
    fy = data.fiscal_year
    if isinstance(fy, bool) or not isinstance(fy, int) or not MIN_FISCAL_YEAR <= fy <= MAX_FISCAL_YEAR:
        raise ProposalError(
            _l("Enter a Buddhist-Era fiscal year between %(min)d and %(max)d.", min=MIN_FISCAL_YEAR, max=MAX_FISCAL_YEAR),
            "fiscal_year",
        )
    values["fiscal_year"] = fy
    plan_item = None
    if data.plan_item_id is not None:
        plan_item = db.session.get(PlanItem, data.plan_item_id)
        if plan_item is None:
            raise ProposalError(_l("That plan item does not exist."), "plan_item_id")
        if plan_item.plan.area_id != area.id:
            raise ProposalError(
                _l("That plan item belongs to a plan of another area. Choose an item of a plan of %(area)s.",
                   area=area.name_th),
                "plan_item_id",
            )
        if fy not in plan_item.plan.years:
            raise ProposalError(
                _l("The fiscal year must be one of the plan's years (%(first)d–%(last)d).",
                   first=plan_item.plan.start_year, last=plan_item.plan.end_year),
                "fiscal_year",
            )
    years = budget_years(plan_item, fy)
    if sorted(data.budget) != years:
        raise ProposalError(
            _l("The budget must be given for the fiscal years %(years)s.", years=", ".join(str(y) for y in years)),
            "budget",
        )
    for year in years:
        check_amount(data.budget[year], "budget")
    planned = sum(data.budget.values())
    if planned != values["estimated_cost"]:
        # One proposal has one cost: the yearly budgets are that cost spread over the years.
        raise ProposalError(
            _l("The yearly budgets add up to %(sum)s; they must add up to the estimated cost (%(cost)s).",
               sum=f"฿{planned:,}", cost=f"฿{values['estimated_cost']:,}"),
            "budget",
        )
    allowed = {s.code: s for s in subdistricts_of(area)}
    chosen: list[Subdistrict] = []
    for code in dict.fromkeys(data.subdistrict_codes):
        if code not in allowed:
            raise ProposalError(_l("A chosen subdistrict is not in the proposal's area."), "subdistrict_codes")
        chosen.append(allowed[code])
    return values, plan_item, chosen


def _require_manager(actor: User, area: Area) -> None:
    if not can_manage_proposals(actor, area):
        raise ProposalError(_l("Only an official of the proposal's area can do this."))


def _set_budget(proposal: Proposal, budget: dict[int, int]) -> None:
    existing = {b.fiscal_year: b for b in proposal.budget_years}
    for year, row in list(existing.items()):
        if year not in budget:
            proposal.budget_years.remove(row)
    for year, amount in sorted(budget.items()):
        if year in existing:
            existing[year].amount = amount
        else:
            proposal.budget_years.append(ProposalBudgetYear(fiscal_year=year, amount=amount))


def spread_budget(budget: dict[int, int], total: int, fallback_year: int) -> dict[int, int]:
    """The yearly budgets scaled so that they add up to `total`.

    Each year keeps its share of the old total, rounded down to whole baht;
    what rounding leaves over goes to the last year that has a budget, so the
    years add up exactly. Years without budget stay without. A budget with
    nothing in it puts the whole total on `fallback_year` (the proposal's own
    fiscal year) when that is one of its years, else on its first year.
    """
    if not budget:
        return {}
    old_total = sum(budget.values())
    if old_total <= 0:
        year = fallback_year if fallback_year in budget else min(budget)
        return {y: (total if y == year else 0) for y in budget}
    spread = {y: amount * total // old_total for y, amount in budget.items()}
    last = max(y for y, amount in budget.items() if amount > 0)
    spread[last] += total - sum(spread.values())
    return spread


def _set_final_cost(proposal: Proposal, revised_cost: Optional[int]) -> Optional[dict[str, Any]]:
    """Adopt `revised_cost` (None: back to the estimate) and make the yearly budgets follow it.

    Returns what changed, for the proposal's timeline and the audit log, or
    None when the cost stays what it was.
    """
    before = proposal.budget_by_year
    old_cost = sum(before.values()) if before else proposal.final_cost
    proposal.revised_cost = revised_cost
    new_cost = proposal.final_cost
    after = spread_budget(before, new_cost, proposal.fiscal_year)
    if new_cost == old_cost and after == before:
        return None
    _set_budget(proposal, after)
    return {"from_cost": old_cost, "to_cost": new_cost,
            "years": [[year, before[year], after[year]] for year in sorted(before) if before[year] != after[year]]}


def _check_idea(proposal_area: Area, idea: Idea) -> None:
    if idea.area_id != proposal_area.id:
        raise ProposalError(_l('The idea "%(title)s" belongs to another area; refer it here first.', title=idea.title), "ideas")
    if idea.withdrawn_at is not None or idea.hidden_at is not None or idea.pending_review:
        raise ProposalError(_l('The idea "%(title)s" is withdrawn or hidden.', title=idea.title), "ideas")
    if idea.status not in JOINABLE_IDEA_STATUSES:
        raise ProposalError(_l('The idea "%(title)s" was already answered otherwise and cannot join a proposal.', title=idea.title), "ideas")


# --- creating and editing ---------------------------------------------------------------

def create_proposal(
    actor: User, area: Area, data: ProposalData, ideas: Optional[list[Idea]] = None, answer: Optional[str] = None,
) -> Proposal:
    """Create a draft proposal, optionally from ideas (which become accepted, answered with a link to it)."""
    _require_manager(actor, area)
    values, plan_item, subdistricts = _check_data(area, data)
    ideas = list(dict.fromkeys(ideas or []))
    for idea in ideas:
        _check_idea(area, idea)
    now = utcnow()
    proposal = Proposal(area_id=area.id, area=area, plan_item=plan_item, state=P.DRAFT, state_changed_at=now,
                        created_by_id=actor.id, created_at=now, updated_at=now, **values)
    proposal.subdistricts = subdistricts
    db.session.add(proposal)
    _set_budget(proposal, data.budget)
    proposal.transitions.append(ProposalTransition(
        from_state=None, to_state=P.DRAFT, actor_id=actor.id, at=now,
        reason="",  # the creation row is labelled in the reader's language by the template
    ))
    db.session.flush()
    record(actor, "proposal.created", proposal, area=area, details={"ideas": [i.id for i in ideas]})
    for idea in ideas:
        _join(actor, proposal, idea, answer)
    return proposal


def _join(actor: User, proposal: Proposal, idea: Idea, answer: Optional[str]) -> None:
    from app.triage.services import TriageError, accept_into_proposal

    db.session.execute(proposal_ideas.insert().values(proposal_id=proposal.id, idea_id=idea.id))
    text = (answer or "").strip() or text_now(_l(
        'This idea is part of the proposal "%(title)s" (no. %(id)d).', title=proposal.title, id=proposal.id
    ))
    try:
        accept_into_proposal(actor, idea, proposal, text)
    except TriageError as error:
        raise ProposalError(error.args[0], "ideas") from error
    db.session.expire(proposal, ["ideas"])


def add_idea(actor: User, proposal: Proposal, idea: Idea, answer: Optional[str] = None) -> None:
    """Let another idea join an existing proposal (it becomes accepted)."""
    _require_manager(actor, proposal.area)
    if proposal.state in (P.NOT_FEASIBLE, P.COMPLETED):
        raise ProposalError(_l("Ideas cannot join a proposal in this state."), "idea_id")
    _check_idea(proposal.area, idea)
    if idea in proposal.ideas:
        raise ProposalError(_l("This idea is already part of the proposal."), "idea_id")
    _join(actor, proposal, idea, answer)
    record(actor, "proposal.idea_added", proposal, area=proposal.area, details={"idea": idea.id})


def update_proposal(actor: User, proposal: Proposal, data: ProposalData) -> Proposal:
    _require_manager(actor, proposal.area)
    if proposal.state not in EDITABLE_STATES:
        raise ProposalError(_l("A proposal can be edited only while it is a draft or under assessment."))
    values, plan_item, subdistricts = _check_data(proposal.area, data)
    changed = sorted(k for k, v in values.items() if getattr(proposal, k) != v)
    for key, value in values.items():
        setattr(proposal, key, value)
    if proposal.plan_item_id != (plan_item.id if plan_item else None):
        changed.append("plan_item_id")
    proposal.plan_item = plan_item
    proposal.subdistricts = subdistricts
    _set_budget(proposal, data.budget)
    proposal.updated_at = utcnow()
    db.session.flush()
    record(actor, "proposal.updated", proposal, area=proposal.area, details={"changed": changed})
    return proposal


# --- states ---------------------------------------------------------------------------

def _proposal_path(proposal: Proposal) -> str:
    return url_for("proposals.show_proposal", proposal_id=proposal.id)


def _notify_state(actor: Optional[User], proposal: Proposal) -> None:
    from app.engagement.services import followers_of_idea

    recipients: list[User] = []
    for idea in proposal.ideas:
        recipients.append(idea.author)
        recipients.extend(followers_of_idea(idea))
    notify(recipients, "proposal.state_changed",
           params={"title": proposal.title, "state": STATE_LABELS[proposal.state]},
           link=_proposal_path(proposal), actor=actor)


def _move(actor: User, proposal: Proposal, to_state: ProposalState, reason: str, details: Optional[dict] = None,
          budget_change: Optional[dict] = None) -> ProposalTransition:
    now = utcnow()
    transition = ProposalTransition(from_state=proposal.state, to_state=to_state, actor_id=actor.id, reason=reason, at=now,
                                    budget_change=budget_change)
    if budget_change is not None:
        details = {**(details or {}), "budget_change": budget_change}
    proposal.transitions.append(transition)
    from_state = proposal.state
    proposal.state = to_state
    proposal.state_changed_at = now
    db.session.flush()
    record(actor, "proposal.state_changed", proposal, area=proposal.area,
           details={"from": from_state.value, "to": to_state.value, **(details or {})})
    _notify_state(actor, proposal)
    return transition


def next_states(proposal: Proposal) -> list[ProposalState]:
    """States an official may move the proposal to now, in the lifecycle order."""
    allowed = TRANSITIONS[proposal.state]
    order = list(ProposalState)
    here = order.index(proposal.state)
    # Forward moves first (the usual next step), then the ways back.
    return sorted((s for s in order if s in allowed), key=lambda s: (order.index(s) < here, order.index(s)))


def transition(
    actor: User,
    proposal: Proposal,
    to_state: ProposalState,
    reason: Optional[str],
    *,
    adopt_assessment: Optional[ProposalAssessment] = None,
) -> ProposalTransition:
    """Move a proposal (officials of its area only), with a reason.

    Marking it feasible may adopt one submitted assessment's revised estimate
    as the final cost (`adopt_assessment`); otherwise the estimate stays.
    """
    if not can_manage_proposals(actor, proposal.area):
        if can_evaluate(actor, proposal.area):
            raise ProposalError(_l("Evaluators record an assessment; only an official of the area changes the state."))
        raise ProposalError(_l("Only an official of the proposal's area can do this."))
    if to_state not in TRANSITIONS[proposal.state]:
        raise ProposalError(_l(
            'A proposal that is "%(current)s" cannot become "%(new)s".',
            current=STATE_LABELS[proposal.state], new=STATE_LABELS[to_state],
        ), "to_state")
    text = (reason or "").strip()
    if not text:
        raise ProposalError(_l("Explain the change: the reason is published with it."), "reason")
    text = _text(text, "reason", max_len=REASON_MAX)
    details: dict[str, Any] = {}
    if to_state in (P.FEASIBLE, P.NOT_FEASIBLE):
        if not any(a.is_submitted for a in proposal.assessments):
            raise ProposalError(_l("Wait for at least one evaluator's assessment before deciding."), "to_state")
    if adopt_assessment is not None:
        if to_state is not P.FEASIBLE:
            raise ProposalError(_l("A revised estimate can be adopted only when marking the proposal feasible."), "adopt")
        if adopt_assessment.proposal_id != proposal.id or not adopt_assessment.is_submitted or adopt_assessment.revised_cost is None:
            raise ProposalError(_l("Choose a submitted assessment that gives a revised estimate."), "adopt")
    change = None
    if to_state is P.FEASIBLE:
        change = _set_final_cost(proposal, adopt_assessment.revised_cost if adopt_assessment is not None else None)
        details["final_cost"] = proposal.final_cost
    elif to_state is P.UNDER_ASSESSMENT and proposal.state in (P.FEASIBLE, P.NOT_FEASIBLE):
        change = _set_final_cost(proposal, None)
    return _move(actor, proposal, to_state, text, details, budget_change=change)


# --- evaluators and assessments ------------------------------------------------------------

def eligible_evaluators(area: Area) -> list[User]:
    """People holding the evaluator role for the area (or for its province)."""
    area_ids = [area.id] + ([area.parent_id] if area.parent_id else [])
    from app.core.collation import thai_sort_key

    people = db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.EVALUATOR, RoleAssignment.area_id.in_(area_ids), User.deleted_at.is_(None))
        .distinct().order_by(User.id)
    )
    return sorted(people, key=lambda u: (thai_sort_key(u.display_name), u.id))  # the picker, in dictionary order


def assign_evaluator(actor: User, proposal: Proposal, evaluator: Optional[User]) -> ProposalAssessment:
    _require_manager(actor, proposal.area)
    if proposal.state not in ASSIGNABLE_STATES:
        raise ProposalError(_l("Evaluators can be assigned only to a draft or a proposal under assessment."), "evaluator_id")
    if evaluator is None or evaluator.deleted_at is not None:
        raise ProposalError(_l("Choose an evaluator."), "evaluator_id")
    if not has_role_in(evaluator, proposal.area, [Role.EVALUATOR]):
        raise ProposalError(
            _l("%(name)s has no evaluator role for %(area)s and cannot assess this proposal.",
               name=evaluator.display_name, area=proposal.area.name_th),
            "evaluator_id",
        )
    if any(a.evaluator_id == evaluator.id for a in proposal.assessments):
        raise ProposalError(_l("This evaluator is already assigned."), "evaluator_id")
    assessment = ProposalAssessment(evaluator_id=evaluator.id, evaluator=evaluator, assigned_by_id=actor.id, assigned_at=utcnow())
    proposal.assessments.append(assessment)
    db.session.flush()
    record(actor, "proposal.evaluator_assigned", proposal, area=proposal.area, details={"evaluator": evaluator.id})
    notify([evaluator], "proposal.evaluator_assigned", params={"title": proposal.title},
           link=url_for("proposals.assess", proposal_id=proposal.id), actor=actor)
    return assessment


def unassign_evaluator(actor: User, assessment: ProposalAssessment) -> None:
    proposal = assessment.proposal
    _require_manager(actor, proposal.area)
    if assessment.is_submitted:
        raise ProposalError(_l("A submitted assessment stays on record."))
    proposal.assessments.remove(assessment)
    db.session.flush()
    record(actor, "proposal.evaluator_unassigned", proposal, area=proposal.area, details={"evaluator": assessment.evaluator_id})


@dataclass
class AssessmentData:
    legal_authority_ok: bool
    technically_feasible: bool
    cost_reasonable: bool
    recommendation: Recommendation
    summary: str
    revised_cost: Optional[int] = None
    notes: Optional[str] = None


def assessment_of(proposal: Proposal, user: Any) -> Optional[ProposalAssessment]:
    uid = getattr(user, "id", None)
    return next((a for a in proposal.assessments if a.evaluator_id == uid), None)


def record_assessment(actor: User, proposal: Proposal, data: AssessmentData) -> ProposalAssessment:
    """An assigned evaluator records (or corrects) their verdicts while the proposal is under assessment."""
    assessment = assessment_of(proposal, actor)
    if assessment is None:
        raise ProposalError(_l("Only an evaluator assigned to this proposal can assess it."))
    if not has_role_in(actor, proposal.area, [Role.EVALUATOR]):
        raise ProposalError(_l("Your evaluator role does not cover this area any more."))
    if proposal.state is not P.UNDER_ASSESSMENT:
        raise ProposalError(_l("The proposal is not under assessment."))
    if data.recommendation not in Recommendation:
        raise ProposalError(_l("Choose a recommendation."), "recommendation")
    assessment.legal_authority_ok = bool(data.legal_authority_ok)
    assessment.technically_feasible = bool(data.technically_feasible)
    assessment.cost_reasonable = bool(data.cost_reasonable)
    assessment.revised_cost = None if data.revised_cost is None else check_amount(data.revised_cost, "revised_cost")
    assessment.recommendation = data.recommendation
    assessment.summary = _text(data.summary, "summary", max_len=REASON_MAX)
    assessment.notes = _text(data.notes, "notes", max_len=TEXT_MAX, required=False)
    assessment.submitted_at = utcnow()
    db.session.flush()
    record(actor, "proposal.assessed", proposal, area=proposal.area, details={
        "recommendation": data.recommendation.value, "revised_cost": assessment.revised_cost,
    })
    _settle(actor, proposal)
    return assessment


def _settle(actor: User, proposal: Proposal) -> None:
    """Move the proposal when every assigned evaluator has submitted and all agree."""
    assessments = proposal.assessments
    if not assessments or not all(a.is_submitted for a in assessments):
        return
    verdicts = {a.recommendation for a in assessments}
    if len(verdicts) != 1:
        return
    verdict = verdicts.pop()
    reason = "\n".join(a.summary for a in assessments if a.summary)
    if verdict is Recommendation.FEASIBLE:
        revised = [a.revised_cost for a in assessments if a.revised_cost is not None]
        change = _set_final_cost(proposal, max(revised) if revised else None)
        _move(actor, proposal, P.FEASIBLE, reason, {"by_assessment": True, "final_cost": proposal.final_cost},
              budget_change=change)
    else:
        _move(actor, proposal, P.NOT_FEASIBLE, reason, {"by_assessment": True})


# --- reading ----------------------------------------------------------------------------------

PER_PAGE = 30


def list_proposals(
    *, area: Optional[Area] = None, state: Optional[ProposalState] = None, include_drafts: bool = False, page: int = 1,
) -> tuple[list[Proposal], bool]:
    stmt = select(Proposal).options(selectinload(Proposal.area))
    if area is not None:
        stmt = stmt.where(Proposal.area_id == area.id)
    if state is not None:
        stmt = stmt.where(Proposal.state == state)
    if not include_drafts:
        stmt = stmt.where(Proposal.state != P.DRAFT)
    page = max(1, min(page, 1000))
    rows = list(db.session.scalars(
        stmt.order_by(Proposal.state_changed_at.desc(), Proposal.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
    ))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


def state_counts(area: Area, include_drafts: bool = False) -> dict[ProposalState, int]:
    counts = {s: 0 for s in ProposalState}
    for state, n in db.session.execute(
        select(Proposal.state, func.count()).where(Proposal.area_id == area.id).group_by(Proposal.state)
    ):
        counts[state] = n
    if not include_drafts:
        counts.pop(P.DRAFT)
    return counts


def proposals_of_idea(idea: Idea, include_drafts: bool = False) -> list[Proposal]:
    stmt = select(Proposal).join(proposal_ideas, proposal_ideas.c.proposal_id == Proposal.id).where(
        proposal_ideas.c.idea_id == idea.id
    )
    if not include_drafts:
        stmt = stmt.where(Proposal.state != P.DRAFT)
    return list(db.session.scalars(stmt.order_by(Proposal.id)))


def assignments_of(user: User) -> list[ProposalAssessment]:
    return list(db.session.scalars(
        select(ProposalAssessment).where(ProposalAssessment.evaluator_id == user.id)
        .options(selectinload(ProposalAssessment.proposal).selectinload(Proposal.area))
        .order_by(ProposalAssessment.submitted_at.is_not(None), ProposalAssessment.assigned_at.desc())
    ))


def public_decision(proposal: Proposal) -> Optional[ProposalTransition]:
    """The latest feasible / not feasible decision, whose reason the public sees."""
    for t in reversed(proposal.transitions):
        if t.to_state in (P.FEASIBLE, P.NOT_FEASIBLE):
            return t
    return None
