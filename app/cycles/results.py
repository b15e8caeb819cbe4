"""Results: the tally of each budget with the cycle's rule, its explanations, and .pb export and import.

The counting itself is app.tally's (pure Python, the same code anyone can
run on the published `.pb` file). This module turns a budget's live
ballots into a tally election, stores the outcome, words the tally's
structured explanations in the reader's language, and moves the winners'
proposals to "selected".

Counting happens in two audited steps (issue 13.3): an official computes a
*preview* once voting is closed (seen by the area's officials only, and
computed again as often as they like while it is not published), then
*publishes* it, which freezes it. Publishing checks that the ballots still
give the preview's outcome (paper ballots may be entered until publication).
After publication a *recount* is compared with the frozen result.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, or_, select

from app.areas.models import Area
from app.audit.services import record
from app.core.formatting import fiscal_year as fiscal_year_of, fiscal_year_bounds, format_baht
from app.core.timeutil import BANGKOK, utcnow
from app.cycles.errors import CycleError
from app.cycles.models import (
    BallotChannel,
    BallotChoice,
    BallotKind,
    Completion,
    Cycle,
    CycleBallot,
    CycleBudget,
    CycleProject,
    CycleResult,
    PaperBatch,
    Phase,
    ResultKind,
    TallyRule,
)
from app.cycles.phases import bangkok_today, current_phase, phase_from_dates, phase_starts
from app.cycles.voting import new_ballot_id
from app.extensions import db
from app.permissions import can_manage_cycles

VOTE_TYPES = {
    BallotKind.APPROVAL: "approval",
    BallotKind.KNAPSACK: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.RANKING: "ordinal",
}
MAX_IMPORT_BALLOTS = 200_000


def pb_rule_name(cycle: Cycle) -> str:
    """The rule as pabulib's META names it.

    pabulib's checker knows greedy, greedy-no-skip, greedy-threshold,
    equalshares and equalshares/add1 (pabulib_helpers.fields). It has no
    name for equal shares completed greedily: those keep pabulib's
    `equalshares/<completion>` pattern and the META `comment` says what the
    completion did (pb_rule_comment).
    """
    if cycle.rule is TallyRule.MES:
        return {Completion.ADD1: "equalshares/add1", Completion.NONE: "equalshares"}.get(
            cycle.completion, f"equalshares/{cycle.completion.value}"
        )
    return cycle.rule.value


def pb_rule_comment(cycle: Cycle) -> str | None:
    """A META comment (pabulib writes them `#1: ...`) for a rule pabulib has no name for."""
    if cycle.rule is not TallyRule.MES:
        return None
    if cycle.completion is Completion.GREEDY:
        return ("#1: Method of Equal Shares; the money it left unspent was then given to the remaining projects "
                "by number of votes (greedy completion). pabulib has no rule name for this completion.")
    if cycle.completion is Completion.ADD1_GREEDY:
        return ("#1: Method of Equal Shares with the add1 completion; the money still unspent was then given to the "
                "remaining projects by number of votes (greedy). pabulib has no rule name for this completion.")
    return None


# pabulib's voting_method values (pabulib_helpers.fields): imported ballots have none.
VOTING_METHODS = {BallotChannel.ONLINE: "internet", BallotChannel.PAPER: "paper"}
# pabulib's order of the META keys (its checker sorts them so).
META_ORDER = (
    "description", "country", "unit", "district", "subunit", "instance", "num_projects", "num_votes", "budget",
    "vote_type", "rule", "date_begin", "date_end", "min_length", "max_length", "min_sum_cost", "max_sum_cost",
    "min_points", "max_points", "min_sum_points", "max_sum_points", "min_project_score_threshold", "scoring_fn",
    "language", "currency", "comment",
)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BANGKOK)


def _phase_overrides(cycle: Cycle) -> list[tuple[datetime, Phase | None]]:
    """Every phase override set or cleared on the cycle, in order: (when, the override from then on)."""
    from app.audit.models import AuditEntry

    rows = db.session.execute(
        select(AuditEntry.at, AuditEntry.details)
        .where(AuditEntry.action == "cycles.phase_override", AuditEntry.object_type == "cycles", AuditEntry.object_id == cycle.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    changes = []
    for at, details in rows:
        to = (details or {}).get("to")
        changes.append((at, Phase(to) if to else None))
    return changes


def voting_window(cycle: Cycle, now: datetime | None = None) -> tuple[date, date]:
    """The first and last day (Bangkok) on which voting actually ran, manual opening and closing included.

    Rebuilt from what is recorded: the phase dates, every override in the audit
    log (an official opening or ending voting by hand), the moment a late
    ballot became ready (cycle.voting_opened_at) and the moment voting closed
    (cycle.voting_closed_at). The phase at any moment is the override then in
    force, else the dates' phase; voting ran from the first moment that phase
    became "voting" to the last moment it stopped being so before closing.
    """
    starts = phase_starts(cycle)
    changes = _phase_overrides(cycle)

    def phase_at(moment: datetime) -> Phase:
        override = None
        for at, to in changes:
            if at > moment:
                break
            override = to
        if cycle.voting_closed_at is not None and moment >= cycle.voting_closed_at:
            return Phase.RESULTS  # closed: voting never reopens (phases.current_phase)
        return override or phase_from_dates(starts, moment.astimezone(BANGKOK).date())

    tick = timedelta(microseconds=1)
    moments = sorted({at for at, _ in changes} | {_midnight(getattr(cycle, c)) for c in ("voting_from", "results_from", "implementation_from")}
                     | ({cycle.voting_closed_at} if cycle.voting_closed_at else set()))
    opened = next((m for m in moments if phase_at(m) is Phase.VOTING and phase_at(m - tick) is not Phase.VOTING), None)
    if cycle.voting_opened_at is not None:
        opened = cycle.voting_opened_at  # the ballot became ready only then: voting could not open before
    limit = cycle.voting_closed_at or now or utcnow()
    ended = None
    for m in moments:
        if m <= limit and phase_at(m - tick) is Phase.VOTING and phase_at(m) is not Phase.VOTING:
            ended = m
    begin = opened.astimezone(BANGKOK).date() if opened else cycle.voting_from
    # The last day is the day before the moment it ended (voting that ends at midnight ran the day before).
    end = (ended - tick).astimezone(BANGKOK).date() if ended else cycle.results_from - timedelta(days=1)
    return begin, max(end, begin)


def _pb_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")  # pabulib's DD.MM.YYYY


# --- from ballots to a tally election ----------------------------------------------


def live_ballots(budget: CycleBudget, kind: BallotKind) -> list[tuple[str, BallotChannel, list[tuple[str, int]]]]:
    """(ballot id, channel, [(pb project id, value)]) of every counted ballot, ordered by the random ballot id."""
    rows = db.session.execute(
        select(BallotChoice.ballot_id, CycleBallot.channel, CycleProject.pb_project_id, BallotChoice.value)
        .join(CycleBallot, CycleBallot.id == BallotChoice.ballot_id)
        .join(CycleProject, CycleProject.id == BallotChoice.project_id)
        .where(CycleBallot.budget_id == budget.id, CycleBallot.replaced.is_(False))
        .order_by(BallotChoice.ballot_id, BallotChoice.value, CycleProject.pb_project_id)
    )
    ballots: dict[str, list[tuple[str, int]]] = defaultdict(list)
    channels: dict[str, BallotChannel] = {}
    for ballot_id, channel, pb_id, value in rows:
        ballots[ballot_id].append((pb_id, value))
        channels[ballot_id] = channel
    return [(ballot_id, channels[ballot_id], choices) for ballot_id, choices in ballots.items()]


def build_budget_election(cycle: Cycle, budget: CycleBudget, selected: set[str] | None = None):
    """The budget as a tally Election: META with the rule and budget, PROJECTS, VOTES with random voter ids.

    Voter ids are 1..n in the order of the random ballot ids: they say
    nothing about who voted or when. Each vote says whether it came on paper
    or online in pabulib's `voting_method` column; META's dates are when
    voting actually ran (voting_window), in pabulib's DD.MM.YYYY, and its
    keys follow pabulib's order.
    """
    from app.tally.pb import Ballot, Project, build_election

    vote_type = VOTE_TYPES[cycle.ballot_kind]
    votes: dict[str, int] = defaultdict(int)
    ballots = []
    rows = live_ballots(budget, cycle.ballot_kind)
    with_method = any(channel in VOTING_METHODS for _id, channel, _c in rows)
    for number, (_ballot_id, channel, choices) in enumerate(rows, start=1):
        ids = tuple(pb for pb, _v in choices)  # ordered by value: by rank for ranking ballots
        for pb in ids:
            votes[pb] += 1
        points = tuple(Decimal(v) for _pb, v in choices) if vote_type == "cumulative" else None
        fields = {"voting_method": VOTING_METHODS.get(channel, "")} if with_method else {}
        ballots.append(Ballot(str(number), ids, points, fields))
    projects = []
    for p in budget.projects:
        fields = {"name": p.title, "votes": str(votes.get(p.pb_project_id, 0))}
        if selected is not None:
            fields["selected"] = "1" if p.pb_project_id in selected else "0"
        projects.append(Project(p.pb_project_id, Decimal(p.cost), fields))
    area = cycle.area
    meta = {
        "description": f"{cycle.title} — {budget.name}",
        "country": "Thailand",
        "unit": area.name_en or area.name_th,
        "subunit": budget.name,
        "instance": str(cycle.fiscal_year),
        "language": "th",
        "currency": "THB",
    }
    if not cycle.is_imported:  # an imported file's own dates are not kept; the import day is no voting day
        begin, end = voting_window(cycle)
        meta["date_begin"], meta["date_end"] = _pb_date(begin), _pb_date(end)
    if cycle.ballot_kind is BallotKind.APPROVAL:
        if cycle.min_projects:
            meta["min_length"] = str(cycle.min_projects)
        if cycle.max_projects:
            meta["max_length"] = str(cycle.max_projects)
    elif cycle.ballot_kind is BallotKind.KNAPSACK:
        meta["max_sum_cost"] = str(budget.amount)
    elif cycle.ballot_kind is BallotKind.CUMULATIVE:
        meta["max_sum_points"] = str(cycle.points_total or "")
        if cycle.points_max:
            meta["max_points"] = str(cycle.points_max)
    elif cycle.ballot_kind is BallotKind.RANKING and cycle.rank_k:
        meta["max_length"] = str(cycle.rank_k)
        meta["scoring_fn"] = "Borda"
    if cycle.rule is TallyRule.GREEDY_THRESHOLD and cycle.threshold:
        meta["min_project_score_threshold"] = str(cycle.threshold)
    meta["rule"] = pb_rule_name(cycle)
    comment = pb_rule_comment(cycle)
    if comment:
        meta["comment"] = comment
    election = build_election(
        budget=budget.amount, vote_type=vote_type, projects=projects, ballots=ballots, meta=meta, rule=pb_rule_name(cycle),
    )
    rank = {key: i for i, key in enumerate(META_ORDER)}
    election.meta = dict(sorted(election.meta.items(), key=lambda item: rank.get(item[0], len(rank))))
    return election


def run_tally(cycle: Cycle, budget: CycleBudget) -> dict[str, Any]:
    """Tally one budget with the cycle's rule; the outcome as JSON with votes and score per project."""
    from app.tally.profile import build_profile
    from app.tally.rules import tally

    election = build_budget_election(cycle, budget)
    if cycle.rule is TallyRule.MES:
        outcome = tally(election, "mes", cycle.completion.value)
    elif cycle.rule is TallyRule.GREEDY_THRESHOLD:
        outcome = tally(election, "greedy-threshold", threshold=cycle.threshold or 0)
    else:
        outcome = tally(election, cycle.rule.value)
    profile = build_profile(election)
    data = outcome.as_json()
    data["votes"] = {pid: profile.votes[i] for i, pid in enumerate(profile.project_ids)}
    data["scores"] = {pid: float(profile.points(profile.scores[i])) for i, pid in enumerate(profile.project_ids)}
    data["num_voters"] = profile.num_voters
    data["vote_type"] = election.vote_type
    from app.cycles.fairness import fairness_data

    data["fairness"] = fairness_data(cycle, election, data)
    return data


# --- computing and publishing ------------------------------------------------------------------


def results_can_be_computed(cycle: Cycle) -> bool:
    return current_phase(cycle) in (Phase.RESULTS, Phase.IMPLEMENTATION)


def results_state(cycle: Cycle) -> str:
    """What the officials' next step is: "voting" (still open), "not_yet" (voting not begun),
    "preview" (a preview may be computed, or computed again), "published" (a recount may be run)."""
    if cycle.results_published_at is not None:
        return "published"
    phase = current_phase(cycle)
    if phase is Phase.VOTING:
        return "voting"
    if phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
        return "preview"
    return "not_yet"


@dataclass
class RecountReport:
    budget: CycleBudget
    changed: bool
    published: list[str]
    recounted: list[str]


def _require_official(official: Any, cycle: Cycle, message) -> None:
    if not can_manage_cycles(official, cycle.area):
        raise CycleError(message)


def _tally_all(cycle: Cycle) -> dict[int, dict[str, Any]]:
    from app.tally.outcome import TallyError
    from app.tally.pb import PbFormatError

    outcomes = {}
    for budget in cycle.budgets:
        try:
            outcomes[budget.id] = run_tally(cycle, budget)
        except (TallyError, PbFormatError) as error:
            raise CycleError(_l("The tally could not run: %(message)s", message=str(error))) from None
        outcomes[budget.id]["turnout"] = turnout(cycle, budget)
    return outcomes


def compute_preview(official: Any, cycle: Cycle) -> list[CycleResult]:
    """Count every budget and keep the outcome as a preview that only the area's officials see (audited).

    Needs voting to be over; closes it first if it is over by the dates but
    not yet closed, since nothing is counted while a ballot can still be tied
    to its voter (issue 11.7). May run again as often as needed until the
    results are published: each run replaces the budget's previous preview
    (the audit log keeps what each one selected).
    """
    _require_official(official, cycle, _l("Only officials of this area can compute the results."))
    if cycle.results_published_at is not None:
        raise CycleError(_l("The results are already published and frozen: a recount compares the ballots with them instead."))
    if current_phase(cycle) is Phase.VOTING:
        raise CycleError(_l("Voting is still open: close the vote first, then compute the preview of the results."))
    if not results_can_be_computed(cycle):
        raise CycleError(_l("The results can be computed only after voting has closed."))
    if not cycle.budgets:
        raise CycleError(_l("This cycle has no budget to count."))
    from app.cycles.closing import close_voting, voting_closed

    if not voting_closed(cycle):
        close_voting(cycle, official, how="results")
    outcomes = _tally_all(cycle)
    budget_ids = [b.id for b in cycle.budgets]
    again = db.session.scalar(select(func.count()).select_from(CycleResult).where(
        CycleResult.budget_id.in_(budget_ids), CycleResult.kind == ResultKind.PREVIEW)) or 0
    db.session.execute(delete(CycleResult).where(CycleResult.budget_id.in_(budget_ids), CycleResult.kind == ResultKind.PREVIEW))
    now = utcnow()
    previews = []
    for budget in cycle.budgets:
        data = outcomes[budget.id]
        preview = CycleResult(
            budget_id=budget.id, kind=ResultKind.PREVIEW, computed_at=now, computed_by_id=getattr(official, "id", None),
            rule=pb_rule_name(cycle), num_ballots=data["num_voters"], outcome=data,
        )
        db.session.add(preview)
        previews.append(preview)
    db.session.flush()
    record(official, "cycles.results_preview", cycle, area=cycle.area, details={
        "rule": pb_rule_name(cycle), "again": bool(again),
        "selected": {str(b.id): outcomes[b.id]["selected"] for b in cycle.budgets},
        "ballots": {str(b.id): outcomes[b.id]["num_voters"] for b in cycle.budgets},
    })
    return previews


def latest_preview(budget: CycleBudget) -> CycleResult | None:
    return _latest(budget, ResultKind.PREVIEW)


def publish_results(official: Any, cycle: Cycle) -> None:
    """Publish the previews of every budget: they become the frozen, public results (audited).

    Refused without a preview of every budget, a second time, and when the
    ballots no longer give the preview's outcome (paper ballots entered or
    removed since): the official computes the preview again and checks it.
    """
    _require_official(official, cycle, _l("Only officials of this area can publish the results."))
    if cycle.results_published_at is not None:
        raise CycleError(_l("The results are already published and frozen; they cannot be published a second time."))
    if not cycle.budgets:
        raise CycleError(_l("This cycle has no budget to count."))
    previews = {b.id: latest_preview(b) for b in cycle.budgets}
    if any(p is None for p in previews.values()):
        raise CycleError(_l("There is no preview to publish: compute the preview of the results first and check it."))
    outcomes = _tally_all(cycle)
    for budget in cycle.budgets:
        data, preview = outcomes[budget.id], previews[budget.id]
        if data["selected"] != preview.outcome["selected"] or data["num_voters"] != preview.num_ballots \
                or data["votes"] != preview.outcome.get("votes"):
            raise CycleError(_l("The ballots of “%(name)s” have changed since the preview was computed: compute the preview again, check it, then publish.",
                                name=budget.name))
    now = utcnow()
    winners = []
    for budget in cycle.budgets:
        preview = previews[budget.id]
        preview.kind = ResultKind.PUBLISHED
        preview.published_at = now
        preview.published_by_id = getattr(official, "id", None)
        chosen = set(preview.outcome["selected"])
        for project in budget.projects:
            project.selected = project.pb_project_id in chosen
            if project.selected:
                winners.append(project)
    cycle.results_published_at = now
    db.session.flush()
    record(official, "cycles.results_publish", cycle, area=cycle.area, details={
        "rule": pb_rule_name(cycle),
        "selected": {str(b.id): previews[b.id].outcome["selected"] for b in cycle.budgets},
        "ballots": {str(b.id): previews[b.id].num_ballots for b in cycle.budgets},
    })
    for project in winners:
        if project.proposal_id is not None:
            _select_proposal(official, project)


def recount_results(official: Any, cycle: Cycle) -> list[RecountReport]:
    """Count the published cycle again and compare each budget with its frozen result (audited); nothing changes."""
    _require_official(official, cycle, _l("Only officials of this area can recount the results."))
    if cycle.results_published_at is None:
        raise CycleError(_l("The results are not published yet: compute a preview instead of a recount."))
    outcomes = _tally_all(cycle)
    reports = []
    for budget in cycle.budgets:
        published = _latest(budget, ResultKind.PUBLISHED)
        data = outcomes[budget.id]
        before = published.outcome["selected"] if published else []
        changed = sorted(before) != sorted(data["selected"]) or (published is not None and published.num_ballots != data["num_voters"])
        db.session.add(CycleResult(
            budget_id=budget.id, kind=ResultKind.RECOUNT, computed_by_id=getattr(official, "id", None),
            rule=pb_rule_name(cycle), num_ballots=data["num_voters"], outcome=data, changed=changed,
        ))
        reports.append(RecountReport(budget, changed, list(before), list(data["selected"])))
    db.session.flush()
    record(official, "cycles.recount", cycle, area=cycle.area, details={
        "budgets": {str(r.budget.id): {"changed": r.changed, "published": r.published, "recounted": r.recounted} for r in reports},
    })
    return reports


def compute_results(official: Any, cycle: Cycle) -> list[RecountReport] | None:
    """Both steps at once, for scripts (the demo data, tests): preview and publish, or recount once published.

    Returns None when the results were published now, or one report per
    budget for a recount. The web pages call the steps one by one.
    """
    if cycle.results_published_at is not None:
        return recount_results(official, cycle)
    compute_preview(official, cycle)
    publish_results(official, cycle)
    return None


def _select_proposal(official: Any, project: CycleProject) -> None:
    """Move a winning proposal to "selected" through the proposals service (audited, notified)."""
    from app.proposals.models import Proposal, ProposalState

    proposal = db.session.get(Proposal, project.proposal_id)
    if proposal is None or proposal.state is not ProposalState.SHORTLISTED:
        return
    from app.cycles import integration

    integration.transition_proposal(official, proposal, ProposalState.SELECTED)


def _latest(budget: CycleBudget, kind: ResultKind) -> CycleResult | None:
    return db.session.scalar(
        select(CycleResult).where(CycleResult.budget_id == budget.id, CycleResult.kind == kind)
        .order_by(CycleResult.id.desc()).limit(1)
    )


def latest_recount(budget: CycleBudget) -> CycleResult | None:
    return _latest(budget, ResultKind.RECOUNT)


# --- turnout -------------------------------------------------------------------------------------


def turnout(cycle: Cycle, budget: CycleBudget) -> dict[str, Any]:
    """Ballots cast against eligible voters, by channel, and by subdistrict where the budget spans several.

    Eligible voters are the people who may vote in the budget now (eligibility.voter_problem's
    rule): verified residents, not blocked or deleted, of the area's province, of its
    subdistricts, and of the budget's own subdistricts when it has some. Counted when the
    result is computed and kept with it, so a published result keeps the figure it had.
    By subdistrict: the eligible voters, and the online voters (from `cycle_voters`, which says
    that a person voted and nothing about how); paper ballots carry no address, so they are
    given for the whole budget only. An imported cycle has no residents: no eligible figure.
    """
    from app.accounts.models import User
    from app.cycles.eligibility import area_subdistrict_codes, budget_subdistrict_codes
    from app.cycles.models import CycleVoter

    counts = dict(db.session.execute(
        select(CycleBallot.channel, func.count(CycleBallot.id))
        .where(CycleBallot.budget_id == budget.id, CycleBallot.replaced.is_(False))
        .group_by(CycleBallot.channel)
    ).all())
    data: dict[str, Any] = {
        "online": counts.get(BallotChannel.ONLINE, 0), "paper": counts.get(BallotChannel.PAPER, 0),
        "imported": counts.get(BallotChannel.IMPORTED, 0), "eligible": None, "by_subdistrict": [],
    }
    data["cast"] = data["online"] + data["paper"] + data["imported"]
    # Paper ballots from forums that did not check ID cards (their voters may also have voted online).
    data["paper_unchecked"] = db.session.scalar(
        select(func.coalesce(func.sum(PaperBatch.ballot_count), 0))
        .where(PaperBatch.budget_id == budget.id, PaperBatch.ids_checked.is_(False))
    ) or 0
    if cycle.is_imported:
        return data
    area = cycle.area
    codes = budget_subdistrict_codes(budget) or area_subdistrict_codes(area)
    residents = [User.residency_verified_at.is_not(None), User.deleted_at.is_(None), User.is_blocked.is_(False),
                 User.province_code == area.province_code]
    if codes is not None:
        residents.append(User.subdistrict_code.in_(sorted(codes)))
    if cycle.accepted_methods:  # only residents verified by a method the cycle accepts
        from app.accounts.models import ResidencyMethod
        from app.cycles.eligibility import accepted_methods

        accepted = accepted_methods(cycle)
        by_method = User.residency_method.in_(accepted)
        residents.append(or_(by_method, User.residency_method.is_(None)) if ResidencyMethod.IN_PERSON in accepted else by_method)
    eligible = dict(db.session.execute(
        select(User.subdistrict_code, func.count(User.id)).where(*residents).group_by(User.subdistrict_code)
    ).all())
    data["eligible"] = sum(eligible.values())
    if codes is not None and len(codes) >= 2:
        online = dict(db.session.execute(
            select(User.subdistrict_code, func.count(CycleVoter.id)).join(User, User.id == CycleVoter.user_id)
            .where(CycleVoter.budget_id == budget.id).group_by(User.subdistrict_code)
        ).all())
        data["by_subdistrict"] = [
            {"code": code, "eligible": eligible.get(code, 0), "online": online.get(code, 0)} for code in sorted(codes)
        ]
    return data


def _percent(part: int, whole: int | None) -> str | None:
    """part of whole in per cent, or None where it says nothing: no whole, or more than the whole.

    Paper ballots come from forums that residents not registered on Ruamkhit attend too, so
    the ballots may outnumber the verified residents; a turnout over 100% would mislead.
    """
    if not whole or part > whole:
        return None
    return f"{part * 100 / whole:.1f}"


def turnout_view(cycle: Cycle, budget: CycleBudget, result: CycleResult) -> dict[str, Any] | None:
    """The turnout kept with a result, with percentages and subdistrict names; None for results counted before 13.2."""
    from app.areas.models import Subdistrict

    data = result.outcome.get("turnout")
    if data is None:
        return None
    eligible = data.get("eligible")
    rows = data.get("by_subdistrict") or []
    names = {s.code: s for s in db.session.scalars(select(Subdistrict).where(Subdistrict.code.in_([r["code"] for r in rows])))} if rows else {}
    return {
        **data,
        "percent": _percent(data["cast"], eligible),
        "online_percent": _percent(data["online"], eligible),
        "more_than_eligible": eligible is not None and data["cast"] > eligible,
        "rows": [{**r, "subdistrict": names.get(r["code"]), "percent": _percent(r["online"], r["eligible"])} for r in rows],
    }


# --- presenting ---------------------------------------------------------------------------------


def _baht(value: Any) -> str:
    return format_baht(int(round(float(value))))


def _num(value: Any) -> str:
    number = float(value)
    return f"{int(number):,}" if number == int(number) else f"{number:,.2f}"


def explanation_text(explanation: dict[str, Any], vote_type: str) -> str:
    """The tally's structured explanation of one project, worded in the current language."""
    code = explanation.get("code")
    v = explanation
    if code == "selected":
        return _("Selected: with %(score)s in support it fitted in the budget; %(remaining)s was left after it.",
                 score=_score(v.get("score"), vote_type), remaining=_baht(v["remaining"]))
    if code == "did_not_fit":
        return _("Not selected: when its turn came (projects are taken by votes), only %(remaining)s of the budget was left, less than its cost of %(cost)s.",
                 remaining=_baht(v["remaining"]), cost=_baht(v["cost"]))
    if code == "not_reached":
        return _("Not selected: counting stopped at an earlier project that did not fit the money left (this rule does not skip).")
    if code == "below_threshold":
        return _("Not selected: %(score)s in support, below the threshold of %(threshold)s.",
                 score=_score(v.get("score"), vote_type), threshold=_num(v["threshold"]))
    if code == "free":
        return _("Selected: it costs nothing and %(votes)s people voted for it.", votes=_num(v["votes"]))
    if code == "mes_selected":
        payers = int(v.get("full_payers", 0))
        exhausted = int(v.get("exhausted_payers", 0))
        if "share" in v:
            text = _("Selected in round %(round)d: %(payers)d of its %(votes)s supporters each paid an equal share of %(share)s from their own part of the budget.",
                     round=int(v["round"]), payers=payers, votes=_num(v["votes"]), share=_baht(v["share"]))
        else:
            text = _("Selected in round %(round)d: its supporters paid %(price)s for each point they gave it, from their own part of the budget.",
                     round=int(v["round"]), price=_baht(v["price_per_point"]))
        if exhausted:
            text += " " + _("%(n)d supporters could not pay a full share and paid all they had left (%(paid)s together).",
                            n=exhausted, paid=_baht(v.get("exhausted_paid", 0)))
        return text
    if code == "mes_unaffordable":
        return _mes_short_text(v)
    if code == "no_supporters":
        return _("Not selected: nobody voted for it.")
    if code == "completion_selected":
        return _("Selected when the money left over was shared out by votes (completion); %(remaining)s was left after it.",
                 remaining=_baht(v["remaining"]))
    if code == "completion_did_not_fit":
        if "supporters_money" in v:
            return _mes_short_text(v) + " " + _("When the money left over was then shared out by votes, only %(remaining)s was left at its turn.",
                                                remaining=_baht(v["remaining"]))
        return _("Not selected: its supporters' shares ran out, and when the money left over was shared out it did not fit the remaining %(remaining)s (it costs %(cost)s).",
                 remaining=_baht(v["remaining"]), cost=_baht(v["cost"]))
    return _("No explanation is available for this project.")


def _fine_baht(value: Any) -> str:
    """Whole baht, or satang when the amount is under ฿10 and not whole (a shortfall of ฿0.40 is not ฿0)."""
    number = float(value)
    if abs(number) < 10 and abs(number - round(number)) >= 0.005:
        return f"฿{number:,.2f}"
    return _baht(number)


def _mes_short_text(v: dict[str, Any]) -> str:
    """Why equal shares passed a project over: the decisive reason first, then the other fact.

    The budget left decides when it is less than the cost (no share could
    have paid for it then); otherwise the supporters' shares did.
    """
    cost = float(v["cost"])
    money = float(v["supporters_money"])
    short = _fine_baht(max(cost - money, 0))
    if "budget_left" not in v:  # results computed before the budget left was recorded
        return _("Not selected: its %(votes)s supporters' shares ran out; they had %(money)s left together, less than its cost of %(cost)s.",
                 votes=_num(v["votes"]), money=_baht(money), cost=_baht(cost))
    left = float(v["budget_left"])
    if left < cost:
        return _("Not selected: only %(left)s of the budget was left, less than its cost of %(cost)s. Its %(votes)s supporters' shares had also run out (together %(money)s, %(short)s short).",
                 left=_baht(left), cost=_baht(cost), votes=_num(v["votes"]), money=_baht(money), short=short)
    return _("Not selected: its %(votes)s supporters' shares ran out: in the final round they had %(money)s left together, %(short)s short of its cost of %(cost)s. The budget left (%(left)s) could have paid for it, but equal shares pays for a project only from its own supporters' shares.",
             votes=_num(v["votes"]), money=_baht(money), short=short, cost=_baht(cost), left=_baht(left))


def _score(value: Any, vote_type: str) -> str:
    if value is None:
        return ""
    if vote_type == "approval":
        return _("%(n)s votes", n=_num(value))
    return _("%(n)s points", n=_num(value))


def result_view(cycle: Cycle, budget: CycleBudget, result: CycleResult) -> dict[str, Any]:
    """What the results page shows for one budget: rows sorted winners first, then by support."""
    data = result.outcome
    vote_type = data.get("vote_type", "approval")
    selected = set(data["selected"])
    rows = []
    for project in budget.projects:
        pid = project.pb_project_id
        rows.append({
            "project": project,
            "selected": pid in selected,
            "votes": data.get("votes", {}).get(pid, 0),
            "score": data.get("scores", {}).get(pid, 0),
            "score_text": _num(data.get("scores", {}).get(pid, 0)),
            "explanation": explanation_text(data["explanations"].get(pid, {}), vote_type),
        })
    order = {pid: i for i, pid in enumerate(data["selected"])}
    rows.sort(key=lambda r: (not r["selected"], order.get(r["project"].pb_project_id, 0), -r["score"], r["project"].cost))
    used = sum(r["project"].cost for r in rows if r["selected"])
    top = max([r["score"] for r in rows] + [1])
    # Bars in thousandths of the longest (an SVG's width attribute: the page's CSP allows no inline style).
    chart = [{"permille": max(round(1000 * r["score"] / top), 4) if r["score"] else 0, **r} for r in rows]
    details = data.get("details", {})
    return {
        "budget": budget, "result": result, "rows": rows, "used": used, "amount": budget.amount,
        "used_percent": (used * 100 // budget.amount) if budget.amount else 0,
        "used_permille": min(round(1000 * used / budget.amount), 1000) if budget.amount else 0,
        "chart": chart, "num_ballots": result.num_ballots,
        "vote_type": vote_type, "voter_budget": details.get("voter_budget"), "score_label_points": vote_type != "approval",
    }


# --- .pb export and import ---------------------------------------------------------------------


def export_pb(cycle: Cycle, budget: CycleBudget, preview: bool = False) -> str:
    """The anonymised ballots of a budget as a pabulib .pb file.

    `selected` is the published result's once published; with `preview` (for the
    area's officials only, checked by the route) it is the latest preview's.
    """
    from app.tally.pb import write_pb

    result = _latest(budget, ResultKind.PREVIEW if preview else ResultKind.PUBLISHED)
    selected = set(result.outcome["selected"]) if result else None
    return write_pb(build_budget_election(cycle, budget, selected))


def export_allowed(cycle: Cycle) -> bool:
    """Ballots are published once voting has closed (never a running count)."""
    return current_phase(cycle) in (Phase.RESULTS, Phase.IMPLEMENTATION)


def _whole(value: Decimal, what) -> int:
    if value != value.to_integral_value():
        raise CycleError(_l("%(what)s must be whole numbers: Ruamkhit keeps money and points as whole numbers.", what=what))
    return int(value)


def import_pb(official: Any, area: Area, stream: IO[bytes], filename: str, progress=None) -> Cycle:
    """Create a cycle from a .pb file, with its projects and ballots, ready to be counted (review or demonstration).

    `progress(done, total)`, when given, hears how many ballots are written (a background job's page shows it).
    """
    from app.cycles.services import CycleSettings, add_budget, create_cycle, refresh_ballot_ready
    from app.tally.pb import PbFormatError, read_pb
    from app.tally.rules import rule_from_meta

    if not can_manage_cycles(official, area):
        raise CycleError(_l("Only officials of this area can import a .pb file."))
    try:
        election = read_pb(stream)
    except PbFormatError as error:
        raise CycleError(_l("The file could not be read as a .pb file: %(message)s", message=str(error))) from None
    if not election.projects:
        raise CycleError(_l("The file has no projects."))
    if len(election.ballots) > MAX_IMPORT_BALLOTS:
        raise CycleError(_l("The file has more than %(n)s ballots, more than Ruamkhit imports at once.", n=f"{MAX_IMPORT_BALLOTS:,}"))
    too_long = next((pid for pid in election.projects if len(pid) > 64), None)
    if too_long is not None:
        raise CycleError(_l("Project id “%(id)s…” is longer than 64 characters.", id=too_long[:20]))
    budget_amount = _whole(election.budget, _l("The budget"))
    costs = {pid: _whole(p.cost, _l("Project costs")) for pid, p in election.projects.items()}
    if budget_amount <= 0:
        raise CycleError(_l("The file's budget must be more than zero."))
    vote_type = election.vote_type
    kind = {"approval": BallotKind.APPROVAL, "choose-1": BallotKind.APPROVAL, "cumulative": BallotKind.CUMULATIVE,
            "scoring": BallotKind.CUMULATIVE, "ordinal": BallotKind.RANKING}[vote_type]
    lengths = [len(b.projects) for b in election.ballots] or [1]
    settings = dict(min_projects=None, max_projects=None, points_total=None, points_max=None, rank_k=None)
    ballot_values: list[list[int]] = []
    if kind is BallotKind.CUMULATIVE:
        for b in election.ballots:
            ballot_values.append([_whole(p, _l("Points")) for p in (b.points or ())])
        sums = [sum(v) for v in ballot_values] or [1]
        settings["points_total"] = max(max(sums), 1)
        settings["points_max"] = max([max(v) for v in ballot_values if v] or [1])
    elif kind is BallotKind.RANKING:
        settings["rank_k"] = max(lengths)
    else:
        settings["max_projects"] = 1 if vote_type == "choose-1" else max(lengths)
    named = election.meta.get("rule", "").strip().lower()
    # Ruamkhit's own exports also name MES's greedy completions.
    found = ("mes", named.split("/", 1)[1]) if named in ("equalshares/greedy", "equalshares/add1+greedy") else rule_from_meta(election.meta)
    rule, completion = (TallyRule(found[0]), Completion(found[1] or "add1")) if found else (TallyRule.GREEDY, Completion.ADD1)
    threshold = None
    if rule is TallyRule.GREEDY_THRESHOLD:
        threshold = _whole(Decimal(election.meta.get("min_project_score_threshold", "0") or "0"), _l("The threshold"))
        threshold = threshold or 1
    today = bangkok_today()
    title = (election.meta.get("description") or filename or "pabulib").strip()[:200]
    # Implementation starts on the last day of the fiscal year (phases lie within it, services.phase_window).
    year = fiscal_year_of(today + timedelta(days=1))
    cycle = create_cycle(official, area, CycleSettings(
        fiscal_year=year, title=title,
        description=(election.meta.get("comment") or "")[:5000],
        total_budget=budget_amount, ballot_kind=kind, rule=rule, completion=completion,
        ideas_from=today - timedelta(days=4), supports_from=today - timedelta(days=3), review_from=today - timedelta(days=2),
        voting_from=today - timedelta(days=1), results_from=today, implementation_from=fiscal_year_bounds(year)[1],
        threshold=threshold, **settings,
    ))
    cycle.imported_from = filename[:200] or "upload.pb"
    budget = add_budget(official, cycle, election.meta.get("subunit") or election.meta.get("unit") or title, budget_amount)
    project_ids = {}
    for position, (pid, project) in enumerate(election.projects.items()):
        line = CycleProject(cycle_id=cycle.id, budget_id=budget.id, title=(project.name or pid)[:300], cost=costs[pid],
                            pb_project_id=pid, position=position,
                            description=(project.fields.get("description") or "")[:5000])
        db.session.add(line)
        db.session.flush()
        project_ids[pid] = line.id
    refresh_ballot_ready(cycle)
    ballot_rows, choice_rows = [], []
    for index, b in enumerate(election.ballots):
        ballot_id = new_ballot_id()
        ballot_rows.append({"id": ballot_id, "budget_id": budget.id, "cast_on": today, "channel": BallotChannel.IMPORTED,
                            "receipt_hash": None, "voter_hash": None, "replaced": False, "paper_batch_id": None})
        for position, pid in enumerate(b.projects):
            if kind is BallotKind.CUMULATIVE:
                value = ballot_values[index][position]
                if value == 0:
                    continue
            elif kind is BallotKind.RANKING:
                value = position + 1
            else:
                value = 1
            choice_rows.append({"ballot_id": ballot_id, "project_id": project_ids[pid], "value": value})
    total = len(ballot_rows) + len(choice_rows)
    for start in range(0, len(ballot_rows), 5000):
        db.session.execute(insert(CycleBallot.__table__), ballot_rows[start:start + 5000])
        if progress is not None:
            progress(min(start + 5000, len(ballot_rows)), total)
    for start in range(0, len(choice_rows), 20000):
        db.session.execute(insert(BallotChoice.__table__), choice_rows[start:start + 20000])
        if progress is not None:
            progress(len(ballot_rows) + min(start + 20000, len(choice_rows)), total)
    db.session.flush()
    record(official, "cycles.import_pb", cycle, area=area, details={
        "file": cycle.imported_from, "projects": len(project_ids), "ballots": len(ballot_rows), "vote_type": vote_type,
    })
    return cycle
