"""A cycle chooses which residency verifications it accepts for voting (issue 14.4)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.accounts.models import ResidencyMethod
from app.audit.models import AuditEntry
from app.cycles import voting
from app.cycles.eligibility import accepted_methods, stored_methods, voter_problem
from app.cycles.errors import CycleError
from app.cycles.models import Cycle, CycleBallot
from app.extensions import db
from tests.accounts.helpers import shows
from tests.cycles import factories as f
from tests.cycles.test_cycle_dates import form_data
from tests.cycles.test_routes import login, vote_url


def _voter(method):
    user = f.create_user()
    user.residency_method = method
    db.session.flush()
    return user


def _ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(CycleBallot))


def test_a_cycle_accepts_every_method_by_default(knapsack):
    cycle, budget = knapsack
    assert cycle.accepted_methods is None and accepted_methods(cycle) == tuple(ResidencyMethod)
    for method in (*ResidencyMethod, None):  # None: verified before methods were recorded (in person)
        voting.cast_ballot(_voter(method), budget, [(budget.projects[0].id, 1)])
    assert _ballots() == len(ResidencyMethod) + 1


def test_a_resident_verified_another_way_is_told_why_and_what_to_do(client, official):
    cycle = f.create_cycle(official, accepted_methods=["in_person", "thaid"])
    budget = f.add_budget_with_projects(official, cycle)
    listed = _voter(ResidencyMethod.RESIDENT_LIST)
    with pytest.raises(CycleError):
        voting.cast_ballot(listed, budget, [(budget.projects[0].id, 1)])
    assert voter_problem(_voter(ResidencyMethod.IN_PERSON), budget) is None
    assert voter_problem(_voter(None), budget) is None
    # Through the pages: the vote page says why, and a POST (the fast path) records nothing.
    login(client, listed)
    page = client.get(vote_url(cycle, budget))
    message = ("This cycle accepts only residents verified by: %(methods)s. Yours was verified by: %(mine)s. "
               "To vote, ask an official of your area to verify your residency in person with your ID card.")
    assert shows(page, message, methods="เจ้าหน้าที่ตรวจบัตรต่อหน้า, ThaID", mine="ทะเบียนผู้อยู่อาศัย")
    response = client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]})
    assert response.status_code == 200 and _ballots() == 0
    show = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "ThaID" in show and "ทะเบียนผู้อยู่อาศัย" in show  # the cycle page names what it accepts, and the problem


def test_without_in_person_the_message_says_so(official):
    cycle = f.create_cycle(official, accepted_methods=["thaid"])
    budget = f.add_budget_with_projects(official, cycle)
    from flask_babel import force_locale

    with force_locale("en"):
        problem = str(voter_problem(_voter(ResidencyMethod.IN_PERSON), budget))
    assert "you cannot vote in this cycle" in problem and "ThaID" in problem


def test_stored_methods_keeps_none_for_all():
    assert stored_methods(["thaid", "in_person", "resident_list"]) is None
    assert stored_methods([]) is None
    assert stored_methods(["resident_list", "in_person"]) == ["in_person", "resident_list"]


def test_the_cycle_form_chooses_methods(client, official):
    login(client, official)
    page = client.get("/cycles/new?area=50").get_data(as_text=True)
    assert page.count('name="accepted_methods"') == 3 and page.count("checked") >= 3
    data = form_data("เฉพาะตรวจบัตร")
    data["accepted_methods"] = ["in_person"]
    assert client.post("/cycles/new?area=50", data=data).status_code == 302
    cycle = db.session.scalar(select(Cycle).where(Cycle.title == "เฉพาะตรวจบัตร"))
    assert cycle.accepted_methods == ["in_person"]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycles.create", AuditEntry.object_id == cycle.id))
    assert audit.details["accepted_methods"] == ["in_person"]
    edit = client.get(f"/cycles/{cycle.id}/edit").get_data(as_text=True)
    assert edit.count("checked") == 1
    # None ticked: a clear message, nothing saved.
    none = form_data("ไม่มีวิธี")
    none.pop("accepted_methods")
    response = client.post("/cycles/new?area=50", data=none)
    assert response.status_code == 200 and shows(response, "Choose at least one way of verifying residency.")
    assert db.session.scalar(select(Cycle).where(Cycle.title == "ไม่มีวิธี")) is None
    # A made-up method is refused too.
    bad = dict(form_data("วิธีปลอม"), accepted_methods=["line"])
    assert client.post("/cycles/new?area=50", data=bad).status_code == 200
    assert db.session.scalar(select(Cycle).where(Cycle.title == "วิธีปลอม")) is None


def test_methods_cannot_change_once_ballots_are_cast(official, knapsack):
    from app.cycles import services

    cycle, budget = knapsack
    voting.cast_ballot(_voter(ResidencyMethod.RESIDENT_LIST), budget, [(budget.projects[0].id, 1)])
    settings = services.CycleSettings(**{k: getattr(cycle, k) for k in services.CycleSettings.__dataclass_fields__})
    settings.accepted_methods = ["in_person"]
    with pytest.raises(CycleError):
        services.update_cycle(official, cycle, settings)


def test_turnout_counts_only_residents_of_accepted_methods(official):
    from app.cycles.results import turnout

    cycle = f.create_cycle(official, accepted_methods=["in_person"])
    budget = f.add_budget_with_projects(official, cycle)
    _voter(ResidencyMethod.IN_PERSON), _voter(None), _voter(ResidencyMethod.RESIDENT_LIST)
    assert turnout(cycle, budget)["eligible"] == 2
