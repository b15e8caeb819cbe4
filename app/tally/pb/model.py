"""The in-memory model of a pabulib `.pb` election, shared by the reader and the writer.

`Election` holds META (keys in file order), PROJECTS and VOTES as the file
spells them: costs and points as `Decimal`, every other cell as text, and
the section headers' column order so that a file written back has the same
columns. `PbFormatError` is what the reader (and `build_election`) raise for
input that cannot be read, naming its line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

__all__ = ["Ballot", "Election", "PbFormatError", "POINTS_TYPES", "Project", "VOTE_TYPES", "parse_decimal"]

#: Vote types the reader understands. `scoring` is read like `cumulative`
#: (points per project); the rules use points as utilities for both.
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring", "ordinal")
POINTS_TYPES = ("cumulative", "scoring")


class PbFormatError(ValueError):
    """A `.pb` input that cannot be read; `line` is 1-based (None: no line applies)."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(slots=True)
class Project:
    """One row of the PROJECTS section.

    `fields` holds every other column of the row as text, keyed by column
    name (for example `name`, `votes`, `score`, `selected`, `category`).
    """

    project_id: str
    cost: Decimal
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str | None:
        return self.fields.get("name") or None

    @property
    def selected(self) -> int | None:
        """The file's `selected` flag (1 selected, 0 not, 2 special), if any."""
        return _optional_int(self.fields.get("selected"))

    @property
    def votes(self) -> int | None:
        """The file's `votes` column, if any (the rules count ballots instead)."""
        return _optional_int(self.fields.get("votes"))

    @property
    def score(self) -> int | None:
        """The file's `score` column, if any (the rules count ballots instead)."""
        return _optional_int(self.fields.get("score"))


@dataclass(slots=True)
class Ballot:
    """One row of the VOTES section.

    `projects` keeps the file's order (for ordinal ballots, most preferred
    first); `points` is aligned with it for cumulative and scoring ballots
    and None otherwise. `fields` holds the other columns (age, sex, ...).
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Decimal, ...] | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Election:
    """A participatory budgeting election as a `.pb` file describes it.

    `meta` keeps the META keys in file order. `project_columns` and
    `vote_columns` are the section headers (they include `project_id`,
    `cost`, `voter_id`, `vote` and, where used, `points`) so that the
    writer reproduces the file's column order.
    """

    meta: dict[str, str]
    projects: dict[str, Project]
    ballots: list[Ballot]
    project_columns: list[str] = field(default_factory=lambda: ["project_id", "cost"])
    vote_columns: list[str] = field(default_factory=lambda: ["voter_id", "vote"])

    @property
    def budget(self) -> Decimal:
        return parse_decimal(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def num_voters(self) -> int:
        return len(self.ballots)


def parse_decimal(text: str) -> Decimal:
    """Parse a finite number as pabulib writes it; a lone `,` is a decimal comma."""
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return value


def _optional_int(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None
