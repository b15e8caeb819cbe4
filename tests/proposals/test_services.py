"""Proposal rules without HTTP: creation from ideas, bad input, states by role and area, assessment."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.extensions import db
from app.ideas.models import IdeaStatus
from app.notifications.models import Notification
from app.plans.models import PlanKind
from app.proposals import services
from app.proposals.models import MAX_BAHT, ProposalState, Recommendation
from app.proposals.services import TRANSITIONS, AssessmentData, ProposalData, ProposalError
from app.triage.services import timeline
from tests.triage.factories import area, create_idea, create_plan, create_user, evaluator, follow, leaf, official

P = ProposalState


def data(**overrides) -> ProposalData:
    values = dict(
        title="ปรับปรุงไฟส่องสว่างถนนช้างคลาน", objective="เพิ่มความปลอดภัยในการสัญจรยามค่ำคืน",
        target_output="ติดตั้งโคมไฟ LED จำนวน 40 ต้น ระยะทาง 1.2 กม.", estimated_cost=1_250_000,
        responsible_unit="กองช่าง", kpi="อุบัติเหตุลดลงร้อยละ 30", expected_result="ประชาชนสัญจรได้อย่างปลอดภัย",
        fiscal_year=2570, location_text="ถนนช้างคลาน", budget={y: 0 for y in range(2570, 2575)},
    )
    values.update(overrides)
    if "budget" not in overrides:  # the yearly budgets add up to the cost
        values["budget"][2570] = values["estimated_cost"]
    return ProposalData(**values)


def make(area_code="3500102", actor=None, **overrides):
    actor = actor or official(area_code)
    return services.create_proposal(actor, area(area_code), data(**overrides))


def moved(proposal, *states, actor=None):
    """Walk a proposal through states the shortest way (officials only), assessing when needed."""
    actor = actor or official(proposal.area.code)
    for state in states:
        if state in (P.FEASIBLE, P.NOT_FEASIBLE) and not any(a.is_submitted for a in proposal.assessments):
            ev = evaluator(proposal.area.code)
            services.assign_evaluator(actor, proposal, ev)
            services.record_assessment(ev, proposal, assessment(
                Recommendation.FEASIBLE if state is P.FEASIBLE else Recommendation.NOT_FEASIBLE))
            if proposal.state is state:
                continue
        services.transition(actor, proposal, state, "เหตุผลประกอบ")
    return proposal


def assessment(recommendation=Recommendation.FEASIBLE, revised_cost=None, summary="อยู่ในอำนาจหน้าที่และทำได้จริง"):
    return AssessmentData(legal_authority_ok=True, technically_feasible=True, cost_reasonable=revised_cost is None,
                          recommendation=recommendation, summary=summary, revised_cost=revised_cost,
                          notes="หมายเหตุภายใน: ตรวจราคากลางแล้ว")


# --- creating ------------------------------------------------------------------------------------

def test_create_from_ideas_accepts_them_with_an_answer_and_links_both_ways():
    officer = official("3500102")
    author, follower = create_user(), create_user()
    first = create_idea(author, area_code="3500102")
    second = create_idea(area_code="3500102", status=IdeaStatus.ACCEPTED)
    follow(first, follower)
    plan = create_plan("3500102", start_year=2566)
    proposal = services.create_proposal(
        officer, area("3500102"), data(plan_item_id=leaf(plan).id, budget={y: 100 for y in plan.years},
                                       estimated_cost=500),
        [first, second],
    )
    assert proposal.state is P.DRAFT and proposal.plan_item_id == leaf(plan).id
    assert [i.id for i in proposal.ideas] == [first.id, second.id]
    assert proposal.budget_by_year == {y: 100 for y in range(2566, 2571)}
    for idea in (first, second):
        assert idea.status is IdeaStatus.ACCEPTED
        assert proposal.title in idea.answer
        assert timeline(idea)[-1].proposal_id == proposal.id
    assert services.proposals_of_idea(first) == []  # drafts are not public
    assert services.proposals_of_idea(first, include_drafts=True) == [proposal]
    assert [t.to_state for t in proposal.transitions] == [P.DRAFT]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "proposal.created", AuditEntry.object_id == proposal.id)) == 1


def test_unlinked_proposal_budgets_five_years_from_its_fiscal_year():
    assert services.budget_years(None, 2570) == [2570, 2571, 2572, 2573, 2574]
    plan = create_plan("50", start_year=2570)
    assert plan.kind is PlanKind.PROVINCIAL_ACTION
    assert services.budget_years(leaf(plan), 2570) == [2570]
    p = make("50", plan_item_id=leaf(plan).id, budget={2570: 1_250_000})
    assert p.final_cost == 1_250_000 and p.budget_by_year == {2570: 1_250_000}


def test_yearly_budgets_that_do_not_add_up_to_the_cost_are_refused():
    plan = create_plan("50", start_year=2570)
    with pytest.raises(ProposalError) as refused:
        make("50", plan_item_id=leaf(plan).id, budget={2570: 900_000})
    assert refused.value.field == "budget"
    assert "฿900,000" in str(refused.value) and "฿1,250,000" in str(refused.value)


def test_spread_budget_keeps_the_shares_and_puts_the_remainder_on_the_last_year():
    assert services.spread_budget({2567: 1_250_000}, 1_180_000, 2567) == {2567: 1_180_000}
    assert services.spread_budget({2566: 500_000, 2567: 750_000, 2568: 0}, 1_180_000, 2566) == {
        2566: 472_000, 2567: 708_000, 2568: 0}
    assert services.spread_budget({2566: 1, 2567: 1, 2568: 1, 2569: 0}, 100, 2566) == {
        2566: 33, 2567: 33, 2568: 34, 2569: 0}
    assert services.spread_budget({2566: 0, 2567: 0}, 90, 2567) == {2566: 0, 2567: 90}
    assert services.spread_budget({2566: 0, 2567: 0}, 90, 2580) == {2566: 90, 2567: 0}
    assert services.spread_budget({}, 90, 2566) == {}


def test_adopting_a_revised_cost_makes_the_yearly_budgets_follow_and_records_it():
    officer = official("3500102")
    budget = {y: 0 for y in range(2570, 2575)}
    budget.update({2570: 500_000, 2571: 750_000})
    p = moved(make(budget=budget), P.UNDER_ASSESSMENT)
    ev = evaluator("3500102")
    services.assign_evaluator(officer, p, ev)
    services.record_assessment(ev, p, assessment(revised_cost=1_180_000))
    assert p.state is P.FEASIBLE and p.final_cost == 1_180_000
    assert p.budget_by_year == {2570: 472_000, 2571: 708_000, 2572: 0, 2573: 0, 2574: 0}
    assert sum(p.budget_by_year.values()) == p.final_cost
    change = p.transitions[-1].budget_change
    assert change == {"from_cost": 1_250_000, "to_cost": 1_180_000,
                      "years": [[2570, 500_000, 472_000], [2571, 750_000, 708_000]]}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "proposal.state_changed")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.details["budget_change"]["to_cost"] == 1_180_000
    # Sent back for a new assessment, the revised cost is dropped and the budgets follow the estimate again.
    services.transition(officer, p, P.UNDER_ASSESSMENT, "ประเมินใหม่")
    assert p.final_cost == 1_250_000 and sum(p.budget_by_year.values()) == 1_250_000
    assert p.transitions[-1].budget_change["to_cost"] == 1_250_000


def test_marking_feasible_without_a_revised_cost_changes_no_budget():
    p = moved(make(), P.UNDER_ASSESSMENT, P.FEASIBLE)
    assert p.final_cost == 1_250_000 and p.budget_by_year[2570] == 1_250_000
    assert all(t.budget_change is None for t in p.transitions)


@pytest.mark.parametrize("overrides, field", [
    ({"estimated_cost": -1}, "estimated_cost"),
    ({"estimated_cost": MAX_BAHT + 1}, "estimated_cost"),
    ({"estimated_cost": 1.5}, "estimated_cost"),
    ({"budget": {2570: -5, 2571: 0, 2572: 0, 2573: 0, 2574: 0}}, "budget"),
    ({"budget": {2570: 10**13, 2571: 0, 2572: 0, 2573: 0, 2574: 0}}, "budget"),
    ({"budget": {2570: 1}}, "budget"),
    ({"title": ""}, "title"),
    ({"title": "ก" * 201}, "title"),
    ({"objective": "   "}, "objective"),
    ({"kpi": "ก" * 5001}, "kpi"),
    ({"responsible_unit": "กอง\x07ช่าง"}, "responsible_unit"),
    ({"location_text": "ก" * 301}, "location_text"),
    ({"fiscal_year": 2026}, "fiscal_year"),
    ({"plan_item_id": 999_999_999}, "plan_item_id"),
    ({"subdistrict_codes": ["100101"]}, "subdistrict_codes"),
])
def test_bad_input_is_refused_with_the_field_named_and_nothing_created(overrides, field):
    from app.proposals.models import Proposal

    before = db.session.scalar(select(func.count()).select_from(Proposal))
    with pytest.raises(ProposalError) as error:
        make(**overrides)
    assert error.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == before


def test_a_plan_item_of_another_area_is_refused_with_a_clear_message():
    other = create_plan("5500107", start_year=2566)
    province_plan = create_plan("50", start_year=2570)
    for item in (leaf(other), leaf(province_plan)):
        with pytest.raises(ProposalError) as error:
            make("3500102", plan_item_id=item.id, budget={y: 0 for y in item.plan.years})
        assert error.value.field == "plan_item_id"
        assert "another area" in error.value.args[0]._args[0]
    own = create_plan("3500102", start_year=2566)
    with pytest.raises(ProposalError) as error:  # 2575 is outside the plan's years 2566-2570
        make("3500102", plan_item_id=leaf(own).id, fiscal_year=2575, budget={y: 0 for y in own.years})
    assert error.value.field == "fiscal_year"
    assert [i.id for i in services.plan_items_for(area("3500102"))] == [i.id for i in own.items]


def test_subdistricts_must_be_in_the_area():
    p = make("3500102", subdistrict_codes=["500103", "500103"])  # หายยา, the City's, given twice
    assert [s.code for s in p.subdistricts] == ["500103"]
    with pytest.raises(ProposalError):  # the same district, but not a subdistrict เทศบาลตำบลสุเทพ covers
        make("5500107", subdistrict_codes=["500103"])


def test_ideas_that_cannot_join():
    officer = official("3500102")
    now = datetime.now(timezone.utc)
    for idea in (
        create_idea(area_code="5500107"),
        create_idea(area_code="3500102", status=IdeaStatus.NOT_POSSIBLE),
        create_idea(area_code="3500102", status=IdeaStatus.MERGED),
        create_idea(area_code="3500102", withdrawn_at=now),
        create_idea(area_code="3500102", hidden_at=now),
    ):
        with pytest.raises(ProposalError) as error:
            services.create_proposal(officer, area("3500102"), data(), [idea])
        assert error.value.field == "ideas"


def test_only_officials_of_the_area_create_and_edit():
    for outsider in (official("5500107"), official("10"), evaluator("50"), create_user()):
        with pytest.raises(ProposalError):
            make("3500102", actor=outsider)
    p = make("3500102", actor=official("50"))  # the province's official acts for its LGs
    with pytest.raises(ProposalError):
        services.update_proposal(official("5500107"), p, data(title="ชื่อใหม่"))
    services.update_proposal(official("3500102"), p, data(title="ชื่อใหม่", estimated_cost=2_000_000))
    assert p.title == "ชื่อใหม่" and p.estimated_cost == 2_000_000


def test_edit_is_closed_after_assessment():
    p = moved(make(), P.UNDER_ASSESSMENT, P.FEASIBLE)
    with pytest.raises(ProposalError):
        services.update_proposal(official("3500102"), p, data())


def test_add_idea_to_an_existing_proposal():
    officer = official("3500102")
    p = make()
    idea = create_idea(area_code="3500102")
    services.add_idea(officer, p, idea)
    assert idea in p.ideas and idea.status is IdeaStatus.ACCEPTED
    with pytest.raises(ProposalError):
        services.add_idea(officer, p, idea)


# --- states -------------------------------------------------------------------------------------------

PATH_TO = {
    P.DRAFT: [],
    P.UNDER_ASSESSMENT: [P.UNDER_ASSESSMENT],
    P.FEASIBLE: [P.UNDER_ASSESSMENT, P.FEASIBLE],
    P.NOT_FEASIBLE: [P.UNDER_ASSESSMENT, P.NOT_FEASIBLE],
    P.SHORTLISTED: [P.UNDER_ASSESSMENT, P.FEASIBLE, P.SHORTLISTED],
    P.SELECTED: [P.UNDER_ASSESSMENT, P.FEASIBLE, P.SHORTLISTED, P.SELECTED],
    P.IN_PROGRESS: [P.UNDER_ASSESSMENT, P.FEASIBLE, P.SHORTLISTED, P.SELECTED, P.IN_PROGRESS],
    P.COMPLETED: [P.UNDER_ASSESSMENT, P.FEASIBLE, P.SHORTLISTED, P.SELECTED, P.IN_PROGRESS, P.COMPLETED],
}


@pytest.mark.parametrize("start", list(ProposalState))
@pytest.mark.parametrize("target", list(ProposalState))
def test_every_state_transition_is_allowed_or_refused_by_the_table(start, target):
    officer = official("3500102")
    p = moved(make(actor=officer), *PATH_TO[start], actor=officer)
    assert p.state is start
    if target in TRANSITIONS[start]:
        if target in (P.FEASIBLE, P.NOT_FEASIBLE) and not any(a.is_submitted for a in p.assessments):
            ev = evaluator("3500102")
            services.assign_evaluator(officer, p, ev)
            p.assessments[-1].submitted_at = datetime.now(timezone.utc)
            p.assessments[-1].recommendation = Recommendation.FEASIBLE
        t = services.transition(officer, p, target, "เหตุผลประกอบการเปลี่ยนสถานะ")
        assert p.state is target and t.from_state is start and t.reason == "เหตุผลประกอบการเปลี่ยนสถานะ"
    else:
        with pytest.raises(ProposalError):
            services.transition(officer, p, target, "เหตุผล")
        assert p.state is start


@pytest.mark.parametrize("who", ["other_lg", "other_province", "evaluator", "resident"])
def test_only_officials_of_the_area_move_a_proposal(who):
    p = moved(make("3500102"), P.UNDER_ASSESSMENT)
    actor = {
        "other_lg": lambda: official("5500107"), "other_province": lambda: official("10"),
        "evaluator": lambda: evaluator("3500102"), "resident": create_user,
    }[who]()
    for target in (P.DRAFT, P.FEASIBLE):
        with pytest.raises(ProposalError):
            services.transition(actor, p, target, "เหตุผล")
    assert p.state is P.UNDER_ASSESSMENT


def test_transitions_need_a_reason_are_timed_audited_and_notify_idea_authors_and_followers():
    officer = official("3500102")
    author, follower = create_user(), create_user()
    idea = create_idea(author, area_code="3500102")
    follow(idea, follower)
    p = services.create_proposal(officer, area("3500102"), data(), [idea])
    for empty in ("", "   ", None):
        with pytest.raises(ProposalError) as error:
            services.transition(officer, p, P.UNDER_ASSESSMENT, empty)
        assert error.value.field == "reason"
    with pytest.raises(ProposalError):
        services.transition(officer, p, P.UNDER_ASSESSMENT, "ก" * (services.REASON_MAX + 1))
    services.transition(officer, p, P.UNDER_ASSESSMENT, "ส่งให้ผู้ประเมิน")
    last = p.transitions[-1]
    assert last.at is not None and last.actor_id == officer.id and p.state_changed_at == last.at
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "proposal.state_changed", AuditEntry.object_id == p.id)) == 1
    for person in (author, follower):
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == person.id, Notification.kind == "proposal.state_changed")) == 1


def test_feasible_needs_an_assessment():
    officer = official("3500102")
    p = moved(make(), P.UNDER_ASSESSMENT)
    with pytest.raises(ProposalError):
        services.transition(officer, p, P.FEASIBLE, "ผ่าน")
    services.assign_evaluator(officer, p, evaluator("3500102"))
    with pytest.raises(ProposalError):  # assigned but not submitted
        services.transition(officer, p, P.NOT_FEASIBLE, "ไม่ผ่าน")


# --- assessment ----------------------------------------------------------------------------------------------

def test_evaluator_needs_a_role_covering_the_area():
    officer = official("3500102")
    p = make("3500102")
    for outsider in (evaluator("5500107"), evaluator("10"), create_user(), official("3500102")):
        with pytest.raises(ProposalError) as error:
            services.assign_evaluator(officer, p, outsider)
        assert error.value.field == "evaluator_id"
    assert p.assessments == []
    provincial_evaluator = evaluator("50")  # a province's evaluator covers its local governments
    services.assign_evaluator(officer, p, provincial_evaluator)
    with pytest.raises(ProposalError):
        services.assign_evaluator(officer, p, provincial_evaluator)
    assert provincial_evaluator in services.eligible_evaluators(area("3500102"))
    with pytest.raises(ProposalError):  # only officials assign
        services.assign_evaluator(provincial_evaluator, p, evaluator("3500102"))


def test_an_agreed_assessment_marks_the_proposal_feasible_with_the_revised_cost():
    officer = official("3500102")
    author = create_user()
    p = services.create_proposal(officer, area("3500102"), data(), [create_idea(author, area_code="3500102")])
    ev1, ev2 = evaluator("3500102"), evaluator("50")
    services.assign_evaluator(officer, p, ev1)
    services.assign_evaluator(officer, p, ev2)
    with pytest.raises(ProposalError):  # not under assessment yet
        services.record_assessment(ev1, p, assessment())
    services.transition(officer, p, P.UNDER_ASSESSMENT, "ส่งประเมิน")
    with pytest.raises(ProposalError):  # not assigned
        services.record_assessment(evaluator("3500102"), p, assessment())
    with pytest.raises(ProposalError):
        services.record_assessment(ev1, p, assessment(revised_cost=-3))
    services.record_assessment(ev1, p, assessment(revised_cost=1_400_000))
    assert p.state is P.UNDER_ASSESSMENT  # one evaluator still to go
    services.record_assessment(ev2, p, assessment(revised_cost=1_300_000, summary="ราคาเหมาะสม"))
    assert p.state is P.FEASIBLE
    assert p.revised_cost == 1_400_000 and p.final_cost == 1_400_000
    decision = services.public_decision(p)
    assert decision.actor_id == ev2.id and "ราคาเหมาะสม" in decision.reason
    # The evaluator cannot move it further by hand.
    with pytest.raises(ProposalError):
        services.transition(ev2, p, P.SHORTLISTED, "คัดเลือก")
    services.transition(officer, p, P.SHORTLISTED, "ผ่านการคัดเลือกเบื้องต้น")
    assert p.state is P.SHORTLISTED


def test_disagreeing_assessments_leave_the_decision_to_the_official_who_may_adopt_a_revised_cost():
    officer = official("3500102")
    p = moved(make(), P.UNDER_ASSESSMENT)
    ev1, ev2 = evaluator("3500102"), evaluator("3500102")
    services.assign_evaluator(officer, p, ev1)
    services.assign_evaluator(officer, p, ev2)
    a1 = services.record_assessment(ev1, p, assessment(revised_cost=1_100_000))
    a2 = services.record_assessment(ev2, p, assessment(Recommendation.NOT_FEASIBLE))
    assert p.state is P.UNDER_ASSESSMENT
    with pytest.raises(ProposalError):  # a2 gives no revised estimate
        services.transition(officer, p, P.FEASIBLE, "ตัดสินให้ทำได้", adopt_assessment=a2)
    with pytest.raises(ProposalError):  # adopting only goes with feasible
        services.transition(officer, p, P.NOT_FEASIBLE, "ไม่ผ่าน", adopt_assessment=a1)
    services.transition(officer, p, P.FEASIBLE, "ตัดสินให้ทำได้ด้วยราคาที่ปรับ", adopt_assessment=a1)
    assert p.final_cost == 1_100_000
    services.transition(officer, p, P.UNDER_ASSESSMENT, "ประเมินใหม่")
    assert p.revised_cost is None and p.final_cost == p.estimated_cost


def test_not_feasible_by_agreement_and_unassigning():
    officer = official("3500102")
    p = moved(make(), P.UNDER_ASSESSMENT)
    ev = evaluator("3500102")
    extra = services.assign_evaluator(officer, p, evaluator("3500102"))
    services.unassign_evaluator(officer, extra)
    services.assign_evaluator(officer, p, ev)
    submitted = services.record_assessment(ev, p, assessment(Recommendation.NOT_FEASIBLE, summary="เกินอำนาจหน้าที่"))
    assert p.state is P.NOT_FEASIBLE and services.public_decision(p).reason == "เกินอำนาจหน้าที่"
    with pytest.raises(ProposalError):
        services.unassign_evaluator(officer, submitted)
    with pytest.raises(ProposalError):  # closed: not under assessment
        services.record_assessment(ev, p, assessment())


def test_an_evaluator_who_lost_the_role_cannot_assess():
    from app.accounts.models import RoleAssignment

    officer = official("3500102")
    p = moved(make(), P.UNDER_ASSESSMENT)
    ev = evaluator("3500102")
    services.assign_evaluator(officer, p, ev)
    for ra in list(ev.roles):
        if ra.role is Role.EVALUATOR:
            ev.roles.remove(ra)
            db.session.delete(ra)
    db.session.flush()
    with pytest.raises(ProposalError):
        services.record_assessment(ev, p, assessment())
    assert db.session.scalar(select(func.count()).select_from(RoleAssignment).where(RoleAssignment.user_id == ev.id)) == 0


def test_lists_and_counts_hide_drafts_from_the_public():
    p1 = make("3500102")
    p2 = moved(make("3500102"), P.UNDER_ASSESSMENT)
    public, _ = services.list_proposals(area=area("3500102"))
    assert public == [p2]
    everything, _ = services.list_proposals(area=area("3500102"), include_drafts=True)
    assert set(everything) == {p1, p2}
    assert services.list_proposals(state=P.UNDER_ASSESSMENT)[0] == [p2]
    counts = services.state_counts(area("3500102"))
    assert P.DRAFT not in counts and counts[P.UNDER_ASSESSMENT] == 1
