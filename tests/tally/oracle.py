"""pabutools as the oracle: the same election counted by the reference library.

pabutools is GPL-3.0 and a test-only dependency: only the tests import it,
never the app. Its greedy rule orders projects by total satisfaction per
unit of cost, so "greedy by score" is its greedy with a satisfaction equal
to score x cost; its MES is run with the utilities our MES uses (cost for
approval ballots, points for cumulative ballots, Borda over the ballot's
positions for ordinal ones)
and with our tie-breaking (lower cost, more votes, lower id).
"""
from __future__ import annotations

import warnings
from fractions import Fraction
from functools import lru_cache

with warnings.catch_warnings():
    # pabutools' optional solvers warn at import time on some setups.
    warnings.simplefilter("ignore")
    from pabutools.election import (
        AbstractApprovalProfile,
        AbstractCardinalProfile,
        AbstractOrdinalProfile,
        Additive_Cardinal_Sat,
        AdditiveSatisfaction,
        Cost_Sat,
    )
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule


def _score_times_cost(instance, profile, ballot, project, precomputed) -> Fraction:
    if isinstance(profile, AbstractOrdinalProfile):
        score = len(ballot) - ballot.index(project) if project in ballot else 0
    elif isinstance(profile, AbstractCardinalProfile):
        score = ballot.get(project, 0)
    else:
        score = int(project in ballot)
    return score * project.cost


def _borda(instance, profile, ballot, project, precomputed) -> int:
    return len(ballot) - ballot.index(project) if project in ballot else 0


class PositionsBorda(AdditiveSatisfaction):
    """Borda over the ballot's positions as pabulib scores it (k points for the first of k, 1 for the last).

    pabutools' own Additive_Borda_Sat gives one point less (the last gets 0).
    """

    def __init__(self, instance, profile, ballot) -> None:
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _borda)


class ScoreTimesCost(AdditiveSatisfaction):
    """Satisfaction whose total per unit of cost is the project's score."""

    def __init__(self, instance, profile, ballot) -> None:
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _score_times_cost)


@lru_cache(maxsize=4)
def parse(text: str):
    """pabutools' own reading of a .pb text and its multiprofile (faster for its rules, same outcomes)."""
    instance, profile = parse_pabulib_from_string(text)
    return instance, profile, profile.as_multiprofile()


def _supporters(profile, project) -> int:
    if isinstance(profile, AbstractApprovalProfile):
        return sum(profile.multiplicity(b) for b in profile if project in b)
    if isinstance(profile, AbstractOrdinalProfile):
        return sum(profile.multiplicity(b) for b in profile if project in b)
    return sum(profile.multiplicity(b) for b in profile if b.get(project, 0) > 0)


class ApprovalScoreTimesCost:
    """The same satisfaction for approval ballots, totalled from pabutools' own approval scores.

    Its greedy rule only asks for each project's total satisfaction; summing
    a satisfaction object per ballot takes minutes on Warsaw's 51,202
    distinct ballots, pabutools' approval_scores a second.
    """

    def __init__(self, profile) -> None:
        self.scores = profile.approval_scores()

    def total_satisfaction_project(self, project) -> Fraction:
        return self.scores.get(project, 0) * project.cost


def greedy_winners(text: str) -> set[str]:
    instance, profile, multi = parse(text)
    rule = TieBreakingRule(lambda inst, prof, p: (p.cost, p.name))
    if isinstance(profile, AbstractApprovalProfile):
        outcome = greedy_utilitarian_welfare(
            instance, multi, sat_profile=ApprovalScoreTimesCost(multi), is_sat_additive=True, tie_breaking=rule
        )
    else:
        outcome = greedy_utilitarian_welfare(instance, multi, sat_class=ScoreTimesCost, tie_breaking=rule)
    return {p.name for p in outcome}


def mes_winners(text: str) -> list[str]:
    instance, profile, multi = parse(text)
    if isinstance(profile, AbstractApprovalProfile):
        sat = Cost_Sat
    elif isinstance(profile, AbstractOrdinalProfile):
        sat = PositionsBorda
    else:
        sat = Additive_Cardinal_Sat
    votes = {p.name: _supporters(multi, p) for p in instance}
    rule = TieBreakingRule(lambda inst, prof, p: (p.cost, -votes[p.name], p.name))
    outcome = method_of_equal_shares(instance, multi, sat_class=sat, tie_breaking=rule)
    return [p.name for p in outcome]
