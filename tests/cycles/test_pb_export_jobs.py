"""A budget with many ballots: its .pb file (published, or the officials' preview) is built by a job for the
person who asks, and downloaded by that person only; a small budget's file is still served at once."""
from __future__ import annotations

import pytest

from app.cycles import results, services
from app.extensions import db
from app.jobs import files
from app.jobs.models import Job, JobState
from app.tally.pb import parse_pb
from tests.cycles import factories as f
from tests.cycles.test_results_preview import cast, close
from tests.cycles.test_routes import login


@pytest.fixture
def small_limit(app):
    previous = app.config["PB_INLINE_BALLOTS"]
    app.config["PB_INLINE_BALLOTS"] = 5  # the budget below has 23 ballots
    yield
    app.config["PB_INLINE_BALLOTS"] = previous


@pytest.fixture
def counted(official):
    from app.cycles.models import BallotKind, TallyRule

    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = f.add_budget_with_projects(official, cycle, costs=(600_000, 500_000, 300_000, 200_000))
    cast(budget, {(0,): 10, (1,): 8, (2,): 5})
    close(official, cycle)
    return cycle, budget


def _file(client, job_id):
    response = client.get(f"/jobs/{job_id}/file")
    body = response.get_data(as_text=True)
    response.close()
    return response, body


def test_the_published_file_of_a_large_budget_is_built_by_a_job(client, official, counted, small_limit):
    cycle, budget = counted
    results.compute_preview(official, cycle)
    results.publish_results(official, cycle)
    db.session.commit()
    url = f"/cycles/{cycle.id}/budgets/{budget.id}/ballots.pb"
    response = client.get(url)
    assert response.status_code == 303 and response.location.endswith(f"/cycles/{cycle.id}/results#result-{budget.id}")
    page = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "บัตรลงคะแนน 23 บัตร" in page  # the flash
    assert f"/budgets/{budget.id}/ballots.pb/prepare" not in page  # anonymous: asked to sign in
    assert client.post(f"{url}/prepare").status_code == 302  # to the login page

    reader, other = f.create_user(), f.create_user()
    login(client, reader)
    assert f"/budgets/{budget.id}/ballots.pb/prepare" in client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    response = client.post(f"{url}/prepare")
    assert response.status_code == 303 and "/jobs/" in response.location
    job_id = int(response.location.rsplit("/", 1)[1])
    job = db.session.get(Job, job_id)
    assert (job.kind, job.state, job.created_by_id) == ("cycles.export_pb", JobState.DONE, reader.id)
    assert files.file_of(job).download_name.endswith(f"_budget{budget.id}.pb")
    response, body = _file(client, job_id)
    assert response.status_code == 200
    election = parse_pb(body)
    assert len(election.ballots) == 23
    assert {pid for pid, p in election.projects.items() if p.selected == 1} == \
        set(services.published_result(budget).outcome["selected"])
    client.post("/logout")
    login(client, other)
    assert _file(client, job_id)[0].status_code == 404


def test_the_preview_file_is_for_the_areas_officials_only(client, official, counted, small_limit):
    cycle, budget = counted
    previews = results.compute_preview(official, cycle)
    db.session.commit()
    resident = f.create_user()
    login(client, resident)
    assert client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb/prepare").status_code == 404
    assert db.session.query(Job).filter_by(kind="cycles.export_pb").count() == 0
    client.post("/logout")

    login(client, official)
    assert client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb").status_code == 303
    assert f"/budgets/{budget.id}/preview.pb/prepare" in client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    response = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb/prepare")
    job_id = int(response.location.rsplit("/", 1)[1])
    response, body = _file(client, job_id)
    assert response.status_code == 200
    assert {pid for pid, p in parse_pb(body).projects.items() if p.selected == 1} == set(previews[0].outcome["selected"])
    assert files.file_of(db.session.get(Job, job_id)).download_name.endswith("_preview.pb")


def test_a_small_budget_is_served_at_once(client, official, counted):
    cycle, budget = counted
    results.compute_preview(official, cycle)
    db.session.commit()
    login(client, official)
    response = client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb")
    assert response.status_code == 200 and len(parse_pb(response.get_data(as_text=True)).ballots) == 23
    response = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb/prepare")
    assert response.status_code == 303 and response.location.endswith("/preview.pb")
    assert client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/other.pb/prepare").status_code == 404
    assert db.session.query(Job).filter_by(kind="cycles.export_pb").count() == 0
