"""Ballots grouped by identical content, in exact integer units: what the rules count.

Every rule here treats voters with the same ballot the same way, so the
ballots are grouped once and each distinct ballot carries a weight (how
many voters cast it). The rules' work then grows with the number of
distinct ballots, not voters.

Money (costs, budget) and points are decimals in a `.pb` file. They are
scaled by a power of ten to integers (`money_scale`, `point_scale`), which
changes no outcome: both rules compare only sums and ratios of amounts of
the same kind, and scaling all of them by one factor keeps every
comparison.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from app.tally.pb import POINTS_TYPES, Election

__all__ = ["Profile", "build_profile"]


@dataclass(frozen=True, eq=False)
class Profile:
    """An election reduced to integers and weighted distinct ballots.

    Projects are numbered in the election's order. `kind` is "approval"
    (approval and choose-1: every supporter's utility is 1) or "cardinal"
    (cumulative and scoring points, or ordinal ballots scored by Borda: the
    utility is the points, times `point_scale`). For project `c`,
    `supporters[c]` lists the distinct ballots (indices into `weights`)
    that give it positive utility and `utilities[c]` that utility, aligned.
    """

    project_ids: tuple[str, ...]
    costs: tuple[int, ...]
    budget: int
    money_scale: int
    point_scale: int
    kind: str
    num_voters: int
    weights: np.ndarray
    supporters: tuple[np.ndarray, ...]
    utilities: tuple[np.ndarray, ...]
    votes: tuple[int, ...]
    scores: tuple[int, ...]

    @property
    def num_projects(self) -> int:
        return len(self.project_ids)

    @property
    def num_groups(self) -> int:
        return int(self.weights.size)

    def money(self, amount: int) -> Decimal:
        """An amount in scaled units back in the election's currency."""
        return Decimal(amount) / self.money_scale

    def points(self, score: int) -> Decimal:
        """A score in scaled units back in the election's points."""
        return Decimal(score) / self.point_scale


def _scale(values: Iterable[Decimal]) -> int:
    """The smallest power of ten that makes every value a whole number."""
    places = 0
    for value in values:
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return 10**places


def build_profile(election: Election) -> Profile:
    """Group the election's ballots and convert amounts to integers."""
    ids = tuple(election.projects)
    index = {project_id: i for i, project_id in enumerate(ids)}
    cost_values = [p.cost for p in election.projects.values()]
    budget = election.budget
    money_scale = _scale([budget, *cost_values])
    costs = tuple(int(c * money_scale) for c in cost_values)
    vote_type = election.vote_type

    # Ballots are grouped by content; the distinct ballots are then laid
    # out flat (one entry per distinct ballot and project in it) so that
    # the per-project lists come from one stable sort.
    keys: list
    if vote_type in POINTS_TYPES:
        counted = Counter(frozenset(zip(b.projects, b.points or ())) for b in election.ballots)
        keys = [sorted(key) for key in counted]
        kind = "cardinal"
    elif vote_type == "ordinal":
        counted = Counter(b.projects for b in election.ballots)
        keys = list(counted)
        kind = "cardinal"
    else:
        counted = Counter(frozenset(b.projects) for b in election.ballots)
        keys = list(counted)
        kind = "approval"
    weights = np.fromiter(counted.values(), dtype=np.int64, count=len(keys))
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    total = int(lengths.sum())
    flat_group = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
    point_scale = 1
    if vote_type in POINTS_TYPES:
        flat_project = np.fromiter((index[p] for key in keys for p, _ in key), dtype=np.int64, count=total)
        values = [value for key in keys for _, value in key]
        point_scale = _scale(set(values))
        flat_utility = np.fromiter((int(v * point_scale) for v in values), dtype=np.int64, count=total)
    else:
        flat_project = np.fromiter((index[p] for key in keys for p in key), dtype=np.int64, count=total)
        if vote_type == "ordinal":
            # Borda over the ballot's positions (pabulib's default
            # scoring_fn, the only one the reader accepts): with k
            # projects ranked, the first gets k points and the last 1.
            starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            flat_utility = np.repeat(lengths, lengths) - (np.arange(total, dtype=np.int64) - starts)
        else:
            flat_utility = np.ones(total, dtype=np.int64)
    positive = flat_utility > 0
    flat_group, flat_project, flat_utility = flat_group[positive], flat_project[positive], flat_utility[positive]
    order = np.argsort(flat_project, kind="stable")
    bounds = np.cumsum(np.bincount(flat_project, minlength=len(ids)))[:-1]
    supporters = tuple(np.split(flat_group[order], bounds))
    utilities = tuple(np.split(flat_utility[order], bounds))
    votes = tuple(int(weights[s].sum()) for s in supporters)
    scores = tuple(int((weights[s] * u).sum()) for s, u in zip(supporters, utilities))
    return Profile(
        project_ids=ids,
        costs=costs,
        budget=int(budget * money_scale),
        money_scale=money_scale,
        point_scale=point_scale,
        kind=kind,
        num_voters=len(election.ballots),
        weights=weights,
        supporters=supporters,
        utilities=utilities,
        votes=votes,
        scores=scores,
    )
