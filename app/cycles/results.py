"""Results: the tally of each budget with the cycle's rule, its explanations, and .pb export and import.

The counting itself is app.tally's (pure Python, the same code anyone can
run on the published `.pb` file). This module turns a budget's live
ballots into a tally election, stores the outcome (frozen once published),
words the tally's structured explanations in the reader's language, and
moves the winners' proposals to "selected".
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from app.areas.models import Area
from app.audit.services import record
from app.core.formatting import fiscal_year as fiscal_year_of, fiscal_year_bounds, format_baht
from app.core.timeutil import utcnow
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
    Phase,
    ResultKind,
    TallyRule,
)
from app.cycles.phases import bangkok_today, current_phase
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
    """The rule as pabulib's META names it."""
    if cycle.rule is TallyRule.MES:
        return {Completion.ADD1: "equalshares/add1", Completion.NONE: "equalshares"}.get(
            cycle.completion, f"equalshares/{cycle.completion.value}"
        )
    return cycle.rule.value


# --- from ballots to a tally election ----------------------------------------------


def live_ballots(budget: CycleBudget, kind: BallotKind) -> list[tuple[str, list[tuple[str, int]]]]:
    """(ballot id, [(pb project id, value)]) of every counted ballot, ordered by the random ballot id."""
    rows = db.session.execute(
        select(BallotChoice.ballot_id, CycleProject.pb_project_id, BallotChoice.value)
        .join(CycleBallot, CycleBallot.id == BallotChoice.ballot_id)
        .join(CycleProject, CycleProject.id == BallotChoice.project_id)
        .where(CycleBallot.budget_id == budget.id, CycleBallot.replaced.is_(False))
        .order_by(BallotChoice.ballot_id, BallotChoice.value, CycleProject.pb_project_id)
    )
    ballots: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for ballot_id, pb_id, value in rows:
        ballots[ballot_id].append((pb_id, value))
    return list(ballots.items())


def build_budget_election(cycle: Cycle, budget: CycleBudget, selected: set[str] | None = None):
    """The budget as a tally Election: META with the rule and budget, PROJECTS, VOTES with random voter ids.

    Voter ids are 1..n in the order of the random ballot ids: they say
    nothing about who voted or when.
    """
    from app.tally.pb import Ballot, Project, build_election

    vote_type = VOTE_TYPES[cycle.ballot_kind]
    votes: dict[str, int] = defaultdict(int)
    ballots = []
    for number, (_ballot_id, choices) in enumerate(live_ballots(budget, cycle.ballot_kind), start=1):
        ids = tuple(pb for pb, _v in choices)  # ordered by value: by rank for ranking ballots
        for pb in ids:
            votes[pb] += 1
        points = tuple(Decimal(v) for _pb, v in choices) if vote_type == "cumulative" else None
        ballots.append(Ballot(str(number), ids, points))
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
        "date_begin": cycle.voting_from.isoformat(),
        "date_end": (cycle.results_from - timedelta(days=1)).isoformat(),
    }
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
    return build_election(
        budget=budget.amount, vote_type=vote_type, projects=projects, ballots=ballots, meta=meta, rule=pb_rule_name(cycle),
    )


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
    return data


# --- computing and publishing ------------------------------------------------------------------


def results_can_be_computed(cycle: Cycle) -> bool:
    return current_phase(cycle) in (Phase.RESULTS, Phase.IMPLEMENTATION)


@dataclass
class RecountReport:
    budget: CycleBudget
    changed: bool
    published: list[str]
    recounted: list[str]


def compute_results(official: Any, cycle: Cycle) -> list[RecountReport] | None:
    """Publish the results (first time) or recount them (afterwards, compared with the frozen ones).

    Returns None when the results were published now, or one report per
    budget for a recount.
    """
    if not can_manage_cycles(official, cycle.area):
        raise CycleError(_l("Only officials of this area can compute the results."))
    if not results_can_be_computed(cycle):
        raise CycleError(_l("The results can be computed only after voting has closed."))
    if not cycle.budgets:
        raise CycleError(_l("This cycle has no budget to count."))
    from app.cycles.closing import close_voting, voting_closed

    if not voting_closed(cycle):
        # Nothing is counted while a ballot can still be tied to its voter (issue 11.7).
        close_voting(cycle, official, how="results")
    from app.tally.outcome import TallyError
    from app.tally.pb import PbFormatError

    outcomes = {}
    for budget in cycle.budgets:
        try:
            outcomes[budget.id] = run_tally(cycle, budget)
        except (TallyError, PbFormatError) as error:
            raise CycleError(_l("The tally could not run: %(message)s", message=str(error))) from None
    if cycle.results_published_at is None:
        _publish(official, cycle, outcomes)
        return None
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


def _publish(official: Any, cycle: Cycle, outcomes: dict[int, dict]) -> None:
    now = utcnow()
    winners = []
    for budget in cycle.budgets:
        data = outcomes[budget.id]
        chosen = set(data["selected"])
        db.session.add(CycleResult(
            budget_id=budget.id, kind=ResultKind.PUBLISHED, computed_at=now, computed_by_id=getattr(official, "id", None),
            rule=pb_rule_name(cycle), num_ballots=data["num_voters"], outcome=data,
        ))
        for project in budget.projects:
            project.selected = project.pb_project_id in chosen
            if project.selected:
                winners.append(project)
    cycle.results_published_at = now
    db.session.flush()
    record(official, "cycles.results_publish", cycle, area=cycle.area, details={
        "rule": pb_rule_name(cycle),
        "selected": {str(b.id): outcomes[b.id]["selected"] for b in cycle.budgets},
        "ballots": {str(b.id): outcomes[b.id]["num_voters"] for b in cycle.budgets},
    })
    for project in winners:
        if project.proposal_id is not None:
            _select_proposal(official, project)


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
        return _("Not selected: it did not fit the remaining %(remaining)s (it costs %(cost)s).",
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
        return _("Not selected: its %(votes)s supporters' shares ran out; they had %(money)s left together, less than its cost of %(cost)s.",
                 votes=_num(v["votes"]), money=_baht(v["supporters_money"]), cost=_baht(v["cost"]))
    if code == "no_supporters":
        return _("Not selected: nobody voted for it.")
    if code == "completion_selected":
        return _("Selected when the money left over was shared out by votes (completion); %(remaining)s was left after it.",
                 remaining=_baht(v["remaining"]))
    if code == "completion_did_not_fit":
        return _("Not selected: its supporters' shares ran out, and when the money left over was shared out it did not fit the remaining %(remaining)s (it costs %(cost)s).",
                 remaining=_baht(v["remaining"]), cost=_baht(v["cost"]))
    return _("No explanation is available for this project.")


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


def export_pb(cycle: Cycle, budget: CycleBudget) -> str:
    """The anonymised ballots of a budget as a pabulib .pb file (with `selected` once published)."""
    from app.tally.pb import write_pb

    published = _latest(budget, ResultKind.PUBLISHED)
    selected = set(published.outcome["selected"]) if published else None
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
