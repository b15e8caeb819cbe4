"""Supports, comments and follows: the rules, without HTTP."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.timeutil import utcnow
from app.engagement import services
from app.engagement.models import Comment, Support
from app.extensions import db
from app.ideas.models import IdeaStatus
from tests.engagement.factories import area, create_idea, create_user

pytestmark = pytest.mark.usefixtures("in_request")


def support_rows(idea) -> int:
    return db.session.scalar(select(func.count()).select_from(Support).where(Support.idea_id == idea.id))


# --- supports ----------------------------------------------------------------

def test_support_toggles_on_and_off_and_keeps_the_count():
    idea = create_idea()
    alice, bob = create_user(), create_user()
    assert services.set_support(idea, alice) is True
    assert services.set_support(idea, bob) is True
    assert idea.support_count == 2 and support_rows(idea) == 2
    assert services.set_support(idea, alice) is False  # toggles off
    assert idea.support_count == 1 and support_rows(idea) == 1
    assert not services.has_supported(idea, alice) and services.has_supported(idea, bob)


def test_support_with_an_explicit_wish_is_idempotent():
    idea = create_idea()
    alice = create_user()
    assert services.set_support(idea, alice, want=True) is True
    assert services.set_support(idea, alice, want=True) is True  # a double click does not undo it
    assert idea.support_count == 1 and support_rows(idea) == 1
    assert services.set_support(idea, alice, want=False) is False
    assert services.set_support(idea, alice, want=False) is False
    assert idea.support_count == 0 and support_rows(idea) == 0


@pytest.mark.parametrize("state, words", [
    ({"withdrawn_at": utcnow()}, "ถอนไอเดียนี้แล้ว"),
    ({"hidden_at": utcnow(), "hidden_reason": "สแปม"}, "ถูกซ่อน"),
    ({"pending_review": True}, "รอผู้ดูแลเนื้อหาตรวจสอบ"),
    ({"status": IdeaStatus.MERGED}, "ถูกรวม"),
])
def test_cannot_support_a_withdrawn_hidden_pending_or_merged_idea(state, words):
    idea = create_idea(**state)
    user = create_user()
    with pytest.raises(services.EngagementError) as error:
        services.set_support(idea, user)
    assert words in str(error.value)
    assert idea.support_count == 0 and support_rows(idea) == 0


def test_support_can_still_be_withdrawn_after_the_idea_is_withdrawn():
    idea = create_idea()
    user = create_user()
    services.set_support(idea, user)
    idea.withdrawn_at = utcnow()
    assert services.set_support(idea, user) is False
    assert idea.support_count == 0


def test_unverified_and_blocked_accounts_cannot_support():
    idea = create_idea()
    unverified = create_user(verified=False)
    blocked = create_user()
    blocked.is_blocked = True
    with pytest.raises(services.CannotPost) as error:
        services.set_support(idea, unverified)
    assert error.value.reason == "unverified"
    with pytest.raises(services.CannotPost) as error:
        services.set_support(idea, blocked)
    assert error.value.reason == "blocked"
    assert idea.support_count == 0


def test_a_duplicate_insert_is_absorbed_without_double_counting():
    """The unique constraint is the last line of defence: a second row for the same person fails."""
    idea = create_idea()
    user = create_user()
    services.set_support(idea, user)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.add(Support(idea_id=idea.id, user_id=user.id))
            db.session.flush()
    assert support_rows(idea) == 1 and idea.support_count == 1


def test_move_supports_counts_a_person_who_supported_both_once():
    source, target = create_idea(title="ไฟถนน ก"), create_idea(title="ไฟถนน ข")
    both, only_source, only_target = create_user(), create_user(), create_user()
    for u in (both, only_source):
        services.set_support(source, u)
    for u in (both, only_target):
        services.set_support(target, u)
    moved = services.move_supports(source, target)
    assert moved == 1
    assert source.support_count == 0 and support_rows(source) == 0
    assert target.support_count == 3 and support_rows(target) == 3
    assert services.move_supports(target, target) == 0


# --- follows -----------------------------------------------------------------

def test_follow_and_unfollow_an_idea_and_an_area():
    idea = create_idea()
    chiang_mai = area("50")
    user = create_user()
    assert services.set_idea_follow(idea, user) is True
    assert services.set_idea_follow(idea, user, want=True) is True
    assert [u.id for u in services.followers_of_idea(idea)] == [user.id]
    assert services.set_idea_follow(idea, user) is False
    assert services.followers_of_idea(idea) == []
    assert services.set_area_follow(chiang_mai, user) is True
    assert [u.id for u in services.followers_of_area(chiang_mai)] == [user.id]
    assert services.followers_of_area(area("3500102")) == []
    assert services.set_area_follow(chiang_mai, user, want=False) is False
    assert services.followers_of_area(chiang_mai) == []


def test_blocked_accounts_may_still_follow_but_deleted_ones_are_not_followers():
    idea = create_idea()
    blocked, gone = create_user(), create_user()
    blocked.is_blocked = True
    services.set_idea_follow(idea, blocked)
    services.set_idea_follow(idea, gone)
    gone.deleted_at = utcnow()
    db.session.flush()
    assert [u.id for u in services.followers_of_idea(idea)] == [blocked.id]


# --- comments ----------------------------------------------------------------

def test_comment_reply_and_counter():
    idea = create_idea()
    alice, bob = create_user(), create_user()
    first = services.add_comment(idea, alice, "เห็นด้วยครับ")
    reply = services.add_comment(idea, bob, "ผมด้วย", parent=first)
    assert reply.parent_id == first.id
    assert idea.comment_count == 2
    # A reply to a reply goes under the first comment: one level only.
    nested = services.add_comment(idea, alice, "ขอบคุณ", parent=reply)
    assert nested.parent_id == first.id
    tree = services.comments_of(idea)
    assert [c.id for c in tree] == [first.id]
    assert [r.id for r in tree[0].replies] == [reply.id, nested.id]
    # Commenting makes you follow the idea.
    assert {u.id for u in services.followers_of_idea(idea)} == {alice.id, bob.id}


def test_comment_body_is_normalised_and_kept_as_plain_text():
    idea = create_idea()
    comment = services.add_comment(idea, create_user(), "  <b>หนา</b>\r\nบรรทัดสอง\n\n\n\nย่อหน้า  ")
    assert comment.body == "<b>หนา</b>\nบรรทัดสอง\n\nย่อหน้า"


@pytest.mark.parametrize("body", ["", "   \n  ", "ก" * 2001, "ผิด\x00ปกติ", "bell\x07"])
def test_bad_comment_bodies_are_refused_and_nothing_changes(body):
    idea = create_idea()
    with pytest.raises(services.EngagementError):
        services.add_comment(idea, create_user(), body)
    assert idea.comment_count == 0
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.idea_id == idea.id)) == 0


def test_a_comment_of_exactly_2000_characters_is_accepted():
    comment = services.add_comment(create_idea(), create_user(), "ก" * 2000)
    assert len(comment.body) == 2000


def test_cannot_comment_on_a_withdrawn_or_hidden_idea():
    for state in ({"withdrawn_at": utcnow()}, {"hidden_at": utcnow(), "hidden_reason": "x"}, {"pending_review": True}):
        idea = create_idea(**state)
        with pytest.raises(services.EngagementError):
            services.add_comment(idea, create_user(), "ข้อความ")
        assert idea.comment_count == 0


def test_a_parent_on_another_idea_is_refused():
    idea, other = create_idea(), create_idea()
    parent = services.add_comment(other, create_user(), "อีกเรื่อง")
    with pytest.raises(services.EngagementError):
        services.add_comment(idea, create_user(), "ตอบ", parent=parent)


def test_edit_within_15_minutes_by_the_author_only():
    idea = create_idea()
    author, other = create_user(), create_user()
    comment = services.add_comment(idea, author, "สะกดผิด")
    services.edit_comment(comment, author, "สะกดถูก")
    assert comment.body == "สะกดถูก" and comment.edited_at is not None
    with pytest.raises(services.EngagementError):
        services.edit_comment(comment, other, "ของคนอื่น")
    comment.created_at = utcnow() - timedelta(minutes=16)
    with pytest.raises(services.EngagementError) as error:
        services.edit_comment(comment, author, "สายไป")
    assert "15" in str(error.value)
    assert comment.body == "สะกดถูก"


def test_delete_own_comment_keeps_replies_and_shows_deleted():
    idea = create_idea()
    author, other = create_user(), create_user()
    comment = services.add_comment(idea, author, "ข้อความเดิม")
    services.add_comment(idea, other, "ตอบกลับ", parent=comment)
    with pytest.raises(services.EngagementError):
        services.delete_comment(comment, other)
    services.delete_comment(comment, author)
    assert comment.is_deleted and comment.body == ""
    assert idea.comment_count == 1
    assert len(services.comments_of(idea)[0].replies) == 1
    with pytest.raises(services.EngagementError):
        services.delete_comment(comment, author)
    assert idea.comment_count == 1
