"""The proportionality checks of one outcome, as JSON the web app stores beside the outcome.

`outcome_checks(profile, outcome)` runs, for approval ballots (approval,
choose-1, knapsack), with cost utilities:

- EJR up to one project (`app.tally.ejr`): the exact level-by-level
  search of cohesive project sets, bounded by `MAX_SETS` sets; on an
  election where it stops early it falls back to the ILP (exact, HiGHS,
  `ILP_SECONDS` at most), and when that does not decide either the
  answer says up to which size every project set was checked;
- priceability (`app.tally.priceability`): for an equal-shares outcome
  the price system its run built (checked against C1–C5), and for every
  outcome whether it is priceable at all (one LP, attempted up to
  `LP_COLUMNS` distinct-ballot payments and `LP_SECONDS`: beyond, the
  answer is "not computed", and for an equal-shares outcome its own
  price system still shows that it is priceable);
- for every ballot kind, `satisfaction`: the share of voters with at
  least one funded project among those they voted for, and the average,
  over voters, of the share of the cost of the projects they voted for
  that got funded.

The figures are plain numbers; the web app words them.
"""
from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import numpy as np

from app.tally.ejr import check_ejr_up_to_one
from app.tally.outcome import Outcome
from app.tally.pb import Election
from app.tally.priceability import check_price_system, funds_budget, is_priceable, mes_price_system
from app.tally.profile import Profile

__all__ = ["ILP_SECONDS", "MAX_SETS", "mes_system_of", "outcome_checks", "satisfaction", "voter_groups"]

MAX_SETS = 200_000
ILP_SECONDS = 30.0
LP_COLUMNS = 40_000
LP_SECONDS = 20.0
MAX_VIOLATIONS = 5


def satisfaction(profile: Profile, selected: tuple[str, ...] | list[str] | set[str]) -> dict[str, float]:
    """Share of voters with a funded project, and the average share of each voter's voted-for cost that was funded."""
    chosen = set(selected)
    g = profile.num_groups
    funded_cost = np.zeros(g, dtype=np.float64)
    total_cost = np.zeros(g, dtype=np.float64)
    has_funded = np.zeros(g, dtype=bool)
    for c, idx in enumerate(profile.supporters):
        total_cost[idx] += profile.costs[c]
        if profile.project_ids[c] in chosen:
            funded_cost[idx] += profile.costs[c]
            has_funded[idx] = True
    weights = profile.weights.astype(np.float64)
    n = profile.num_voters
    voted = total_cost > 0
    counted = float(weights[voted].sum())
    share = np.divide(funded_cost, total_cost, out=np.zeros(g), where=voted)
    return {
        "voters_with_funded": float(weights[has_funded].sum() / n) if n else 0.0,
        "avg_cost_share": float((weights * share).sum() / counted) if counted else 0.0,
    }


def voter_groups(election: Election) -> list[int]:
    """For each ballot of an approval election, in order, the index of its distinct ballot in `build_profile`'s profile."""
    index: dict[frozenset[str], int] = {}
    return [index.setdefault(frozenset(b.projects), len(index)) for b in election.ballots]


def mes_system_of(profile: Profile, outcome: Outcome | dict[str, Any]):
    """The price system of an equal-shares outcome's run (None for other rules or non-approval ballots)."""
    data = outcome.as_json() if isinstance(outcome, Outcome) else outcome
    if data.get("rule") != "mes" or profile.kind != "approval":
        return None
    index = {pid: c for c, pid in enumerate(profile.project_ids)}
    rounds, free = [], []
    for pid, e in data["explanations"].items():
        if e.get("code") == "mes_selected" and "share" in e:
            rounds.append((int(e["round"]), index[pid], float(e["share"]) * profile.money_scale))
        elif e.get("code") == "free":
            free.append(index[pid])
    rounds.sort()
    voter_budget = data.get("details", {}).get("voter_budget")
    if voter_budget is None:
        voter_budget = profile.budget / profile.num_voters / profile.money_scale if profile.num_voters else 0
    return mes_price_system(profile, [(c, share) for _, c, share in rounds], float(voter_budget) * profile.money_scale, free)


def outcome_checks(profile: Profile, outcome: Outcome | dict[str, Any], *, max_sets: int = MAX_SETS) -> dict[str, Any]:
    """Every check of one outcome, as JSON (amounts in the election's currency)."""
    data = outcome.as_json() if isinstance(outcome, Outcome) else outcome
    selected = tuple(data["selected"])
    checks: dict[str, Any] = {"satisfaction": satisfaction(profile, selected), "applicable": profile.kind == "approval"}
    if profile.kind != "approval" or profile.num_voters == 0 or profile.budget <= 0:
        return checks
    scale = profile.money_scale
    ejr = check_ejr_up_to_one(profile, selected, max_sets=max_sets, max_violations=MAX_VIOLATIONS)
    seconds = ejr.seconds
    if ejr.satisfied is None or (ejr.satisfied is False and ejr.complete_up_to is not None):
        exact = check_ejr_up_to_one(profile, selected, method="ilp", time_limit=ILP_SECONDS)
        seconds += exact.seconds
        if exact.satisfied is not None:
            # The ILP decides; keep the search's groups when it found some (the ILP gives the smallest one).
            if exact.satisfied is False:
                ejr.violations = sorted({*ejr.violations, *exact.violations}, key=lambda v: (v.needed, -v.group_size, v.projects))
            ejr.satisfied, ejr.complete_up_to, ejr.method = exact.satisfied, None, "search+ilp"
    violations = sorted(ejr.violations, key=lambda v: (v.needed, -v.group_size, v.projects))[:MAX_VIOLATIONS]
    checks["ejr"] = {
        "satisfied": ejr.satisfied,
        "method": ejr.method,
        "complete_up_to": ejr.complete_up_to,
        "sets_examined": ejr.sets_examined,
        "seconds": round(seconds, 4),
        "violations": [
            {"projects": list(v.projects), "cost": _money(v.cost, scale), "group_size": v.group_size,
             "needed": v.needed, "best_utility": _money(v.best_utility, scale)}
            for v in violations
        ],
    }
    started = time.perf_counter()
    system = mes_system_of(profile, data)
    if system is not None:
        error = check_price_system(profile, system)
        checks["price_system"] = {
            "voter_budget": system.voter_budget / scale,
            "max_error": float(error) / scale,
            "holds": bool(error <= 1e-6 * max(profile.budget, 1)),
            "funds_budget": funds_budget(profile, system),
            "projects": {
                profile.project_ids[c]: {"share": system.shares[c] / scale, "full_payers": system.full_payers.get(c, 0),
                                         "partial_payers": system.partial_payers.get(c, 0)}
                for c in system.funded
            },
            "seconds": round(time.perf_counter() - started, 4),
        }
    if system is not None and checks["price_system"]["holds"] and checks["price_system"]["funds_budget"] and {profile.project_ids[c] for c in system.funded} == set(selected):
        # The run's own price system supports the whole outcome: priceable, no LP needed.
        checks["priceable"] = {"priceable": True, "method": "mes", "max_error": checks["price_system"]["max_error"],
                               "voter_budget": checks["price_system"]["voter_budget"], "seconds": 0.0}
        return checks
    priced = is_priceable(profile, selected, time_limit=LP_SECONDS, max_columns=LP_COLUMNS)
    checks["priceable"] = {
        "priceable": priced.priceable,
        "method": priced.method,
        "max_error": float(priced.max_error) / scale,
        "voter_budget": priced.price_system.voter_budget / scale if priced.price_system else None,
        "seconds": round(priced.seconds, 4),
    }
    return checks


def _money(amount: int, scale: int) -> int | float:
    value = Decimal(amount) / scale
    return int(value) if value == int(value) else float(value)
