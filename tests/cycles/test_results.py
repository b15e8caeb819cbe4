"""Results: the tally with the cycle's rule, explanations, publishing, recount, .pb export and import."""
import io

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.cycles import results, services, voting
from app.cycles.errors import CycleError
from app.cycles.models import BallotKind, Completion, Cycle, CycleBallot, CycleResult, Phase, ResultKind, TallyRule
from app.extensions import db
from tests.cycles import factories as f


def cast(budget, choices_by_count):
    """Enter ballots as paper batches: {tuple of project indexes: count}."""
    for picks, count in choices_by_count.items():
        voting.write_paper_ballots(budget.id, None, {budget.projects[i].id: 1 for i in picks}, count)
    db.session.flush()


def close(official, cycle):
    services.override_phase(official, cycle, Phase.RESULTS, "ปิดการลงคะแนน")


def texts(view):
    with current_app.test_request_context():
        return {r["project"].title: (r["selected"], results.explanation_text(
            view["result"].outcome["explanations"][r["project"].pb_project_id], "approval")) for r in view["rows"]}


def test_greedy_explains_what_did_not_fit(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = f.add_budget_with_projects(official, cycle, costs=(600_000, 500_000, 300_000, 200_000))
    cast(budget, {(0,): 10, (1,): 8, (2,): 5, (3,): 1})
    close(official, cycle)
    assert results.compute_results(official, cycle) is None
    result = services.published_result(budget)
    assert result.outcome["selected"] == [budget.projects[0].pb_project_id, budget.projects[2].pb_project_id]
    with current_app.test_request_context():
        view = results.result_view(cycle, budget, result)
    assert view["used"] == 900_000
    with current_app.test_request_context(), force_locale("en"):
        text = results.explanation_text(result.outcome["explanations"][budget.projects[1].pb_project_id], "approval")
    assert "only ฿400,000 of the budget was left" in text
    with current_app.test_request_context(), force_locale("th"):
        thai = results.explanation_text(result.outcome["explanations"][budget.projects[1].pb_project_id], "approval")
    assert "฿400,000" in thai and thai != text
    assert [p.selected for p in budget.projects] == [True, False, True, False]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycles.results_publish")) is not None


def test_mes_explains_shares(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.MES, completion=Completion.NONE)
    budget = f.add_budget_with_projects(official, cycle, costs=(600_000, 500_000, 300_000, 200_000))
    # A majority for the two costly projects, a minority for the cheap ones.
    cast(budget, {(0, 1): 60, (2, 3): 40})
    close(official, cycle)
    results.compute_results(official, cycle)
    result = services.published_result(budget)
    explanations = result.outcome["explanations"]
    codes = {p.title: explanations[p.pb_project_id]["code"] for p in budget.projects}
    assert "mes_selected" in codes.values()
    selected = set(result.outcome["selected"])
    # Proportionality: the minority (40%) gets something.
    assert selected & {budget.projects[2].pb_project_id, budget.projects[3].pb_project_id}
    with current_app.test_request_context(), force_locale("en"):
        words = [results.explanation_text(explanations[p.pb_project_id], "approval") for p in budget.projects]
    assert any("equal share of ฿" in w for w in words)
    assert any("shares ran out" in w for w in words)


def test_results_only_after_voting_and_by_officials(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL)
    f.add_budget_with_projects(official, cycle)
    with pytest.raises(CycleError):
        results.compute_results(official, cycle)
    close(official, cycle)
    with pytest.raises(CycleError):
        results.compute_results(f.create_official("10"), cycle)


def test_published_results_are_frozen_and_recount_is_audited(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL)
    budget = f.add_budget_with_projects(official, cycle)
    cast(budget, {(0,): 5, (1,): 3})
    close(official, cycle)
    results.compute_results(official, cycle)
    reports = results.compute_results(official, cycle)
    assert reports and not reports[0].changed
    # Ballots slipped in after publication (e.g. by hand in the database) show up as a difference.
    cast(budget, {(2,): 50})
    reports = results.compute_results(official, cycle)
    assert reports[0].changed
    published = services.published_result(budget)
    assert budget.projects[2].pb_project_id not in published.outcome["selected"]  # frozen
    assert budget.projects[2].pb_project_id in reports[0].recounted
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "cycles.recount")) == 2
    assert db.session.scalar(select(func.count()).select_from(CycleResult).where(CycleResult.kind == ResultKind.PUBLISHED)) == 1


def test_winning_proposals_become_selected(official):
    from app.proposals.models import Proposal, ProposalState

    area = f.areas.get_area_by_code("50")
    proposals = []
    for i, cost in enumerate((400_000, 700_000)):
        p = Proposal(area_id=area.id, title=f"ข้อเสนอ {i}", objective="เพื่อประชาชน", target_output="-", estimated_cost=cost,
                     responsible_unit="กองช่าง", kpi="-", expected_result="-", fiscal_year=f.cycle_fiscal_year(), state=ProposalState.SHORTLISTED)
        db.session.add(p)
        proposals.append(p)
    db.session.flush()
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL)
    cycle.phase_override = Phase.REVIEW
    budget = services.add_budget(official, cycle, "ทั้งจังหวัด", 1_000_000)
    assert {p.id for p in services.shortlisted_proposals(cycle)} >= {p.id for p in proposals}
    services.assign_proposals(official, cycle, {proposals[0].id: budget.id, proposals[1].id: budget.id})
    db.session.refresh(budget)
    assert sorted(p.cost for p in budget.projects) == [400_000, 700_000]
    cast(budget, {(0,): 3, (1,): 9})
    close(official, cycle)
    results.compute_results(official, cycle)
    db.session.refresh(proposals[1])
    db.session.refresh(proposals[0])
    winner = next(p for p in proposals if p.estimated_cost == 700_000)
    loser = next(p for p in proposals if p.estimated_cost == 400_000)
    assert winner.state is ProposalState.SELECTED and loser.state is ProposalState.SHORTLISTED


def test_export_pb_is_anonymous_and_recomputable(official, voter):
    from app.tally.pb import read_pb
    from app.tally.rules import tally

    # add1 would give the same result; greedy completion keeps the test fast (add1 steps one baht at a time).
    cycle = f.create_cycle(official, kind=BallotKind.KNAPSACK, rule=TallyRule.MES, completion=Completion.GREEDY)
    budget = f.add_budget_with_projects(official, cycle)
    voting.cast_ballot(voter, budget, [(budget.projects[0].id, 1), (budget.projects[1].id, 1)])
    cast(budget, {(1, 3): 4, (2,): 3})
    close(official, cycle)
    results.compute_results(official, cycle)
    text = results.export_pb(cycle, budget)
    election = read_pb(text)
    assert election.meta["rule"] == "equalshares/greedy" and election.meta["budget"] == "1000000"
    assert len(election.ballots) == 8
    assert {b.voter_id for b in election.ballots} == {str(i) for i in range(1, 9)}
    assert voter.email not in text
    selected = {pid for pid, p in election.projects.items() if p.selected == 1}
    outcome = tally(election, "mes", "greedy")
    assert set(outcome.selected) == selected == set(services.published_result(budget).outcome["selected"])


def test_import_rejected_file_shows_the_library_message(official):
    area = f.areas.get_area_by_code("50")
    bad = b"META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote\n1;7\n"
    with pytest.raises(CycleError) as error:
        results.import_pb(official, area, io.BytesIO(bad), "bad.pb")
    with current_app.test_request_context():
        message = str(error.value)
    assert "line 10" in message and "'7'" in message
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0


def test_import_creates_a_countable_cycle(official):
    area = f.areas.get_area_by_code("50")
    text = (
        "META\nkey;value\ndescription;Demo city\nbudget;1000\nvote_type;approval\nrule;greedy\nnum_projects;3\nnum_votes;4\n"
        "PROJECTS\nproject_id;cost;name\nA;600;Park\nB;500;Library\nC;300;Bike lane\n"
        "VOTES\nvoter_id;vote\n1;A,C\n2;A\n3;B\n4;A,B\n"
    )
    cycle = results.import_pb(official, area, io.BytesIO(text.encode()), "demo.pb")
    assert cycle.is_imported and cycle.total_budget == 1000
    budget = cycle.budgets[0]
    assert [p.title for p in budget.projects] == ["Park", "Library", "Bike lane"]
    assert db.session.scalar(select(func.count()).select_from(CycleBallot)) == 4
    results.compute_results(official, cycle)
    assert services.published_result(budget).outcome["selected"] == ["A", "C"]


@pytest.mark.parametrize("content, expected", [
    ("META\nkey;value\nbudget;100.5\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote\n1;1\n", "whole"),
    ("META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n" + "x" * 70 + ";50\nVOTES\nvoter_id;vote\n", "64"),
    ("not a pb file at all", "META"),
])
def test_import_refuses_what_it_cannot_keep(official, content, expected):
    from flask_babel import force_locale

    area = f.areas.get_area_by_code("50")
    with pytest.raises(CycleError) as error:
        results.import_pb(official, area, io.BytesIO(content.encode()), "x.pb")
    with current_app.test_request_context(), force_locale("en"):
        assert expected in str(error.value)
