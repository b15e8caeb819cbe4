"""Extended Justified Representation up to one project (EJR-1), approval ballots, cost utilities.

Definitions (Peters, Pierczyński and Skowron, "Proportional participatory
budgeting with additive utilities", NeurIPS 2021; with approval ballots
the utility of a voter `i` for a set of projects is the total cost of
those she approved, `u_i(X) = cost(A_i ∩ X)`):

- a group `S` of voters is *T-cohesive* for a non-empty set of projects
  `T` when every voter in `S` approves every project of `T` and `S` is
  large enough to pay for `T` from its part of the budget:
  `|S| * budget >= n * cost(T)` (`n` voters in all);
- an outcome `W` satisfies *EJR up to one project* when in every
  T-cohesive group some voter `i` is satisfied: `u_i(W) >= cost(T)`, or
  `u_i(W) + cost(a) > cost(T)` for some `a` in `T \\ W` (one more project
  of `T` would give her more than `T` is worth to her).

A *violation* is a pair `(T, S)` with `S` T-cohesive and nobody in `S`
satisfied. Taking every unsatisfied voter who approves all of `T` gives the
largest such `S`, so `T` alone decides whether there is one. `T` needs a
project outside `W` (else every voter in `S` has `u_i(W) >= cost(T)`),
and may contain funded projects: they lower what the group got from the
rest of `W` in comparison.

pabutools' `is_EJR_one_approval` uses `>=` in the second condition
(`weak=True` here gives exactly its answer); the paper's `>` is the
default. The two differ only when a voter would reach `cost(T)` exactly.

Two ways to decide, both exact on integer costs (`Profile` units):

- `search`: every cohesive `T`, level by level (all sets of one project,
  then two, ...). Cohesiveness is monotone (a larger `T` costs more and
  has fewer voters approving all of it), so a set is extended only while
  it stays cohesive. Each set costs one pass over the distinct ballots
  that approve all of it. With `max_sets` the search stops after the
  level where the number of sets examined passed it, and the result says
  up to which size `T` was checked completely (`complete_up_to`).
- `ilp`: one integer program (SciPy's `milp`, HiGHS): binaries for the
  projects of `T` and for the distinct ballots in `S`, the cohesiveness
  and unsatisfaction constraints as big-M rows, minimising `cost(T)` (the
  smallest group entitled to something). Any group it finds is checked
  again in exact integers; if that check fails (a solver tolerance), the
  answer is reported as undecided rather than trusted.

Cost. The search is `O(sum over cohesive T of the ballots approving T)`;
on Warszawa 2026 (51,202 distinct ballots, 83 projects) see
`bench/proportionality.py`. The ILP has `m + g + 1` variables and `g + m +
2` rows for `g` distinct ballots; HiGHS solves the shared pabulib files
with a few thousand distinct ballots in well under a second, and is given
a time limit on larger ones.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from app.tally.profile import Profile

__all__ = ["EjrResult", "EjrViolation", "approval_matrix", "check_ejr_up_to_one"]


@dataclass(frozen=True)
class EjrViolation:
    """A set of projects `T` and the voters who approve all of it and were left short.

    `group_size` voters approve every project of `T` and are unsatisfied;
    `needed` is the smallest number of voters whose shares of the budget
    pay for `T` (`ceil(n * cost(T) / budget)`): any `needed` of the
    `group_size` voters form a counterexample.
    """

    projects: tuple[str, ...]
    cost: int
    group_size: int
    needed: int
    best_utility: int  # the most any voter of the group got from the outcome (cost of her funded projects)


@dataclass
class EjrResult:
    satisfied: bool | None  # None: undecided (search stopped early and found nothing)
    method: str
    violations: list[EjrViolation] = field(default_factory=list)
    complete_up_to: int | None = None  # sizes of T checked completely (None: all)
    sets_examined: int = 0
    seconds: float = 0.0

    @property
    def smallest(self) -> EjrViolation | None:
        return min(self.violations, key=lambda v: (v.needed, -v.group_size, v.projects), default=None)


def approval_matrix(profile: Profile) -> np.ndarray:
    """Distinct ballots × projects: True where the ballot approves (gives positive utility to) the project."""
    matrix = np.zeros((profile.num_groups, profile.num_projects), dtype=bool)
    for c, idx in enumerate(profile.supporters):
        matrix[idx, c] = True
    return matrix


def _needed(profile: Profile, cost: int) -> int:
    if profile.budget <= 0:
        return profile.num_voters + 1
    return -(-profile.num_voters * cost // profile.budget)


def check_ejr_up_to_one(
    profile: Profile,
    selected: set[str] | list[str] | tuple[str, ...],
    *,
    method: str = "search",
    weak: bool = False,
    max_sets: int | None = None,
    max_violations: int = 20,
    time_limit: float = 60.0,
) -> EjrResult:
    """Decide EJR up to one project for `selected` (see the module docstring)."""
    if profile.kind != "approval":
        raise ValueError("EJR up to one project is checked for approval ballots only")
    start = time.perf_counter()
    if method == "search":
        result = _search(profile, set(selected), weak, max_sets, max_violations)
    elif method == "ilp":
        result = _ilp(profile, set(selected), weak, time_limit)
    else:
        raise ValueError(f"unknown method {method!r}")
    result.seconds = time.perf_counter() - start
    return result


class _Data:
    def __init__(self, profile: Profile, selected: set[str]) -> None:
        self.profile = profile
        self.matrix = approval_matrix(profile)
        self.costs = np.asarray(profile.costs, dtype=np.int64)
        self.funded = np.array([pid in selected for pid in profile.project_ids], dtype=bool)
        # u_g(W): the cost of the funded projects each distinct ballot approves.
        self.utility = self.matrix[:, self.funded].astype(np.int64) @ self.costs[self.funded]
        self.weights = profile.weights.astype(np.int64)
        n, budget = profile.num_voters, profile.budget
        votes = np.asarray(profile.votes, dtype=np.int64)
        # A project can be in a cohesive T only if its own supporters can pay for it.
        self.usable = [c for c in range(profile.num_projects) if votes[c] > 0 and votes[c] * budget >= n * profile.costs[c]]


def _unsatisfied(data: _Data, rows: np.ndarray, cost: int, top: int, weak: bool) -> np.ndarray:
    """Which of the ballots `rows` (all approving T) are unsatisfied by W, for T of `cost` whose dearest unfunded project costs `top`."""
    u = data.utility[rows]
    if weak:
        return u + top < cost
    return (u + top <= cost) & (u < cost)


def _search(profile: Profile, selected: set[str], weak: bool, max_sets: int | None, max_violations: int) -> EjrResult:
    data = _Data(profile, selected)
    n, budget = profile.num_voters, profile.budget
    ids = profile.project_ids
    costs = profile.costs
    violations: list[EjrViolation] = []
    examined = 0
    # A level: (projects of T as indices into `usable`, ballots approving all of T, cost, dearest unfunded cost).
    level: list[tuple[tuple[int, ...], np.ndarray, int, int]] = []
    for k, c in enumerate(data.usable):
        rows = np.flatnonzero(data.matrix[:, c])
        level.append(((k,), rows, costs[c], 0 if data.funded[c] else costs[c]))
    size = 0
    while level:
        size += 1
        following: list[tuple[tuple[int, ...], np.ndarray, int, int]] = []
        for members, rows, cost, top in level:
            examined += 1
            weight = int(data.weights[rows].sum())
            if weight * budget < n * cost:
                continue  # not cohesive, and no superset is
            has_unfunded = any(not data.funded[data.usable[k]] for k in members)
            if has_unfunded:
                short = rows[_unsatisfied(data, rows, cost, top, weak)]
                group = int(data.weights[short].sum())
                if group * budget >= n * cost and group > 0:
                    if len(violations) < max_violations:
                        violations.append(EjrViolation(
                            projects=tuple(ids[data.usable[k]] for k in members), cost=cost, group_size=group,
                            needed=_needed(profile, cost), best_utility=int(data.utility[short].max()),
                        ))
            for k in range(members[-1] + 1, len(data.usable)):
                c = data.usable[k]
                new_cost = cost + costs[c]
                if profile.votes[c] * budget < n * new_cost:
                    continue
                new_rows = rows[data.matrix[rows, c]]
                new_top = top if data.funded[c] else max(top, costs[c])
                following.append((members + (k,), new_rows, new_cost, new_top))
        level = following
        if max_sets is not None and examined >= max_sets and level:
            satisfied = False if violations else None
            return EjrResult(satisfied, "search", violations, complete_up_to=size, sets_examined=examined)
    return EjrResult(not violations, "search", violations, complete_up_to=None, sets_examined=examined)


def _ilp(profile: Profile, selected: set[str], weak: bool, time_limit: float) -> EjrResult:
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    data = _Data(profile, selected)
    n, budget = profile.num_voters, profile.budget
    usable = data.usable
    unfunded = [k for k, c in enumerate(usable) if not data.funded[c]]
    if not unfunded:
        return EjrResult(True, "ilp")
    # Only ballots that approve some usable unfunded project can be in S
    # (T has one, and every member approves all of T).
    cols = np.array(usable, dtype=np.int64)
    sub = data.matrix[:, cols]
    rows_used = np.flatnonzero(sub[:, unfunded].any(axis=1))
    sub = sub[rows_used]
    g, m = sub.shape
    costs = data.costs[cols].astype(np.float64)
    utility = data.utility[rows_used].astype(np.float64)
    weights = data.weights[rows_used].astype(np.float64)
    top_cost = float(max(costs[k] for k in unfunded))
    # Variables: x (m projects of T), y (g ballots in S), mu (the dearest unfunded project of T).
    nv = m + g + 1
    x0, y0, mu = 0, m, m + g
    constraints = []
    # (1) T has an unfunded project.
    a = np.zeros(nv)
    a[[x0 + k for k in unfunded]] = 1
    constraints.append(LinearConstraint(a.reshape(1, -1), 1, np.inf))
    # (2) A ballot in S approves all of T: sum of the projects of T it does not approve <= K (1 - y).
    missing = ~sub
    k_g = missing.sum(axis=1).astype(np.float64)
    r, c = np.nonzero(missing)
    rows = [coo_array((np.ones(r.size), (r, x0 + c)), shape=(g, nv))]
    rows.append(coo_array((k_g, (np.arange(g), y0 + np.arange(g))), shape=(g, nv)))
    approve = (rows[0] + rows[1]).tocsr()
    constraints.append(LinearConstraint(approve, -np.inf, k_g))
    # (3) mu >= cost of every unfunded project of T.
    uf = np.array(unfunded)
    mu_rows = coo_array(
        (np.concatenate([costs[uf], -np.ones(uf.size)]), (np.concatenate([np.arange(uf.size)] * 2), np.concatenate([x0 + uf, np.full(uf.size, mu)]))),
        shape=(uf.size, nv),
    )
    constraints.append(LinearConstraint(mu_rows, -np.inf, 0))
    # (4) A ballot in S is unsatisfied: u + mu - cost(T) <= -1 (weak) or <= 0 (paper), when y = 1.
    gap = 1.0 if weak else 0.0
    big = utility + top_cost + 1
    cost_part = coo_array(
        (np.tile(-costs, g), (np.repeat(np.arange(g), m), np.tile(x0 + np.arange(m), g))), shape=(g, nv)
    ) if g * m <= 5_000_000 else None
    if cost_part is None:
        return EjrResult(None, "ilp")
    extra = coo_array(
        (np.concatenate([np.ones(g), big]), (np.concatenate([np.arange(g)] * 2), np.concatenate([np.full(g, mu), y0 + np.arange(g)]))),
        shape=(g, nv),
    )
    constraints.append(LinearConstraint((cost_part + extra).tocsr(), -np.inf, big - utility - gap))
    if not weak:
        # ... and u < cost(T) (matters only when T's unfunded projects are free).
        extra2 = coo_array((big, (np.arange(g), y0 + np.arange(g))), shape=(g, nv))
        constraints.append(LinearConstraint((cost_part + extra2).tocsr(), -np.inf, big - utility - 1))
    # (5) S is large enough: n * cost(T) <= budget * |S|, scaled by 1 / budget.
    a = np.zeros(nv)
    a[x0:x0 + m] = costs * (n / budget)
    a[y0:y0 + g] = -weights
    constraints.append(LinearConstraint(a.reshape(1, -1), -np.inf, 0))
    objective = np.zeros(nv)
    objective[x0:x0 + m] = costs / max(costs.max(), 1)
    integrality = np.ones(nv)
    integrality[mu] = 0
    upper = np.ones(nv)
    upper[mu] = top_cost
    result = milp(
        objective, constraints=constraints, integrality=integrality, bounds=Bounds(np.zeros(nv), upper),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0, "presolve": True},
    )
    if result.status == 2:  # infeasible: no violation
        return EjrResult(True, "ilp")
    if result.x is None:
        return EjrResult(None, "ilp")
    chosen = [usable[k] for k in range(m) if result.x[x0 + k] > 0.5]
    violation = _verify(profile, data, chosen, weak)
    if violation is None:
        return EjrResult(None, "ilp")
    return EjrResult(False, "ilp", [violation])


def _verify(profile: Profile, data: _Data, projects: list[int], weak: bool) -> EjrViolation | None:
    """The violation for T = `projects`, checked in exact integers (None: T is no violation)."""
    if not projects or all(data.funded[c] for c in projects):
        return None
    rows = np.flatnonzero(data.matrix[:, projects].all(axis=1))
    cost = int(sum(profile.costs[c] for c in projects))
    top = max(profile.costs[c] for c in projects if not data.funded[c])
    short = rows[_unsatisfied(data, rows, cost, top, weak)]
    group = int(data.weights[short].sum())
    if group == 0 or group * profile.budget < profile.num_voters * cost:
        return None
    return EjrViolation(
        projects=tuple(profile.project_ids[c] for c in sorted(projects)), cost=cost, group_size=group,
        needed=_needed(profile, cost), best_utility=int(data.utility[short].max()),
    )
