"""The rules on small elections worked out by hand: order, variants, ties, explanations, add1."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.tally.outcome import TallyError
from app.tally.pb import build_election, write_pb
from app.tally.rules import equal_shares, greedy, rule_from_meta, tally
from tests.tally import oracle, reference


def approval(budget, projects, ballots, **meta):
    return build_election(budget=budget, vote_type="approval", projects=projects, ballots=ballots, meta=meta)


# Votes: a 4, b 3, c 3, d 1. b and c tie on votes; c is cheaper, so c comes first.
SMALL = approval(
    100,
    [("a", 60), ("b", 30), ("c", 20), ("d", 10)],
    [["a", "b"], ["a", "c"], ["a", "b", "c"], ["a", "b", "c", "d"]],
)


def test_greedy_skips_what_does_not_fit() -> None:
    outcome = greedy(SMALL)
    assert outcome.selected == ("a", "c", "d")
    assert outcome.cost == 90 and outcome.budget == 100
    assert outcome.explanations["a"].code == "selected"
    assert outcome.explanations["a"].values["remaining"] == 40
    assert outcome.explanations["b"].code == "did_not_fit"
    assert outcome.explanations["b"].values == {"score": 3, "cost": 30, "remaining": 20}
    assert list(outcome.explanations) == ["a", "b", "c", "d"]


def test_greedy_no_skip_stops_at_the_first_misfit() -> None:
    outcome = greedy(SMALL, "greedy-no-skip")
    assert outcome.selected == ("a", "c")
    assert outcome.explanations["b"].code == "did_not_fit"
    assert outcome.explanations["d"].code == "not_reached"
    assert outcome.explanations["d"].values == {"stopped_at": "b"}


def test_greedy_threshold_from_the_argument_or_meta() -> None:
    outcome = greedy(SMALL, "greedy-threshold", threshold=3)
    assert outcome.selected == ("a", "c")
    assert outcome.explanations["d"].code == "below_threshold"
    assert outcome.explanations["d"].values == {"score": 1, "threshold": 3}
    with_meta = approval(100, [("a", 60), ("d", 10)], [["a", "d"], ["a"]], min_project_score_threshold="2")
    assert tally(with_meta, "greedy-threshold").selected == ("a",)
    with pytest.raises(TallyError, match="min_project_score_threshold"):
        tally(SMALL, "greedy-threshold")


def test_greedy_takes_unvoted_projects_that_fit_like_pabutools() -> None:
    election = approval(10, [("a", 5), ("z", 5)], [["a"]])
    assert greedy(election).selected == ("a", "z")
    assert greedy(election, "greedy-threshold", threshold=1).selected == ("a",)


def test_cumulative_and_ordinal_greedy_use_points_and_borda() -> None:
    cumulative = build_election(
        budget=10, vote_type="cumulative", projects=[("x", 6), ("y", 6)], ballots=[{"x": 1, "y": 2}, {"x": 2}]
    )
    assert greedy(cumulative).selected == ("x",)  # x has 3 points, y 2
    ordinal = build_election(
        budget=10, vote_type="ordinal", projects=[("x", 6), ("y", 6), ("z", 4)], ballots=[["y", "x"], ["y", "z"], ["x"]]
    )
    # Borda over positions: y 2+2, x 1+1, z 1.
    assert greedy(ordinal).selected == ("y", "z")


def test_tally_rejects_unknown_rules_and_misplaced_completions() -> None:
    with pytest.raises(TallyError, match="unknown rule"):
        tally(SMALL, "borda")
    with pytest.raises(TallyError, match="takes no completion"):
        tally(SMALL, "greedy", "add1")
    with pytest.raises(TallyError, match="unknown completion"):
        tally(SMALL, "mes", "add2")


def test_mes_pays_equal_shares_and_explains_them() -> None:
    # 4 voters, 25 each. a (60) is shared by all four: 15 each. Then c (20):
    # its three supporters, with 10 left each, pay 6.67. b (30) has 10 +
    # 3.33 + 3.33 behind it: unaffordable; so is d (10), with 3.33.
    outcome = equal_shares(SMALL, "none")
    assert outcome.selected == ("a", "c")
    assert outcome.details["voter_budget"] == 25
    selected_a = outcome.explanations["a"]
    assert selected_a.code == "mes_selected"
    assert selected_a.values["round"] == 1 and selected_a.values["full_payers"] == 4
    assert selected_a.values["share"] == pytest.approx(15)
    unaffordable = outcome.explanations["b"]
    assert unaffordable.code == "mes_unaffordable"
    assert unaffordable.values["supporters_money"] == pytest.approx(50 / 3)
    completed = equal_shares(SMALL, "greedy")
    assert completed.selected == ("a", "c", "d")
    assert completed.explanations["d"].code == "completion_selected"
    assert completed.explanations["b"].code == "completion_did_not_fit"


def test_mes_ties_go_to_lower_cost_then_more_votes_then_id() -> None:
    # Every project is paid in full by its supporters at the same price per
    # unit of cost (1 / votes), so each round is a tie on price.
    election = approval(
        1000,
        [("b", 10), ("a", 10), ("c", 5), ("d", 10)],
        [["a", "b", "c"], ["a", "b", "c", "d"], ["a", "b", "d"], ["c", "d"]],
    )
    # Votes: a 3, b 3, c 3, d 3: price 1/3 each; c is cheapest, then a
    # before b and d by id.
    assert equal_shares(election, "none").selected == ("c", "a", "b", "d")


def test_free_projects_with_supporters_come_first() -> None:
    election = approval(10, [("a", 5), ("f", 0), ("g", 0)], [["a", "f"], ["a"]])
    outcome = equal_shares(election, "none")
    assert outcome.selected == ("f", "a")
    assert outcome.explanations["f"].code == "free"
    assert outcome.explanations["g"].code == "no_supporters"


def test_add1_goes_on_past_the_first_exhaustive_outcome() -> None:
    # At 7 per voter MES selects p1 and p2 (11), and nothing else fits in
    # the 14 left: pabutools' voter_budget_increment stops there. Raising
    # the budget per voter on, as the cities did, finds p1 and p0 (23) at 12.
    election = approval(
        25,
        [("p0", 17), ("p1", 6), ("p2", 5), ("p3", 18)],
        [["p1"], ["p1", "p0"], ["p2", "p0", "p1"], ["p1", "p0"]],
    )
    outcome = equal_shares(election, "add1")
    assert outcome.selected == ("p1", "p0")
    assert outcome.details["voter_budget"] == 12 and outcome.details["start_voter_budget"] == 6
    assert reference.add1(election) == (["p1", "p0"], Fraction(12))
    assert equal_shares(election, "add1+greedy").selected == ("p1", "p0")


def test_add1_starts_from_the_whole_number_floor_with_decimal_money() -> None:
    # 100.50 for 4 voters: 25.125 each, so add1 starts at 25 (not 25.125)
    # and steps by one currency unit.
    election = approval(Decimal("100.50"), [("a", Decimal("60.25")), ("b", 45)], [["a"], ["a", "b"], ["b"], ["a"]])
    outcome = equal_shares(election, "add1")
    assert outcome.details["start_voter_budget"] == 25
    expected, per_voter = reference.add1(election)
    assert list(outcome.selected) == expected
    assert outcome.details["voter_budget"] == per_voter


def test_add1_when_everything_fits_selects_everything_supported() -> None:
    election = approval(1000, [("a", 100), ("b", 200), ("z", 50)], [["a"], ["b"]])
    outcome = equal_shares(election, "add1")
    assert set(outcome.selected) == {"a", "b"}
    assert outcome.explanations["z"].code == "no_supporters"


def test_no_voters_selects_nothing_with_mes() -> None:
    election = approval(100, [("a", 10)], [])
    assert equal_shares(election, "add1").selected == ()
    assert equal_shares(election, "greedy").selected == ("a",)


def test_outcome_as_json_is_plain_data() -> None:
    data = equal_shares(SMALL, "add1").as_json()
    assert data["rule"] == "mes" and data["completion"] == "add1"
    assert isinstance(data["cost"], int)
    assert data["explanations"]["a"]["code"] == "mes_selected"
    assert all(isinstance(v, (int, float, str)) for e in data["explanations"].values() for v in e.values())


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("greedy", ("greedy", None)),
        ("greedy-threshold", ("greedy-threshold", None)),
        ("equalshares", ("mes", "none")),
        ("equalshares/add1", ("mes", "add1")),
        ("equalshares/add1+greedy", ("mes", "add1+greedy")),
        ("greedy-custom", None),
        ("unknown", None),
    ],
)
def test_rule_from_meta(rule: str, expected) -> None:
    assert rule_from_meta({"rule": rule}) == expected


def test_exact_ties_in_a_large_election_go_to_the_cheaper_project() -> None:
    # 4,500 voters: "tie-b" and "tie-a" have 2,000 supporters each, all
    # paying in full, so their prices per unit of cost are exactly equal
    # (1/2000) in every run; only exact arithmetic sees the tie, and the
    # cheaper project wins it. Then "other" (1,500 supporters).
    ballots = [["tie-a", "other"]] * 1000 + [["tie-a"]] * 1000 + [["tie-b"]] * 2000 + [["other"]] * 500
    election = approval(
        600_000, [("tie-b", 99_999), ("tie-a", 100_000), ("other", 150_000), ("big", 700_000)], ballots
    )
    outcome = equal_shares(election, "none")
    assert outcome.selected[:2] == ("tie-b", "tie-a")
    assert list(outcome.selected) == oracle.mes_winners(write_pb(election))
    add1 = equal_shares(election, "add1")
    assert add1.selected[:2] == ("tie-b", "tie-a")
