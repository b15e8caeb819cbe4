"""How fair a result is, for the results page: proportionality checks, satisfaction beside the other rule, and how equal shares ran.

`fairness_data` runs when a result is computed (preview or recount) and is
stored inside the result's outcome JSON under "fairness", so a published
result keeps the checks it was published with. `fairness_view` words them
for the page in the reader's language. The checks themselves are
`app.tally.proportionality`'s (pure, no Flask).
"""
from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _

from app.core.formatting import format_baht
from app.cycles.models import CycleBudget, CycleResult, TallyRule

log = logging.getLogger(__name__)

__all__ = ["fairness_data", "fairness_view", "mes_summary", "price_system_csv"]


def fairness_data(cycle: Any, election: Any, outcome: dict[str, Any]) -> dict[str, Any]:
    """The checks of the official outcome and the other rule's outcome with its satisfaction figures."""
    from app.tally.profile import build_profile
    from app.tally.proportionality import outcome_checks, satisfaction
    from app.tally.rules import tally

    try:
        profile = build_profile(election)
        data: dict[str, Any] = {"checks": outcome_checks(profile, outcome)}
        if cycle.rule is TallyRule.MES:
            other = tally(election, "greedy")
        else:
            other = tally(election, "mes", cycle.completion.value)
        data["other"] = {
            "rule": other.rule, "completion": other.completion, "selected": list(other.selected),
            "cost": float(other.cost), "satisfaction": satisfaction(profile, other.selected),
        }
        return data
    except Exception:  # the analysis must never stop a result from being computed
        log.exception("fairness checks failed for cycle %s", getattr(cycle, "id", None))
        return {"error": True}


def _baht(value: Any) -> str:
    return format_baht(int(round(float(value))))


def _percent(share: float) -> str:
    return f"{100 * share:.1f}".rstrip("0").rstrip(".")


def mes_summary(budget: CycleBudget, result: CycleResult, titles: dict[str, str]) -> dict[str, Any] | None:
    """How equal shares ran: starting and final share, rounds, what stayed unspent and why."""
    data = result.outcome
    if data.get("rule") != "mes":
        return None
    details = data.get("details", {})
    voters = data.get("num_voters") or result.num_ballots or 0
    costs = {p.pb_project_id: p.cost for p in budget.projects}
    selected = set(data.get("selected", []))
    used = sum(costs.get(pid, 0) for pid in selected)
    unspent = budget.amount - used
    fitting = sorted((pid for pid in costs if pid not in selected and costs[pid] <= unspent), key=lambda pid: costs[pid])
    if unspent <= 0:
        reason = ""
    elif fitting:
        names = ", ".join(titles.get(pid, pid) for pid in fitting[:3])
        reason = _("Some projects would fit in what is left (%(names)s), but their supporters' shares ran out: equal shares pays for a project only from the shares of the people who voted for it.", names=names)
    else:
        reason = _("No project that was not selected costs %(left)s or less, so nothing more fits.", left=format_baht(unspent))
    start = budget.amount / voters if voters else 0
    final = details.get("voter_budget")
    return {
        "start_share": _baht(start) if voters else None,
        "final_share": _baht(final) if final is not None else None,
        "raised": final is not None and voters and round(float(final)) > round(start),
        "increments": details.get("increments"),
        "rounds": details.get("rounds"),
        "unspent": format_baht(unspent),
        "unspent_percent": _percent(unspent / budget.amount) if budget.amount else "0",
        "reason": reason,
        "completion": data.get("completion"),
    }


def _satisfaction_row(label: str, official: bool, figures: dict[str, float]) -> dict[str, Any]:
    return {
        "label": label, "official": official,
        "voters_with_funded": _percent(figures["voters_with_funded"]),
        "avg_cost_share": _percent(figures["avg_cost_share"]),
    }


def _rule_label(rule: str, completion: str | None) -> str:
    if rule == "mes":
        return _("Method of Equal Shares")
    if rule == "greedy-threshold":
        return _("Greedy by votes, with a minimum score")
    if rule == "greedy-no-skip":
        return _("Greedy by votes, stopping at the first project that does not fit")
    return _("Greedy by votes")


def fairness_view(cycle: Any, budget: CycleBudget, result: CycleResult) -> dict[str, Any] | None:
    """The page's words and figures for one budget's result (None for results computed before the checks existed)."""
    data = result.outcome
    fairness = data.get("fairness")
    titles = {p.pb_project_id: p.title for p in budget.projects}
    view: dict[str, Any] = {"mes": mes_summary(budget, result, titles)}
    if not fairness or fairness.get("error"):
        return view if view["mes"] else None
    checks = fairness["checks"]
    other = fairness["other"]
    rows = [
        _satisfaction_row(_rule_label(data.get("rule", ""), data.get("completion")), True, checks["satisfaction"]),
        _satisfaction_row(_rule_label(other["rule"], other["completion"]), False, other["satisfaction"]),
    ]
    other_selected = set(other["selected"])
    view["satisfaction"] = rows
    view["other_rule"] = rows[1]["label"]
    view["other_differs"] = other_selected != set(data.get("selected", []))
    view["other_only"] = [titles.get(pid, pid) for pid in other["selected"] if pid not in set(data.get("selected", []))]
    view["official_only"] = [titles.get(pid, pid) for pid in data.get("selected", []) if pid not in other_selected]
    view["applicable"] = checks.get("applicable", False)
    if not view["applicable"] or "ejr" not in checks:
        return view
    ejr = checks["ejr"]
    view["ejr"] = {
        "satisfied": ejr["satisfied"],
        "complete_up_to": ejr.get("complete_up_to"),
        "groups": [
            {"projects": [titles.get(pid, pid) for pid in v["projects"]], "cost": _baht(v["cost"]),
             "group_size": v["group_size"], "needed": v["needed"], "best": _baht(v["best_utility"])}
            for v in ejr["violations"]
        ],
    }
    view["priceable"] = checks.get("priceable", {})
    system = checks.get("price_system")
    if system:
        view["price_system"] = {
            "voter_budget": _baht(system["voter_budget"]),
            "rows": [
                {"title": titles.get(pid, pid), "share": _baht(p["share"]), "full": p["full_payers"], "partial": p["partial_payers"]}
                for pid, p in system["projects"].items()
            ],
            "holds": system["holds"],
        }
    return view


def price_system_csv(cycle: Any, budget: CycleBudget, result: CycleResult) -> str | None:
    """Each voter's payment for each funded project in the equal-shares run, as CSV (None where there is none).

    Voter ids are those of the budget's `.pb` export (1..n in the order of
    the random ballot ids), so the payments can be checked against the
    published ballots. None when the rule is not equal shares, the ballots
    are not approval ballots, or the ballots no longer are those the result
    counted (a recount found a difference).
    """
    import csv
    import io

    from app.cycles.results import build_budget_election
    from app.tally.profile import build_profile
    from app.tally.proportionality import mes_system_of, voter_groups

    if result.outcome.get("rule") != "mes":
        return None
    election = build_budget_election(cycle, budget)
    profile = build_profile(election)
    if profile.kind != "approval" or profile.num_voters != result.num_ballots:
        return None
    system = mes_system_of(profile, result.outcome)
    if system is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["voter_id", "project_id", "payment"])
    for ballot, group in zip(election.ballots, voter_groups(election)):
        for c, amount in sorted(system.payments[group].items()):
            writer.writerow([ballot.voter_id, profile.project_ids[c], f"{amount / profile.money_scale:.4f}"])
    return out.getvalue()
