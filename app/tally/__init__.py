"""Tallying participatory budgeting elections: the pabulib `.pb` format and the rules.

A pure library (no Flask): the web app and the `tally` CLI command call it.

- `app.tally.pb`: the `.pb` format, a package of `model` (`Election`
  with META, projects, ballots; `PbFormatError`, raised with the line
  number for any input that cannot be read), `reader` (`read_pb`,
  `parse_pb`; its docstring lists every variation of pabulib's files it
  accepts) and `writer` (`write_pb`, `build_election`).
- `app.tally.rules`: `tally(election, rule, completion)`, `greedy`,
  `equal_shares`; rules `greedy`, `greedy-no-skip`, `greedy-threshold`,
  `mes` with completions `add1`, `greedy`, `add1+greedy`, `none`.
- `app.tally.outcome`: `Outcome` (selected ids in order, cost, and a
  structured `Explanation` for every project) and `TallyError`.
- `app.tally.cli`: the `tally` click command (`tally_command`).

Ballots are grouped by content before counting, so the work grows with the
number of distinct ballots, not voters, and every decision is exact (see
`app.tally.mes` for how floats are certified).
"""
from app.tally.outcome import Explanation, Outcome, TallyError
from app.tally.pb import Ballot, Election, PbFormatError, Project, build_election, parse_pb, read_pb, write_pb
from app.tally.rules import COMPLETIONS, RULES, equal_shares, greedy, rule_from_meta, tally

__all__ = [
    "COMPLETIONS",
    "RULES",
    "Ballot",
    "Election",
    "Explanation",
    "Outcome",
    "PbFormatError",
    "Project",
    "TallyError",
    "build_election",
    "equal_shares",
    "greedy",
    "parse_pb",
    "read_pb",
    "rule_from_meta",
    "tally",
    "write_pb",
]
