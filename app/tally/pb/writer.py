"""Writing a pabulib `.pb` election, and building one in memory validated like a file.

`write_pb` gives the file's text: `;`-separated rows with CSV quoting where
a cell holds `;`, `"` or a line break, `\\n` line ends, no byte-order mark,
the columns in the order the election declares them (then any column a
project or ballot carries beyond them). A file read by `read_pb` and written
back is equivalent to the original (tests/tally/test_pb.py checks every real
file). `build_election` makes an `Election` from in-memory data and reads
it back through `parse_pb`, so that it obeys every rule a file does.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from app.tally.pb.model import POINTS_TYPES, Ballot, Election, Project
from app.tally.pb.reader import parse_pb

__all__ = ["build_election", "write_pb"]


def write_pb(election: Election) -> str:
    """The `.pb` text of an election (`\\n` line ends, CSV quoting where needed).

    `num_projects` and `num_votes`, where present, are written from the
    election's actual contents, so an election changed in memory stays
    consistent.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    meta = dict(election.meta)
    for key, actual in (("num_projects", len(election.projects)), ("num_votes", len(election.ballots))):
        if key in meta:
            meta[key] = str(actual)
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    project_columns = _columns(election.project_columns, ("project_id", "cost"), (p.fields for p in election.projects.values()))
    writer.writerow(project_columns)
    for project in election.projects.values():
        writer.writerow([_project_cell(project, column) for column in project_columns])
    out.write("VOTES\n")
    required = ("voter_id", "vote", "points") if election.vote_type in POINTS_TYPES else ("voter_id", "vote")
    vote_columns = _columns(election.vote_columns, required, (b.fields for b in election.ballots))
    if election.vote_type not in POINTS_TYPES and "points" in vote_columns and not any(
        "points" in b.fields for b in election.ballots
    ):
        vote_columns.remove("points")
    writer.writerow(vote_columns)
    for ballot in election.ballots:
        writer.writerow([_ballot_cell(ballot, column) for column in vote_columns])
    return out.getvalue()


def _columns(declared: Sequence[str], required: Sequence[str], rows: Iterable[Mapping[str, str]]) -> list[str]:
    columns = list(dict.fromkeys(declared))
    for column in required:
        if column not in columns:
            columns.insert(required.index(column), column)
    seen = set(columns)
    for fields in rows:
        for key in fields:
            if key not in seen:
                columns.append(key)
                seen.add(key)
    return columns


def _project_cell(project: Project, column: str) -> str:
    if column == "project_id":
        return project.project_id
    if column == "cost":
        return str(project.cost)
    return project.fields.get(column, "")


def _ballot_cell(ballot: Ballot, column: str) -> str:
    if column == "voter_id":
        return ballot.voter_id
    if column == "vote":
        return ",".join(ballot.projects)
    if column == "points" and ballot.points is not None:
        return ",".join(str(p) for p in ballot.points)
    return ballot.fields.get(column, "")


def build_election(
    *,
    budget: Decimal | int | str,
    vote_type: str,
    projects: Iterable[tuple[str, Decimal | int | str] | Project],
    ballots: Iterable[Sequence[str] | Mapping[str, Decimal | int | str] | Ballot],
    meta: Mapping[str, str] | None = None,
    rule: str = "unknown",
) -> Election:
    """Build an election from in-memory data and validate it like a file.

    `projects` are `(project_id, cost)` pairs or `Project`s. Each ballot is
    a sequence of project ids (approval, choose-1; ordinal, most preferred
    first), a mapping project id -> points (cumulative, scoring), or a
    `Ballot`. Voters are numbered from 1 unless `Ballot`s carry their ids.
    The result round-trips through `write_pb`/`read_pb`; a problem raises
    `PbFormatError` naming the line it would have in that file.
    """
    full_meta = {
        "description": "",
        "country": "",
        "unit": "",
        "instance": "",
        "num_projects": "0",
        "num_votes": "0",
        "budget": str(budget),
        "vote_type": vote_type,
        "rule": rule,
    }
    full_meta.update(meta or {})
    full_meta["budget"] = str(budget)
    full_meta["vote_type"] = vote_type
    project_objects: dict[str, Project] = {}
    for item in projects:
        project = item if isinstance(item, Project) else Project(str(item[0]), Decimal(str(item[1])))
        project_objects[project.project_id] = project
    ballot_objects: list[Ballot] = []
    for number, item in enumerate(ballots, start=1):
        if isinstance(item, Ballot):
            ballot_objects.append(item)
        elif isinstance(item, Mapping):
            ids = tuple(str(k) for k in item)
            ballot_objects.append(Ballot(str(number), ids, tuple(Decimal(str(v)) for v in item.values())))
        else:
            ballot_objects.append(Ballot(str(number), tuple(str(p) for p in item), None))
    draft = Election(
        full_meta,
        project_objects,
        ballot_objects,
        ["project_id", "cost"],
        ["voter_id", "vote", "points"] if vote_type in POINTS_TYPES else ["voter_id", "vote"],
    )
    # Validate by the same rules as a file: write it and read it back.
    return parse_pb(write_pb(draft))
