"""Every real election in tests/data/pabulib counted by our rules, pabutools and the cities.

- greedy and MES without completion give pabutools' winners (MES in the
  same order);
- files whose META rule is equalshares/add1 reproduce their `selected`
  column with add1;
- files whose rule is a greedy variant and that have a `selected` column
  reproduce it under that variant.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from app.tally.pb import Election, read_pb
from app.tally.rules import equal_shares, greedy, rule_from_meta, tally
from tests.tally import oracle

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
FILES = sorted(DATA.glob("*.pb"))


@lru_cache(maxsize=None)
def election(path: Path) -> Election:
    return read_pb(path)


@lru_cache(maxsize=None)
def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def city_selection(e: Election) -> set[str]:
    return {pid for pid, p in e.projects.items() if (p.selected or 0) >= 1}


def has_selected_column(e: Election) -> bool:
    return any(p.selected is not None for p in e.projects.values())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_greedy_matches_pabutools(path: Path) -> None:
    assert set(greedy(election(path)).selected) == oracle.greedy_winners(text(path))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_mes_without_completion_matches_pabutools(path: Path) -> None:
    assert list(equal_shares(election(path), "none").selected) == oracle.mes_winners(text(path))


ADD1_FILES = [p for p in FILES if rule_from_meta(election(p).meta) == ("mes", "add1")]
GREEDY_FILES = [
    p
    for p in FILES
    if (rule_from_meta(election(p).meta) or ("",))[0].startswith("greedy") and has_selected_column(election(p))
]


def test_the_checks_below_cover_the_expected_files() -> None:
    assert [p.stem for p in ADD1_FILES] == ["Netherlands_Assen_2024", "Poland_Swiecie_2023"]
    assert [p.stem for p in GREEDY_FILES] == [
        "Poland_Czestochowa_2024_Bleszno",
        "Poland_Krakow_2024_Stare_Miasto",
        "Poland_Warszawa_2026",
        "Poland_Warszawa_2026_Srodmiescie",
    ]


@pytest.mark.parametrize("path", ADD1_FILES, ids=lambda p: p.stem)
def test_add1_reproduces_the_citys_selection(path: Path) -> None:
    e = election(path)
    assert set(tally(e, "mes", "add1").selected) == city_selection(e)


@pytest.mark.parametrize("path", GREEDY_FILES, ids=lambda p: p.stem)
def test_greedy_variant_reproduces_the_citys_selection(path: Path) -> None:
    e = election(path)
    rule, _ = rule_from_meta(e.meta)
    assert set(tally(e, rule).selected) == city_selection(e)


def _ballot_key(vote_type: str, projects, points) -> tuple:
    if vote_type in ("cumulative", "scoring"):
        return tuple(sorted((str(p), float(v)) for p, v in zip(projects, points) if v != 0))
    if vote_type == "ordinal":
        return tuple(str(p) for p in projects)
    return tuple(sorted(str(p) for p in projects))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_reader_reads_the_same_election_as_pabutools(path: Path) -> None:
    """#13.9: every real file gives the projects, costs, budget and ballots (as a multiset; ranks in order,
    points where they count) that pabutools reads from it."""
    from collections import Counter

    e = election(path)
    instance, profile, _multi = oracle.parse(text(path))
    assert {pid: float(p.cost) for pid, p in e.projects.items()} == {str(p): float(p.cost) for p in instance}
    assert float(e.budget) == float(instance.budget_limit)
    assert len(e.ballots) == len(profile)
    if e.vote_type in ("cumulative", "scoring"):
        theirs = Counter(_ballot_key(e.vote_type, list(b), [b[p] for p in b]) for b in profile)
    else:
        theirs = Counter(_ballot_key(e.vote_type, list(b), None) for b in profile)
    assert Counter(_ballot_key(e.vote_type, b.projects, b.points) for b in e.ballots) == theirs
