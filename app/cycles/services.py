"""Setting up a budgeting cycle: the cycle, its budgets, its ballot, and the phase override.

Services take the acting official, check the permission again, raise
CycleError with a translatable message, audit and flush; the route commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.areas.models import Area, Subdistrict
from app.audit.services import record
from app.core.timeutil import utcnow
from app.cycles.errors import CycleError
from app.cycles.models import (
    DATED_PHASES,
    BallotKind,
    Completion,
    Cycle,
    CycleBallot,
    CycleBudget,
    CycleProject,
    CycleResult,
    Phase,
    TallyRule,
)
from app.cycles.phases import PHASE_LABELS, current_phase, validate_dates
from app.extensions import db
from app.permissions import can_manage_cycles

MAX_BAHT = 10**12  # one trillion baht: anything above is a typo


@dataclass
class CycleSettings:
    fiscal_year: int
    title: str
    description: str
    total_budget: int
    ballot_kind: BallotKind
    rule: TallyRule
    completion: Completion
    ideas_from: date
    supports_from: date
    review_from: date
    voting_from: date
    results_from: date
    implementation_from: date
    min_projects: int | None = None
    max_projects: int | None = None
    min_share_percent: int | None = None
    points_total: int | None = None
    points_max: int | None = None
    rank_k: int | None = None
    threshold: int | None = None
    # ResidencyMethod values whose verified residents may vote; None: every method (eligibility.stored_methods).
    accepted_methods: list[str] | None = None

    def dates(self) -> list[date]:
        return [getattr(self, column) for _, column in DATED_PHASES]


def touch(cycle: Cycle) -> None:
    """Mark the cycle's budgets or ballots as changed (invalidates the vote path's cache)."""
    cycle.config_version = (cycle.config_version or 1) + 1


def _require(official: Any, area: Area) -> None:
    if not can_manage_cycles(official, area):
        raise CycleError(_l("Only officials of this area can manage its budgeting cycles."))


def _check_settings(s: CycleSettings) -> None:
    problems = []
    if not s.title.strip():
        problems.append(_l("Give the cycle a title."))
    if not 2400 <= s.fiscal_year <= 2700:
        problems.append(_l("The fiscal year is a Buddhist-Era year such as 2569."))
    if not 0 < s.total_budget <= MAX_BAHT:
        problems.append(_l("The total budget must be a whole number of baht greater than zero."))
    message = validate_dates(s.dates())
    if message:
        problems.append(message)
    if 2400 <= s.fiscal_year <= 2700:
        problems.extend(_dates_outside_fiscal_window(s))
    kind = s.ballot_kind
    if kind is BallotKind.APPROVAL:
        if s.min_projects is not None and s.max_projects is not None and s.min_projects > s.max_projects:
            problems.append(_l("The least number of projects cannot be more than the most."))
    elif kind is BallotKind.KNAPSACK:
        if s.min_share_percent is not None and not 0 <= s.min_share_percent <= 100:
            problems.append(_l("The least share of the budget spent is a percentage from 0 to 100."))
    elif kind is BallotKind.CUMULATIVE:
        if not s.points_total:
            problems.append(_l("A cumulative ballot needs the number of points each voter spreads."))
        elif s.points_max and s.points_max > s.points_total:
            problems.append(_l("The points on one project cannot be more than the points in all."))
    elif kind is BallotKind.RANKING:
        if not s.rank_k:
            problems.append(_l("A ranking ballot needs how many projects each voter ranks."))
    if s.rule is TallyRule.GREEDY_THRESHOLD and not s.threshold:
        problems.append(_l("The greedy rule with a threshold needs the least number of votes (or points) a project must get."))
    if problems:
        raise CycleError(*problems)


def phase_window(fiscal_year: int) -> tuple[date, date]:
    """The days a cycle's phases may start on: from the first day of the previous fiscal year to the last of its own.

    A cycle for ปีงบประมาณ 2570 collects ideas and votes while the 2570 budget
    is being drawn up, during fiscal year 2569 (the local budget ordinance is
    passed before 1 October), and its projects are carried out in 2570: so a
    phase may start up to one fiscal year before the cycle's own and no later
    than its last day. Anything further is nearly always a year typed in the
    wrong era, which lands 543 years away.
    """
    from app.core.formatting import fiscal_year_bounds

    first, _ = fiscal_year_bounds(fiscal_year - 1)
    _, last = fiscal_year_bounds(fiscal_year)
    return first, last


def _dates_outside_fiscal_window(s: CycleSettings) -> list:
    from app.core.formatting import format_date
    from app.core.locale import current_locale

    first, last = phase_window(s.fiscal_year)
    if all(first <= day <= last for day in s.dates()):
        return []
    locale = current_locale()
    return [_l(
        "The phases of a cycle for fiscal year %(year)d must start between %(first)s and %(last)s "
        "(from the start of the previous fiscal year to the end of its own).",
        year=s.fiscal_year, first=format_date(first, locale), last=format_date(last, locale),
    )]


def _apply(cycle: Cycle, s: CycleSettings) -> None:
    for name, value in vars(s).items():
        setattr(cycle, name, value.strip() if isinstance(value, str) else value)
    kind = s.ballot_kind
    # Keep only the limits of the chosen ballot kind.
    if kind is not BallotKind.APPROVAL:
        cycle.min_projects = cycle.max_projects = None
    if kind is not BallotKind.KNAPSACK:
        cycle.min_share_percent = None
    if kind is not BallotKind.CUMULATIVE:
        cycle.points_total = cycle.points_max = None
    if kind is not BallotKind.RANKING:
        cycle.rank_k = None
    if s.rule is not TallyRule.GREEDY_THRESHOLD:
        cycle.threshold = None


def create_cycle(official: Any, area: Area, settings: CycleSettings) -> Cycle:
    _require(official, area)
    _check_settings(settings)
    cycle = Cycle(area=area, area_id=area.id, created_by_id=getattr(official, "id", None))
    _apply(cycle, settings)
    db.session.add(cycle)
    db.session.flush()
    record(official, "cycles.create", cycle, area=area, details={
        "title": cycle.title, "fiscal_year": cycle.fiscal_year, "total_budget": cycle.total_budget,
        "ballot_kind": cycle.ballot_kind.value, "rule": cycle.rule.value,
        "accepted_methods": cycle.accepted_methods or "all",
    })
    return cycle


def ballot_count(cycle: Cycle) -> int:
    return db.session.scalar(
        select(func.count(CycleBallot.id)).join(CycleBudget, CycleBudget.id == CycleBallot.budget_id)
        .where(CycleBudget.cycle_id == cycle.id)
    ) or 0


def update_cycle(official: Any, cycle: Cycle, settings: CycleSettings) -> None:
    _require(official, cycle.area)
    _check_settings(settings)
    if cycle.results_published_at is not None:
        if settings.rule is not cycle.rule or settings.completion is not cycle.completion or settings.threshold != cycle.threshold:
            raise CycleError(_l("The results are published: the tally rule can no longer change."))
    if ballot_count(cycle):
        rules_before = (cycle.ballot_kind, cycle.min_projects, cycle.max_projects, cycle.min_share_percent,
                        cycle.points_total, cycle.points_max, cycle.rank_k)
        probe = Cycle()
        _apply(probe, settings)
        rules_after = (probe.ballot_kind, probe.min_projects, probe.max_projects, probe.min_share_percent,
                       probe.points_total, probe.points_max, probe.rank_k)
        if rules_before != rules_after:
            raise CycleError(_l("Ballots have been cast: the ballot kind and its limits can no longer change."))
        if (settings.accepted_methods or None) != (cycle.accepted_methods or None):
            raise CycleError(_l("Ballots have been cast: the verification methods accepted for voting can no longer change."))
    if settings.total_budget < sum(b.amount for b in cycle.budgets):
        raise CycleError(_l("The total budget cannot be less than the sum of its budgets."))
    before = {k: _plain(getattr(cycle, k)) for k in vars(settings)}
    _apply(cycle, settings)
    touch(cycle)
    after = {k: _plain(getattr(cycle, k)) for k in vars(settings)}
    db.session.flush()
    record(official, "cycles.update", cycle, area=cycle.area, details={
        "changed": {k: [before[k], after[k]] for k in after if before[k] != after[k]},
    })


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def override_phase(official: Any, cycle: Cycle, phase: Phase | None, reason: str) -> None:
    """Set (or with None clear) the manual phase override; audited with the reason."""
    _require(official, cycle.area)
    reason = (reason or "").strip()
    if phase is not None and not reason:
        raise CycleError(_l("Give the reason for setting the phase by hand."))
    if phase in (Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION) and cycle.results_published_at is None:
        blockers = voting_blockers(cycle)
        if blockers:
            raise CycleError(_l("Voting cannot open yet."), *blockers)
    before = current_phase(cycle)
    cycle.phase_override = phase
    cycle.phase_override_reason = reason or None
    touch(cycle)
    db.session.flush()
    record(official, "cycles.phase_override", cycle, area=cycle.area, details={
        "from": before.value, "to": phase.value if phase else None, "now": current_phase(cycle).value, "reason": reason,
    })


# --- is the ballot ready for voting? ---------------------------------------------


def voting_blockers(cycle: Cycle) -> list:
    """What must be done before voting can open (empty: nothing): a budget, and projects on each budget's ballot."""
    if not cycle.budgets:
        return [_l("Add at least one budget.")]
    return [_l("The budget “%(name)s” has no projects on its ballot.", name=b.name) for b in cycle.budgets if not b.projects]


def over_budget_lines(cycle: Cycle) -> list:
    """Warnings for ballot lines that cost more than their budget (they can never be funded from it)."""
    return [
        _l("“%(title)s” costs %(cost)s, more than the budget “%(name)s” (%(amount)s): it cannot win there.",
           title=p.title, cost=f"฿{p.cost:,}", name=b.name, amount=f"฿{b.amount:,}")
        for b in cycle.budgets for p in b.projects if p.cost > b.amount
    ]


def refresh_ballot_ready(cycle: Cycle) -> None:
    """Keep cycle.ballot_ready in step with the budgets and their ballots (called after every change to them)."""
    db.session.flush()
    db.session.refresh(cycle, ["budgets"])
    for budget in cycle.budgets:
        db.session.refresh(budget, ["projects"])
    was_voting = current_phase(cycle) is Phase.VOTING
    cycle.ballot_ready = not voting_blockers(cycle)
    if not was_voting and current_phase(cycle) is Phase.VOTING and cycle.voting_opened_at is None:
        # The dates said voting but the ballot was not ready: voting opens only now, and the
        # published .pb's date_begin must say so (results.voting_window).
        cycle.voting_opened_at = utcnow()
    db.session.flush()


def voting_waits(cycle: Cycle) -> bool:
    """The dates say voting has begun but the ballot is not ready, so the cycle stays in review."""
    from app.cycles.phases import dated_phase

    return (cycle.phase_override is None and not cycle.ballot_ready and cycle.results_published_at is None
            and dated_phase(cycle) in (Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION))


# --- budgets -------------------------------------------------------------------


def _check_budget(cycle: Cycle, name: str, amount: int, codes: Iterable[str], budget: CycleBudget | None) -> list[Subdistrict]:
    if not name.strip():
        raise CycleError(_l("Give the budget a name."))
    if not 0 < amount <= MAX_BAHT:
        raise CycleError(_l("The budget's amount must be a whole number of baht greater than zero."))
    others = sum(b.amount for b in cycle.budgets if b is not budget)
    if others + amount > cycle.total_budget:
        raise CycleError(_l(
            "The budgets would add up to more than the cycle's total budget (%(left)s is left).",
            left=f"฿{max(cycle.total_budget - others, 0):,}",
        ))
    from app.areas.services import subdistricts_of

    allowed = {s.code: s for s in subdistricts_of(cycle.area)}
    chosen = []
    for code in dict.fromkeys(codes):
        if code not in allowed:
            raise CycleError(_l("Subdistrict %(code)s is not in this cycle's area.", code=code))
        chosen.append(allowed[code])
    return chosen


def add_budget(official: Any, cycle: Cycle, name: str, amount: int, subdistrict_codes: Iterable[str] = ()) -> CycleBudget:
    _require(official, cycle.area)
    if current_phase(cycle) in (Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION) and not cycle.is_imported:
        raise CycleError(_l("Budgets cannot be added once voting has started."))
    subdistricts = _check_budget(cycle, name, amount, subdistrict_codes, None)
    budget = CycleBudget(name=name.strip(), amount=amount, position=len(cycle.budgets))
    budget.subdistricts = subdistricts
    cycle.budgets.append(budget)
    touch(cycle)
    refresh_ballot_ready(cycle)
    record(official, "cycles.budget_add", budget, area=cycle.area, details={
        "cycle_id": cycle.id, "name": budget.name, "amount": amount, "subdistricts": [s.code for s in subdistricts],
    })
    return budget


def update_budget(official: Any, budget: CycleBudget, name: str, amount: int, subdistrict_codes: Iterable[str]) -> None:
    cycle = budget.cycle
    _require(official, cycle.area)
    subdistricts = _check_budget(cycle, name, amount, subdistrict_codes, budget)
    new_codes = sorted(s.code for s in subdistricts)
    old_codes = sorted(s.code for s in budget.subdistricts)
    if current_phase(cycle) in (Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION) and (
        amount != budget.amount or new_codes != old_codes
    ):
        raise CycleError(_l("Once voting has started, a budget's amount and voters can no longer change."))
    before = {"name": budget.name, "amount": budget.amount, "subdistricts": old_codes}
    budget.name, budget.amount, budget.subdistricts = name.strip(), amount, subdistricts
    touch(cycle)
    db.session.flush()
    record(official, "cycles.budget_update", budget, area=cycle.area, details={
        "cycle_id": cycle.id, "before": before, "after": {"name": budget.name, "amount": amount, "subdistricts": new_codes},
    })


# --- the ballot: shortlisted proposals assigned to budgets ----------------------


def ballot_locked(cycle: Cycle) -> bool:
    """The ballot cannot change once voting has started or a ballot exists."""
    return current_phase(cycle) in (Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION) or ballot_count(cycle) > 0


def shortlisted_proposals(cycle: Cycle) -> list:
    """Shortlisted proposals of the cycle's area and fiscal year (and those already on its ballot)."""
    from app.proposals.models import Proposal, ProposalState

    on_ballot = select(CycleProject.proposal_id).where(CycleProject.cycle_id == cycle.id, CycleProject.proposal_id.is_not(None))
    stmt = select(Proposal).where(
        Proposal.area_id == cycle.area_id,
        ((Proposal.state == ProposalState.SHORTLISTED) & (Proposal.fiscal_year == cycle.fiscal_year))
        | Proposal.id.in_(on_ballot),
    ).order_by(Proposal.title)
    return list(db.session.scalars(stmt))


def suggest_budget(cycle: Cycle, proposal: Any) -> CycleBudget | None:
    """The budget whose subdistricts include all the proposal's subdistricts, else the only budget."""
    codes = {s.code for s in getattr(proposal, "subdistricts", [])}
    if codes:
        for budget in cycle.budgets:
            own = {s.code for s in budget.subdistricts}
            if own and codes <= own:
                return budget
    unrestricted = [b for b in cycle.budgets if not b.subdistricts]
    if len(unrestricted) == 1:
        return unrestricted[0]
    return cycle.budgets[0] if len(cycle.budgets) == 1 else None


def assign_proposals(official: Any, cycle: Cycle, assignment: dict[int, int | None]) -> None:
    """Put shortlisted proposals on budgets' ballots ({proposal id: budget id or None to leave off}).

    Each ballot line copies the proposal's title and final cost as they are now.
    """
    _require(official, cycle.area)
    if ballot_locked(cycle):
        raise CycleError(_l("The ballot cannot change once voting has started."))
    proposals = {p.id: p for p in shortlisted_proposals(cycle)}
    budgets = {b.id: b for b in cycle.budgets}
    existing = {p.proposal_id: p for p in db.session.scalars(
        select(CycleProject).where(CycleProject.cycle_id == cycle.id, CycleProject.proposal_id.is_not(None))
    )}
    changes = {}
    for proposal_id, budget_id in assignment.items():
        proposal = proposals.get(proposal_id)
        if proposal is None:
            raise CycleError(_l("Proposal %(id)s is not a shortlisted proposal of this cycle.", id=proposal_id))
        if budget_id is not None and budget_id not in budgets:
            raise CycleError(_l("Budget %(id)s is not part of this cycle.", id=budget_id))
        line = existing.get(proposal_id)
        if budget_id is None:
            if line is not None:
                db.session.delete(line)
                changes[proposal_id] = None
            continue
        if line is None:
            line = CycleProject(cycle_id=cycle.id, proposal_id=proposal_id, pb_project_id=f"new-{proposal_id}")
            db.session.add(line)
        line.budget_id = budget_id
        line.title = proposal.title[:300]
        line.description = (proposal.objective or "")[:5000]
        line.cost = proposal.final_cost
        changes[proposal_id] = budget_id
    db.session.flush()
    _number_projects(cycle)
    refresh_ballot_ready(cycle)
    record(official, "cycles.ballot_assign", cycle, area=cycle.area, details={"assignment": {str(k): v for k, v in changes.items()}})


def add_project(official: Any, budget: CycleBudget, title: str, cost: int, description: str = "") -> CycleProject:
    """A ballot line without a proposal (for a cycle whose projects were decided outside Ruamkhit)."""
    cycle = budget.cycle
    _require(official, cycle.area)
    if ballot_locked(cycle):
        raise CycleError(_l("The ballot cannot change once voting has started."))
    if not title.strip():
        raise CycleError(_l("Give the project a title."))
    if not 0 < cost <= budget.amount:
        raise CycleError(_l("The project's cost must be more than zero and no more than the budget."))
    project = CycleProject(cycle_id=cycle.id, budget_id=budget.id, title=title.strip()[:300], cost=cost,
                           description=description.strip(), pb_project_id="new")
    db.session.add(project)
    db.session.flush()
    _number_projects(cycle)
    refresh_ballot_ready(cycle)
    record(official, "cycles.project_add", project, area=cycle.area, details={"budget_id": budget.id, "title": project.title, "cost": cost})
    return project


def remove_project(official: Any, project: CycleProject) -> None:
    cycle = db.session.get(Cycle, project.cycle_id)
    _require(official, cycle.area)
    if ballot_locked(cycle):
        raise CycleError(_l("The ballot cannot change once voting has started."))
    record(official, "cycles.project_remove", project, area=cycle.area, details={"title": project.title})
    touch(cycle)
    db.session.delete(project)
    db.session.flush()
    refresh_ballot_ready(cycle)


def _number_projects(cycle: Cycle) -> None:
    """Give new lines their .pb project id: their own id, stable (an imported cycle keeps the file's ids)."""
    touch(cycle)
    if cycle.is_imported:
        return
    for project in db.session.scalars(select(CycleProject).where(CycleProject.cycle_id == cycle.id)):
        if project.pb_project_id != str(project.id):
            project.pb_project_id = str(project.id)
    db.session.flush()


# --- reading ----------------------------------------------------------------


def cycles_of(area: Area) -> list[Cycle]:
    return list(db.session.scalars(
        select(Cycle).where(Cycle.area_id == area.id).order_by(Cycle.fiscal_year.desc(), Cycle.id.desc())
    ))


def all_cycles(limit: int = 200) -> list[Cycle]:
    return list(db.session.scalars(select(Cycle).order_by(Cycle.created_at.desc(), Cycle.id.desc()).limit(limit)))


def budget_summary(budget: CycleBudget) -> dict:
    counts = dict(db.session.execute(
        select(CycleBallot.channel, func.count(CycleBallot.id))
        .where(CycleBallot.budget_id == budget.id, CycleBallot.replaced.is_(False))
        .group_by(CycleBallot.channel)
    ).all())
    return {"ballots": sum(counts.values()), "by_channel": {k.value: v for k, v in counts.items()}}


def published_result(budget: CycleBudget) -> CycleResult | None:
    from app.cycles.models import ResultKind

    return db.session.scalar(
        select(CycleResult).where(CycleResult.budget_id == budget.id, CycleResult.kind == ResultKind.PUBLISHED)
        .order_by(CycleResult.id.desc()).limit(1)
    )


def phase_label(phase: Phase):
    return PHASE_LABELS[phase]
