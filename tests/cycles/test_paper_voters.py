"""Paper voters cannot also vote online, nor twice on paper (issue 14.5)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.accounts import national_id
from app.audit.models import AuditEntry
from app.cycles import paper_voters, voting
from app.cycles.eligibility import VOTED_ON_PAPER, voter_problem
from app.cycles.errors import CycleError
from app.cycles.models import CycleBallot, PaperBatch, PaperVoter
from app.cycles.phases import bangkok_today
from app.extensions import db
from tests.accounts.factories import valid_national_id, wrong_check_digit
from tests.accounts.helpers import shows
from tests.cycles import factories as f
from tests.cycles.test_routes import be, login, vote_url

FORUM = "ประชาคมหมู่ 3 บ้านป่าตึง"


def _resident(nid: str):
    user = f.create_user()
    user.national_id_hash = national_id.keyed_hash(nid, current_app.config["ID_HASH_KEY"])
    db.session.flush()
    return user


def _voters() -> int:
    return db.session.scalar(select(func.count()).select_from(PaperVoter))


def test_a_paper_voter_cannot_vote_online_nor_twice_on_paper(official, knapsack):
    cycle, budget = knapsack
    nid = valid_national_id()
    resident = _resident(nid)
    paper_voters.record_paper_voter(official, budget, FORUM, bangkok_today(), nid)
    stored = db.session.scalar(select(PaperVoter))
    assert stored.id_hash == resident.national_id_hash and nid not in repr(vars(stored))
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycles.paper_voter"))
    assert nid not in str(audit.details) and stored.id_hash not in str(audit.details)
    # Online voting is refused, on the page and in cast_ballot.
    assert voter_problem(resident, budget) is VOTED_ON_PAPER
    with pytest.raises(CycleError) as refused:
        voting.cast_ballot(resident, budget, [(budget.projects[0].id, 1)])
    assert VOTED_ON_PAPER in refused.value.messages
    assert db.session.scalar(select(func.count()).select_from(CycleBallot)) == 0
    # Recorded twice (spaces and dashes as typed do not make another person): refused, with where and when.
    typed = f"{nid[0]}-{nid[1:5]}-{nid[5:10]}-{nid[10:12]}-{nid[12]}"
    with pytest.raises(paper_voters.AlreadyVoted) as twice:
        paper_voters.record_paper_voter(official, budget, "ประชาคมหมู่ 4", bangkok_today(), typed)
    assert FORUM in str(twice.value)
    assert _voters() == 1
    # Another budget is another vote.
    other = f.add_budget_with_projects(official, cycle, name="งบอำเภอ")
    paper_voters.record_paper_voter(official, other, FORUM, bangkok_today(), nid)
    assert _voters() == 2


def test_a_person_who_voted_online_is_told_at_the_forum(official, knapsack):
    cycle, budget = knapsack
    nid = valid_national_id()
    resident = _resident(nid)
    voting.cast_ballot(resident, budget, [(budget.projects[0].id, 1)])
    with pytest.raises(paper_voters.AlreadyVoted) as told:
        paper_voters.record_paper_voter(official, budget, FORUM, bangkok_today(), nid)
    assert paper_voters.ALREADY_ONLINE in told.value.messages and _voters() == 0


@pytest.mark.parametrize("typed", ["", "123", "1234567890123", "๑๒๓๔๕๖๗๘๙๐๑๒๓"])
def test_bad_national_ids_store_nothing(official, knapsack, typed):
    cycle, budget = knapsack
    with pytest.raises(CycleError):
        paper_voters.record_paper_voter(official, budget, FORUM, bangkok_today(), typed or wrong_check_digit(valid_national_id()))
    assert _voters() == 0


def test_only_officials_of_the_area_during_paper_entry(knapsack):
    cycle, budget = knapsack
    stranger = f.create_official("10")
    with pytest.raises(CycleError):
        paper_voters.record_paper_voter(stranger, budget, FORUM, bangkok_today(), valid_national_id())
    official = f.create_official("50")
    with pytest.raises(CycleError):
        paper_voters.record_paper_voter(official, budget, FORUM, bangkok_today() + timedelta(days=1), valid_national_id())
    assert _voters() == 0


def test_a_checked_forum_cannot_enter_more_ballots_than_voters_and_results_count_unchecked(official, knapsack):
    cycle, budget = knapsack
    p = [pr.id for pr in budget.projects]
    day = bangkok_today()
    for _ in range(3):
        paper_voters.record_paper_voter(official, budget, FORUM, day, valid_national_id())
    with pytest.raises(CycleError):
        voting.enter_paper_ballots(official, budget, FORUM, day, [(p[0], 1)], 4, ids_checked=True)
    voting.enter_paper_ballots(official, budget, FORUM, day, [(p[0], 1)], 2, ids_checked=True)
    voting.enter_paper_ballots(official, budget, FORUM, day, [(p[1], 1)], 1, ids_checked=True)
    with pytest.raises(CycleError):
        voting.enter_paper_ballots(official, budget, FORUM, day, [(p[1], 1)], 1, ids_checked=True)
    voting.enter_paper_ballots(official, budget, "ประชาคมหมู่ 7 (ไม่ตรวจบัตร)", day, [(p[0], 1)], 20)
    from app.cycles.results import turnout

    data = turnout(cycle, budget)
    assert data["paper"] == 23 and data["paper_unchecked"] == 20
    assert paper_voters.summary(budget) == paper_voters.PaperVoterSummary(recorded=3, unchecked_ballots=20)


def test_a_record_typed_by_mistake_can_be_removed(official, knapsack):
    cycle, budget = knapsack
    nid = valid_national_id()
    resident = _resident(nid)
    paper_voters.record_paper_voter(official, budget, FORUM, bangkok_today(), nid)
    paper_voters.remove_paper_voter(official, budget, nid)
    assert _voters() == 0 and voter_problem(resident, budget) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycles.paper_voter_removed")) is not None
    with pytest.raises(CycleError):
        paper_voters.remove_paper_voter(official, budget, nid)


def test_the_forum_page(client, official, knapsack):
    cycle, budget = knapsack
    login(client, official)
    url = f"/cycles/{cycle.id}/budgets/{budget.id}/paper/voters"
    nid = valid_national_id()
    data = {"pv-forum_name": FORUM, "pv-forum_date": be(bangkok_today()), "pv-national_id": nid, "action": "record"}
    first = client.post(url, data=data, follow_redirects=True)
    assert shows(first, "Recorded: give this person a paper ballot.")
    page = first.get_data(as_text=True)
    # The forum's name and date are kept for the next voter, and the forum's count is shown.
    assert f'value="{FORUM}"' in page and f'value="{be(bangkok_today())}"' in page
    assert "บันทึกผู้ลงคะแนนแล้ว 1 คน" in page and nid not in page
    again = client.post(url, data=data, follow_redirects=True)
    from app.core.formatting import format_date

    assert shows(again, "This person has already voted on paper in this budget, at %(forum)s on %(date)s.",
                 forum=FORUM, date=format_date(bangkok_today(), "th"))
    assert _voters() == 1
    # A person who voted online: the officer is told.
    online = valid_national_id()
    voting.cast_ballot(_resident(online), budget, [(budget.projects[0].id, 1)])
    db.session.commit()
    told = client.post(url, data=dict(data, **{"pv-national_id": online}), follow_redirects=True)
    assert shows(told, str(paper_voters.ALREADY_ONLINE._args[0])) and _voters() == 1
    # A wrong check digit: the message by the field, nothing stored.
    bad = client.post(url, data=dict(data, **{"pv-national_id": wrong_check_digit(valid_national_id())}))
    assert bad.status_code == 400 and shows(bad, "This national ID number is not valid: check the 13 digits on the ID card.")
    assert _voters() == 1
    # The batch form's checkbox is there, and an official of another area is refused.
    assert 'name="ids_checked"' in client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/paper").get_data(as_text=True)
    client.post("/logout")
    login(client, f.create_official("10"))
    assert client.post(url, data=data).status_code == 403


def test_a_resident_recorded_on_paper_sees_why_online(client, official, knapsack):
    cycle, budget = knapsack
    nid = valid_national_id()
    resident = _resident(nid)
    paper_voters.record_paper_voter(official, budget, FORUM, bangkok_today(), nid)
    db.session.commit()
    login(client, resident)
    page = client.get(vote_url(cycle, budget))
    assert shows(page, str(VOTED_ON_PAPER._args[0]))
    client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]})
    assert db.session.scalar(select(func.count()).select_from(CycleBallot)) == 0
