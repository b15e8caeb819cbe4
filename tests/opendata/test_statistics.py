"""Public statistics: precomputed figures, the pages with their charts and tables, and the CSV of each chart."""
from __future__ import annotations

import csv
import io

import pytest

from app.cycles import results, services, voting
from app.cycles.models import BallotKind, Phase, TallyRule
from app.engagement.models import Comment
from app.extensions import db
from app.ideas.models import IdeaCategory, IdeaStatus
from app.jobs.services import enqueue
from app.opendata.statistics import COUNTRY, compute_all, refresh_statistics, snapshot
from app.triage.services import response_time
from app.core.timeutil import utcnow
from tests.cycles import factories as cf
from tests.triage import factories as tf


@pytest.fixture
def activity():
    alice, bob, carol = tf.create_user(), tf.create_user(), tf.create_user()
    first = tf.create_idea(alice, "50", title="ขุดลอกคลองแม่ข่า", created_at=tf.days_ago(40))
    first.first_answered_at = tf.days_ago(30)
    first.status = IdeaStatus.ACCEPTED
    second = tf.create_idea(alice, "50", created_at=tf.days_ago(5))
    second.category = IdeaCategory.WATER
    hidden = tf.create_idea(carol, "50", title="ซ่อนไว้")
    hidden.hidden_at = utcnow()
    tf.support(first, bob)
    db.session.add(Comment(idea_id=second.id, author_id=bob.id, body="เห็นด้วย"))
    db.session.add(Comment(idea_id=second.id, author_id=carol.id, body="ถูกซ่อน", hidden_at=utcnow()))
    lg = tf.create_idea(tf.create_user(), "3500102")
    official = cf.create_official("50")
    voter = cf.create_user()
    done = cf.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = cf.add_budget_with_projects(official, done, costs=(600_000, 300_000))
    voting.cast_ballot(voter, budget, [(budget.projects[0].id, 1)])
    voting.write_paper_ballots(budget.id, None, {budget.projects[1].id: 1}, 4)
    services.override_phase(official, done, Phase.RESULTS, "ปิดการลงคะแนน")
    results.compute_results(official, done)
    still_open = cf.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    open_budget = cf.add_budget_with_projects(official, still_open, name="งบที่ยังเปิดอยู่")
    voting.write_paper_ballots(open_budget.id, None, {open_budget.projects[0].id: 1}, 9)
    db.session.flush()
    return {"first": first, "second": second, "lg": lg, "done": done, "open": still_open, "voter": voter,
            "people": (alice, bob, carol)}


def test_figures_of_an_area_and_the_country(activity):
    figures = compute_all()
    cm = figures["50"]
    assert sum(cm["submitted"].values()) == 2  # the hidden idea is not counted
    assert sum(cm["answered"].values()) == 1
    assert cm["categories"]["water"] == 1 and cm["statuses"]["accepted"] == 1
    assert sum(cm["supports"].values()) == 1 and sum(cm["comments"].values()) == 1
    # alice submitted, bob supported and commented, the voter voted online; carol only posted hidden things.
    assert cm["participants"] == {"submitted": 1, "supported": 1, "commented": 1, "voted": 1, "any": 3}
    expected = response_time(tf.area("50"))
    assert cm["response"]["total"] == expected.total and cm["response"]["within_15"] == expected.within_15
    country = figures[COUNTRY]
    assert sum(country["submitted"].values()) == 3 and "3500102" in figures


def test_turnout_only_for_closed_voting(activity):
    turnout = compute_all()["50"]["turnout"]
    assert [t["cycle_id"] for t in turnout] == [activity["done"].id]
    row = turnout[0]
    assert row["online"] == 1 and row["paper"] == 4 and row["eligible"] >= 1
    everything = str(compute_all())
    assert "งบที่ยังเปิดอยู่" not in everything


def test_no_running_count_of_voters_while_voting_is_open(activity):
    """Issue 15.4: people who voted in a budget still voting are not counted as participants yet."""
    open_budget = activity["open"].budgets[0]
    assert voting.voting_open(activity["open"])
    before = compute_all()["50"]["participants"]
    voting.cast_ballot(cf.create_user(), open_budget, [(open_budget.projects[0].id, 1)])
    db.session.flush()
    assert compute_all()["50"]["participants"] == before  # neither "voted" nor "any" moves


def test_refresh_stores_one_row_per_scope_and_the_job_runs_it(activity):
    report = refresh_statistics()
    assert report.scopes >= 3
    assert snapshot(COUNTRY).data["participants"]["any"] >= 3
    tf.create_idea(tf.create_user(), "50")
    job = enqueue("opendata.statistics", {})
    assert job.state.value == "done"
    assert sum(snapshot("50").data["submitted"].values()) == 3


@pytest.mark.parametrize("locale,heading,definition", [
    ("th", "สถิติของทั้งประเทศ", "ผู้มีส่วนร่วม คือบุคคล"),
    ("en", "Statistics of the whole country", "A participant is a person"),
])
def test_country_page_in_both_languages(client, activity, locale, heading, definition):
    refresh_statistics()
    page = client.get("/statistics", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert heading in page and definition in page
    assert page.count("<svg") >= 6 and page.count("<table") >= 7
    assert "<script src=\"http" not in page
    assert "/statistics/TH/ranking.csv" in page


def test_area_page_and_its_province_ranking(client, activity):
    refresh_statistics()
    page = client.get("/statistics/50", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Statistics of Chiang Mai" in page and "Turnout per cycle" in page
    lg_page = client.get("/statistics/3500102", headers={"Accept-Language": "en"})
    assert lg_page.status_code == 200


def test_page_without_figures_says_so(client):
    page = client.get("/statistics/10", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "There are no figures for this yet" in page


def test_each_chart_has_a_csv(client, activity):
    refresh_statistics()
    for chart in ("ideas-per-month", "response-time", "categories", "statuses", "engagement-per-month",
                  "participants", "turnout", "ranking"):
        response = client.get(f"/statistics/50/{chart}.csv")
        assert response.status_code == 200, chart
        assert response.data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert len(rows) >= (1 if chart == "ranking" else 2), chart
    turnout = list(csv.DictReader(io.StringIO(client.get("/statistics/50/turnout.csv").data.decode("utf-8-sig"))))
    assert [int(r["cycle_id"]) for r in turnout] == [activity["done"].id]


@pytest.mark.parametrize("path", ["/statistics/50/nothing.csv", "/statistics/99/ideas-per-month.csv",
                                  "/statistics/abc/ranking.csv"])
def test_unknown_statistics_are_problem_json(client, activity, path):
    refresh_statistics()
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["title"] == "Unknown dataset"


def test_unknown_area_statistics_page_is_404(client):
    assert client.get("/statistics/999").status_code == 404


def test_ranking_puts_the_faster_area_first(activity, monkeypatch):
    from app.opendata import statistics

    monkeypatch.setattr(statistics, "RANKING_MIN_IDEAS", 1)
    slow = tf.create_idea(tf.create_user(), "3500102", created_at=tf.days_ago(60))
    slow.first_answered_at = tf.days_ago(1)
    quick = tf.create_idea(tf.create_user(), "50", created_at=tf.days_ago(3))
    quick.first_answered_at = tf.days_ago(2)
    db.session.flush()
    ranking = compute_all()[COUNTRY]["ranking"]
    codes = [r[0] for r in ranking]
    assert codes.index("50") < codes.index("3500102")
    assert [r[0] for r in compute_all()["50"]["ranking"]] == codes  # both are in Chiang Mai
