"""The Method of Equal Shares (MES) and its add1 completion, exact and fast.

The rule (as equalshares.net and pabutools define it): each voter starts
with the same budget `b`. A project `c` costing `C` is affordable if its
supporters have at least `C` left together. Its price `rho` is the least
price per unit of utility at which the supporters, each paying
`min(own money left, rho * utility)`, raise `C`. Each round MES selects
the affordable project with the smallest `rho`, the supporters pay, and
it stops when nothing is affordable. With approval ballots the utility of
a project is its cost ("cost utilities", as equalshares.net and the cities
using it run MES), so `rho * cost` is the equal share each supporter pays;
with cumulative, scoring or (Borda-scored) ordinal ballots the utility is
the points.

Ties (equal `rho`) go to the lower cost, then to more votes (supporters),
then to the lower project id (as text): the order equalshares.net
recommends before its final lot, the same in every round. Projects that
cost nothing and have supporters are selected first, as pabutools does.

Exactness. Floats could flip a comparison between two nearly equal
prices, so every decision is certified. Write `beta*` for the exact money
left of each distinct ballot, `beta` for its float, `w` for its weight,
and `F(rho) = sum w * min(beta, rho * u)` for what a project's supporters
raise at price `rho` (`F*` with exact money). The run carries a bound `E`
on the error mass `sum w * |beta - beta*|` over all ballots. Then:

- `|F(rho) - F*(rho)| <= E` for every price, since `min` is 1-Lipschitz;
  the exact money of the supporters is within `E` of the float sum, which
  decides affordability unless the two are closer than that;
- for any split of the supporters into `P` and `R`, `F*(rho) <= sum_P w *
  beta* + rho * U_R` (`U_R`: their total weighted utility), so the exact
  price is at least `(C - sum_P w*beta - E) / U_R`;
- if `F(r) >= C - e` and the ballots whose money exceeds `(r + d) * u`
  hold utility `U'` with `d * U' >= E + e`, then `F*(r + d) >= C`, so the
  exact price is at most `r + d`;
- paying at the float price `r` keeps the mass bounded: with `F(r) = C +
  e`, the new error mass on the supporters is at most the old one plus
  `|e|`. (Split each change into the part due to the money error at price
  `r` and the part due to `r` versus the exact price. The second parts all
  have one sign and add up to `F*(r) - C`, which is at most the part of
  the old error that the `min` absorbed plus `|e|`; the first parts add up
  to at most the rest of the old error.) So `E` grows only by each
  round's residual `|F(r) - C|` and rounding: it stays negligible instead
  of compounding.

A round's winner is certified when its interval lies strictly below every
other candidate's; the lazy scan skips a project only when a proven lower
bound on its price (prices never fall during a run, since money left only
shrinks) exceeds the winner's upper bound. Anything not certified (exact
ties, near ties, affordability within the error) is decided with
`fractions.Fraction` from the exact money left, which depends only on
which selected projects a voter supports: it is `max(0, b - sum of rho_s
* u_s)` over them, because a voter who cannot pay a share pays everything
and stays at 0.

add1 completion (as Wieliczka, Świecie and the other cities ran it):
the budget per voter starts at the whole-number floor of budget / voters
and rises by one currency unit per run; the result is the last outcome
whose cost fits the budget before the first that does not. It does NOT
stop at the first exhaustive outcome (pabutools' `voter_budget_increment`
does, and so misses Wieliczka 2023's official result). Runs whose outcome
is provably unchanged are skipped: along a fixed sequence of selections,
raising everyone's starting money can only raise everyone's money left
(a poorer payer pays everything, a richer one pays the same or a lower
price) and so lower every price. Hence if the run at `b + d` selects the
same sequence as the run at `b` and, in each round, every other
candidate's price at `b + d` exceeds the winner's price at `b`, every run
in between selects that sequence too (its prices lie between the two).
The engine tries growing jumps `d` and checks this certificate; a failed
jump costs one run and the search falls back to single steps.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import inf

import numpy as np

from app.tally.profile import Profile

__all__ = ["EqualShares", "MesRound", "MesRun"]

_UNIT = 2.0**-53  # unit roundoff of float64
_UNAFFORDABLE = 0
_AMBIGUOUS = 1
_PRICED = 2
# OpenBLAS splits dot products longer than 10,000 over threads, whose
# waiting spins cost more CPU than the whole product on a busy server; the
# engine keeps every product below that.
_DOT_CHUNK = 8192
_MAX_STEPS = 32  # Newton steps to the water level (a handful in practice)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """a @ b on one thread (see _DOT_CHUNK)."""
    n = a.size
    if n <= _DOT_CHUNK:
        return float(a @ b)
    return float(sum(a[i : i + _DOT_CHUNK] @ b[i : i + _DOT_CHUNK] for i in range(0, n, _DOT_CHUNK)))


@dataclass
class MesRound:
    """One MES selection: the project and proven bounds on its exact price."""

    project: int
    rho: float
    lo: float
    hi: float
    exact: Fraction | None = None
    # Filled in a recording run only (for explanations).
    full_payers: int = 0
    exhausted_payers: int = 0
    exhausted_paid: float = 0.0


@dataclass
class MesRun:
    """The outcome of one MES run at one budget per voter (scaled units)."""

    budget_per_voter: Fraction
    free: list[int]
    rounds: list[MesRound]
    cost: int
    exceeded: bool = False
    certified: bool = False
    money_left: dict[int, float] = field(default_factory=dict)

    @property
    def selected(self) -> list[int]:
        return self.free + [r.project for r in self.rounds]

    @property
    def sequence(self) -> tuple[int, ...]:
        return tuple(r.project for r in self.rounds)


class EqualShares:
    """MES over a profile; the per-election arrays are built once and shared by runs."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        costs = profile.costs
        m = profile.num_projects
        self.free = [c for c in range(m) if costs[c] == 0 and profile.votes[c] > 0]
        self.candidates = [c for c in range(m) if costs[c] > 0 and profile.votes[c] > 0]
        weights = profile.weights
        self.num_groups = profile.num_groups
        self.idx: dict[int, np.ndarray] = {}
        self.w: dict[int, np.ndarray] = {}
        self.u: dict[int, np.ndarray | float] = {}
        self.wu: dict[int, np.ndarray] = {}
        self.u_int: dict[int, np.ndarray] = {}
        self.total_weight: dict[int, float] = {}
        self.total_utility: dict[int, float] = {}
        self.start_lo: dict[int, float] = {}
        self.tie_key: dict[int, tuple[int, int, str]] = {}
        for c in self.candidates:
            idx = profile.supporters[c]
            # Approval ballots: cost utilities (each supporter's utility is
            # the cost); otherwise the points.
            u_int = profile.utilities[c] * (costs[c] if profile.kind == "approval" else 1)
            w = weights[idx].astype(np.float64)
            self.idx[c] = idx
            self.w[c] = w
            # With approval ballots every supporter's utility is the same
            # number (the cost): a scalar keeps the vector work minimal.
            u: np.ndarray | float = float(costs[c]) if profile.kind == "approval" else u_int.astype(np.float64)
            self.u[c] = u
            self.wu[c] = w * u
            self.u_int[c] = u_int
            self.total_weight[c] = float(w.sum())
            self.total_utility[c] = float(self.wu[c].sum())
            # The price is never below cost / total utility (at that price
            # everyone pays in full): a safe start for the lazy scan.
            self.start_lo[c] = costs[c] / self.total_utility[c] * (1 - 8 * _UNIT)
            self.tie_key[c] = (costs[c], -profile.votes[c], profile.project_ids[c])
        self._dense: np.ndarray | None = None

    # --- one run ------------------------------------------------------------

    def run(
        self,
        budget_per_voter: Fraction,
        *,
        limit: int | None = None,
        reference: MesRun | None = None,
        record: bool = False,
        certify_only: bool = False,
    ) -> MesRun:
        """Run MES with `budget_per_voter` (scaled money) for every voter.

        With `limit`, stop as soon as the selected cost exceeds it (the
        result then has `exceeded`). With a `reference` run at a lower
        budget, also check the certificate that every budget in between
        gives the same outcome (`certified`).
        """
        b = Fraction(budget_per_voter)
        b_f = float(b)
        beta = np.full(self.num_groups, b_f)
        # Bound on the error mass sum(w * |beta - beta*|): b rounded once.
        mass = abs(Fraction(b_f) - b) * self.profile.num_voters * (1 + 4 * _UNIT)
        error_mass = float(mass) * (1 + 4 * _UNIT)
        costs = self.profile.costs
        cost = sum(costs[c] for c in self.free)
        result = MesRun(b, list(self.free), [], cost)
        remaining = set(self.candidates)
        lower = dict(self.start_lo)
        certified = reference is not None
        exact_state = _ExactState(b)
        while remaining:
            round_index = len(result.rounds)
            ref_hi = -inf
            if reference is not None and round_index < len(reference.rounds):
                ref_hi = reference.rounds[round_index].hi
            best_hi = inf
            best_rho = inf
            priced: list[tuple[int, float, float, float, bool]] = []
            for c in sorted(remaining, key=lower.__getitem__):
                if lower[c] > best_hi and lower[c] > ref_hi:
                    break
                status, r, lo, hi = self._evaluate(c, beta, error_mass, best_rho, lower[c])
                if status == _UNAFFORDABLE:
                    remaining.discard(c)
                    continue
                if status == _AMBIGUOUS:
                    priced.append((c, r, lower[c], inf, True))
                    continue
                if lo > lower[c]:
                    lower[c] = lo
                priced.append((c, r, lo, hi, False))
                if r < best_rho:
                    best_rho = r
                if hi < best_hi:
                    best_hi = hi
            if not priced:
                break
            contenders = [p for p in priced if p[2] <= best_hi]
            if len(contenders) == 1 and not contenders[0][4] and contenders[0][3] < inf:
                c, r, lo, hi, _ = contenders[0]
                chosen = MesRound(c, r, lo, hi)
            else:
                chosen_or_none = self._resolve_exactly([p[0] for p in contenders], result, exact_state, remaining)
                if chosen_or_none is None:
                    continue  # every contender was unaffordable: rescan
                chosen = chosen_or_none
                for p in priced:
                    if p[0] == chosen.project and not p[4]:
                        # Pay at the float level: its residual is tiny.
                        chosen.rho = p[1]
                for i, p in enumerate(priced):
                    if p[0] in exact_state.prices:
                        exact_price = exact_state.prices[p[0]]
                        bound = float(exact_price) * (1 - 4 * _UNIT)
                        priced[i] = (p[0], p[1], bound, float(exact_price) * (1 + 4 * _UNIT), False)
                        lower[p[0]] = max(lower[p[0]], bound)
            if certified and reference is not None and round_index >= len(reference.rounds):
                # A round the reference did not have: not the same outcome.
                certified = False
                if certify_only:
                    result.certified = False
                    return result
            if certified:
                exact_state.beta, exact_state.error_mass = beta, error_mass
                certified = self._certifies(chosen, priced, remaining, reference, round_index, ref_hi, result, exact_state)
                if not certified and certify_only:
                    result.certified = False
                    return result
            if record:
                self._record_payers(chosen, beta)
            result.rounds.append(chosen)
            remaining.discard(chosen.project)
            result.cost += costs[chosen.project]
            error_mass += self._pay(chosen, beta)
            exact_state.clear_round()
            if limit is not None and result.cost > limit:
                result.exceeded = True
                certified = False
                break
        if reference is not None and len(result.rounds) != len(reference.rounds):
            certified = False
        result.certified = certified
        if record and not result.exceeded:
            taken = set(result.sequence)
            result.money_left = {c: _dot(self.w[c], beta[self.idx[c]]) for c in self.candidates if c not in taken}
        return result

    def _certifies(
        self,
        chosen: MesRound,
        priced: list[tuple[int, float, float, float, bool]],
        remaining: set[int],
        reference: MesRun,
        round_index: int,
        ref_hi: float,
        run: MesRun,
        state: _ExactState,
    ) -> bool:
        # Every other candidate must be proven at least as dear here as the
        # reference's winner was there, and strictly dearer unless the
        # tie-break prefers the winner (ties persist: two projects whose
        # supporters all pay in full keep the same price at every budget).
        # Unscanned candidates have a lower bound above ref_hi (the scan
        # went on at least that far); those found unaffordable here are
        # unaffordable at any lower budget.
        ref_round = reference.rounds[round_index]
        winner = chosen.project
        if winner != ref_round.project:
            return False
        ref_price: Fraction | None = None
        for c, rho, lo, hi, ambiguous in priced:
            if c == winner or c not in remaining or lo > ref_hi:
                continue
            if self.tie_key[c] < self.tie_key[winner]:
                return False
            if not ambiguous and hi == inf and state.beta is not None:
                hi = self._upper_bound(c, state.beta, state.error_mass, rho, lo)
            if hi < ref_round.lo:
                return False
            if ref_price is None:
                ref_price = self.exact_price(winner, reference.rounds[:round_index], reference.budget_per_voter)
            price = state.prices[c] if c in state.prices else self.exact_price(c, run.rounds, state.budget)
            if price is not None and ref_price is not None and price < ref_price:
                return False
        return True

    def _record_payers(self, chosen: MesRound, beta: np.ndarray) -> None:
        c = chosen.project
        bb = beta[self.idx[c]]
        owed = chosen.rho * self.u[c]
        poor = bb < owed
        w = self.w[c]
        chosen.full_payers = int(round(float(w[~poor].sum())))
        paying_poor = poor & (bb > 0)
        chosen.exhausted_payers = int(round(float(w[paying_poor].sum())))
        chosen.exhausted_paid = _dot(w[paying_poor], bb[paying_poor])

    # --- the float evaluation with its proven interval -----------------------

    def _pay(self, chosen: MesRound, beta: np.ndarray) -> float:
        """The supporters pay at the float price; returns the growth of the error mass."""
        c = chosen.project
        idx = self.idx[c]
        bb = beta[idx]
        owed = chosen.rho * self.u[c]
        w = self.w[c]
        raised = _dot(w, np.minimum(bb, owed))
        money = _dot(w, bb)
        cost = float(self.profile.costs[c])
        gamma = (bb.size + 8) * _UNIT
        residual = abs(raised - cost) + 2 * gamma * (raised + cost)
        beta[idx] = np.maximum(bb - owed, 0.0)
        rounding = 4 * _UNIT * (money + chosen.rho * self.total_utility[c])
        return (residual + rounding) * (1 + 8 * _UNIT)

    def _evaluate(
        self, c: int, beta: np.ndarray, error_mass: float, best_rho: float, floor: float = 0.0
    ) -> tuple[int, float, float, float]:
        """(status, price, lower bound, upper bound) of project c's exact price.

        The upper bound costs one more pass, so it is only computed when the
        price is no higher than `best_rho` (the round's best so far): the
        others cannot win the round, and inf is a valid upper bound.

        The price is where F(rho) = sum w * min(beta, rho * u) reaches the
        cost. F is concave and piecewise linear, so Newton's method from a
        lower bound (C / U, or `floor`, a proven lower bound) climbs to it
        in a few steps, each a `minimum` and two dot products.
        """
        bb = beta[self.idx[c]]
        w = self.w[c]
        u = self.u[c]
        wu = self.wu[c]
        money = _dot(w, bb)
        cost = float(self.profile.costs[c])
        gamma = (bb.size + 8) * _UNIT
        slack = error_mass + gamma * (money + cost)
        if money + slack < cost:
            return _UNAFFORDABLE, 0.0, 0.0, 0.0
        if money - slack < cost:
            return _AMBIGUOUS, 0.0, 0.0, 0.0
        # Start from the proven lower bound (prices only rise during a run,
        # so the last one still holds): Newton's method climbs from below.
        cold = cost / self.total_utility[c]
        rho = max(cold, floor)
        tolerance = gamma * cost
        # The split P = {beta < rho * u} of the last step whose F(rho) was
        # measured gives the lower bound; at the cold start everybody is rich.
        raised = 0.0
        split_rho, split_raised, split_utility = rho, 0.0, self.total_utility[c]
        for step in range(_MAX_STEPS):
            owed = rho * u
            raised = _dot(w, np.minimum(bb, owed))
            if step == 0:
                split_raised = raised
            gap = cost - raised
            if gap <= tolerance:
                if step == 0 and rho > cold:
                    split_utility = _dot(wu, (bb >= owed))
                    if split_utility <= 0:
                        return _AMBIGUOUS, 0.0, 0.0, 0.0
                break
            rich_utility = _dot(wu, (bb >= owed))
            if rich_utility <= 0:
                return _AMBIGUOUS, 0.0, 0.0, 0.0
            split_rho, split_raised, split_utility = rho, raised, rich_utility
            rho += gap / rich_utility
        else:
            return _AMBIGUOUS, 0.0, 0.0, 0.0
        # For any split, F*(x) <= sum_P w*beta* + x * U_R, and with the
        # split of step rho' sum_P w*beta = F(rho') - rho' * U_R.
        residual = abs(cost - raised) + 4 * gamma * (cost + money)
        poor_money = max(split_raised - split_rho * split_utility, 0.0)
        lo = (cost - poor_money - error_mass - residual) / (split_utility * (1 + gamma)) * (1 - 4 * _UNIT)
        hi = inf
        if rho <= best_rho:
            hi = self._upper_bound_from(bb, c, error_mass, rho, lo, residual, money)
        return _PRICED, rho, max(lo, 0.0), hi

    def _upper_bound(self, c: int, beta: np.ndarray, error_mass: float, rho: float, lo: float) -> float:
        """A proven upper bound on project c's exact price near the float price `rho`."""
        bb = beta[self.idx[c]]
        money = _dot(self.w[c], bb)
        cost = float(self.profile.costs[c])
        residual = 8 * (bb.size + 8) * _UNIT * (cost + money)
        return self._upper_bound_from(bb, c, error_mass, rho, lo, residual, money)

    def _upper_bound_from(
        self, bb: np.ndarray, c: int, error_mass: float, rho: float, lo: float, residual: float, money: float
    ) -> float:
        # F*(x) >= F(x) - E, so any x where the float money less the error
        # mass raises the cost bounds the exact price; try one just above
        # rho, as far above as lo is below (the same uncertainty).
        gamma = (bb.size + 8) * _UNIT
        cost = float(self.profile.costs[c])
        delta = 2 * max(rho - lo, 0.0) + 2 * (error_mass + residual) / self.total_utility[c] + 8 * _UNIT * rho
        above = _dot(self.w[c], np.minimum(bb, (rho + delta) * self.u[c]))
        if above * (1 - gamma) - 4 * gamma * money >= cost + error_mass:
            return (rho + delta) * (1 + 4 * _UNIT)
        return inf

    # --- exact decisions -----------------------------------------------------

    def _resolve_exactly(
        self, contenders: list[int], run: MesRun, state: _ExactState, remaining: set[int]
    ) -> MesRound | None:
        """Pick the round's winner among `contenders` with exact arithmetic."""
        best: tuple[Fraction, tuple[int, int, str], int] | None = None
        for c in contenders:
            price = self.exact_price(c, run.rounds, state.budget)
            if price is None:
                remaining.discard(c)
                continue
            state.prices[c] = price
            candidate = (price, self.tie_key[c], c)
            if best is None or candidate < best:
                best = candidate
        if best is None:
            return None
        price, _, c = best
        rho = float(price)
        return MesRound(c, rho, rho * (1 - 4 * _UNIT), rho * (1 + 4 * _UNIT), exact=price)

    def exact_price(self, c: int, rounds: list[MesRound], budget: Fraction) -> Fraction | None:
        """Project c's exact price after `rounds` at `budget` per voter (None: unaffordable)."""
        for j, past in enumerate(rounds):
            if past.exact is None:
                price = self._exact_price_at(past.project, rounds[:j], budget)
                assert price is not None, "a certified winner was affordable"
                past.exact = price
        return self._exact_price_at(c, rounds, budget)

    def _exact_price_at(self, c: int, rounds: list[MesRound], b: Fraction) -> Fraction | None:
        idx = self.idx[c]
        u_int = self.u_int[c]
        if rounds:
            dense = self._dense_utilities()
            columns = [r.project for r in rounds]
            table = np.column_stack((dense[np.ix_(idx, columns)], u_int))
        else:
            table = u_int.reshape(-1, 1)
        # Voters with the same utilities for the selected projects and for
        # c have the same money left: group them.
        patterns, inverse = np.unique(table, axis=0, return_inverse=True)
        weights = np.bincount(inverse.ravel(), weights=self.w[c], minlength=len(patterns))
        prices = [r.exact for r in rounds]
        items: list[tuple[Fraction, int, int]] = []
        for pattern, weight in zip(patterns.tolist(), weights.tolist()):
            spent = sum((p * v for p, v in zip(prices, pattern[:-1]) if v), Fraction(0))
            left = b - spent
            items.append((left if left > 0 else Fraction(0), int(round(weight)), int(pattern[-1])))
        cost = self.profile.costs[c]
        if sum(left * weight for left, weight, _ in items) < cost:
            return None
        items.sort(key=lambda item: item[0] / item[2])
        paid = Fraction(0)
        utility = sum(weight * u for _, weight, u in items)
        for left, weight, u in items:
            level = (cost - paid) / utility
            if level * u <= left:
                return level
            paid += weight * left
            utility -= weight * u
        raise AssertionError("an affordable project always gets a price")

    def _dense_utilities(self) -> np.ndarray:
        # Built on the first exact decision only: most large elections
        # never need one.
        if self._dense is None:
            dense = np.zeros((self.num_groups, self.profile.num_projects), dtype=np.int64)
            for c in self.candidates:
                dense[self.idx[c], c] = self.u_int[c]
            self._dense = dense
        return self._dense


@dataclass
class _ExactState:
    """Exact prices computed in the current round of a run."""

    budget: Fraction
    prices: dict[int, Fraction] = field(default_factory=dict)
    # The float state of the round being certified.
    beta: np.ndarray | None = None
    error_mass: float = 0.0

    def clear_round(self) -> None:
        self.prices.clear()
