"""Reports, the threshold, hide and restore, block and unblock, the queue and the digest: without HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.engagement import services as engagement
from app.extensions import db
from app.moderation import services
from app.moderation.models import REPORT_THRESHOLD, Report, ReportReason
from app.permissions import can_post
from tests.engagement.factories import create_idea, create_user, moderator_of

pytestmark = pytest.mark.usefixtures("in_request")


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_reporting_twice_is_refused_and_changes_nothing():
    idea = create_idea()
    reporter = create_user()
    services.report_idea(idea, reporter, ReportReason.SPAM, "โฆษณา")
    with pytest.raises(services.ModerationError) as error:
        services.report_idea(idea, reporter, ReportReason.OFFENSIVE)
    assert "รายงานเนื้อหานี้ไปแล้ว" in str(error.value)  # Thai, the default language
    assert len(db.session.scalars(select(Report).where(Report.idea_id == idea.id)).all()) == 1


def test_cannot_report_own_content_or_with_a_bad_reason_or_note():
    author = create_user()
    idea = create_idea(author=author)
    with pytest.raises(services.ModerationError):
        services.report_idea(idea, author, ReportReason.SPAM)
    with pytest.raises(services.ModerationError):
        services.report_idea(idea, create_user(), "not-a-reason")
    with pytest.raises(services.ModerationError):
        services.report_idea(idea, create_user(), ReportReason.SPAM, "ก" * 501)
    with pytest.raises(services.ModerationError):
        services.report_idea(idea, create_user(), ReportReason.SPAM, "bad\x1bnote")
    assert services.open_report_count(idea=idea) == 0


def test_unverified_accounts_cannot_report():
    with pytest.raises(engagement.CannotPost):
        services.report_idea(create_idea(), create_user(verified=False), ReportReason.SPAM)


def test_three_distinct_reports_hide_an_idea_pending_review():
    idea = create_idea()
    for i in range(REPORT_THRESHOLD - 1):
        services.report_idea(idea, create_user(), ReportReason.SPAM)
    assert not idea.pending_review and idea.is_publicly_visible
    services.report_idea(idea, create_user(), ReportReason.OFFENSIVE)
    assert idea.pending_review and not idea.is_publicly_visible
    assert idea.hidden_at is None  # not hidden by a person: waiting for one
    [entry] = audit("moderation.auto_pending")
    assert entry.actor_id is None and entry.object_id == idea.id and entry.details["reports"] == 3


def test_three_reports_hide_a_comment_and_take_it_out_of_the_count():
    idea = create_idea()
    comment = engagement.add_comment(idea, create_user(), "ข้อความหยาบคาย")
    assert idea.comment_count == 1
    for _ in range(REPORT_THRESHOLD):
        services.report_comment(comment, create_user(), ReportReason.OFFENSIVE)
    assert comment.pending_review and not comment.is_publicly_visible
    assert idea.comment_count == 0


def test_hide_and_restore_an_idea_with_reasons_in_the_audit_log():
    idea = create_idea()
    moderator = moderator_of("50")
    for _ in range(3):
        services.report_idea(idea, create_user(), ReportReason.SPAM)
    services.hide_idea(moderator, idea, "โฆษณาขายสินค้า")
    assert idea.hidden_at is not None and idea.hidden_reason == "โฆษณาขายสินค้า" and not idea.pending_review
    assert services.open_report_count(idea=idea) == 0
    assert audit("moderation.hide_idea")[-1].details == {"reason": "โฆษณาขายสินค้า", "reports": 3}
    services.restore_idea(moderator, idea, "ตรวจแล้วไม่ผิดกติกา")
    assert idea.hidden_at is None and idea.hidden_reason is None and idea.is_publicly_visible
    assert audit("moderation.restore_idea")[-1].details["reason"] == "ตรวจแล้วไม่ผิดกติกา"
    with pytest.raises(services.ModerationError):  # nothing left to restore
        services.restore_idea(moderator, idea, "อีกครั้ง")


def test_hide_needs_a_reason_and_the_area_role():
    idea = create_idea(area_code="3500102")
    with pytest.raises(services.ModerationError):
        services.hide_idea(moderator_of("50"), idea, "   ")
    with pytest.raises(services.ModerationError):
        services.hide_idea(moderator_of("10"), idea, "ไม่ใช่พื้นที่ของฉัน")  # Bangkok's official
    with pytest.raises(services.ModerationError):
        services.hide_idea(moderator_of("5500107"), idea, "อปท. อื่น")  # another local government
    assert idea.hidden_at is None
    services.hide_idea(moderator_of("3500102"), idea, "ซ้ำกับไอเดียอื่น")
    assert idea.hidden_at is not None


def test_hide_and_restore_a_comment_keep_the_counter_right():
    idea = create_idea()
    comment = engagement.add_comment(idea, create_user(), "ข้อมูลส่วนตัว 081-234-5678")
    moderator = moderator_of("50")
    services.hide_comment(moderator, comment, "มีข้อมูลส่วนบุคคล")
    assert comment.hidden_at is not None and idea.comment_count == 0
    services.hide_comment(moderator, comment, "มีเบอร์โทรศัพท์")  # changing the reason does not count twice
    assert comment.hidden_reason == "มีเบอร์โทรศัพท์" and idea.comment_count == 0
    services.restore_comment(moderator, comment, "แก้ไขแล้ว")
    assert comment.is_publicly_visible and idea.comment_count == 1
    assert [e.action for e in audit("moderation.hide_comment")] == ["moderation.hide_comment"] * 2


def test_keep_visible_closes_reports_without_hiding():
    idea = create_idea()
    services.report_idea(idea, create_user(), ReportReason.NOT_RELEVANT)
    moderator = moderator_of("50")
    assert services.waiting_count(moderator) == 1
    services.restore_idea(moderator, idea, "เกี่ยวข้องกับพื้นที่")
    assert services.waiting_count(moderator) == 0 and idea.is_publicly_visible
    report = db.session.scalars(select(Report).where(Report.idea_id == idea.id)).one()
    assert report.resolution == "restored" and report.resolved_by_id == moderator.id


def test_block_and_unblock_an_account_that_posted_in_the_area():
    resident = create_user()
    create_idea(author=resident, area_code="3500102")
    official = moderator_of("50")
    services.block_user(official, resident, "โพสต์สแปมซ้ำหลายครั้ง")
    assert resident.is_blocked and resident.blocked_reason == "โพสต์สแปมซ้ำหลายครั้ง"
    assert not can_post(resident)
    with pytest.raises(engagement.CannotPost):
        engagement.add_comment(create_idea(), resident, "ยังโพสต์ได้ไหม")
    with pytest.raises(services.ModerationError):
        services.block_user(official, resident, "อีกครั้ง")
    entry = audit("moderation.block_user")[-1]
    assert entry.object_id == resident.id and entry.actor_id == official.id and entry.details["reason"]
    services.unblock_user(official, resident, "ขอโทษแล้ว")
    assert not resident.is_blocked and resident.blocked_reason is None and can_post(resident)
    assert audit("moderation.unblock_user")[-1].object_id == resident.id


def test_who_may_block_whom():
    resident = create_user()
    create_idea(author=resident, area_code="50")
    silent = create_user()  # never posted anything
    other_province = moderator_of("10")
    admin = create_user(role=Role.ADMIN)
    official = moderator_of("50")
    assert not services.may_block(other_province, resident)
    with pytest.raises(services.ModerationError):
        services.block_user(other_province, resident, "ไม่ใช่พื้นที่")
    assert not services.may_block(official, silent)
    assert services.may_block(admin, silent)
    assert not services.may_block(official, official)
    assert not services.may_block(official, admin)
    other_official = moderator_of("3500102")
    create_idea(author=other_official, area_code="50")
    assert not services.may_block(official, other_official)  # officials do not block each other
    assert services.may_block(admin, other_official)
    assert not resident.is_blocked


def test_queue_shows_only_the_moderators_areas():
    cm_idea = create_idea(area_code="3500102", title="ไอเดียเชียงใหม่")
    bkk_idea = create_idea(area_code="10", title="ไอเดียกรุงเทพ")
    comment = engagement.add_comment(cm_idea, create_user(), "ความเห็นที่ถูกรายงาน")
    services.report_idea(cm_idea, create_user(), ReportReason.SPAM)
    services.report_comment(comment, create_user(), ReportReason.OFFENSIVE, "คำหยาบ")
    services.report_idea(bkk_idea, create_user(), ReportReason.SPAM)
    chiang_mai = moderator_of("50")
    items, has_next = services.waiting_items(chiang_mai)
    assert not has_next
    assert {(i.kind, i.idea.id) for i in items} == {("idea", cm_idea.id), ("comment", cm_idea.id)}
    assert services.waiting_count(chiang_mai) == 2
    assert services.header_counts(chiang_mai) == {"moderation": 2}
    assert services.waiting_count(moderator_of("10")) == 1
    assert services.waiting_count(moderator_of("5500107")) == 0
    assert services.header_counts(create_user()) == {}


def test_the_digest_emails_each_moderator_in_their_language(outbox):
    idea = create_idea(area_code="5500107", title="ขยะริมทาง")
    for _ in range(3):
        services.report_idea(idea, create_user(), ReportReason.SPAM)
    thai = moderator_of("5500107")
    english = moderator_of("50")
    english.locale = "en"
    idle = moderator_of("10")
    sent = dict((u.id, n) for u, n in services.send_digests())
    assert sent.get(thai.id) == 1 and sent.get(english.id) == 1 and idle.id not in sent
    mails = {m["To"]: m for m in outbox()}
    th_body = mails[thai.email].get_body(("plain",)).get_content()
    en_body = mails[english.email].get_body(("plain",)).get_content()
    assert "ขยะริมทาง" in th_body and "/moderation/" in th_body
    assert "waits for moderation" in mails[english.email]["Subject"]
    assert "hidden pending review" in en_body
    assert "waits for moderation" not in mails[thai.email]["Subject"]
    assert idle.email not in mails
