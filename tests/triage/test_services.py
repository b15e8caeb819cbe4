"""Triage rules without HTTP: statuses, merge, referral, inbox and response time."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.areas.models import Area, AreaKind, LGType
from app.audit.models import AuditEntry
from app.extensions import db
from app.ideas.models import IdeaStatus
from app.notifications.models import Notification
from app.triage import services
from app.triage.models import IdeaStatusChange
from app.triage.services import TRANSITIONS, TriageError
from tests.triage.factories import (
    area,
    create_idea,
    create_user,
    evaluator,
    follow,
    official,
    support,
)

S = IdeaStatus


def _notifications(user, kind="idea.status_changed") -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    )


def _far_lg(province_code: str = "50", district: str = "5001") -> Area:
    """A local government of the province in another district (not neighbouring)."""
    return db.session.scalar(
        select(Area).where(
            Area.kind == AreaKind.LOCAL_GOVERNMENT, Area.province_code == province_code,
            Area.district_code.is_not(None), Area.district_code != district,
            Area.lg_type != LGType.PROVINCIAL_ADMIN_ORG,
        ).order_by(Area.code).limit(1)
    )


# --- plain status changes -----------------------------------------------------------------

@pytest.mark.parametrize("start", list(IdeaStatus))
@pytest.mark.parametrize("target", list(services.SIMPLE_STATUSES))
def test_every_plain_transition_is_allowed_or_refused_by_the_table(start, target):
    officer = official("50")
    idea = create_idea(status=start)
    allowed = target in TRANSITIONS[start]
    if allowed:
        change = services.change_status(officer, idea, target, "คำตอบจากเจ้าหน้าที่")
        assert idea.status is target
        assert change.from_status is start and change.to_status is target
    else:
        with pytest.raises(TriageError):
            services.change_status(officer, idea, target, "คำตอบจากเจ้าหน้าที่")
        assert idea.status is start


def test_received_cannot_be_set_back_and_merge_or_referral_need_their_own_forms():
    officer = official("50")
    idea = create_idea(status=S.UNDER_REVIEW)
    for status in (S.RECEIVED, S.MERGED, S.REFERRED):
        with pytest.raises(TriageError):
            services.change_status(officer, idea, status, "x")
    assert idea.status is S.UNDER_REVIEW


def test_not_possible_needs_a_reason_and_reopening_needs_an_answer():
    officer = official("50")
    idea = create_idea()
    with pytest.raises(TriageError) as error:
        services.change_status(officer, idea, S.NOT_POSSIBLE, "   ")
    assert error.value.field == "answer"
    assert idea.status is S.RECEIVED and idea.first_answered_at is None
    services.change_status(officer, idea, S.NOT_POSSIBLE, "อยู่นอกเขตอำนาจหน้าที่ของจังหวัด")
    with pytest.raises(TriageError):
        services.change_status(officer, idea, S.UNDER_REVIEW, "")
    services.change_status(officer, idea, S.UNDER_REVIEW, "ได้รับข้อมูลเพิ่มเติม จึงพิจารณาใหม่")
    assert idea.status is S.UNDER_REVIEW


def test_answers_too_long_or_with_control_characters_are_refused():
    officer = official("50")
    idea = create_idea()
    with pytest.raises(TriageError):
        services.change_status(officer, idea, S.UNDER_REVIEW, "ก" * (services.ANSWER_MAX + 1))
    with pytest.raises(TriageError):
        services.change_status(officer, idea, S.UNDER_REVIEW, "bad\x00text")
    assert idea.status is S.RECEIVED


def test_a_change_sets_first_answer_once_writes_the_timeline_audits_and_notifies():
    officer = official("50")
    author = create_user()
    follower = create_user()
    idea = create_idea(author)
    follow(idea, follower)
    services.change_status(officer, idea, S.UNDER_REVIEW, "กำลังตรวจสอบพื้นที่")
    first = idea.first_answered_at
    assert first is not None and idea.status_changed_at == first
    services.change_status(officer, idea, S.ALREADY_DONE, "ติดตั้งไฟแล้วเมื่อเดือนที่ผ่านมา")
    assert idea.first_answered_at == first
    assert idea.answer == "ติดตั้งไฟแล้วเมื่อเดือนที่ผ่านมา"
    changes = services.timeline(idea)
    assert [(c.from_status, c.to_status) for c in changes] == [(S.RECEIVED, S.UNDER_REVIEW), (S.UNDER_REVIEW, S.ALREADY_DONE)]
    assert all(c.actor_id == officer.id for c in changes)
    audits = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "idea.status_changed", AuditEntry.object_id == idea.id)).all()
    assert [a.details["to"] for a in audits] == ["under_review", "already_done"]
    assert _notifications(author) == 2
    assert _notifications(follower) == 2
    assert _notifications(officer) == 0  # never the actor


def test_roles_and_areas():
    lg_idea = create_idea(area_code="3500102")
    province_official = official("50")
    lg_officer = official("3500102")
    other_lg_officer = official("5500107")
    other_province = official("10")
    admin = create_user(role=Role.ADMIN)
    resident = create_user()
    for refused in (other_lg_officer, other_province, evaluator("50"), resident):
        with pytest.raises(TriageError):
            services.change_status(refused, lg_idea, S.UNDER_REVIEW)
    assert lg_idea.status is S.RECEIVED
    services.change_status(lg_officer, lg_idea, S.UNDER_REVIEW)
    services.change_status(province_official, lg_idea, S.ACCEPTED, "จะจัดทำเป็นโครงการ")
    province_idea = create_idea(area_code="50")
    with pytest.raises(TriageError):
        services.change_status(lg_officer, province_idea, S.UNDER_REVIEW)
    services.change_status(admin, province_idea, S.UNDER_REVIEW)


def test_a_withdrawn_idea_cannot_be_answered():
    idea = create_idea(withdrawn_at=datetime.now(timezone.utc))
    with pytest.raises(TriageError):
        services.change_status(official("50"), idea, S.UNDER_REVIEW)


def test_accepted_idea_stays_accepted_once_in_a_proposal():
    from app.proposals.models import Proposal, proposal_ideas

    officer = official("50")
    idea = create_idea(status=S.ACCEPTED)
    assert services.allowed_statuses(idea) == [S.UNDER_REVIEW]
    proposal = Proposal(area_id=area("50").id, title="t", objective="o", target_output="t", estimated_cost=1,
                        responsible_unit="u", kpi="k", expected_result="e", fiscal_year=2570)
    db.session.add(proposal)
    db.session.flush()
    db.session.execute(proposal_ideas.insert().values(proposal_id=proposal.id, idea_id=idea.id))
    assert services.allowed_statuses(idea) == []
    with pytest.raises(TriageError):
        services.change_status(officer, idea, S.UNDER_REVIEW, "เปิดพิจารณาใหม่")


# --- merge ----------------------------------------------------------------------------------------

def test_merge_carries_supports_over_without_counting_a_person_twice():
    officer = official("50")
    a, b, c = create_user(), create_user(), create_user()
    source = create_idea(area_code="50", title="ไฟถนนซอย 1")
    target = create_idea(area_code="3500102", title="ไฟถนนทั้งตำบล")
    for user in (a, b):
        support(source, user)
    for user in (b, c):
        support(target, user)
    change = services.merge_idea(officer, source, target, "ซ้ำกับข้อเสนอที่ใหญ่กว่า")
    db.session.refresh(source)
    db.session.refresh(target)
    assert change.supports_moved == 1
    assert target.support_count == 3
    assert source.support_count == 0
    assert source.status is S.MERGED and source.merged_into_id == target.id
    assert source.first_answered_at is not None
    with pytest.raises(TriageError):  # merged is final
        services.change_status(officer, source, S.UNDER_REVIEW, "เปิดใหม่")


def test_merge_target_must_be_another_visible_idea_of_the_same_province():
    officer = official("50")
    source = create_idea()
    now = datetime.now(timezone.utc)
    refused = [
        None,
        source,
        create_idea(hidden_at=now),
        create_idea(withdrawn_at=now),
        create_idea(pending_review=True),
        create_idea(area_code="10"),
        create_idea(status=S.MERGED),
    ]
    for target in refused:
        with pytest.raises(TriageError):
            services.merge_idea(officer, source, target)
        assert source.status is S.RECEIVED
    # An official of the target's province only cannot merge an idea of another province.
    with pytest.raises(TriageError):
        services.merge_idea(official("10"), source, create_idea(area_code="10"))


# --- referral -------------------------------------------------------------------------------------------

def test_province_refers_down_and_the_receiving_area_sees_it_with_history_supports_and_followers():
    province_official = official("50")
    lg_officer = official("3500102")
    supporter, follower = create_user(), create_user()
    idea = create_idea(area_code="50")
    support(idea, supporter)
    follow(idea, follower)
    services.change_status(province_official, idea, S.UNDER_REVIEW)
    services.refer_idea(province_official, idea, area("3500102"))
    db.session.refresh(idea)
    assert idea.area_id == area("3500102").id and idea.status is S.REFERRED
    assert idea.support_count == 1
    from app.engagement.services import followers_of_idea

    assert follower in followers_of_idea(idea)
    assert [c.to_status for c in services.timeline(idea)] == [S.UNDER_REVIEW, S.REFERRED]
    inbox, _ = services.inbox(lg_officer)
    assert idea in inbox
    # The receiving officer can now answer it.
    services.change_status(lg_officer, idea, S.ACCEPTED, "เทศบาลรับดำเนินการ")
    assert _notifications(follower) == 3


def test_lg_refers_up_to_its_province():
    lg_officer = official("3500102")
    idea = create_idea(area_code="3500102")
    services.refer_idea(lg_officer, idea, area("50"))
    assert idea.area_id == area("50").id
    inbox, _ = services.inbox(lg_officer)
    assert idea not in inbox
    inbox, _ = services.inbox(official("50"))
    assert idea in inbox


def test_lg_to_a_neighbouring_lg_needs_a_reason_and_far_lgs_are_refused():
    lg_officer = official("3500102")
    idea = create_idea(area_code="3500102")
    neighbour = area("5500107")  # เทศบาลตำบลสุเทพ, same district (อำเภอเมืองเชียงใหม่)
    with pytest.raises(TriageError) as error:
        services.refer_idea(lg_officer, idea, neighbour, "")
    assert error.value.field == "answer"
    far = _far_lg()
    with pytest.raises(TriageError):
        services.refer_idea(lg_officer, idea, far, "อยู่ในเขตของอีกแห่ง")
    assert far not in services.referral_targets(lg_officer, idea)
    assert neighbour in services.referral_targets(lg_officer, idea)
    services.refer_idea(lg_officer, idea, neighbour, "ถนนสายนี้อยู่ในเขตเทศบาลตำบลสุเทพ")
    assert idea.area_id == neighbour.id and idea.answer == "ถนนสายนี้อยู่ในเขตเทศบาลตำบลสุเทพ"


def test_provincial_official_may_refer_between_any_lgs_of_the_province_with_a_reason():
    province_official = official("50")
    idea = create_idea(area_code="3500102")
    far = _far_lg()
    with pytest.raises(TriageError):
        services.refer_idea(province_official, idea, far, "")
    services.refer_idea(province_official, idea, far, "ผู้เสนอระบุพื้นที่ผิด")
    assert idea.area_id == far.id


def test_referral_stays_in_the_province_and_needs_a_target():
    province_official = official("50")
    idea = create_idea(area_code="50")
    for target in (None, area("50"), area("10"), area("1100000")):
        with pytest.raises(TriageError):
            services.refer_idea(province_official, idea, target, "เหตุผล")
    assert idea.area_id == area("50").id and idea.status is S.RECEIVED
    with pytest.raises(TriageError):  # an officer of another LG cannot refer it
        services.refer_idea(official("5500107"), create_idea(area_code="3500102"), area("50"))


def test_referred_idea_can_be_referred_again_and_decided_ideas_cannot_be_referred():
    province_official = official("50")
    idea = create_idea(area_code="50")
    services.refer_idea(province_official, idea, area("3500102"))
    services.refer_idea(official("3500102"), idea, area("50"))
    assert [c.to_status for c in services.timeline(idea)] == [S.REFERRED, S.REFERRED]
    done = create_idea(area_code="50", status=S.NOT_POSSIBLE)
    with pytest.raises(TriageError):
        services.refer_idea(province_official, done, area("3500102"))


# --- inbox --------------------------------------------------------------------------------------------------

def test_inbox_lists_oldest_unanswered_first_then_by_age_and_filters_by_status():
    officer = official("3500102")
    now = datetime.now(timezone.utc)
    answered_old = create_idea(area_code="3500102", created_at=now - timedelta(days=50), status=S.UNDER_REVIEW,
                               first_answered_at=now - timedelta(days=49))
    new = create_idea(area_code="3500102", created_at=now - timedelta(days=1))
    old = create_idea(area_code="3500102", created_at=now - timedelta(days=20))
    create_idea(area_code="5500107")  # another LG: not in this officer's inbox
    withdrawn = create_idea(area_code="3500102", withdrawn_at=now)
    done = create_idea(area_code="3500102", status=S.ALREADY_DONE, first_answered_at=now)
    ideas, has_next = services.inbox(officer)
    assert ideas == [old, new, answered_old] and not has_next
    assert services.inbox(officer, view="unanswered")[0] == [old, new]
    assert services.inbox(officer, view="already_done")[0] == [done]
    assert withdrawn not in services.inbox(officer, view="all")[0]
    counts = services.inbox_counts(officer)
    assert counts["open"] == 3 and counts["unanswered"] == 2 and counts["already_done"] == 1 and counts["all"] == 4
    # A provincial official sees the province's local governments too.
    assert old in services.inbox(official("50"))[0]
    assert services.inbox(create_user())[0] == []


# --- response time ---------------------------------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=timezone.utc)


def _answered(area_code, created_days_ago, delay_days, **columns):
    created = NOW - timedelta(days=created_days_ago)
    answered = created + timedelta(days=delay_days) if delay_days is not None else None
    return create_idea(area_code=area_code, created_at=created, first_answered_at=answered, **columns)


def test_response_time_on_a_fixed_data_set():
    lg, province = area("3500102"), area("50")
    for ago, delay in ((100, 2), (90, 10), (80, 20), (60, 40), (5, None)):
        _answered("3500102", ago, delay, status=S.UNDER_REVIEW if delay is not None else S.RECEIVED)
    _answered("3500102", 15, 15)  # exactly 15 days: within
    _answered("3500102", 400, 1)  # older than 12 months: left out
    _answered("3500102", 30, 1, withdrawn_at=NOW)  # withdrawn: left out
    _answered("3500102", 30, 1, hidden_at=NOW)  # hidden by moderation: left out
    _answered("3500102", 3, 4)  # answered after `now` (in the future of the fixed clock): not yet answered
    # Submitted to the LG, referred up to the province after 3 days: counts for the LG.
    up = _answered("50", 40, 3, status=S.REFERRED)
    db.session.add(IdeaStatusChange(idea_id=up.id, from_status=S.RECEIVED, to_status=S.REFERRED, area_id=lg.id,
                                    to_area_id=province.id, at=up.first_answered_at))
    # Submitted to the province, referred down after 1 day: counts for the province, not the LG.
    down = _answered("3500102", 20, 1, status=S.REFERRED)
    db.session.add(IdeaStatusChange(idea_id=down.id, from_status=S.RECEIVED, to_status=S.REFERRED, area_id=province.id,
                                    to_area_id=lg.id, at=down.first_answered_at))
    db.session.flush()

    stats = services.response_time(lg, now=NOW)
    # Counted: delays 2, 10, 20, 40, 15, 3 and two unanswered (5 days old, and the one answered "later").
    assert stats.total == 8
    assert stats.answered == 6
    assert stats.median_days == pytest.approx(12.5)  # median of 2, 3, 10, 15, 20, 40
    assert stats.within_15 == 4 and stats.share_15 == pytest.approx(0.5)
    assert stats.within_30 == 5 and stats.share_30 == pytest.approx(5 / 8)
    assert stats.unanswered == 2

    p = services.response_time(province, now=NOW)
    assert (p.total, p.answered, p.median_days, p.within_15) == (1, 1, pytest.approx(1.0), 1)


def test_response_time_of_an_area_without_ideas():
    stats = services.response_time(area("5500107"), now=NOW)
    assert stats.total == 0 and stats.median_days is None and stats.share_15 is None
