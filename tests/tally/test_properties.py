"""Small random elections (ties, projects dearer than the budget, empty ballots) against two oracles.

pabutools checks greedy and MES without completion; the plain fraction
implementation in `reference` checks MES and the add1 completion as the
cities ran it (pabutools' own add1 stops at the first exhaustive outcome).
"""
from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.tally.pb import Election, build_election, write_pb
from app.tally.rules import equal_shares, greedy
from tests.tally import oracle, reference

SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def elections(draw, max_budget: int = 60, max_cost: int = 80) -> Election:
    vote_type = draw(st.sampled_from(["approval", "choose-1", "cumulative", "ordinal"]))
    count = draw(st.integers(1, 6))
    ids = draw(st.permutations([f"p{i}" for i in range(count)]))
    # Few distinct costs, so that ties on cost (and on votes) are common.
    cost_pool = draw(st.lists(st.integers(1, max_cost), min_size=1, max_size=3))
    projects = [(pid, draw(st.sampled_from(cost_pool))) for pid in ids]
    budget = draw(st.integers(1, max_budget))
    voters = draw(st.integers(0, 8))
    ballots: list = []
    for _ in range(voters):
        if vote_type == "cumulative":
            chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=count, unique=True))
            ballots.append({pid: draw(st.integers(1, 3)) for pid in chosen})
        else:
            size = 1 if vote_type == "choose-1" else count
            ballots.append(draw(st.lists(st.sampled_from(ids), max_size=size, unique=True)))
    return build_election(budget=budget, vote_type=vote_type, projects=projects, ballots=ballots)


@SETTINGS
@given(elections())
def test_greedy_matches_pabutools_and_the_reference(election: Election) -> None:
    outcome = greedy(election)
    assert set(outcome.selected) == oracle.greedy_winners(write_pb(election))
    assert list(outcome.selected) == reference.greedy(election)


@SETTINGS
@given(elections(), st.integers(0, 4))
def test_greedy_variants_match_the_reference(election: Election, threshold: int) -> None:
    assert list(greedy(election, "greedy-no-skip").selected) == reference.greedy(election, "greedy-no-skip")
    assert list(greedy(election, "greedy-threshold", threshold).selected) == reference.greedy(
        election, threshold=Fraction(threshold)
    )


@SETTINGS
@given(elections())
def test_mes_matches_pabutools_and_the_reference(election: Election) -> None:
    outcome = equal_shares(election, "none")
    assert list(outcome.selected) == oracle.mes_winners(write_pb(election))
    if election.ballots:
        expected = reference.mes(election, Fraction(election.budget) / len(election.ballots))
        assert list(outcome.selected) == expected


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_budget=40, max_cost=40))
def test_add1_matches_the_plain_definition(election: Election) -> None:
    if not election.ballots:
        return
    outcome = equal_shares(election, "add1")
    expected, per_voter = reference.add1(election)
    assert list(outcome.selected) == expected
    assert outcome.details["voter_budget"] == per_voter
    assert outcome.cost <= election.budget


def medium_election(seed: int) -> Election:
    """Up to 150 voters with popular and unpopular projects: many rounds where some supporters run out."""
    rng = random.Random(seed)
    vote_type = rng.choice(["approval", "cumulative", "ordinal"])
    ids = [f"q{i}" for i in range(rng.randint(3, 12))]
    costs = [rng.choice([rng.randint(1, 400), rng.randint(1, 40) * 10]) for _ in ids]
    popularity = [rng.random() for _ in ids]
    ballots: list = []
    for _ in range(rng.randint(5, 150)):
        chosen = [p for p, w in zip(ids, popularity) if rng.random() < w] or [rng.choice(ids)]
        rng.shuffle(chosen)
        ballots.append({p: rng.randint(1, 4) for p in chosen} if vote_type == "cumulative" else chosen)
    budget = rng.randint(max(costs) // 2, sum(costs))
    return build_election(budget=budget, vote_type=vote_type, projects=list(zip(ids, costs)), ballots=ballots)


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_medium_elections_match_the_reference(seed: int) -> None:
    election = medium_election(seed)
    voters = len(election.ballots)
    outcome = equal_shares(election, "none")
    assert list(outcome.selected) == reference.mes(election, Fraction(election.budget) / voters)
    if election.budget / voters < 12:
        add1 = equal_shares(election, "add1")
        expected, per_voter = reference.add1(election)
        assert (list(add1.selected), add1.details["voter_budget"]) == (expected, per_voter)
