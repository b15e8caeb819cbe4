"""The officials' work hub (/admin/): for each area of a person's roles, what waits for them.

Every count comes from the same query the page it links to uses, so a number
on the hub is the number of rows the official finds one click later, and
every official page of the area is linked here, so that none has to be
reached by typing an address. Each area costs a fixed number of queries
whatever the number of ideas, reports or proposals (tests/admin/test_hub.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select

from app.accounts import services as accounts
from app.accounts.labels import ROLE_LABELS
from app.accounts.models import ResidencyState, Role, User
from app.areas.models import Area
from app.core.timeutil import utcnow
from app.extensions import db
from app.permissions import (
    can_manage_cycles, can_manage_plans, can_manage_proposals, can_moderate, can_triage, can_verify_resident,
    can_view_internal,
)

# Ideas waiting longer than these many days for a first answer are flagged (the
# response-time figures of the area pages count answers within 15 and 30 days).
SOON_DAYS = 15
LATE_DAYS = 30


@dataclass(frozen=True)
class WorkItem:
    label: str
    url: str
    count: int
    urgent: bool = False


@dataclass
class AreaWork:
    area: Area
    roles: list[str]
    waiting: list[WorkItem] = field(default_factory=list)
    cycles: list[tuple[str, str, str]] = field(default_factory=list)  # (title, phase label, url)
    pages: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total_waiting(self) -> int:
        return sum(item.count for item in self.waiting)


def _scope(area: Area) -> str:
    return "p" if area.is_province else "lg"


def _unanswered(area: Area) -> list[WorkItem]:
    from app.ideas.models import Idea

    now = utcnow()
    late, soon = now - timedelta(days=LATE_DAYS), now - timedelta(days=SOON_DAYS)
    total, over_late, over_soon = db.session.execute(
        select(func.count(), func.count().filter(Idea.created_at < late), func.count().filter(Idea.created_at < soon))
        .where(Idea.area_id == area.id, Idea.withdrawn_at.is_(None), Idea.first_answered_at.is_(None))
    ).one()
    url = url_for("triage.inbox", view="unanswered", area=area.code)
    items = []
    if over_late:
        items.append(WorkItem(ngettext("%(num)d idea unanswered for more than %(days)d days",
                                       "%(num)d ideas unanswered for more than %(days)d days", over_late,
                                       days=LATE_DAYS), url, over_late, urgent=True))
    if over_soon - over_late:
        n = over_soon - over_late
        items.append(WorkItem(ngettext("%(num)d idea unanswered for %(low)d to %(high)d days",
                                       "%(num)d ideas unanswered for %(low)d to %(high)d days", n,
                                       low=SOON_DAYS, high=LATE_DAYS), url, n, urgent=True))
    if total - over_soon:
        n = total - over_soon
        items.append(WorkItem(ngettext("%(num)d new idea waiting for a first answer (under %(days)d days)",
                                       "%(num)d new ideas waiting for a first answer (under %(days)d days)", n,
                                       days=SOON_DAYS), url, n))
    return items


def _reports(user: User, area: Area) -> list[WorkItem]:
    from app.moderation import services as moderation

    n = moderation.waiting_count(user, area)
    if not n:
        return []
    return [WorkItem(ngettext("%(num)d reported item to review", "%(num)d reported items to review", n),
                     url_for("moderation.queue", area=area.code), n, urgent=True)]


def _proposals(area: Area) -> list[WorkItem]:
    from app.proposals.models import Proposal, ProposalState as P

    counts = dict(db.session.execute(
        select(Proposal.state, func.count()).where(Proposal.area_id == area.id,
                                                   Proposal.state.in_((P.DRAFT, P.UNDER_ASSESSMENT, P.FEASIBLE)))
        .group_by(Proposal.state)
    ).all())
    items = []
    for state, singular, plural in (
        (P.DRAFT, "%(num)d draft proposal to complete and send for assessment",
         "%(num)d draft proposals to complete and send for assessment"),
        (P.UNDER_ASSESSMENT, "%(num)d proposal under assessment", "%(num)d proposals under assessment"),
        (P.FEASIBLE, "%(num)d feasible proposal to shortlist or decide",
         "%(num)d feasible proposals to shortlist or decide"),
    ):
        n = counts.get(state, 0)
        if n:
            items.append(WorkItem(ngettext(singular, plural, n),
                                  url_for("proposals.list_proposals", area=area.code, state=state.value), n))
    return items


def _assessments(user: User, area: Area) -> list[WorkItem]:
    from app.proposals.models import Proposal, ProposalAssessment

    n = db.session.scalar(
        select(func.count()).select_from(ProposalAssessment).join(Proposal, Proposal.id == ProposalAssessment.proposal_id)
        .where(ProposalAssessment.evaluator_id == user.id, ProposalAssessment.submitted_at.is_(None),
               Proposal.area_id == area.id)
    ) or 0
    if not n:
        return []
    return [WorkItem(ngettext("%(num)d assessment due from you", "%(num)d assessments due from you", n),
                     url_for("proposals.my_assessments"), n, urgent=True)]


def _residents(area: Area) -> list[WorkItem]:
    stmt = accounts.residents_query(area, state=ResidencyState.WAITING).order_by(None)
    n = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if not n:
        return []
    return [WorkItem(ngettext("%(num)d resident waiting for verification", "%(num)d residents waiting for verification", n),
                     url_for("admin.residents", code=area.code, state=ResidencyState.WAITING.value), n)]


def _cycles(area: Area) -> list[tuple[str, str, str]]:
    from app.cycles.models import Cycle
    from app.cycles.phases import PHASE_LABELS, current_phase

    cycles = db.session.scalars(select(Cycle).where(Cycle.area_id == area.id).order_by(Cycle.created_at.desc()).limit(5))
    return [(c.title, str(PHASE_LABELS[current_phase(c)]), url_for("cycles.manage_cycle", cycle_id=c.id)) for c in cycles]


def _pages(user: User, area: Area) -> list[tuple[str, str]]:
    scope = _scope(area)
    public = url_for("areas.show_province", code=area.code) if area.is_province else url_for(
        "areas.show_local_government", code=area.code)
    pages = [(_("The area's public page"), public)]
    if can_triage(user, area):
        pages.append((_("Triage inbox"), url_for("triage.inbox", area=area.code)))
    if can_moderate(user, area):
        pages.append((_("Moderation queue"), url_for("moderation.queue", area=area.code)))
    if can_view_internal(user, area):
        pages.append((_("Proposals"), url_for("proposals.list_proposals", area=area.code)))
    if can_manage_proposals(user, area):
        pages.append((_("New proposal"), url_for("proposals.new_proposal", area=area.code)))
    pages.append((_("Development plans"), url_for("plans.list_plans", scope=scope, code=area.code)))
    if can_manage_plans(user, area):
        pages.append((_("New plan"), url_for("plans.new_plan", scope=scope, code=area.code)))
    pages.append((_("ผ.02 exports"), url_for("exports.area_exports", scope=scope, code=area.code)))
    if can_manage_cycles(user, area):
        pages.append((_("Budgeting cycles you manage"), url_for("cycles.my_cycles")))
        pages.append((_("New budgeting cycle"), url_for("cycles.new_cycle", area=area.code)))
    if can_verify_resident(user, area):
        pages.append((_("Residents and their verification"), url_for("admin.residents", code=area.code)))
    return pages


def area_work(user: User, area: Area, roles: list[Role]) -> AreaWork:
    """What waits for `user` in `area`, and the official pages of the area they may open."""
    work = AreaWork(area=area, roles=[str(ROLE_LABELS[r]) for r in roles])
    official = can_triage(user, area)
    if official:
        work.waiting.extend(_unanswered(area))
    if can_moderate(user, area):
        work.waiting.extend(_reports(user, area))
    if Role.EVALUATOR in roles:
        work.waiting.extend(_assessments(user, area))
    if can_view_internal(user, area) and (official or can_manage_proposals(user, area)):
        work.waiting.extend(_proposals(area))
    if can_verify_resident(user, area):
        work.waiting.extend(_residents(area))
    if can_manage_cycles(user, area):
        work.cycles = _cycles(area)
    work.pages = _pages(user, area)
    return work


def hub(user: User) -> list[AreaWork]:
    """One entry per area of the person's roles (several roles in one area are shown together)."""
    by_area: dict[int, tuple[Area, list[Role]]] = {}
    for assignment in user.roles:
        if assignment.area is None:
            continue
        by_area.setdefault(assignment.area.id, (assignment.area, []))[1].append(assignment.role)
    ordered = sorted(by_area.values(), key=lambda pair: (not pair[0].is_province, pair[0].code))
    return [area_work(user, area, roles) for area, roles in ordered]
