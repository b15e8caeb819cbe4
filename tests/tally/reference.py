"""The rules written the plain way, voter by voter in exact fractions: a second oracle.

Slow and obvious on purpose: no grouping of ballots, no floats, no skipped
runs. The property tests check the fast engine against it (and against
pabutools, which has no add1 as the cities ran it).
"""
from __future__ import annotations

from fractions import Fraction

from app.tally.pb import Election


def utilities(election: Election) -> list[dict[str, Fraction]]:
    """Each voter's utility for each project it supports, as MES uses it."""
    result = []
    for ballot in election.ballots:
        if election.vote_type in ("cumulative", "scoring"):
            utility = {p: Fraction(v) for p, v in zip(ballot.projects, ballot.points or ()) if v > 0}
        elif election.vote_type == "ordinal":
            utility = {p: Fraction(len(ballot.projects) - i) for i, p in enumerate(ballot.projects)}
        else:
            utility = {p: Fraction(election.projects[p].cost) for p in ballot.projects}
        result.append(utility)
    return result


def scores(election: Election) -> dict[str, Fraction]:
    """Votes (approval), points (cumulative) or Borda points (ordinal) per project."""
    total = {p: Fraction(0) for p in election.projects}
    for ballot in election.ballots:
        if election.vote_type in ("cumulative", "scoring"):
            for p, v in zip(ballot.projects, ballot.points or ()):
                total[p] += Fraction(v)
        elif election.vote_type == "ordinal":
            for i, p in enumerate(ballot.projects):
                total[p] += len(ballot.projects) - i
        else:
            for p in ballot.projects:
                total[p] += 1
    return total


def greedy(election: Election, variant: str = "greedy", threshold: Fraction | None = None) -> list[str]:
    score = scores(election)
    cost = {p: Fraction(project.cost) for p, project in election.projects.items()}
    left = Fraction(election.budget)
    chosen = []
    for p in sorted(election.projects, key=lambda p: (-score[p], cost[p], p)):
        if threshold is not None and score[p] < threshold:
            continue
        if cost[p] <= left:
            chosen.append(p)
            left -= cost[p]
        elif variant == "greedy-no-skip":
            break
    return chosen


def mes(election: Election, budget_per_voter: Fraction) -> list[str]:
    """MES: each round the affordable project with the least price per utility (ties: cost, votes, id)."""
    util = utilities(election)
    cost = {p: Fraction(project.cost) for p, project in election.projects.items()}
    votes = {p: sum(1 for u in util if p in u) for p in election.projects}
    money = [Fraction(budget_per_voter)] * len(util)
    if not util:
        return []
    chosen = [p for p in election.projects if cost[p] == 0 and votes[p] > 0]
    remaining = {p for p in election.projects if cost[p] > 0 and votes[p] > 0}
    while True:
        best = None
        for p in remaining:
            supporters = [(i, u[p]) for i, u in enumerate(util) if p in u]
            if sum(money[i] for i, _ in supporters) < cost[p]:
                continue
            # The least price at which everyone paying min(money, price *
            # utility) raises the cost: try each supporter running out.
            supporters.sort(key=lambda s: money[s[0]] / s[1])
            paid, weight = Fraction(0), sum(u for _, u in supporters)
            for i, u in supporters:
                price = (cost[p] - paid) / weight
                if price * u <= money[i]:
                    break
                paid += money[i]
                weight -= u
            key = (price, cost[p], -votes[p], p)
            if best is None or key < best[0]:
                best = (key, p, price)
        if best is None:
            return chosen
        _, p, price = best
        for i, u in enumerate(util):
            if p in u:
                money[i] -= min(money[i], price * u[p])
        chosen.append(p)
        remaining.discard(p)


def add1(election: Election) -> tuple[list[str], Fraction]:
    """add1 as the cities ran it: from floor(budget / voters), one unit more per run, while the outcome fits."""
    budget = Fraction(election.budget)
    cost = {p: Fraction(project.cost) for p, project in election.projects.items()}
    n = len(election.ballots)
    per_voter = Fraction(int(budget / n))
    outcome = mes(election, per_voter)
    supported = [p for p in election.projects if any(p in u for u in utilities(election))]
    # Past this budget per voter every voter can pay everything alone, so
    # the outcome no longer changes (the loop would never end otherwise).
    saturation = sum(cost[p] for p in supported)
    while per_voter < saturation:
        following = mes(election, per_voter + 1)
        if sum(cost[p] for p in following) > budget:
            break
        per_voter += 1
        outcome = following
    return outcome, per_voter
