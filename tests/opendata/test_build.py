"""Open-data build: every package valid for Frictionless, nothing personal, no votes while voting is open."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from frictionless import validate

from app.cycles import results, services, voting
from app.cycles.models import BallotKind, Phase, TallyRule
from app.extensions import db
from app.ideas.models import IdeaStatus
from app.opendata import build as opendata_build
from app.opendata.statistics import COUNTRY
from app.core.timeutil import utcnow
from tests.cycles import factories as cf
from tests.triage import factories as tf


@pytest.fixture
def out_dir(app, tmp_path):
    previous = app.config.get("OPENDATA_DIR")
    app.config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    yield Path(app.config["OPENDATA_DIR"])
    app.config["OPENDATA_DIR"] = previous


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _cast(budget, picks_by_count):
    for picks, count in picks_by_count.items():
        voting.write_paper_ballots(budget.id, None, {budget.projects[i].id: 1 for i in picks}, count)
    db.session.flush()


@pytest.fixture
def content():
    """Public and hidden ideas in Chiang Mai and in an LG, a cycle with published results, one still voting."""
    author = tf.create_user(name="นายลับ เฉพาะตัว", email="secret-author@example.com")
    public = tf.create_idea(author, "50", title="ซ่อมถนนหน้าวัด")
    answered = tf.create_idea(author, "50", title="ขุดลอกคลอง", created_at=tf.days_ago(20))
    answered.status = IdeaStatus.UNDER_REVIEW
    answered.first_answered_at = tf.days_ago(10)
    answered.answer = "กำลังพิจารณา"
    hidden = tf.create_idea(author, "50", title="ข้อความที่ถูกซ่อน")
    hidden.hidden_at = utcnow()
    pending = tf.create_idea(author, "50", title="รอตรวจสอบจากรายงาน")
    pending.pending_review = True
    lg_idea = tf.create_idea(author, "3500102", title="ไฟส่องสว่างซอยวัดเกต")
    tf.create_plan("3500102")
    official = cf.create_official("50")
    done = cf.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    done_budget = cf.add_budget_with_projects(official, done, costs=(600_000, 300_000))
    _cast(done_budget, {(0,): 7, (1,): 3})
    services.override_phase(official, done, Phase.RESULTS, "ปิดการลงคะแนน")
    results.compute_results(official, done)
    open_cycle = cf.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    open_budget = cf.add_budget_with_projects(official, open_cycle, name="งบที่ยังลงคะแนนอยู่", costs=(111_111, 222_222))
    _cast(open_budget, {(0,): 41, (1,): 17})
    db.session.flush()
    return {"public": public, "answered": answered, "hidden": hidden, "pending": pending, "lg": lg_idea,
            "done": done, "done_budget": done_budget, "open": open_cycle, "open_budget": open_budget}


def test_every_package_is_valid_for_frictionless(out_dir, content):
    report = opendata_build.build()
    folder = opendata_build.current_build()
    assert folder == report.folder
    packages = sorted(folder.glob("*/datapackage.json"))
    assert {p.parent.name for p in packages} >= {COUNTRY, "50", "3500102"}
    for package in packages:
        result = validate(str(package))
        assert result.valid, (package, result.flatten(["rowNumber", "fieldName", "type", "note"]))


def test_csv_has_a_bom_and_json_matches(out_dir, content):
    opendata_build.build()
    folder = opendata_build.current_build()
    raw = (folder / COUNTRY / "ideas.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _rows(folder / COUNTRY / "ideas.csv")
    data = json.loads((folder / COUNTRY / "ideas.json").read_text(encoding="utf-8"))
    assert [int(r["id"]) for r in rows] == [d["id"] for d in data]
    by_id = {d["id"]: d for d in data}
    answered = by_id[content["answered"].id]
    assert answered["status"] == "under_review" and answered["answer"] == "กำลังพิจารณา"
    assert answered["first_answered_at"].endswith("Z")


def test_nothing_personal_and_nothing_hidden(out_dir, content):
    opendata_build.build()
    folder = opendata_build.current_build()
    everything = "".join(p.read_text(encoding="utf-8-sig") for p in folder.rglob("*") if p.is_file())
    assert "secret-author@example.com" not in everything
    assert "นายลับ" not in everything
    assert "ข้อความที่ถูกซ่อน" not in everything and "รอตรวจสอบจากรายงาน" not in everything
    ids = {int(r["id"]) for r in _rows(folder / COUNTRY / "ideas.csv")}
    assert content["public"].id in ids and content["hidden"].id not in ids and content["pending"].id not in ids


def test_no_vote_counts_while_voting_is_open(out_dir, content):
    opendata_build.build()
    folder = opendata_build.current_build()
    result_rows = _rows(folder / COUNTRY / "results.csv")
    assert {int(r["cycle_id"]) for r in result_rows} == {content["done"].id}
    assert sorted(int(r["votes"]) for r in result_rows) == [3, 7]
    # The open cycle is listed (its settings are public) but no ballot or count of it is anywhere.
    cycles = _rows(folder / COUNTRY / "cycles.csv")
    open_row = next(r for r in cycles if int(r["cycle_id"]) == content["open"].id)
    assert open_row["voting_closed"] == "false" and open_row["phase"] == "voting"
    manifest = opendata_build.read_manifest()
    ballot_files = {b["cycle_id"] for b in manifest["scopes"][COUNTRY]["ballots"]}
    assert ballot_files == {content["done"].id}
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8-sig")
            assert "111111" not in text and "222222" not in text and "งบที่ยังลงคะแนนอยู่" not in text or path.name.startswith("cycles.")
            assert f"cycle{content['open'].id}-" not in path.name
    assert not any('"votes":41' in p.read_text(encoding="utf-8") for p in folder.rglob("*.json"))


def test_datapackage_describes_fields_licence_sources_and_gd_catalog(out_dir, content):
    opendata_build.build()
    folder = opendata_build.current_build()
    package = json.loads((folder / "50" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["title"] == "Open Data Common"
    assert package["sources"]
    ideas = next(r for r in package["resources"] if r["name"] == "ideas-csv")
    fields = {f["name"]: f for f in ideas["schema"]["fields"]}
    assert fields["id"]["type"] == "integer" and fields["id"]["constraints"]["unique"] is True
    assert "enum" in fields["status"]["constraints"]
    assert all(f.get("description") for f in ideas["schema"]["fields"])
    meta = package["gdc_catalog"]["ideas"]
    assert meta["geo_coverage"] == "จังหวัด" and meta["data_category"] == "ข้อมูลสาธารณะ"
    assert meta["license_id"] == "Open Data Common" and meta["data_type"] == "ข้อมูลระเบียน"
    assert package["gdc_catalog"]["response_times"]["data_type"] == "ข้อมูลสถิติ"
    country = json.loads((folder / COUNTRY / "datapackage.json").read_text(encoding="utf-8"))
    assert country["gdc_catalog"]["ideas"]["geo_coverage"] == "ประเทศ"


def test_response_times_follow_the_area_pages(out_dir, content):
    from app.triage.services import response_time

    opendata_build.build()
    folder = opendata_build.current_build()
    row = next(r for r in _rows(folder / COUNTRY / "response_times.csv") if r["area_code"] == "50")
    expected = response_time(tf.area("50"))
    assert int(row["ideas"]) == expected.total and int(row["answered"]) == expected.answered
    assert int(row["answered_within_15_days"]) == expected.within_15


def test_a_second_build_replaces_the_first(out_dir, content):
    first = opendata_build.build().folder
    tf.create_idea(tf.create_user(), "50", title="ไอเดียใหม่หลังสร้างครั้งแรก")
    second = opendata_build.build().folder
    assert opendata_build.current_build() == second != first
    assert "ไอเดียใหม่หลังสร้างครั้งแรก" in (second / COUNTRY / "ideas.csv").read_text(encoding="utf-8-sig")
