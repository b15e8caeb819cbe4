"""The pabulib `.pb` format: `model` (the in-memory election), `reader` (lenient where pabulib's own
files vary, strict where a file is broken: see its docstring) and `writer` (and `build_election`).

`app.tally.pb` re-exports the public names, so `from app.tally.pb import read_pb` keeps working.
"""
from app.tally.pb.model import POINTS_TYPES, VOTE_TYPES, Ballot, Election, PbFormatError, Project, parse_decimal
from app.tally.pb.reader import MAX_LINE_CHARS, parse_pb, read_pb
from app.tally.pb.writer import build_election, write_pb

__all__ = [
    "MAX_LINE_CHARS",
    "POINTS_TYPES",
    "VOTE_TYPES",
    "Ballot",
    "Election",
    "PbFormatError",
    "Project",
    "build_election",
    "parse_decimal",
    "parse_pb",
    "read_pb",
    "write_pb",
]
