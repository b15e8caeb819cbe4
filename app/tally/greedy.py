"""Greedy by votes: the rule most cities run.

Projects are taken in order of score (the number of votes with approval
and choose-1 ballots, the total points with cumulative and scoring
ballots, the Borda total with ordinal ballots), ties going to the cheaper
project and then to the lower project id (as text). Each project is taken
if it still fits in what is left of the budget. Three variants:

- `greedy` skips a project that does not fit and goes on;
- `greedy-no-skip` stops at the first project that does not fit;
- `greedy-threshold` first sets aside projects whose score is below a
  minimum (META `min_project_score_threshold` unless given), then skips
  like `greedy`.

Like pabutools' greedy rule, a project nobody voted for is still taken if
money is left when its turn comes; greedy-threshold is the variant that
excludes weakly supported projects.
"""
from __future__ import annotations

from decimal import Decimal

from app.tally.outcome import Explanation, Outcome, TallyError
from app.tally.profile import Profile

__all__ = ["GREEDY_VARIANTS", "greedy_order", "run_greedy", "greedy_fill"]

GREEDY_VARIANTS = ("greedy", "greedy-no-skip", "greedy-threshold")


def greedy_order(profile: Profile) -> list[int]:
    """Project indices by score, then lower cost, then project id."""
    return sorted(
        range(profile.num_projects),
        key=lambda c: (-profile.scores[c], profile.costs[c], profile.project_ids[c]),
    )


def run_greedy(profile: Profile, variant: str = "greedy", threshold: Decimal | None = None) -> Outcome:
    """Apply a greedy variant; `threshold` (in points) is used by greedy-threshold only."""
    if variant not in GREEDY_VARIANTS:
        raise TallyError(f"unknown greedy variant {variant!r} (expected one of {', '.join(GREEDY_VARIANTS)})")
    if variant == "greedy-threshold" and threshold is None:
        raise TallyError("greedy-threshold needs a threshold (META min_project_score_threshold)")
    remaining = profile.budget
    selected: list[int] = []
    explanations: dict[str, Explanation] = {}
    stopped_at: str | None = None
    for c in greedy_order(profile):
        project_id = profile.project_ids[c]
        cost = profile.costs[c]
        if stopped_at is not None:
            explanations[project_id] = Explanation("not_reached", {"stopped_at": stopped_at})
            continue
        if variant == "greedy-threshold" and threshold is not None:
            # Exact: compare in scaled points, all integers.
            if profile.scores[c] < threshold * profile.point_scale:
                explanations[project_id] = Explanation(
                    "below_threshold", {"score": profile.points(profile.scores[c]), "threshold": threshold}
                )
                continue
        if cost <= remaining:
            remaining -= cost
            selected.append(c)
            explanations[project_id] = Explanation(
                "selected", {"score": profile.points(profile.scores[c]), "remaining": profile.money(remaining)}
            )
        else:
            explanations[project_id] = Explanation(
                "did_not_fit",
                {"score": profile.points(profile.scores[c]), "cost": profile.money(cost), "remaining": profile.money(remaining)},
            )
            if variant == "greedy-no-skip":
                stopped_at = project_id
    return _outcome(profile, variant, selected, explanations, {"threshold": threshold} if threshold is not None else {})


def greedy_fill(profile: Profile, taken: list[int]) -> tuple[list[int], dict[str, Explanation]]:
    """Greedy completion: add, in greedy order, every other project that still fits."""
    remaining = profile.budget - sum(profile.costs[c] for c in taken)
    chosen = set(taken)
    added: list[int] = []
    explanations: dict[str, Explanation] = {}
    for c in greedy_order(profile):
        if c in chosen:
            continue
        project_id = profile.project_ids[c]
        if profile.costs[c] <= remaining:
            remaining -= profile.costs[c]
            added.append(c)
            explanations[project_id] = Explanation(
                "completion_selected", {"score": profile.points(profile.scores[c]), "remaining": profile.money(remaining)}
            )
        else:
            explanations[project_id] = Explanation(
                "completion_did_not_fit", {"cost": profile.money(profile.costs[c]), "remaining": profile.money(remaining)}
            )
    return added, explanations


def _outcome(
    profile: Profile, rule: str, selected: list[int], explanations: dict[str, Explanation], details: dict
) -> Outcome:
    ordered = {pid: explanations[pid] for pid in profile.project_ids}
    return Outcome(
        rule=rule,
        completion=None,
        selected=tuple(profile.project_ids[c] for c in selected),
        cost=profile.money(sum(profile.costs[c] for c in selected)),
        budget=profile.money(profile.budget),
        explanations=ordered,
        details=details,
    )
