"""The tally command: text and JSON output, and one-line errors with a non-zero exit."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from app.tally.cli import tally_command
from app.tally.pb import read_pb

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"
ASSEN = DATA / "Netherlands_Assen_2024.pb"
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str):
    return CliRunner().invoke(tally_command, [*args], catch_exceptions=False)


def test_text_output_lists_winners_and_explains_every_project() -> None:
    result = run(str(ASSEN), "--rule", "mes")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "rule: mes (completion add1)"
    assert lines[1] == "selected: 3 9 2 11 13 14 5 6 12"
    assert lines[2] == "cost: 76,700 of 100,000"
    assert "+ 3: selected in round 1: 43 supporters paid their share of 167.44" in result.output
    assert "- 8: its 25 supporters had" in result.output
    assert sum(line[:2] in ("+ ", "- ") for line in lines) == 14


def test_json_output() -> None:
    result = run(str(ASSEN), "--rule", "greedy", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["rule"] == "greedy" and data["completion"] is None
    assert data["selected"][:2] == ["3", "9"]
    projects = read_pb(ASSEN).projects
    assert data["cost"] == sum(projects[pid].cost for pid in data["selected"]) <= data["budget"]
    assert set(data["explanations"]) == {str(i) for i in range(1, 15)}


def test_completion_option() -> None:
    result = run(str(ASSEN), "--rule", "mes", "--completion", "none", "--json")
    assert json.loads(result.output)["completion"] == "none"


def test_errors_are_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;-3\n", encoding="utf-8")
    result = CliRunner().invoke(tally_command, [str(bad), "--rule", "greedy"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {bad}: line 7: negative cost -3 for project 'a'"]
    missing = CliRunner().invoke(tally_command, [str(tmp_path / "nope.pb"), "--rule", "greedy"])
    assert missing.exit_code == 1 and "No such file or directory" in missing.output
    assert len(missing.output.strip().splitlines()) == 1
    directory = CliRunner().invoke(tally_command, [str(tmp_path), "--rule", "mes"])
    assert directory.exit_code == 1 and directory.output.strip() == f"Error: {tmp_path}: Is a directory"
    threshold = CliRunner().invoke(tally_command, [str(ASSEN), "--rule", "greedy-threshold"])
    assert threshold.exit_code == 1 and "min_project_score_threshold" in threshold.output
    unknown = CliRunner().invoke(tally_command, [str(ASSEN), "--rule", "borda"])
    assert unknown.exit_code == 2


def test_runs_as_a_module_without_the_app(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pb"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    done = subprocess.run(
        [sys.executable, "-m", "app.tally", str(junk), "--rule", "mes"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "line 1: not UTF-8 text" in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "app.tally", str(ASSEN), "--rule", "greedy-no-skip", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["rule"] == "greedy-no-skip"
