"""Results in two steps (#13.3), the bad input around them, turnout (#13.2) and the published .pb (#13.6)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.cycles import results, services, voting
from app.cycles.errors import CycleError
from app.cycles.models import BallotKind, Completion, CycleResult, Phase, ResultKind, TallyRule
from app.extensions import db
from app.tally.pb import parse_pb
from tests.cycles import factories as f
from tests.cycles.test_routes import login


def cast(budget, groups):
    for picks, count in groups.items():
        voting.write_paper_ballots(budget.id, None, {budget.projects[i].id: 1 for i in picks}, count)
    db.session.flush()


def close(official, cycle):
    services.override_phase(official, cycle, Phase.RESULTS, "ปิดการลงคะแนน")


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audits(action):
    return count(AuditEntry, AuditEntry.action == action)


def message(error) -> str:
    with current_app.test_request_context(), force_locale("en"):
        return " ".join(str(m) for m in error.value.messages)


@pytest.fixture
def counted(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = f.add_budget_with_projects(official, cycle, costs=(600_000, 500_000, 300_000, 200_000))
    cast(budget, {(0,): 10, (1,): 8, (2,): 5})
    return cycle, budget


# --- the two steps -----------------------------------------------------------------------------


def test_a_preview_is_for_officials_and_publishing_is_a_separate_audited_step(client, official, counted):
    cycle, budget = counted
    close(official, cycle)
    previews = results.compute_preview(official, cycle)
    db.session.commit()
    assert [p.kind for p in previews] == [ResultKind.PREVIEW] and cycle.results_published_at is None
    assert not any(p.selected for p in budget.projects)  # nothing decided yet
    url = f"/cycles/{cycle.id}/results"
    public = client.get(url).get_data(as_text=True)
    assert "The results have not been published yet." in public or "ยังไม่ได้ประกาศผล" in public
    assert 'class="preview-banner"' not in public and 'class="result-list"' not in public
    assert client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb").status_code == 302  # to the login page
    resident = f.create_user()
    login(client, resident)
    assert client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb").status_code == 403
    assert 'class="preview-banner"' not in client.get(url).get_data(as_text=True)
    client.post("/logout")
    login(client, official)
    client.set_cookie("lang", "en")
    page = client.get(url).get_data(as_text=True)
    assert "Preview, not published." in page and budget.projects[0].title in page
    assert "Publish these results" in page and f"/budgets/{budget.id}/preview.pb" in page
    pb = parse_pb(client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb").get_data(as_text=True))
    assert {pid for pid, p in pb.projects.items() if p.selected == 1} == set(previews[0].outcome["selected"])
    # Publish: the preview row becomes the published result, with when and by whom.
    response = client.post(f"/cycles/{cycle.id}/results/publish")
    assert response.status_code == 302
    published = services.published_result(budget)
    assert published.id == previews[0].id and published.published_by_id == official.id
    assert published.published_at is not None and published.computed_at <= published.published_at
    assert cycle.results_published_at is not None and [p.selected for p in budget.projects] == [True, False, True, False]
    assert audits("cycles.results_preview") == 1 and audits("cycles.results_publish") == 1
    client.post("/logout")
    page = client.get(url).get_data(as_text=True)
    assert "Preview, not published." not in page and budget.projects[0].title in page
    assert client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/preview.pb").status_code == 302


def test_a_preview_may_be_computed_again_while_voting_is_closed(official, counted):
    cycle, budget = counted
    close(official, cycle)
    first = results.compute_preview(official, cycle)[0]
    assert first.outcome["selected"] == [budget.projects[0].pb_project_id, budget.projects[2].pb_project_id]
    cast(budget, {(1,): 20})  # a village forum's paper ballots entered late (allowed until publication)
    second = results.compute_preview(official, cycle)[0]
    assert second.outcome["selected"][0] == budget.projects[1].pb_project_id
    assert count(CycleResult, CycleResult.kind == ResultKind.PREVIEW) == 1  # the latest replaces the earlier one
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycles.results_preview").order_by(AuditEntry.id)).all()
    assert [e.details["again"] for e in entries] == [False, True]


def test_the_pages_take_the_official_through_preview_publish_and_recount(client, official, counted):
    cycle, budget = counted
    close(official, cycle)
    db.session.commit()
    login(client, official)
    client.set_cookie("lang", "en")
    manage = client.get(f"/cycles/{cycle.id}/manage").get_data(as_text=True)
    assert "Compute a preview of the results" in manage and "Publish these results" not in manage
    client.post(f"/cycles/{cycle.id}/results/preview")
    assert "See the preview of the results" in client.get(f"/cycles/{cycle.id}/manage").get_data(as_text=True)
    client.post(f"/cycles/{cycle.id}/results/publish")
    page = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "Recount (audited; the published results stay)" in page and "Compute a preview" not in page
    client.post(f"/cycles/{cycle.id}/results/recount")
    assert count(CycleResult, CycleResult.kind == ResultKind.RECOUNT) == 1 and audits("cycles.recount") == 1


# --- bad input: a clear message, nothing changed, no 500 -----------------------------------


def _nothing_counted(cycle):
    assert count(CycleResult) == 0 and cycle.results_published_at is None
    assert audits("cycles.results_preview") == 0 and audits("cycles.results_publish") == 0


def test_a_preview_while_voting_is_open_is_refused(client, official, counted):
    cycle, _budget = counted
    assert services.current_phase(cycle) is Phase.VOTING
    with pytest.raises(CycleError) as error:
        results.compute_preview(official, cycle)
    assert "Voting is still open" in message(error)
    db.session.commit()
    login(client, official)
    client.set_cookie("lang", "th")
    response = client.post(f"/cycles/{cycle.id}/results/preview", follow_redirects=True)
    assert response.status_code == 200 and "การลงคะแนนยังเปิดอยู่" in response.get_data(as_text=True)
    db.session.expire_all()
    _nothing_counted(cycle)
    assert cycle.voting_closed_at is None  # the vote was not closed behind the official's back


def test_publishing_without_a_preview_is_refused(client, official, counted):
    cycle, _budget = counted
    close(official, cycle)
    with pytest.raises(CycleError) as error:
        results.publish_results(official, cycle)
    assert "There is no preview to publish" in message(error)
    db.session.commit()
    login(client, official)
    client.set_cookie("lang", "en")
    response = client.post(f"/cycles/{cycle.id}/results/publish", follow_redirects=True)
    assert response.status_code == 200 and "There is no preview to publish" in response.get_data(as_text=True)
    db.session.expire_all()
    _nothing_counted(cycle)


def test_a_second_publish_is_refused_and_changes_nothing(client, official, counted):
    cycle, budget = counted
    close(official, cycle)
    results.compute_preview(official, cycle)
    results.publish_results(official, cycle)
    db.session.commit()
    when = cycle.results_published_at
    with pytest.raises(CycleError) as error:
        results.publish_results(official, cycle)
    assert "cannot be published a second time" in message(error)
    with pytest.raises(CycleError):
        results.compute_preview(official, cycle)  # no new preview of a frozen result either
    login(client, official)
    client.set_cookie("lang", "en")
    for action in ("publish", "preview"):
        response = client.post(f"/cycles/{cycle.id}/results/{action}", follow_redirects=True)
        assert response.status_code == 200 and "already published and frozen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert cycle.results_published_at == when and audits("cycles.results_publish") == 1
    assert count(CycleResult) == 1 and count(CycleResult, CycleResult.kind == ResultKind.PUBLISHED) == 1


def test_a_recount_by_an_official_of_another_area_is_refused(client, official, counted):
    cycle, budget = counted
    close(official, cycle)
    results.compute_results(official, cycle)
    db.session.commit()
    stranger = f.create_official("10")  # Bangkok's, not Chiang Mai's
    db.session.commit()
    with pytest.raises(CycleError) as error:
        results.recount_results(stranger, cycle)
    assert "Only officials of this area can recount" in message(error)
    login(client, stranger)
    client.set_cookie("lang", "en")
    for action in ("recount", "preview", "publish"):
        response = client.post(f"/cycles/{cycle.id}/results/{action}")
        assert response.status_code == 403
        assert "You do not have permission to do this here." in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(CycleResult, CycleResult.kind == ResultKind.RECOUNT) == 0 and audits("cycles.recount") == 0


def test_publishing_a_preview_the_ballots_no_longer_give_is_refused(official, counted):
    cycle, budget = counted
    close(official, cycle)
    results.compute_preview(official, cycle)
    cast(budget, {(3,): 1})  # one more paper ballot after the preview
    with pytest.raises(CycleError) as error:
        results.publish_results(official, cycle)
    assert "have changed since the preview" in message(error)
    assert cycle.results_published_at is None and count(CycleResult, CycleResult.kind == ResultKind.PUBLISHED) == 0


# --- turnout -------------------------------------------------------------------------------------


def test_turnout_counts_eligible_residents_and_each_channel_by_subdistrict(client, official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = f.add_budget_with_projects(official, cycle, codes=("500101", "500102"))
    here = [f.create_user(subdistrict="500101") for _ in range(3)]
    there = [f.create_user(subdistrict="500102") for _ in range(2)]
    f.create_user(subdistrict="500103")  # outside the budget's subdistricts
    f.create_user(subdistrict="500101", verified=False)  # not verified: not eligible
    f.create_user(province="10", subdistrict="100101")  # another province
    for voter in here[:2] + there[:1]:
        voting.cast_ballot(voter, budget, [(budget.projects[0].id, 1)])
    cast(budget, {(1,): 4})
    close(official, cycle)
    preview = results.compute_preview(official, cycle)[0]
    t = preview.outcome["turnout"]
    assert (t["eligible"], t["online"], t["paper"], t["cast"]) == (5, 3, 4, 7)
    assert t["by_subdistrict"] == [{"code": "500101", "eligible": 3, "online": 2}, {"code": "500102", "eligible": 2, "online": 1}]
    results.publish_results(official, cycle)
    db.session.commit()
    client.set_cookie("lang", "en")
    page = " ".join(client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True).split())
    # 7 ballots for 5 verified residents: forums' paper ballots come from people not registered too, so no 140%.
    assert "Ballots cast</dt><dd>7</dd>" in page and "Eligible voters</dt><dd>5</dd>" in page and "140" not in page
    assert "more ballots than verified residents" in page
    assert "Online ballots</dt><dd>3 (60.0%)" in page and "Paper ballots (village forums)</dt><dd>4</dd>" in page
    assert "Online turnout by subdistrict" in page and "66.7%" in page and "50.0%" in page
    client.set_cookie("lang", "th")
    thai = client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)
    assert "ผู้มาใช้สิทธิ" in thai and "ตำบล" in thai


def test_turnout_as_a_share_of_eligible_voters(client, official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = f.add_budget_with_projects(official, cycle)
    voters = [f.create_user() for _ in range(8)]
    for voter in voters[:3]:
        voting.cast_ballot(voter, budget, [(budget.projects[0].id, 1)])
    cast(budget, {(1,): 1})
    close(official, cycle)
    results.compute_results(official, cycle)
    db.session.commit()
    client.set_cookie("lang", "en")
    page = " ".join(client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True).split())
    assert "4 of 8 eligible voters (50.0%)" in page and "Online ballots</dt><dd>3 (37.5%)" in page
    assert "more ballots than verified residents" not in page


def test_turnout_of_a_whole_province_budget_has_no_subdistrict_table(official, counted):
    cycle, budget = counted
    close(official, cycle)
    t = results.compute_preview(official, cycle)[0].outcome["turnout"]
    assert t["by_subdistrict"] == [] and t["paper"] == 23 and t["eligible"] == 0


# --- the published .pb -----------------------------------------------------------------------------


def test_the_pb_dates_are_when_voting_actually_ran(official):
    dates = f.voting_dates()
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, dates=dates)
    budget = f.add_budget_with_projects(official, cycle)
    cast(budget, {(0,): 2})
    # By its dates voting began two days ago and would run ten more days; an official ends it today.
    close(official, cycle)
    results.compute_results(official, cycle)
    meta = parse_pb(results.export_pb(cycle, budget)).meta
    today = f.bangkok_today()
    assert meta["date_begin"] == dates["voting_from"].strftime("%d.%m.%Y")
    assert meta["date_end"] == today.strftime("%d.%m.%Y")


def test_the_pb_dates_follow_a_manual_opening_and_closing(official):
    today = f.bangkok_today()
    dates = f.voting_dates()
    dates.update(voting_from=today + timedelta(days=5), results_from=today + timedelta(days=15),
                 implementation_from=today + timedelta(days=40))
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, dates=dates)
    budget = f.add_budget_with_projects(official, cycle)
    cycle.phase_override = Phase.REVIEW
    services.override_phase(official, cycle, Phase.VOTING, "เปิดก่อนกำหนดตามมติประชาคม")  # opened early, by hand
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cycles.phase_override")).all()[-1]
    entry.at = datetime.now(timezone.utc) - timedelta(days=3)  # as if done three days ago
    cast(budget, {(0,): 2})
    from app.cycles.closing import close_voting

    close_voting(cycle, official)  # closed by hand today, long before the dates' end
    results.compute_results(official, cycle)
    meta = parse_pb(results.export_pb(cycle, budget)).meta
    assert meta["date_begin"] == (today - timedelta(days=3)).strftime("%d.%m.%Y")
    assert meta["date_end"] == today.strftime("%d.%m.%Y")


def test_a_ballot_made_ready_on_a_voting_day_opens_voting_then(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL)
    cycle.phase_override = Phase.REVIEW
    budget = services.add_budget(official, cycle, "งบทั้งจังหวัด", 1_000_000)
    cycle.phase_override = None
    assert services.current_phase(cycle) is Phase.REVIEW and cycle.voting_opened_at is None  # waits for its ballot
    services.add_project(official, budget, "ถนน", 100_000)  # the ballot is ready on a voting day: voting opens now
    assert services.current_phase(cycle) is Phase.VOTING and cycle.voting_opened_at is not None
    begin, _end = results.voting_window(cycle)
    assert begin == f.bangkok_today()


def test_the_pb_marks_paper_ballots_and_names_rules_as_pabulib_does(official, voter):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.MES, completion=Completion.ADD1)
    budget = f.add_budget_with_projects(official, cycle)
    voting.cast_ballot(voter, budget, [(budget.projects[0].id, 1)])
    cast(budget, {(1,): 2})
    close(official, cycle)
    results.compute_results(official, cycle)
    text = results.export_pb(cycle, budget)
    election = parse_pb(text)
    assert election.vote_columns == ["voter_id", "vote", "voting_method"]
    assert sorted(b.fields["voting_method"] for b in election.ballots) == ["internet", "paper", "paper"]
    assert election.meta["rule"] == "equalshares/add1"
    keys = list(election.meta)
    assert keys[:11] == ["description", "country", "unit", "subunit", "instance", "num_projects", "num_votes",
                         "budget", "vote_type", "rule", "date_begin"]
    assert "comment" not in election.meta


@pytest.mark.parametrize(("rule", "completion", "name", "comment"), [
    (TallyRule.GREEDY, Completion.ADD1, "greedy", False),
    (TallyRule.GREEDY_NO_SKIP, Completion.ADD1, "greedy-no-skip", False),
    (TallyRule.MES, Completion.NONE, "equalshares", False),
    (TallyRule.MES, Completion.ADD1, "equalshares/add1", False),
    (TallyRule.MES, Completion.GREEDY, "equalshares/greedy", True),
    (TallyRule.MES, Completion.ADD1_GREEDY, "equalshares/add1+greedy", True),
])
def test_rule_names(official, rule, completion, name, comment):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=rule, completion=completion)
    assert results.pb_rule_name(cycle) == name
    note = results.pb_rule_comment(cycle)
    assert (note is not None) == comment and (note is None or note.startswith("#1: "))
