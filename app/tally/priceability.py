"""Priceability of an outcome (approval ballots), and the price system of an equal-shares run.

A *price system* (Peters and Skowron, "Proportionality and the limits of
welfarism", EC 2020; pabutools' `validate_price_system`) gives every voter
the same budget `b` with `b * n >= budget` and a payment `p_i(c) >= 0` for
each project, such that:

- C1 a voter pays only for projects she approves;
- C2 she pays at most `b` in all;
- C3 the payments for a funded project add up to its cost;
- C4 nobody pays for an unfunded project;
- C5 the supporters of an unfunded project have at most its cost left
  together (they could not have bought it).

An outcome is *priceable* when some price system supports it. Equal
shares builds one as it goes (`mes_price_system`): each round the
supporters of the chosen project pay an equal share, or all they have
left if that is less. The completion's later projects (greedy on what is
left) are not paid for by it, so the outcome with them, like a greedy
outcome, is decided by `is_priceable`: with the outcome fixed the
conditions are linear in `b` and the payments, so this is a linear
program (SciPy's `linprog`, HiGHS), not an integer one. Voters with the
same ballot can be given the same payments (the average of a solution's
payments over them is again a solution), so it has one variable per
distinct ballot and funded project it approves, plus `b`.

Cost: `mes_price_system` is one pass over the rounds (`O(sum of the
supporters of the funded projects)`); the LP has `sum_g |A_g ∩ W| + 1`
columns and `g + |W| + (m - |W|) + 1` rows for `g` distinct ballots.
HiGHS's tolerances are 1e-7; the LP's answer is reported with the
largest violation of C3 and C5 by the price system it returns, so a
reader can see the margin.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from app.tally.profile import Profile

__all__ = ["PriceSystem", "PriceabilityResult", "check_price_system", "funds_budget", "is_priceable", "mes_price_system"]


@dataclass
class PriceSystem:
    """Payments per distinct ballot (`payments[g][c]`, one voter's payment), in Profile units."""

    voter_budget: float
    payments: list[dict[int, float]]
    funded: list[int]
    # Per funded project: the equal share (MES) and how many voters paid it in full / paid less.
    shares: dict[int, float] = field(default_factory=dict)
    full_payers: dict[int, int] = field(default_factory=dict)
    partial_payers: dict[int, int] = field(default_factory=dict)

    def left(self, profile: Profile) -> np.ndarray:
        """Money left per distinct ballot."""
        return np.array([self.voter_budget - sum(p.values()) for p in self.payments])


@dataclass
class PriceabilityResult:
    priceable: bool | None  # None: the solver did not decide
    method: str
    price_system: PriceSystem | None = None
    max_error: float = 0.0  # largest violation of C2, C3 or C5 by the price system, in money units
    seconds: float = 0.0


def check_price_system(profile: Profile, system: PriceSystem, selected: set[int] | None = None) -> float:
    """The largest violation of C2, C3 and C5 by `system` for the funded set (0 when they hold exactly).

    Raises on a breach of C1 or C4. Whether `b * n >= budget` is a separate
    question (`funds_budget`): equal shares with add1 starts from the
    whole-number floor of budget / voters, which can be just below it.
    """
    funded = set(system.funded if selected is None else selected)
    approve = [set() for _ in range(profile.num_groups)]
    for c, idx in enumerate(profile.supporters):
        for g in idx.tolist():
            approve[g].add(c)
    worst = 0.0
    paid = np.zeros(profile.num_projects)
    left = np.empty(profile.num_groups)
    weights = profile.weights.astype(np.float64)
    for g, payments in enumerate(system.payments):
        for c, amount in payments.items():
            if amount < 0 or (amount > 0 and (c not in approve[g] or c not in funded)):
                raise ValueError(f"ballot {g} pays {amount} for project {c}")
            paid[c] += weights[g] * amount
        spent = sum(payments.values())
        left[g] = system.voter_budget - spent
        worst = max(worst, spent - system.voter_budget)
    for c in range(profile.num_projects):
        if c in funded:
            worst = max(worst, abs(paid[c] - profile.costs[c]))
        else:
            idx = profile.supporters[c]
            money = float(weights[idx] @ np.maximum(left[idx], 0.0))
            worst = max(worst, money - profile.costs[c])
    return worst


def funds_budget(profile: Profile, system: PriceSystem) -> bool:
    """Whether the voters' money together covers the budget (`b * n >= budget`)."""
    return system.voter_budget * profile.num_voters >= profile.budget * (1 - 1e-12)


def mes_price_system(profile: Profile, rounds: list[tuple[int, float]], voter_budget: float, free: list[int] | tuple[int, ...] = ()) -> PriceSystem:
    """The price system of an equal-shares run: `rounds` are (project, equal share) in the order chosen.

    All in Profile units. With cost utilities every supporter of `c` owes
    the same share (price per unit of utility times the cost) and pays
    `min(what she has left, the share)`.
    """
    left = np.full(profile.num_groups, float(voter_budget))
    payments: list[dict[int, float]] = [dict() for _ in range(profile.num_groups)]
    system = PriceSystem(voter_budget=float(voter_budget), payments=payments, funded=list(free))
    weights = profile.weights
    for c in free:
        system.shares[c] = 0.0
    for c, share in rounds:
        idx = profile.supporters[c]
        have = left[idx]
        pay = np.minimum(have, share)
        left[idx] = have - pay
        for g, amount in zip(idx.tolist(), pay.tolist()):
            if amount > 0:
                payments[g][c] = amount
        full = have >= share * (1 - 1e-12)
        system.funded.append(c)
        system.shares[c] = share
        system.full_payers[c] = int(weights[idx][full].sum())
        system.partial_payers[c] = int(weights[idx][~full & (have > 0)].sum())
    return system


def is_priceable(
    profile: Profile, selected: set[str] | list[str] | tuple[str, ...], time_limit: float = 60.0, max_columns: int | None = None
) -> PriceabilityResult:
    """Decide whether the outcome `selected` is priceable (C1–C5, `b * n >= budget`) with one LP.

    With `max_columns`, an LP larger than that is not attempted (method
    "too_large", `priceable` None): on Warszawa 2026 (about 10^5 columns)
    HiGHS needs about two minutes, too long to run beside a results page.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_array

    if profile.kind != "approval":
        raise ValueError("priceability is checked for approval ballots only")
    start = time.perf_counter()
    chosen = {pid for pid in selected}
    funded = [c for c, pid in enumerate(profile.project_ids) if pid in chosen]
    funded_set = set(funded)
    unfunded = [c for c in range(profile.num_projects) if c not in funded_set]
    g = profile.num_groups
    weights = profile.weights.astype(np.float64)
    n, budget = profile.num_voters, float(profile.budget)
    if n == 0:
        return PriceabilityResult(not funded, "lp", seconds=time.perf_counter() - start)
    # Columns: b, then one payment per (distinct ballot, funded project it approves).
    col_group: list[np.ndarray] = []
    col_project: list[np.ndarray] = []
    for c in funded:
        idx = profile.supporters[c]
        col_group.append(idx)
        col_project.append(np.full(idx.size, c))
    groups = np.concatenate(col_group) if col_group else np.zeros(0, dtype=np.int64)
    projects = np.concatenate(col_project) if col_project else np.zeros(0, dtype=np.int64)
    nv = 1 + groups.size
    if max_columns is not None and nv > max_columns:
        return PriceabilityResult(None, "too_large", seconds=time.perf_counter() - start)
    cols = np.arange(1, nv)
    scale = budget / n  # money in units of the equal share of the budget keeps the LP well scaled
    # C2: sum of a ballot's payments - b <= 0.
    c2 = coo_array(
        (np.concatenate([np.ones(groups.size), -np.ones(g)]), (np.concatenate([groups, np.arange(g)]), np.concatenate([cols, np.zeros(g, dtype=np.int64)]))),
        shape=(g, nv),
    )
    # C3: sum of w * payment for a funded project = its cost.
    position = {c: i for i, c in enumerate(funded)}
    c3 = coo_array((weights[groups], (np.array([position[c] for c in projects.tolist()], dtype=np.int64), cols)), shape=(len(funded), nv))
    c3_rhs = np.array([profile.costs[c] for c in funded], dtype=np.float64) / scale
    # C5: for unfunded c, sum over its supporters of w * (b - spent) <= cost(c).
    rows_u, cols_u, vals_u = [], [], []
    rhs_u = []
    member = np.zeros(g, dtype=bool)
    for i, c in enumerate(unfunded):
        idx = profile.supporters[c]
        member[:] = False
        member[idx] = True
        take = member[groups]
        rows_u.append(np.full(int(take.sum()) + 1, i))
        cols_u.append(np.concatenate([[0], cols[take]]))
        vals_u.append(np.concatenate([[float(weights[idx].sum())], -weights[groups[take]]]))
        rhs_u.append(profile.costs[c] / scale)
    a_ub = [c2.tocsr()]
    b_ub = [np.zeros(g)]
    if unfunded:
        a_ub.append(coo_array((np.concatenate(vals_u), (np.concatenate(rows_u), np.concatenate(cols_u))), shape=(len(unfunded), nv)).tocsr())
        b_ub.append(np.array(rhs_u))
    from scipy.sparse import vstack

    bounds = [(1.0, None)] + [(0.0, None)] * groups.size  # b >= budget / n, i.e. 1 in these units
    result = linprog(
        np.zeros(nv), A_ub=vstack(a_ub).tocsr(), b_ub=np.concatenate(b_ub),
        A_eq=c3.tocsr() if funded else None, b_eq=c3_rhs if funded else None,
        bounds=bounds, method="highs", options={"time_limit": time_limit},
    )
    seconds = time.perf_counter() - start
    if result.status == 2:
        return PriceabilityResult(False, "lp", seconds=seconds)
    if result.status != 0 or result.x is None:
        return PriceabilityResult(None, "lp", seconds=seconds)
    x = result.x * scale
    payments: list[dict[int, float]] = [dict() for _ in range(g)]
    for group, c, amount in zip(groups.tolist(), projects.tolist(), x[1:].tolist()):
        if amount > 0:
            payments[group][c] = amount
    system = PriceSystem(voter_budget=float(x[0]), payments=payments, funded=funded)
    error = check_price_system(profile, system)
    return PriceabilityResult(True, "lp", system, max_error=error, seconds=time.perf_counter() - start)
