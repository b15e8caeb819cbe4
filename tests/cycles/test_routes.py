"""The cycles pages through the test client: voting, receipts, bad input, officials' pages and permissions."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.dates import format_date_input
from app.cycles.models import BallotKind, CycleBallot, CycleVoter, Phase
from app.cycles.phases import bangkok_today
from app.extensions import db
from tests.cycles import factories as f


def be(day):
    """A date as a Thai reader types it (Buddhist Era)."""
    return format_date_input(day, "th")


def login(client, user):
    response = client.post("/login", data={"email": user.email, "password": f.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def ballots():
    return db.session.scalar(select(func.count()).select_from(CycleBallot).where(CycleBallot.replaced.is_(False)))


def vote_url(cycle, budget):
    return f"/cycles/{cycle.id}/budgets/{budget.id}/vote"


def test_public_pages(client, knapsack):
    cycle, budget = knapsack
    assert client.get("/cycles/").status_code == 200
    page = client.get(f"/cycles/{cycle.id}")
    assert page.status_code == 200 and budget.projects[0].title in page.get_data(as_text=True)
    assert client.get(f"/cycles/{cycle.id}/results").status_code == 200
    assert client.get(f"/cycles/{cycle.id}/progress").status_code == 200
    assert client.get("/cycles/receipt").status_code == 200
    assert client.get("/p/50").status_code == 200
    assert cycle.title in client.get("/p/50").get_data(as_text=True)
    assert client.get("/cycles/999999").status_code == 404
    for url in ("/cycles/99999999999999999999", f"/cycles/{cycle.id}/budgets/99999999999999999999/vote",
                f"/cycles/99999999999999999999/budgets/{budget.id}/ballots.pb"):
        assert client.get(url).status_code in (302, 404), url


def test_vote_change_and_receipt_through_pages(client, knapsack, voter):
    cycle, budget = knapsack
    p = [x.id for x in budget.projects]
    login(client, voter)
    form = client.get(vote_url(cycle, budget))
    assert form.status_code == 200 and 'name="project"' in form.get_data(as_text=True)
    sent = client.post(vote_url(cycle, budget), data={"project": [str(p[0]), str(p[1])]})
    assert sent.status_code == 302
    shown = client.get(sent.headers["Location"])
    text = shown.get_data(as_text=True)
    import re

    code = re.search(r'id="receipt-code">([A-Z0-9-]+)<', text).group(1)
    # Shown once only.
    assert client.get(sent.headers["Location"]).status_code == 302
    checked = client.post("/cycles/receipt", data={"code": code}).get_data(as_text=True)
    assert "receipt-result" in checked
    # Change the vote: the form is prefilled, the old receipt shows as replaced.
    again = client.get(vote_url(cycle, budget)).get_data(as_text=True)
    assert "checked" in again
    client.post(vote_url(cycle, budget), data={"project": [str(p[3])]})
    assert ballots() == 1
    from app.cycles.voting import check_receipt

    assert check_receipt(code).replaced


@pytest.mark.parametrize("data", [
    {"project": ["abc"]},
    {"project": ["99999999999999999999999"]},
    {"project": ["1" * 11]},
    {"project": []},
])
def test_tampered_ballot_forms(client, knapsack, voter, data):
    cycle, budget = knapsack
    login(client, voter)
    response = client.post(vote_url(cycle, budget), data=data)
    assert response.status_code == 200
    assert "error-summary" in response.get_data(as_text=True)
    assert ballots() == 0 and db.session.scalar(select(func.count()).select_from(CycleVoter)) == 0


def test_tampered_ballot_ids_of_another_budget_and_repeated(client, official, voter):
    cycle = f.create_cycle(official)
    first = f.add_budget_with_projects(official, cycle, "เขต 1")
    second = f.add_budget_with_projects(official, cycle, "เขต 2")
    login(client, voter)
    other = client.post(vote_url(cycle, first), data={"project": [str(second.projects[0].id)]})
    assert str(second.projects[0].id) in other.get_data(as_text=True)
    repeated = client.post(vote_url(cycle, first), data={"project": [str(first.projects[0].id)] * 2})
    assert first.projects[0].title in repeated.get_data(as_text=True)
    over = client.post(vote_url(cycle, first), data={"project": [str(p.id) for p in first.projects]})
    assert "error-summary" in over.get_data(as_text=True)
    assert ballots() == 0


def test_vote_post_reads_the_cycle_afresh(client, official, knapsack):
    """The POST reads the budget as plain values and caches its ballot lines per config_version:
    a wrong pair of ids is a 404, and a phase or ballot changed between two votes applies at once."""
    from app.cycles import services

    cycle, budget = knapsack
    other = f.create_cycle(official)
    first, second = f.create_user(), f.create_user()
    login(client, first)
    assert client.post(f"/cycles/{other.id}/budgets/{budget.id}/vote", data={"project": [str(budget.projects[0].id)]}).status_code == 404
    for budget_id in ("99999999", "99999999999999999999"):  # the second is past PostgreSQL's INTEGER
        assert client.post(f"/cycles/{cycle.id}/budgets/{budget_id}/vote", data={"project": ["1"]}).status_code == 404
    assert client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]}).status_code == 302
    assert ballots() == 1
    # Voting closed by hand: refused, the page says voting is not open.
    services.override_phase(official, cycle, Phase.REVIEW, "แก้บัตร")
    db.session.commit()  # as the official's page does
    client.post("/logout")
    login(client, second)
    closed = client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]})
    assert closed.status_code == 200 and 'name="project"' not in closed.get_data(as_text=True)
    assert ballots() == 1
    # The budget narrowed to one subdistrict meanwhile: the cached voters' subdistricts follow
    # config_version, so a resident of another one is refused once voting reopens.
    services.update_budget(official, budget, budget.name, budget.amount, ["500105"])
    services.override_phase(official, cycle, None, "")
    db.session.commit()
    refused = client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]})
    assert refused.status_code == 200 and 'name="project"' not in refused.get_data(as_text=True)
    client.post("/logout")
    login(client, f.create_user(subdistrict="500105"))
    assert client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[1].id)]}).status_code == 302
    assert ballots() == 2


def test_vote_post_in_a_local_government(client, official):
    # เทศบาลตำบลสุเทพ (5500107) covers ตำบลสุเทพ (500108) of อำเภอเมืองเชียงใหม่ (5001), not
    # ศรีภูมิ (500101, the City's) although it lies in the same district, nor 500203 of another district.
    cycle = f.create_cycle(official, area_code="5500107", kind=BallotKind.APPROVAL)
    budget = f.add_budget_with_projects(official, cycle)
    for code in ("500203", "500101"):
        login(client, f.create_user(subdistrict=code))
        refused = client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]})
        assert refused.status_code == 200 and 'name="project"' not in refused.get_data(as_text=True)
        assert ballots() == 0
        client.post("/logout")
    login(client, f.create_user(subdistrict="500108"))
    assert client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]}).status_code == 302
    assert ballots() == 1


def test_unverified_voter_sees_why(client, knapsack):
    cycle, budget = knapsack
    user = f.create_user(verified=False)
    login(client, user)
    page = client.get(vote_url(cycle, budget)).get_data(as_text=True)
    assert 'name="project"' not in page
    client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]})
    assert ballots() == 0


def test_vote_needs_sign_in(client, knapsack):
    cycle, budget = knapsack
    assert client.get(vote_url(cycle, budget)).status_code == 302


def test_official_pages(client, official, knapsack):
    cycle, budget = knapsack
    login(client, official)
    for url in (f"/cycles/new?area=50", f"/cycles/{cycle.id}/edit", f"/cycles/{cycle.id}/manage",
                f"/cycles/{cycle.id}/budgets/new", f"/cycles/{cycle.id}/budgets/{budget.id}/edit",
                f"/cycles/{cycle.id}/ballot", f"/cycles/{cycle.id}/budgets/{budget.id}/paper",
                "/cycles/import?area=50", "/cycles/manage"):
        assert client.get(url).status_code == 200, url


def test_create_cycle_and_budget_through_forms(client, official):
    login(client, official)
    t = bangkok_today()
    data = {
        "title": "งบประมาณแบบมีส่วนร่วมจังหวัดเชียงใหม่", "fiscal_year": "2570", "description": "",
        "total_budget": "5000000", "ballot_kind": "approval", "min_projects": "1", "max_projects": "3",
        "rule": "mes", "completion": "add1", "accepted_methods": ["in_person", "thaid", "resident_list"],
        "ideas_from": be(t), "supports_from": be(t + timedelta(days=10)), "review_from": be(t + timedelta(days=20)),
        "voting_from": be(t + timedelta(days=30)), "results_from": be(t + timedelta(days=40)),
        "implementation_from": be(t + timedelta(days=60)),
    }
    response = client.post("/cycles/new?area=50", data=data)
    assert response.status_code == 302
    from app.cycles.models import Cycle

    cycle = db.session.scalar(select(Cycle).where(Cycle.title == data["title"]))
    assert cycle.max_projects == 3 and cycle.min_share_percent is None
    added = client.post(f"/cycles/{cycle.id}/budgets/new", data={"name": "อำเภอเมือง", "amount": "6000000"})
    assert added.status_code == 200 and "error-summary" in added.get_data(as_text=True)  # more than the total
    assert client.post(f"/cycles/{cycle.id}/budgets/new", data={"name": "อำเภอเมือง", "amount": "3000000", "subdistricts": ["500101", "500102"]}).status_code == 302
    # Dates out of order: a clear message, nothing saved.
    bad = dict(data, voting_from=be(t + timedelta(days=50)))
    page = client.post(f"/cycles/{cycle.id}/edit", data=bad)
    assert page.status_code == 200 and "error-summary" in page.get_data(as_text=True)


def test_phase_override_through_the_page(client, official, knapsack):
    cycle, budget = knapsack
    login(client, official)
    client.post(f"/cycles/{cycle.id}/phase", data={"phase": "results", "reason": "ปิดตามกำหนด"})
    db.session.refresh(cycle)
    assert cycle.phase_override is Phase.RESULTS
    client.post(f"/cycles/{cycle.id}/phase", data={"phase": "nonsense", "reason": "x"})
    db.session.refresh(cycle)
    assert cycle.phase_override is Phase.RESULTS


def test_paper_ballots_through_the_page(client, official, knapsack):
    cycle, budget = knapsack
    login(client, official)
    p = budget.projects
    ok = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/paper", data={
        "forum_name": "ประชาคมหมู่ 5 บ้านแม่เหียะ", "forum_date": be(bangkok_today()), "count": "12",
        "project": [str(p[0].id), str(p[3].id)],
    })
    assert ok.status_code == 302 and ballots() == 12
    bad = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/paper", data={
        "forum_name": "ประชาคม", "forum_date": be(bangkok_today()), "count": "10000000", "project": [str(p[0].id)],
    })
    assert bad.status_code == 200 and ballots() == 12


def test_official_of_another_province_gets_403_everywhere(client, knapsack):
    cycle, budget = knapsack
    stranger = f.create_official("10")
    project = budget.projects[0]
    login(client, stranger)
    gets = [f"/cycles/new?area=50", f"/cycles/{cycle.id}/edit", f"/cycles/{cycle.id}/manage",
            f"/cycles/{cycle.id}/budgets/new", f"/cycles/{cycle.id}/budgets/{budget.id}/edit",
            f"/cycles/{cycle.id}/ballot", f"/cycles/{cycle.id}/budgets/{budget.id}/paper",
            "/cycles/import?area=50", f"/cycles/{cycle.id}/projects/{project.id}/progress",
            f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb"]
    posts = [f"/cycles/new?area=50", f"/cycles/{cycle.id}/edit", f"/cycles/{cycle.id}/budgets/new",
             f"/cycles/{cycle.id}/budgets/{budget.id}/edit", f"/cycles/{cycle.id}/ballot",
             f"/cycles/{cycle.id}/projects/{project.id}/remove", f"/cycles/{cycle.id}/phase",
             f"/cycles/{cycle.id}/budgets/{budget.id}/paper", f"/cycles/{cycle.id}/paper/1/delete",
             f"/cycles/{cycle.id}/results/preview", f"/cycles/{cycle.id}/results/publish",
             f"/cycles/{cycle.id}/results/recount", "/cycles/import?area=50",
             f"/cycles/{cycle.id}/projects/{project.id}/progress"]
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, data={}).status_code == 403, url


def test_import_page_shows_the_tally_message(client, official):
    import io

    login(client, official)
    bad = b"META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote\n1;7\n"
    page = client.post("/cycles/import?area=50", data={"file": (io.BytesIO(bad), "bad.pb")},
                       content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "error-summary" in text and "line 10" in text
    good = (b"META\nkey;value\nbudget;1000\nvote_type;cumulative\nPROJECTS\nproject_id;cost;name\nA;600;Park\nB;500;Library\n"
            b"VOTES\nvoter_id;vote;points\n1;A,B;3,2\n2;B;5\n")
    done = client.post("/cycles/import?area=50", data={"file": (io.BytesIO(good), "good.pb")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    manage = client.get(done.headers["Location"])
    assert manage.status_code == 200
    from app.cycles.models import Cycle

    cycle = db.session.scalar(select(Cycle).where(Cycle.imported_from == "good.pb"))
    assert cycle.points_total == 5 and cycle.points_max == 5
    assert client.post(f"/cycles/{cycle.id}/results/preview").status_code == 302
    assert client.post(f"/cycles/{cycle.id}/results/publish").status_code == 302
    results_page = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "Park" in results_page and "Library" in results_page
    pb = client.get(f"/cycles/{cycle.id}/budgets/{cycle.budgets[0].id}/ballots.pb")
    assert pb.status_code == 200 and b"VOTES" in pb.data
