"""What a rule returns: the selected projects and, for every project, why.

Explanations are structured (a code and named numbers) rather than
sentences, so that the web app can word them in Thai or English. Amounts
of money are in the election's currency, points in the election's points.

Explanation codes:

- `selected`: greedy took the project (`remaining` budget after it).
- `did_not_fit`: greedy reached the project when only `remaining` was left,
  less than its `cost`.
- `not_reached`: greedy-no-skip stopped at an earlier project that did not
  fit (`stopped_at`).
- `below_threshold`: greedy-threshold skipped a project whose `score` is
  under `threshold`.
- `free`: MES took a project that costs nothing and has supporters.
- `mes_selected`: MES took the project in `round`; `full_payers` voters
  paid their full share (`share`, the price per point of utility times
  their points, or with approval ballots the same amount for each),
  `exhausted_payers` voters could not afford it and paid everything they
  had left (`exhausted_paid` together).
- `mes_unaffordable`: when MES stopped, the project's supporters had
  `supporters_money` left, less than its `cost`; `budget_left` is what
  the budget itself had left then (whether it could have paid for it).
- `no_supporters`: nobody voted for the project.
- `completion_selected` / `completion_did_not_fit`: the greedy completion
  after MES took the project, or found `remaining` too small for it (then
  with MES's `supporters_money` and `budget_left` too, when MES had
  passed it over for lack of its supporters' money).

MES `details` also carry `rounds` (projects MES chose in its final run)
and `mes_cost` (their cost, before any greedy completion).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = ["Explanation", "Outcome", "TallyError", "number_as_json"]

Number = int | Decimal | Fraction | float


class TallyError(ValueError):
    """A rule cannot be applied as asked (unknown rule, missing threshold...)."""


@dataclass(frozen=True)
class Explanation:
    """Why one project was or was not selected: a code and named numbers."""

    code: str
    values: dict[str, Number | str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, **{k: number_as_json(v) for k, v in self.values.items()}}


@dataclass(frozen=True)
class Outcome:
    """The result of a rule.

    `selected` is in the order the rule took the projects. `details` holds
    rule-level figures (for MES with add1: the final budget per voter and
    how many times it was raised).
    """

    rule: str
    completion: str | None
    selected: tuple[str, ...]
    cost: Decimal
    budget: Decimal
    explanations: dict[str, Explanation]
    details: dict[str, Number | str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "selected": list(self.selected),
            "cost": number_as_json(self.cost),
            "budget": number_as_json(self.budget),
            "rule": self.rule,
            "completion": self.completion,
            "details": {k: number_as_json(v) for k, v in self.details.items()},
            "explanations": {pid: e.as_json() for pid, e in self.explanations.items()},
        }


def number_as_json(value: Number | str) -> int | float | str:
    """A number as JSON: whole numbers exactly, others as the nearest float."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (Decimal, Fraction)) and value == int(value):
        return int(value)
    return float(value)
