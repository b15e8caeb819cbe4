"""The .pb reader and writer: real files round-trip, and every kind of bad input names its line."""
from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from app.tally.pb import Ballot, PbFormatError, Project, build_election, parse_pb, read_pb, write_pb

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))

GOOD = '''META
key;value
description;test
num_projects;3
num_votes;3
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
a;60;"Park; with a ""pond"""
b;50;Library
c;30;Bench
VOTES
voter_id;vote;age
1;a,b;30
2;b;41
3;a,c;
'''


def test_the_data_folder_has_the_nine_files() -> None:
    assert len(FILES) == 9


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_real_files_round_trip(path: Path) -> None:
    election = read_pb(path)
    text = write_pb(election)
    again = parse_pb(text)
    assert again == election
    assert write_pb(again) == text
    # The writer reproduces the file itself, up to its line ends.
    original = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert text.rstrip("\n") == original.rstrip("\n")
    assert election.meta["num_votes"] == str(len(election.ballots))


def test_reader_keeps_types_columns_and_quoting() -> None:
    election = parse_pb(GOOD)
    assert election.budget == Decimal(100)
    assert election.vote_type == "approval"
    assert election.projects["a"].name == 'Park; with a "pond"'
    assert election.projects["a"].cost == Decimal(60)
    assert election.ballots[0] == Ballot("1", ("a", "b"), None, {"age": "30"})
    assert election.project_columns == ["project_id", "cost", "name"]
    assert election.vote_columns == ["voter_id", "vote", "age"]
    assert write_pb(election) == GOOD


def test_read_pb_accepts_paths_text_and_streams(tmp_path: Path) -> None:
    path = tmp_path / "good.pb"
    path.write_text(GOOD, encoding="utf-8")
    expected = parse_pb(GOOD)
    assert read_pb(path) == expected
    assert read_pb(str(path)) == expected
    assert read_pb(GOOD) == expected
    assert read_pb(io.StringIO(GOOD)) == expected
    assert read_pb(io.BytesIO(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())) == expected


def test_cumulative_and_ordinal_values() -> None:
    text = (
        "META\nkey;value\nbudget;10.5\nvote_type;cumulative\nPROJECTS\nproject_id;cost\nx;4.25\ny;6\n"
        "VOTES\nvoter_id;vote;points\nv1;x,y;2,1.5\nv2;;\n"
    )
    election = parse_pb(text)
    assert election.ballots[0].points == (Decimal(2), Decimal("1.5"))
    assert election.ballots[1].projects == () and election.ballots[1].points == ()
    assert parse_pb(write_pb(election)) == election


def test_build_election_from_memory_round_trips() -> None:
    election = build_election(
        budget=1000,
        vote_type="cumulative",
        projects=[("p1", 600), Project("p2", Decimal(500), {"name": "สวนสาธารณะ"})],
        ballots=[{"p1": 3, "p2": 2}, {"p2": 5}, Ballot("x9", ("p1",), (Decimal(1),))],
        meta={"description": "ทดลอง", "currency": "THB"},
        rule="greedy",
    )
    assert [b.voter_id for b in election.ballots] == ["1", "2", "x9"]
    assert election.meta["num_projects"] == "2" and election.meta["num_votes"] == "3"
    assert election.projects["p2"].name == "สวนสาธารณะ"
    assert read_pb(write_pb(election)) == election
    ordinal = build_election(budget=10, vote_type="ordinal", projects=[("a", 1), ("b", 2)], ballots=[["b", "a"]])
    assert ordinal.ballots[0].projects == ("b", "a")


def test_build_election_rejects_what_a_file_could_not_hold() -> None:
    with pytest.raises(PbFormatError, match="unknown project id 'zz'"):
        build_election(budget=10, vote_type="approval", projects=[("a", 1)], ballots=[["zz"]])
    with pytest.raises(PbFormatError, match="negative cost"):
        build_election(budget=10, vote_type="approval", projects=[("a", -1)], ballots=[])


def _bad(meta: str = "budget;100\nvote_type;approval\n", projects: str = "a;10\nb;20\n", votes: str = "1;a\n") -> str:
    return f"META\nkey;value\n{meta}PROJECTS\nproject_id;cost\n{projects}VOTES\nvoter_id;vote\n{votes}"


BAD_INPUTS = {
    "starts with PROJECTS": ("PROJECTS\nproject_id;cost\n", 1, "expected META here"),
    "starts with something else": ("hello;world\nMETA\n", 1, "must start with a META section"),
    "empty": ("\n\n", 1, "empty input"),
    "META header": ("META\nkey;val\n", 2, "'key;value'"),
    "missing PROJECTS": ("META\nkey;value\nbudget;1\nvote_type;approval\n", 5, "missing PROJECTS section"),
    "missing VOTES": ("META\nkey;value\nbudget;1\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\n", 8, "missing VOTES section"),
    "VOTES before PROJECTS": ("META\nkey;value\nbudget;1\nvote_type;approval\nVOTES\n", 5, "out of order"),
    "second META": (_bad() + "META\n", 12, "second META section"),
    "no budget": (_bad(meta="vote_type;approval\n"), 4, "no 'budget'"),
    "budget not a number": (_bad(meta="budget;lots\nvote_type;approval\n"), 3, "budget: 'lots' is not a number"),
    "negative budget": (_bad(meta="budget;-1\nvote_type;approval\n"), 3, "negative budget"),
    "unknown vote type": (_bad(meta="budget;100\nvote_type;quadratic\n"), 4, "unknown vote_type 'quadratic'"),
    "repeated META key": (_bad(meta="budget;100\nbudget;200\nvote_type;approval\n"), 4, "repeats line 3"),
    "negative cost": (_bad(projects="a;-10\n"), 7, "negative cost -10 for project 'a'"),
    "cost not a number": (_bad(projects="a;ten\n"), 7, "cost of project 'a': 'ten' is not a number"),
    "duplicate project": (_bad(projects="a;1\na;2\n"), 8, "project_id 'a' appears twice"),
    "missing cost column": ("META\nkey;value\nbudget;1\nvote_type;approval\nPROJECTS\nproject_id;price\n", 6, "no 'cost' column"),
    "short project row": (_bad(projects="a\n"), 7, "PROJECTS row has 1 fields, the header has 2"),
    "unknown project in vote": (_bad(votes="1;a\n2;a,zz\n"), 12, "unknown project id 'zz' in the vote of voter '2'"),
    "project twice in a vote": (_bad(votes="1;a,a\n"), 11, "appears twice in the vote"),
    "duplicate voter": (_bad(votes="1;a\n1;b\n"), 12, "voter_id '1' appears twice"),
    "long vote row": (_bad(votes="1;a;extra\n"), 11, "VOTES row has 3 fields, the header has 2"),
    "num_votes mismatch": (_bad(meta="budget;100\nvote_type;approval\nnum_votes;5\n"), 5, "num_votes is 5 but the file has 1"),
    "choose-1 with two": (_bad(meta="budget;100\nvote_type;choose-1\n", votes="1;a,b\n"), 11, "choose-1 allows one project"),
    "unsupported scoring_fn": (_bad(meta="budget;100\nvote_type;ordinal\nscoring_fn;Dowdall\n"), 5, "unsupported scoring_fn"),
    "bad quoting": (_bad(projects='a;"1"0\n'), 7, "unreadable row"),
    "NUL byte": (_bad(votes="1;a\x00\n"), 11, "NUL"),
}

POINTS_HEADER = "META\nkey;value\nbudget;100\nvote_type;cumulative\nPROJECTS\nproject_id;cost\na;10\nb;20\nVOTES\n"
BAD_INPUTS |= {
    "points missing for cumulative": (POINTS_HEADER + "voter_id;vote\n", 10, "needs a 'points' column"),
    "points do not match votes": (POINTS_HEADER + "voter_id;vote;points\n1;a,b;3\n", 11, "2 projects in 'vote' but 1 values in 'points'"),
    "negative points": (POINTS_HEADER + "voter_id;vote;points\n1;a;-3\n", 11, "negative points -3"),
    "points not numbers": (POINTS_HEADER + "voter_id;vote;points\n1;a;x\n", 11, "points of voter '1': 'x' is not a number"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_names_the_line(name: str) -> None:
    text, line, message = BAD_INPUTS[name]
    with pytest.raises(PbFormatError) as error:
        parse_pb(text)
    assert error.value.line == line, str(error.value)
    assert message in error.value.message
    assert str(error.value).startswith(f"line {line}: ")
    # The same from bytes (the path a file takes).
    with pytest.raises(PbFormatError) as again:
        read_pb(io.BytesIO(text.encode("utf-8")))
    assert again.value.line == line


def test_bytes_that_are_not_utf8_name_their_line() -> None:
    data = _bad().encode("utf-8").replace(b"2;a", b"2;a") + b"2;\xff\xfe\n"
    with pytest.raises(PbFormatError, match="not UTF-8") as error:
        read_pb(io.BytesIO(data))
    assert error.value.line == 12


def test_a_hundred_megabytes_of_junk_fail_fast_without_being_loaded(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pb"
    block = os.urandom(1 << 20)
    with open(junk, "wb") as out:
        out.write(b"META\nkey;value\n")
        for _ in range(100):
            out.write(block)
    with pytest.raises(PbFormatError) as error:
        read_pb(junk)
    assert error.value.line is not None and error.value.line >= 3
    text_junk = tmp_path / "text-junk.pb"
    with open(text_junk, "w", encoding="utf-8") as out:
        for _ in range(100):
            out.write("x" * (1 << 20))
    with pytest.raises(PbFormatError, match="longer than") as error:
        read_pb(text_junk)
    assert error.value.line == 1


KRAKOW_ORDINAL = (
    "META\nkey;value\ndescription;Kraków 2022 (shape of the real file)\nnum_projects;3\nnum_votes;2\n"
    "budget;100\nvote_type;ordinal\nmax_length;3\nscoring_fn;Borda\n"
    "PROJECTS\nproject_id;cost;name\n13;40;Park\n17;50;Library\n25;30;Bike lanes\n"
    "VOTES\nvoter_id;vote;points;sex\n1;25,13,17;3,2,1;K\n2;17;3;M\n"
)


def test_ordinal_file_with_a_points_column_reads_like_pabutools() -> None:
    """#13.9: Kraków's 2021 and 2022 ordinal files carry the points of each rank (`25,13,17;3,2,1`);
    the reader refused them. The ranking is the vote order; the points are kept as written."""
    election = parse_pb(KRAKOW_ORDINAL)
    assert election.vote_type == "ordinal"
    first = election.ballots[0]
    assert first.projects == ("25", "13", "17") and first.points is None
    assert first.fields == {"points": "3,2,1", "sex": "K"}
    written = write_pb(election)
    assert "voter_id;vote;points;sex\n1;25,13,17;3,2,1;K\n" in written
    assert write_pb(parse_pb(written)) == written


def test_ordinal_file_with_points_reads_the_same_rankings_as_pabutools() -> None:
    from pabutools.election.pabulib import parse_pabulib_from_string

    election = parse_pb(KRAKOW_ORDINAL)
    instance, profile = parse_pabulib_from_string(KRAKOW_ORDINAL)
    assert sorted(str(p) for p in instance) == sorted(election.projects)
    assert [[str(p) for p in b] for b in profile] == [list(b.projects) for b in election.ballots]


def test_empty_entries_in_a_vote_list_are_skipped() -> None:
    text = _bad(votes="1;a,\n2;a,,b\n3;\n")
    election = parse_pb(text)
    assert [b.projects for b in election.ballots] == [("a",), ("a", "b"), ()]
    cumulative = POINTS_HEADER + "voter_id;vote;points\n1;a,b,;3,4,\n"
    assert parse_pb(cumulative).ballots[0].points == (Decimal(3), Decimal(4))


VARIATIONS = (
    "\ufeffmeta\r\nKey;Value\r\ndescription;every variation the reader docstring lists\r\nnum_projects;2\r\n"
    "num_votes;4\r\nbudget;100,5\r\nvote_type;approval\r\nedition;7\r\nfully_funded;1\r\n\r\n"
    "PROJECTS;\r\nproject_id;cost;name;category;selected\r\n"
    ' a ; 60.50 ;"Park; ""Sai"" Road\r\nby the river";green;1\r\nb;50;Library;;0\r\n'
    "VOTES;;\r\nvoter_id;vote;points;age;voting_method\r\n1; a, b ;1,2;30;internet\r\n2;a,,;;;paper\r\n"
    "3;;;;internet\r\n\r\n4;b,;;41;paper"
)


def test_every_documented_variation_is_read_and_written_back() -> None:
    """#13.9: BOM, CRLF, section names in any case with trailing ';', blank lines, blanks around cells,
    a quoted name holding ';', '"' and a line break, a decimal comma, extra META keys and columns,
    `selected`, a points column in an approval file, empty vote entries, an empty ballot, no final line end."""
    election = parse_pb(VARIATIONS)
    assert election.budget == Decimal("100.5")
    assert election.meta["edition"] == "7" and election.meta["fully_funded"] == "1"
    park = election.projects["a"]
    assert park.cost == Decimal("60.50")
    assert park.name == 'Park; "Sai" Road\nby the river'
    assert park.fields["category"] == "green" and park.selected == 1
    assert election.projects["b"].selected == 0
    assert [b.projects for b in election.ballots] == [("a", "b"), ("a",), (), ("b",)]
    assert [b.fields["voting_method"] for b in election.ballots] == ["internet", "paper", "internet", "paper"]
    assert election.ballots[0].points is None and election.ballots[0].fields["points"] == "1,2"
    for source in (io.BytesIO(VARIATIONS.encode()), io.StringIO(VARIATIONS)):
        assert read_pb(source) == election
    assert parse_pb(write_pb(election)) == election


def test_a_file_without_selected_reads_none() -> None:
    election = parse_pb(GOOD)
    assert all(p.selected is None for p in election.projects.values())


def test_the_old_module_path_and_the_split_modules_agree() -> None:
    from app.tally import pb
    from app.tally.pb import model, reader, writer

    assert pb.read_pb is reader.read_pb and pb.write_pb is writer.write_pb and pb.Election is model.Election
