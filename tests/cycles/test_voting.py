"""Ballot rules, casting, changing a vote, receipts, storage separation and paper ballots."""
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select
from werkzeug.datastructures import MultiDict

from app.audit.models import AuditEntry
from app.cycles import voting
from app.cycles.errors import CycleError
from app.cycles.models import (
    BallotChannel,
    BallotChoice,
    BallotKind,
    CycleBallot,
    CycleVoter,
    Phase,
)
from app.cycles.phases import bangkok_today
from app.extensions import db
from tests.cycles import factories as f


def ids(budget):
    return [p.id for p in budget.projects]


def live_ballots(budget):
    return db.session.scalar(select(func.count()).select_from(CycleBallot).where(
        CycleBallot.budget_id == budget.id, CycleBallot.replaced.is_(False)))


def messages(error):
    from flask import current_app

    from flask_babel import force_locale

    with current_app.test_request_context(), force_locale("en"):
        return " ".join(str(m) for m in error.value.messages)


# --- knapsack ---------------------------------------------------------------


def test_knapsack_vote_and_receipt(knapsack, voter):
    cycle, budget = knapsack
    p = ids(budget)
    code = voting.cast_ballot(voter, budget, [(p[0], 1), (p[1], 1)])
    status = voting.check_receipt(code)
    assert status.found and status.counted and not status.replaced
    assert status.budget.id == budget.id
    assert live_ballots(budget) == 1
    assert voting.check_receipt("AAAA-BBBB-CCCC").found is False
    # Codes are checked whatever their case and dashes.
    assert voting.check_receipt(code.lower().replace("-", " ")).counted


def test_knapsack_over_budget(knapsack, voter):
    cycle, budget = knapsack
    p = ids(budget)  # 400k, 300k, 500k, 200k; budget 1M
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, budget, [(p[0], 1), (p[1], 1), (p[2], 1)])
    assert "฿1,200,000" in messages(error) and "฿200,000" in messages(error)
    assert live_ballots(budget) == 0
    assert db.session.scalar(select(func.count()).select_from(CycleVoter)) == 0


def test_knapsack_minimum_share(official, voter):
    cycle = f.create_cycle(official, kind=BallotKind.KNAPSACK, min_share_percent=50)
    budget = f.add_budget_with_projects(official, cycle)
    p = ids(budget)
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, budget, [(p[3], 1)])  # 200k of 1M
    assert "50%" in messages(error)
    voting.cast_ballot(voter, budget, [(p[2], 1)])  # 500k


def test_empty_ballot(knapsack, voter):
    with pytest.raises(CycleError):
        voting.cast_ballot(voter, knapsack[1], [])


def test_project_of_another_budget(official, voter):
    cycle = f.create_cycle(official, kind=BallotKind.KNAPSACK)
    first = f.add_budget_with_projects(official, cycle, "เขต 1", 1_000_000)
    second = f.add_budget_with_projects(official, cycle, "เขต 2", 1_000_000)
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, first, [(ids(second)[0], 1)])
    assert str(ids(second)[0]) in messages(error)
    assert live_ballots(first) == 0


def test_duplicate_project(knapsack, voter):
    cycle, budget = knapsack
    p = ids(budget)
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, budget, [(p[0], 1), (p[0], 1)])
    assert budget.projects[0].title in messages(error)


# --- approval, cumulative, ranking ------------------------------------------------


def test_approval_too_few_and_too_many(official, voter):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, min_projects=2, max_projects=3)
    budget = f.add_budget_with_projects(official, cycle)
    p = ids(budget)
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, budget, [(p[0], 1)])
    assert "2" in messages(error)
    with pytest.raises(CycleError):
        voting.cast_ballot(voter, budget, [(x, 1) for x in p])
    voting.cast_ballot(voter, budget, [(p[0], 1), (p[1], 1), (p[2], 1)])
    assert live_ballots(budget) == 1


def test_cumulative_points(official, voter):
    cycle = f.create_cycle(official, kind=BallotKind.CUMULATIVE, points_total=10, points_max=5)
    budget = f.add_budget_with_projects(official, cycle)
    p = ids(budget)
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, budget, [(p[0], 6)])
    assert "5" in messages(error)
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, budget, [(p[0], 5), (p[1], 5), (p[2], 1)])
    assert "11" in messages(error)
    voting.cast_ballot(voter, budget, [(p[0], 5), (p[1], 5)])


def test_ranking(official, voter):
    cycle = f.create_cycle(official, kind=BallotKind.RANKING, rank_k=2)
    budget = f.add_budget_with_projects(official, cycle)
    p = ids(budget)
    for bad in ([(p[0], 1), (p[1], 1)], [(p[0], 1), (p[1], 3)], [(p[0], 2)], [(p[0], 1), (p[1], 2), (p[2], 3)]):
        with pytest.raises(CycleError):
            voting.cast_ballot(voter, budget, bad)
    voting.cast_ballot(voter, budget, [(p[2], 1), (p[0], 2)])
    values = dict(db.session.execute(select(BallotChoice.project_id, BallotChoice.value)).all())
    assert values == {p[2]: 1, p[0]: 2}


# --- who may vote, when -------------------------------------------------------------


def test_voting_outside_the_voting_phase(knapsack, voter, official):
    from app.cycles import services

    cycle, budget = knapsack
    services.override_phase(official, cycle, Phase.REVIEW, "ทดสอบ")
    with pytest.raises(CycleError) as error:
        voting.cast_ballot(voter, budget, [(ids(budget)[0], 1)])
    assert "not open" in messages(error)
    services.override_phase(official, cycle, Phase.RESULTS, "ทดสอบ")
    with pytest.raises(CycleError):
        voting.cast_ballot(voter, budget, [(ids(budget)[0], 1)])
    # Published results are frozen: setting the phase back to voting does not reopen it.
    from app.cycles import results

    results.compute_results(official, cycle)
    services.override_phase(official, cycle, Phase.VOTING, "ทดสอบ")
    with pytest.raises(CycleError):
        voting.cast_ballot(voter, budget, [(ids(budget)[0], 1)])


def test_unverified_and_non_resident_voters(knapsack):
    cycle, budget = knapsack
    choice = [(ids(budget)[0], 1)]
    for user in (f.create_user(verified=False), f.create_user(province="10", subdistrict="100101")):
        with pytest.raises(CycleError):
            voting.cast_ballot(user, budget, choice)
    assert live_ballots(budget) == 0


def test_local_government_and_subdistrict_budgets(official):
    # เทศบาลนครเชียงใหม่ (3500102) covers ศรีภูมิ (500101) and ช้างคลาน (500105) of อำเภอเมืองเชียงใหม่,
    # not ตำบลสุเทพ (500108) of the same district, which is เทศบาลตำบลสุเทพ's, nor 500203 of another district.
    cycle = f.create_cycle(official, area_code="3500102", kind=BallotKind.APPROVAL)
    budget = f.add_budget_with_projects(official, cycle)
    restricted = f.add_budget_with_projects(official, cycle, "ตำบลช้างคลาน", 500_000, costs=(100_000,), codes=["500105"])
    inside = f.create_user(subdistrict="500101")
    voting.cast_ballot(inside, budget, [(ids(budget)[0], 1)])
    for code in ("500203", "500108"):
        with pytest.raises(CycleError):
            voting.cast_ballot(f.create_user(subdistrict=code), budget, [(ids(budget)[0], 1)])
    with pytest.raises(CycleError):
        voting.cast_ballot(inside, restricted, [(ids(restricted)[0], 1)])
    voting.cast_ballot(f.create_user(subdistrict="500105"), restricted, [(ids(restricted)[0], 1)])


# --- changing a vote, storage separation ----------------------------------------------


def test_vote_change_replaces_the_ballot(knapsack, voter):
    cycle, budget = knapsack
    p = ids(budget)
    first = voting.cast_ballot(voter, budget, [(p[0], 1)])
    second = voting.cast_ballot(voter, budget, [(p[1], 1), (p[3], 1)])
    assert live_ballots(budget) == 1
    assert voting.check_receipt(first).replaced and not voting.check_receipt(first).counted
    assert voting.check_receipt(second).counted
    assert voting.current_choices(voter, budget) == {p[1]: 1, p[3]: 1}
    record = db.session.scalar(select(CycleVoter))
    assert record.changed_count == 1
    # The replaced ballot keeps no choices.
    assert db.session.scalar(select(func.count()).select_from(BallotChoice)) == 2


def test_ballot_rows_carry_no_voter_id(knapsack, voter):
    cycle, budget = knapsack
    voting.cast_ballot(voter, budget, [(ids(budget)[0], 1)])
    columns = {c["name"] for c in inspect(db.session.connection()).get_columns("cycle_ballots")}
    choice_columns = {c["name"] for c in inspect(db.session.connection()).get_columns("cycle_ballot_choices")}
    voter_columns = {c["name"] for c in inspect(db.session.connection()).get_columns("cycle_voters")}
    for name in columns | choice_columns:
        assert "user" not in name and "voter_id" not in name
    assert not any("ballot" in name for name in voter_columns)
    row = db.session.execute(select(CycleBallot.__table__)).mappings().one()
    values = {str(v) for v in row.values()}
    assert str(voter.id) not in values and voter.email not in values
    assert row["voter_hash"] != voting.voter_hash(budget.id + 1, voter.id)
    assert row["voter_hash"] == voting.voter_hash(budget.id, voter.id)  # only the app's key links them
    # No time, not even the day: on a day when one person voted it would name their ballot.
    assert row["cast_on"] is None


# --- paper ballots --------------------------------------------------------------------


def test_paper_ballots_counted_and_audited(knapsack, official):
    cycle, budget = knapsack
    p = ids(budget)
    forum_day = bangkok_today() - timedelta(days=1)
    batch = voting.enter_paper_ballots(official, budget, "ประชาคมหมู่ 3 บ้านป่าตึง", forum_day, [(p[0], 1), (p[3], 1)], 25)
    assert live_ballots(budget) == 25
    channels = set(db.session.scalars(select(CycleBallot.channel)))
    assert channels == {BallotChannel.PAPER}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycles.paper_ballots"))
    assert audit.details["count"] == 25 and audit.object_id == batch.id
    # Same rules as online ballots.
    with pytest.raises(CycleError):
        voting.enter_paper_ballots(official, budget, "ประชาคมหมู่ 4", forum_day, [(p[0], 1), (p[1], 1), (p[2], 1)], 3)
    with pytest.raises(CycleError):
        voting.enter_paper_ballots(official, budget, "ประชาคมหมู่ 4", bangkok_today() + timedelta(days=1), [(p[0], 1)], 3)
    voting.delete_paper_batch(official, batch)
    assert live_ballots(budget) == 0


def test_paper_ballots_need_an_official_of_the_area(knapsack):
    cycle, budget = knapsack
    stranger = f.create_official("10")
    with pytest.raises(CycleError):
        voting.enter_paper_ballots(stranger, budget, "ประชาคม", bangkok_today(), [(ids(budget)[0], 1)], 1)


# --- reading the form --------------------------------------------------------------------


@pytest.mark.parametrize("form, kind", [
    (MultiDict([("project", "abc")]), BallotKind.KNAPSACK),
    (MultiDict([("project", "1" * 40)]), BallotKind.APPROVAL),
    (MultiDict([("points-3", "1e9")]), BallotKind.CUMULATIVE),
    (MultiDict([("points-3", "99999999999999999999")]), BallotKind.CUMULATIVE),
    (MultiDict([("points-x", "1")]), BallotKind.CUMULATIVE),
    (MultiDict([("rank-3", "-1")]), BallotKind.RANKING),
])
def test_parse_rejects_tampered_forms(form, kind):
    with pytest.raises(CycleError):
        voting.parse_ballot_form(kind, form)


def test_parse_reads_ballots():
    assert voting.parse_ballot_form(BallotKind.KNAPSACK, MultiDict([("project", "3"), ("project", "5")])) == [(3, 1), (5, 1)]
    assert voting.parse_ballot_form(BallotKind.CUMULATIVE, MultiDict([("points-3", "2"), ("points-4", ""), ("points-5", "0")])) == [(3, 2)]
    assert voting.parse_ballot_form(BallotKind.RANKING, MultiDict([("rank-3", "2"), ("rank-4", "1"), ("rank-5", "")])) == [(3, 2), (4, 1)]
