"""Reading pabulib `.pb` files: lenient where pabulib's own files vary, strict where a file is broken.

A `.pb` file has three sections, in this order: META (`key;value` rows),
PROJECTS (one row per project, with at least `project_id` and `cost`) and
VOTES (one row per voter, with at least `voter_id` and `vote`). Rows are
`;`-separated with CSV quoting. The format is described by Faliszewski et
al., "Participatory Budgeting: Data, Tools, and Analysis" (IJCAI 2023), and
by pabulib's own checker (pabulib_helpers.fields).

`read_pb` accepts nothing it cannot tally: every problem raises
`PbFormatError` naming the line. Values are kept as the file spells them
(costs and points as `Decimal`, every other cell as text) so that
`app.tally.pb.writer.write_pb` gives back the same file. The reader is one
pass over the rows; the VOTES section, which holds nearly all the rows of a
large file (Warszawa 2026: 100,000 voters), is read in a tight loop.

Accepted, on purpose, because pabulib's own files (about 1,750 of them,
read the same way by pabutools) or the tools that write them vary so:

- **Encoding and line ends.** A UTF-8 byte-order mark at the start (files
  saved by Excel); `\r\n` line ends (files made on Windows); blank lines
  anywhere, and a missing line end after the last row.
- **Section and header names.** `META`, `PROJECTS`, `VOTES` in any case,
  with blanks or trailing `;` around them (`VOTES;` from spreadsheets);
  `key;value` in any case.
- **Blanks around every cell** (`1; 12,15`), and around ids inside a vote
  list (`12, 15`): pabutools strips them too.
- **Quoted fields.** CSV quoting: a cell holding `;`, `"` or a line break
  is quoted and an inner quote doubled (project names such as
  `"Park; ""Sai"" Road"`). Unquoted cells are read as written.
- **Numbers.** Costs, budgets and points may be decimals (`1500.50`) or use
  a decimal comma (`1500,50`), as some city exports write them; they are
  kept as `Decimal` and never rounded here.
- **`selected` present or absent.** Files of elections whose outcome is
  known carry `selected` (0, 1, and 2 or 3 for pabulib's special cases);
  many do not. Both are read; `Project.selected` is None without it.
- **Extra META keys** beyond the format's (`edition`, `fully_funded`,
  `experimental`, `acknowledgments`, `neighborhoods`, `leftover_budget`,
  `budget_per_category`...): kept as text, in file order, and written back.
  Only the keys the tally needs are checked (`budget`, `vote_type`, the
  counts, `min_project_score_threshold`, `scoring_fn`, `default_score`).
- **Extra PROJECTS and VOTES columns** (`name`, `category`, `target`,
  `latitude`, `age`, `sex`, `voting_method`, `neighborhood`, Zürich's
  `topic_preference_*`...): kept as text, in column order, written back.
- **A `points` column where the vote type has no points.** Kraków's 2021
  and 2022 ordinal files give each ranked project its points
  (`25,13,17;3,2,1`). The ranking is the order of `vote`, so the points are
  kept as an ordinary extra column (written back unchanged) and not used by
  the count; the same holds for an approval file with a `points` column.
- **Empty entries in a vote list** (`12,15,` with a trailing comma, or
  `12,,15`) are skipped, as pabutools does, in `vote` and in `points`; an
  empty `vote` is an empty ballot (a voter who chose nothing still counts in
  the number of voters, as pabulib's `num_votes` does).
- **`scoring` ballots** are read like `cumulative` ones (points per
  project); **`choose-1`** ballots are approval ballots of at most one
  project.

Refused, because the file is truly broken and a count of it would be wrong:
sections missing, repeated or out of order; a META row that is not
`key;value`, or a key given twice; no `budget` or `vote_type`, or a
vote_type outside approval, choose-1, cumulative, scoring, ordinal; a row
whose field count differs from its header; an empty or duplicate column
name; an empty, duplicate or comma-holding project id; a duplicate or empty
voter id; an unknown project in a vote, a project twice in one vote, or
more than one in a choose-1 vote; negative costs, budgets or points; a
cumulative or scoring file without points, or with a different number of
points than projects in a vote; `num_projects` / `num_votes` that disagree
with the file (a truncated download); an ordinal `scoring_fn` other than
Borda, or a scoring file's `default_score` other than 0 (the rules could
not honour them); text that is not UTF-8, holds NUL characters or has a
line longer than MAX_LINE_CHARS (not a `.pb` file at all).
"""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Protocol

from app.tally.pb.model import POINTS_TYPES, VOTE_TYPES, Ballot, Election, PbFormatError, Project, parse_decimal

__all__ = ["MAX_LINE_CHARS", "parse_pb", "read_pb"]

SCORING_FUNCTIONS = ("borda",)

# A real line is a few kilobytes at most (a long project description); a
# longer one means the input is not a .pb file, and reading it whole would
# only waste memory.
MAX_LINE_CHARS = 1 << 20
_BLOCK_BYTES = 1 << 20
_TOO_LONG = f"line is longer than {MAX_LINE_CHARS} characters: this is not a .pb file"
_SECTIONS = ("meta", "projects", "votes")


def read_pb(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> Election:
    """Read a `.pb` election from a path, a text or binary stream, or the file's text.

    A `str` is taken as the file's content when it contains a line break or
    starts with `META`, and as a path otherwise.
    """
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and not source.lstrip("\ufeff").startswith("META")
    ):
        with open(Path(source), "rb") as stream:
            return _Reader().read(_byte_lines(stream))
    if isinstance(source, str):
        return parse_pb(source)
    sample = source.read(0)
    if isinstance(sample, bytes):
        return _Reader().read(_byte_lines(source))  # type: ignore[arg-type]
    return _Reader().read(_text_lines(source))  # type: ignore[arg-type]


def parse_pb(text: str) -> Election:
    """Read a `.pb` election from the file's text."""
    return _Reader().read(_text_lines(io.StringIO(text)))


def _byte_lines(stream: IO[bytes]) -> Iterator[str]:
    """Lines (without their ends) of a binary stream, decoded as UTF-8.

    Reads in blocks and never holds a line longer than MAX_LINE_CHARS, so
    a large junk input fails at its first bad line without being loaded.
    """
    number = 0
    pending = b""
    first = True
    while True:
        block = stream.read(_BLOCK_BYTES)
        data = pending + block
        if first and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        first = False
        if block:
            cut = data.rfind(b"\n") + 1
            pending, data = data[cut:], data[:cut]
            if len(pending) > MAX_LINE_CHARS * 4:
                raise PbFormatError(number + data.count(b"\n") + 1, _TOO_LONG)
        else:
            pending = b""
        if not data:
            if not block:
                return
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PbFormatError(number + data.count(b"\n", 0, error.start) + 1, "not UTF-8 text: this is not a .pb file") from None
        lines = text.replace("\r\n", "\n").split("\n")
        if text.endswith("\n"):
            lines.pop()
        _check_lines(number, lines)
        number += len(lines)
        # Each line keeps a "\n": csv joins a quoted cell that spans lines with it (a line break
        # inside a project's description), where a bare line would lose the break.
        for line in lines:
            yield line + "\n"


def _text_lines(stream: IO[str]) -> Iterator[str]:
    number = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        if number == 0:
            line = line.lstrip("\ufeff")
        line = line.rstrip("\r\n")
        _check_lines(number, [line])
        number += 1
        yield line + "\n"


def _check_lines(before: int, lines: list[str]) -> None:
    if max(map(len, lines), default=0) > MAX_LINE_CHARS:
        offset = next(i for i, line in enumerate(lines) if len(line) > MAX_LINE_CHARS)
        raise PbFormatError(before + offset + 1, _TOO_LONG)
    if any("\x00" in line for line in lines):
        offset = next(i for i, line in enumerate(lines) if "\x00" in line)
        raise PbFormatError(before + offset + 1, "line contains a NUL character: this is not a .pb file")


class _RowReader(Protocol):
    """What `csv.reader` returns: rows, and the number of lines read so far."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


class _Reader:
    """One pass over the rows; keeps the state of the section being read."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.projects: dict[str, Project] = {}
        self.ballots: list[Ballot] = []
        self.voter_ids: set[str] = set()
        self.project_columns: list[str] = []
        self.vote_columns: list[str] = []
        self.vote_type = ""
        self.section_lines: dict[str, int] = {}
        self.project_ids: set[str] = set()

    def read(self, lines: Iterable[str]) -> Election:
        reader = csv.reader(lines, delimiter=";", quotechar='"', strict=True)
        section: str | None = None
        header: list[str] | None = None
        try:
            for row in reader:
                line = reader.line_num
                cells = [cell.strip() for cell in row]
                if not any(cells):
                    continue
                name = cells[0].lower()
                if name in _SECTIONS and not any(cells[1:]):
                    self._start_section(name, section, line)
                    section, header = name, None
                    continue
                if section is None:
                    raise PbFormatError(line, "the file must start with a META section")
                if header is None:
                    header = self._header(section, cells, line)
                    if section == "votes":
                        # The rest of the file is votes: read it in the
                        # tight loop made for the many voter rows.
                        self._read_votes(reader, header)
                        break
                    continue
                if section == "meta":
                    self._meta_row(cells, line)
                else:
                    self._project_row(header, cells, line)
        except csv.Error as error:
            raise PbFormatError(reader.line_num, f"unreadable row ({error})") from None
        return self._finish(section, header, reader.line_num)

    def _read_votes(self, reader: _RowReader, header: list[str]) -> None:
        # One iteration per voter: column positions are looked up once, the
        # fields other than id, vote and points are kept as written, and a
        # valid row costs only a few operations implemented in C.
        width = len(header)
        voter_at = header.index("voter_id")
        vote_at = header.index("vote")
        # Points count only for cumulative and scoring ballots; elsewhere (Kraków's
        # ordinal files) they are an extra column like any other (module docstring).
        points_at = header.index("points") if "points" in header and self.vote_type in POINTS_TYPES else -1
        used = ("voter_id", "vote", "points") if points_at >= 0 else ("voter_id", "vote")
        extra = [(i, name) for i, name in enumerate(header) if name not in used]
        known = self.project_ids
        voter_ids = self.voter_ids
        append = self.ballots.append
        choose_one = self.vote_type == "choose-1"
        for row in reader:
            if len(row) != width or not row[voter_at].strip():
                if self._skip_or_fail(row, width, reader.line_num):
                    continue
            voter_id = row[voter_at].strip()
            if voter_id in voter_ids:
                raise PbFormatError(reader.line_num, f"voter_id {voter_id!r} appears twice")
            voter_ids.add(voter_id)
            vote_text = row[vote_at].strip()
            ids = tuple(vote_text.split(",")) if vote_text else ()
            if " " in vote_text:
                ids = tuple(part.strip() for part in ids)
            if "" in ids:  # "12,15," or "12,,15": the empty entries are skipped (module docstring)
                ids = tuple(part for part in ids if part)
            if not known.issuperset(ids) or len(set(ids)) != len(ids) or (choose_one and len(ids) > 1):
                self._bad_vote(ids, vote_text, voter_id, reader.line_num)
            points = None
            if points_at >= 0:
                points = self._points(row[points_at], len(ids), voter_id, reader.line_num)
            append(Ballot(voter_id, ids, points, {name: row[i] for i, name in extra}))

    def _skip_or_fail(self, row: list[str], width: int, line: int) -> bool:
        """True for a blank row; raises for any other malformed VOTES row."""
        cells = [cell.strip() for cell in row]
        if not any(cells):
            return True
        name = cells[0].lower()
        if name in _SECTIONS and not any(cells[1:]):
            self._start_section(name, "votes", line)
        if len(cells) != width:
            raise PbFormatError(line, f"VOTES row has {len(cells)} fields, the header has {width}")
        raise PbFormatError(line, "empty voter_id")

    def _bad_vote(self, ids: tuple[str, ...], vote_text: str, voter_id: str, line: int) -> None:
        for project_id in ids:
            if not project_id:
                raise PbFormatError(line, f"empty project id in vote {vote_text!r}")
            if project_id not in self.project_ids:
                raise PbFormatError(line, f"unknown project id {project_id!r} in the vote of voter {voter_id!r}")
        if len(set(ids)) != len(ids):
            raise PbFormatError(line, f"a project appears twice in the vote of voter {voter_id!r}")
        raise PbFormatError(line, f"vote_type choose-1 allows one project, voter {voter_id!r} chose {len(ids)}")

    def _start_section(self, name: str, current: str | None, line: int) -> None:
        expected = {None: "meta", "meta": "projects", "projects": "votes"}.get(current)
        if name in self.section_lines:
            raise PbFormatError(line, f"second {name.upper()} section (the first is on line {self.section_lines[name]})")
        if name != expected:
            wanted = expected.upper() if expected else "nothing"
            raise PbFormatError(line, f"{name.upper()} section out of order: expected {wanted} here")
        if current == "meta":
            self._check_meta(line)
        self.section_lines[name] = line

    def _header(self, section: str, cells: list[str], line: int) -> list[str]:
        if section == "meta":
            if [c.lower() for c in cells[:2]] != ["key", "value"] or any(cells[2:]):
                raise PbFormatError(line, "the META header must be 'key;value'")
            return ["key", "value"]
        if any(not c for c in cells):
            raise PbFormatError(line, f"empty column name in the {section.upper()} header")
        duplicates = sorted({c for c in cells if cells.count(c) > 1})
        if duplicates:
            raise PbFormatError(line, f"column {duplicates[0]!r} appears twice in the {section.upper()} header")
        required = ("project_id", "cost") if section == "projects" else ("voter_id", "vote")
        for column in required:
            if column not in cells:
                raise PbFormatError(line, f"the {section.upper()} header has no {column!r} column")
        if section == "votes":
            has_points = "points" in cells
            if self.vote_type in POINTS_TYPES and not has_points:
                raise PbFormatError(line, f"vote_type {self.vote_type} needs a 'points' column")
            self.vote_columns = list(cells)
        else:
            self.project_columns = list(cells)
        return list(cells)

    def _meta_row(self, cells: list[str], line: int) -> None:
        if len(cells) < 2 or any(cells[2:]):
            raise PbFormatError(line, "a META row must be 'key;value'")
        key, value = cells[0], cells[1]
        if key in self.meta:
            raise PbFormatError(line, f"META key {key!r} repeats line {self.meta_lines[key]}")
        self.meta[key] = value
        self.meta_lines[key] = line

    def _check_meta(self, line: int) -> None:
        for key in ("budget", "vote_type"):
            if key not in self.meta:
                raise PbFormatError(line, f"META has no {key!r} (needed before the PROJECTS section)")
        budget = self._number(self.meta["budget"], self.meta_lines["budget"], "budget")
        if budget < 0:
            raise PbFormatError(self.meta_lines["budget"], f"negative budget {self.meta['budget']}")
        self.vote_type = self.meta["vote_type"].strip()
        if self.vote_type not in VOTE_TYPES:
            raise PbFormatError(
                self.meta_lines["vote_type"],
                f"unknown vote_type {self.vote_type!r} (expected one of {', '.join(VOTE_TYPES)})",
            )
        for key in ("num_projects", "num_votes"):
            if key in self.meta and not self.meta[key].isdigit():
                raise PbFormatError(self.meta_lines[key], f"{key} must be a whole number, not {self.meta[key]!r}")
        if "min_project_score_threshold" in self.meta:
            key = "min_project_score_threshold"
            self._number(self.meta[key], self.meta_lines[key], key)
        if self.vote_type == "ordinal" and "scoring_fn" in self.meta:
            if self.meta["scoring_fn"].strip().lower() not in SCORING_FUNCTIONS:
                raise PbFormatError(
                    self.meta_lines["scoring_fn"],
                    f"unsupported scoring_fn {self.meta['scoring_fn']!r} (only Borda is supported)",
                )
        default_score = self.meta.get("default_score", "0").strip() or "0"
        if self.vote_type == "scoring":
            score = self._number(default_score, self.meta_lines.get("default_score", line), "default_score")
            if score != 0:
                raise PbFormatError(self.meta_lines["default_score"], "only default_score 0 is supported")

    @staticmethod
    def _number(text: str, line: int, what: str) -> Decimal:
        try:
            return parse_decimal(text)
        except ValueError as error:
            raise PbFormatError(line, f"{what}: {error}") from None

    def _row_fields(self, header: list[str], cells: list[str], line: int, section: str) -> dict[str, str]:
        if len(cells) != len(header):
            raise PbFormatError(line, f"{section} row has {len(cells)} fields, the header has {len(header)}")
        return dict(zip(header, cells))

    def _project_row(self, header: list[str], cells: list[str], line: int) -> None:
        values = self._row_fields(header, cells, line, "PROJECTS")
        project_id = values.pop("project_id")
        if not project_id:
            raise PbFormatError(line, "empty project_id")
        if "," in project_id:
            raise PbFormatError(line, f"project_id {project_id!r} contains ',' which separates ids in votes")
        if project_id in self.projects:
            raise PbFormatError(line, f"project_id {project_id!r} appears twice")
        cost = self._number(values.pop("cost"), line, f"cost of project {project_id!r}")
        if cost < 0:
            raise PbFormatError(line, f"negative cost {cost} for project {project_id!r}")
        self.projects[project_id] = Project(project_id, cost, values)
        self.project_ids.add(project_id)

    def _points(self, text: str, count: int, voter_id: str, line: int) -> tuple[Decimal, ...]:
        parts = [part.strip() for part in text.split(",") if part.strip()] if text else []  # as in the vote list
        if len(parts) != count:
            raise PbFormatError(line, f"voter {voter_id!r} has {count} projects in 'vote' but {len(parts)} values in 'points'")
        parsed = []
        for part in parts:
            value = self._number(part, line, f"points of voter {voter_id!r}")
            if value < 0:
                raise PbFormatError(line, f"negative points {part} in the vote of voter {voter_id!r}")
            parsed.append(value)
        return tuple(parsed)

    def _finish(self, section: str | None, header: list[str] | None, last_line: int) -> Election:
        end = last_line + 1
        if section is None:
            raise PbFormatError(1, "empty input: no META section")
        for name in _SECTIONS:
            if name not in self.section_lines:
                raise PbFormatError(end, f"missing {name.upper()} section (the file ends at line {last_line})")
        if header is None:
            raise PbFormatError(end, f"the VOTES section has no header (the file ends at line {last_line})")
        counts = {"num_projects": len(self.projects), "num_votes": len(self.ballots)}
        for key, actual in counts.items():
            if key in self.meta and int(self.meta[key]) != actual:
                raise PbFormatError(self.meta_lines[key], f"{key} is {self.meta[key]} but the file has {actual}")
        return Election(self.meta, self.projects, self.ballots, self.project_columns, self.vote_columns)
