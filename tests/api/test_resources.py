"""Proposals, plans, cycles, results and progress as the API serves them: public data only."""
from __future__ import annotations

import json

import pytest

from tests.api import data as seed


@pytest.fixture
def w():
    return seed.world()


def get(client, url, lang="en"):
    response = client.get(url, headers={"Accept-Language": lang})
    return response


def test_proposals_are_public_ones_with_costs_history_and_public_ideas(client, w):
    items = get(client, "/api/v1/proposals?area=50").get_json()["items"]
    assert [p["id"] for p in items] == [w.proposal.id]  # the draft is not served
    p = items[0]
    assert p["final_cost"] == 500_000 and p["budget_years"] == [{"fiscal_year": 2570, "amount": 500_000}]
    assert p["plan_item"]["code"] == "1.1.1" and p["plan_item"]["plan_id"] == w.plan.id
    assert p["idea_ids"] == [w.public.id]  # the hidden idea it answers stays unnamed
    assert p["history"][-1]["reason"] == "ผ่านการประเมินความเป็นไปได้"
    assert p["history"][-1]["by"] is None  # the official's account was deleted
    assert get(client, f"/api/v1/proposals/{w.draft.id}").status_code == 404
    assert get(client, "/api/v1/proposals?status=draft").get_json()["items"] == []
    assert get(client, "/api/v1/proposals?status=shortlisted&fiscal_year=2570").get_json()["items"][0]["id"] == w.proposal.id
    assert get(client, "/api/v1/proposals?fiscal_year=2571").get_json()["items"] == []
    assert "ร่างโครงการ" not in get(client, "/api/v1/proposals").get_data(as_text=True)


def test_plans_are_trees(client, w):
    plan = get(client, f"/api/v1/plans/{w.plan.id}").get_json()
    assert [i["code"] for i in plan["items"]] == ["1", "2"]
    assert plan["items"][0]["children"][0]["children"][0]["code"] == "1.1.1"
    listed = get(client, "/api/v1/plans?area=50&kind=provincial_action").get_json()["items"]
    assert [p["id"] for p in listed] == [w.plan.id]
    assert get(client, "/api/v1/plans?kind=local_development&area=50").get_json()["items"] == []


def test_cycles_results_and_progress_once_published(client, w):
    cycle = get(client, f"/api/v1/cycles/{w.published.id}").get_json()
    assert cycle["ballot"]["kind"] == "approval" and cycle["rule"] == "greedy"
    assert [ph["phase"] for ph in cycle["phases"]][0] == "ideas"
    assert [p["selected"] for p in cycle["budgets"][0]["projects"]] == [True, False, True]
    assert cycle["results"].endswith(f"/api/v1/cycles/{w.published.id}/results")
    results = get(client, cycle["results"].removeprefix("http://localhost"))
    assert results.status_code == 200 and results.headers["Last-Modified"]
    budget = results.get_json()["budgets"][0]
    assert budget["num_ballots"] == 16 and budget["used"] == 800_000
    assert [(p["votes"], p["selected"]) for p in budget["projects"]] == [(10, True), (6, True), (6, False)]
    assert budget["ballots_pb"].endswith(".pb")
    pb = client.get(budget["ballots_pb"].removeprefix("http://localhost"))
    assert pb.status_code == 200 and "VOTES" in pb.get_data(as_text=True)
    english = budget["projects"][2]["explanation"]
    thai = get(client, cycle["results"].removeprefix("http://localhost"), lang="th").get_json()["budgets"][0]["projects"][2]["explanation"]
    assert english.startswith("Not selected") and "฿300,000" in english and thai != english
    progress = get(client, f"/api/v1/cycles/{w.published.id}/progress").get_json()
    assert progress["projects"][0]["updates"][0]["percent"] == 40
    listed = get(client, "/api/v1/cycles?area=50").get_json()["items"]
    assert {c["id"] for c in listed} == {w.published.id, w.voting.id}


def test_nothing_personal_anywhere(client, w):
    pages = ["/api/v1/ideas", "/api/v1/proposals", "/api/v1/plans", "/api/v1/cycles",
             f"/api/v1/cycles/{w.published.id}/results", f"/api/v1/cycles/{w.published.id}/progress"]
    text = " ".join(get(client, url).get_data(as_text=True) for url in pages)
    assert "@example.com" not in text and "ผู้ที่ลบบัญชีแล้ว" not in text and "เจ้าหน้าที่" not in text
    for banned in ("email", "national_id", "author_id", "user_id", "voter", "receipt", "password"):
        assert f'"{banned}' not in text, banned


def test_pages_of_each_list_have_working_cursors(client, w):
    for url in ("/api/v1/cycles?limit=1", "/api/v1/areas?limit=1&kind=province"):
        first = get(client, url).get_json()
        second = get(client, first["next"].removeprefix("http://localhost")).get_json()
        assert first["items"][0] != second["items"][0]
    cursor = get(client, "/api/v1/cycles?limit=1").get_json()["next_cursor"]
    refused = get(client, f"/api/v1/plans?cursor={cursor}")  # a cursor of another list
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"


def test_statistics_of_the_open_data_part_with_no_running_count_of_voters(client, w):
    from app.core.timeutil import utcnow
    from app.cycles.models import CycleVoter
    from app.extensions import db
    from app.opendata.statistics import refresh_statistics

    voter = seed.ideas.create_user()
    db.session.add(CycleVoter(budget_id=w.voting.budgets[0].id, user_id=voter.id))
    refresh_statistics()
    country = get(client, "/api/v1/statistics/TH")
    assert country.status_code == 200 and country.headers["Last-Modified"]
    body = country.get_json()
    assert sum(body["submitted"].values()) >= 2 and body["ranking"] is not None
    assert body["participants"]["voted"] == 0  # the only voter voted in a cycle still voting: not counted yet
    assert str(seed.VOTING_BALLOTS) not in country.get_data(as_text=True)
    assert [t["cycle_id"] for t in body["turnout"]] == [w.published.id]
    assert get(client, "/api/v1/statistics/50").get_json()["participants"].get("voted", 0) == 0
    assert get(client, "/api/v1/statistics/10").status_code == 404  # no activity in Bangkok
    assert get(client, "/api/v1/statistics/99").status_code == 404
    w.voting.voting_closed_at = utcnow()
    db.session.flush()
    refresh_statistics()  # the hourly job, once voting has closed
    assert get(client, "/api/v1/statistics/TH").get_json()["participants"]["voted"] == 1
