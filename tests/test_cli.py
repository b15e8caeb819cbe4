"""The `flask tally` command is registered on the app and reproduces a city's result."""
import json
from pathlib import Path

DATA = Path(__file__).parent / "data" / "pabulib"


def test_flask_tally_command_reproduces_assen(app):
    from app.tally.pb import read_pb

    path = DATA / "Netherlands_Assen_2024.pb"
    official = sorted(p.project_id for p in read_pb(path).projects.values() if p.selected)
    result = app.test_cli_runner().invoke(args=["tally", str(path), "--rule", "mes", "--completion", "add1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert sorted(data["selected"]) == official
    assert data["rule"] == "mes"


def test_flask_tally_command_reports_a_bad_file_in_one_line(app, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("PROJECTS\nproject_id;cost\n1;-5\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["tally", str(bad), "--rule", "greedy"])
    assert result.exit_code != 0
    assert "line 1" in result.output and "Traceback" not in result.output
