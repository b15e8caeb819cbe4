"""Rules for supports, comments and follows.

Services take the acting user, raise EngagementError (or CannotPost) with a
translatable message, and flush; the route commits once.

Counters: Idea.support_count and Idea.comment_count are changed with one
atomic `UPDATE ideas SET n = n + delta` per change, never by writing a value
read earlier, so concurrent requests cannot lose an update. A support is
unique per (idea, person) in the database; a second concurrent insert fails
with IntegrityError inside a savepoint and is treated as "already supported".
"""
from __future__ import annotations

import re
from typing import Optional

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from app.accounts.models import User
from app.areas.models import Area
from app.core.timeutil import utcnow
from app.core.validators import _CONTROL
from app.engagement.models import COMMENT_MAX, AreaFollow, Comment, IdeaFollow, Support
from app.extensions import db
from app.ideas.models import Idea, IdeaStatus
from app.notifications.services import notify, register_kind

register_kind(
    "idea.commented",
    _l('%(actor)s commented on the idea "%(title)s"'),
    email_subject=_l('New comment on "%(title)s"'),
)
register_kind(
    "comment.replied",
    _l('%(actor)s replied to your comment on the idea "%(title)s"'),
    email_subject=_l('New reply on "%(title)s"'),
)
register_kind(
    "area.idea_submitted",
    _l('New idea in %(area)s: "%(title)s"'),
    email_subject=_l('New idea in %(area)s'),
)


class EngagementError(Exception):
    """A rule about supports, comments or follows was broken; the message is shown to the user."""


class OwnIdea(EngagementError):
    """An author may not support their own idea: it would inflate the count (and lock their own edit)."""


class CannotPost(EngagementError):
    """The account may not post: `reason` is "anonymous", "unverified", "blocked" or "deleted"."""

    def __init__(self, message, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- who may post ------------------------------------------------------------

def posting_block_reason(user) -> Optional[str]:
    """Why `user` may not post, or None. Mirrors app.permissions.can_post, with the reason."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    if user.deleted_at is not None:
        return "deleted"
    if user.is_blocked:
        return "blocked"
    if not user.email_verified:
        return "unverified"
    return None


def require_can_post(user) -> None:
    from app.permissions import can_post

    reason = posting_block_reason(user)
    if reason is None and can_post(user):
        return
    messages = {
        "anonymous": _l("Please sign in to continue."),
        "deleted": _l("This account has been deleted."),
        "blocked": _l("Your account is blocked, so you cannot post. You can still read everything."),
        "unverified": _l("Please confirm your email address before you post: open the link in the email we sent you."),
    }
    reason = reason or "blocked"
    raise CannotPost(messages[reason], reason)


# --- ideas: who may act on them ----------------------------------------------

def support_refusal(idea: Idea) -> Optional[str]:
    """Why nobody may add a support to this idea right now, or None."""
    if idea.hidden_at is not None:
        return _l("This idea has been hidden by the moderators, so it cannot be supported.")
    if idea.pending_review:
        return _l("This idea is waiting for a moderator's review, so it cannot be supported for now.")
    if idea.withdrawn_at is not None:
        return _l("This idea has been withdrawn by its author, so it can no longer be supported.")
    if idea.status is IdeaStatus.MERGED:
        return _l("This idea has been merged into another idea: please support that one instead.")
    return None


def comment_refusal(idea: Idea) -> Optional[str]:
    """Why nobody may comment on this idea right now, or None."""
    if idea.hidden_at is not None:
        return _l("This idea has been hidden by the moderators, so it cannot be discussed.")
    if idea.pending_review:
        return _l("This idea is waiting for a moderator's review, so it cannot be discussed for now.")
    if idea.withdrawn_at is not None:
        return _l("This idea has been withdrawn by its author, so the discussion is closed.")
    if idea.status is IdeaStatus.MERGED:
        return _l("This idea has been merged into another idea: please continue the discussion there.")
    return None


def _bump(idea: Idea, column: str, delta: int) -> None:
    """Atomically add `delta` to one of the idea's counters and reload it."""
    if not delta:
        return
    col = getattr(Idea, column)
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values({column: col + delta})
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(idea, attribute_names=[column])


# --- supports ----------------------------------------------------------------

def has_supported(idea: Idea, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(Support.id).where(Support.idea_id == idea.id, Support.user_id == user.id)
    ) is not None


def set_support(idea: Idea, user: User, want: Optional[bool] = None) -> bool:
    """Add (want=True), remove (want=False) or toggle (None) `user`'s support; return whether it now exists.

    Race-safe: the unique (idea_id, user_id) constraint lets only one of two
    concurrent inserts succeed; the loser sees "already supported" and does
    not touch the counter.
    """
    require_can_post(user)
    supported = has_supported(idea, user)
    if want is None:
        want = not supported
    if want:
        if supported:
            return True
        if idea.author_id == user.id:
            raise OwnIdea(_l("You cannot support your own idea: supports show how many other people want it."))
        refusal = support_refusal(idea)
        if refusal is not None:
            raise EngagementError(refusal)
        try:
            with db.session.begin_nested():
                db.session.add(Support(idea_id=idea.id, user_id=user.id))
                db.session.flush()
        except IntegrityError:
            return True  # a concurrent request of the same person got there first
        _bump(idea, "support_count", +1)
        return True
    if not supported:
        return False
    result = db.session.execute(
        delete(Support).where(Support.idea_id == idea.id, Support.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        _bump(idea, "support_count", -result.rowcount)
    return False


def recount_supports(idea: Idea) -> int:
    """Set the counter from the rows (repairs; used after merging supports)."""
    n = db.session.scalar(select(func.count()).select_from(Support).where(Support.idea_id == idea.id)) or 0
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(support_count=n).execution_options(synchronize_session=False)
    )
    db.session.refresh(idea, attribute_names=["support_count"])
    return n


def move_supports(source_idea: Idea, target_idea: Idea) -> int:
    """Move the supports of a merged idea to its target; return how many moved.

    A person who supported both counts once: their support on the source is
    dropped. Both counters are recomputed from the rows.
    """
    if source_idea.id == target_idea.id:
        return 0
    already = select(Support.user_id).where(Support.idea_id == target_idea.id).scalar_subquery()
    moved = db.session.execute(
        update(Support)
        .where(Support.idea_id == source_idea.id, Support.user_id.not_in(already))
        .values(idea_id=target_idea.id)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    db.session.execute(
        delete(Support).where(Support.idea_id == source_idea.id).execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    recount_supports(source_idea)
    recount_supports(target_idea)
    return moved


# --- follows -----------------------------------------------------------------

def _require_signed_in(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or user.deleted_at is not None:
        raise CannotPost(_l("Please sign in to continue."), "anonymous")


def is_following_idea(idea: Idea, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(IdeaFollow.id).where(IdeaFollow.idea_id == idea.id, IdeaFollow.user_id == user.id)
    ) is not None


def is_following_area(area: Area, user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(AreaFollow.id).where(AreaFollow.area_id == area.id, AreaFollow.user_id == user.id)
    ) is not None


def _insert_once(row) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        pass  # already there (a concurrent request): following is idempotent


def set_idea_follow(idea: Idea, user: User, want: Optional[bool] = None) -> bool:
    """Follow (want=True), unfollow (False) or toggle (None) an idea; return whether `user` now follows it.

    Following is reading, not posting: blocked or unconfirmed accounts may follow.
    """
    from app.permissions import can_follow_idea

    _require_signed_in(user)
    following = is_following_idea(idea, user)
    want = (not following) if want is None else want
    if want and not following:
        if not can_follow_idea(user, idea):
            # Unfollowing stays possible, so that nobody is stuck with news of a hidden idea.
            raise EngagementError(_l("This idea is hidden, so it cannot be followed."))
        _insert_once(IdeaFollow(idea_id=idea.id, user_id=user.id))
    elif not want and following:
        db.session.execute(
            delete(IdeaFollow).where(IdeaFollow.idea_id == idea.id, IdeaFollow.user_id == user.id)
            .execution_options(synchronize_session=False)
        )
    return want


def set_area_follow(area: Area, user: User, want: Optional[bool] = None) -> bool:
    """Follow, unfollow or toggle an area (a province or a local government)."""
    _require_signed_in(user)
    following = is_following_area(area, user)
    want = (not following) if want is None else want
    if want and not following:
        _insert_once(AreaFollow(area_id=area.id, user_id=user.id))
    elif not want and following:
        db.session.execute(
            delete(AreaFollow).where(AreaFollow.area_id == area.id, AreaFollow.user_id == user.id)
            .execution_options(synchronize_session=False)
        )
    return want


def followers_of_idea(idea: Idea) -> list[User]:
    """People following the idea (live accounts), in the order they followed."""
    return list(db.session.scalars(
        select(User).join(IdeaFollow, IdeaFollow.user_id == User.id)
        .where(IdeaFollow.idea_id == idea.id, User.deleted_at.is_(None))
        .order_by(IdeaFollow.id)
    ))


def followers_of_area(area: Area) -> list[User]:
    """People following the area itself (live accounts), in the order they followed."""
    return list(db.session.scalars(
        select(User).join(AreaFollow, AreaFollow.user_id == User.id)
        .where(AreaFollow.area_id == area.id, User.deleted_at.is_(None))
        .order_by(AreaFollow.id)
    ))


def notify_idea_submitted(idea: Idea) -> None:
    """Tell the people who already followed the idea's area about a new idea (app.engagement.hooks calls it
    when the idea is committed; following an area later does not announce its older ideas)."""
    followers = db.session.scalars(
        select(User).join(AreaFollow, AreaFollow.user_id == User.id)
        .where(AreaFollow.area_id == idea.area_id, User.deleted_at.is_(None), AreaFollow.created_at <= idea.created_at)
        .order_by(AreaFollow.id)
    )
    notify(
        followers, "area.idea_submitted",
        params={"area": {"th": idea.area.name_th, "en": idea.area.name_en}, "title": idea.title},
        link=idea_link(idea), actor=idea.author, idea=idea,
    )


# --- comments ----------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def clean_body(body: Optional[str]) -> str:
    """Normalise a comment body and check it; raise EngagementError when it cannot be posted.

    Plain text only: the body is stored as typed (HTML is escaped when shown).
    """
    text = _NEWLINES.sub("\n", body or "").strip()
    text = _MANY_BLANK_LINES.sub("\n\n", text)
    if not text:
        raise EngagementError(_l("Write something before you send your comment."))
    if len(text) > COMMENT_MAX:
        raise EngagementError(_l("A comment can have at most %(max)d characters.", max=COMMENT_MAX))
    if _CONTROL.search(text):
        raise EngagementError(_l("This field contains characters that are not allowed."))
    return text


def idea_link(idea: Idea, anchor: Optional[str] = None) -> str:
    """The idea page's path (with an anchor), for redirects and notification links."""
    try:
        return url_for("ideas.show_idea", idea_id=idea.id, _anchor=anchor)
    except (BuildError, RuntimeError):  # outside a request without SERVER_NAME (CLI)
        return f"/ideas/{idea.id}" + (f"#{anchor}" if anchor else "")


def _set_counted(comment: Comment, was_counted: bool) -> None:
    """Apply the change in the idea's comment counter after a state change of `comment`."""
    _bump(comment.idea, "comment_count", int(comment.counts) - int(was_counted))


def comment_of_submission(user: User, submission_token: Optional[str]) -> Optional[Comment]:
    """The comment `user` already posted with this form (the same one-time token), if any."""
    if not submission_token:
        return None
    return db.session.scalar(
        select(Comment).where(Comment.author_id == user.id, Comment.submission_token == submission_token)
    )


def add_comment(idea: Idea, user: User, body: str, parent: Optional[Comment] = None,
                submission_token: Optional[str] = None) -> Comment:
    """Post a comment, or a reply when `parent` is given (a reply to a reply goes under the first comment).

    The author follows the idea from then on, and the idea's author and
    followers are notified (a reply also tells the parent comment's author).
    """
    require_can_post(user)
    refusal = comment_refusal(idea)
    if refusal is not None:
        raise EngagementError(refusal)
    text = clean_body(body)
    if parent is not None:
        if parent.idea_id != idea.id:
            raise EngagementError(_l("The comment you are answering is not on this idea."))
        if parent.parent is not None:
            parent = parent.parent  # one level of replies
        if not parent.is_publicly_visible:
            raise EngagementError(_l("This comment can no longer be answered."))
    comment = Comment(idea_id=idea.id, author_id=user.id, parent_id=parent.id if parent else None, body=text,
                      submission_token=submission_token)
    db.session.add(comment)
    db.session.flush()
    _bump(idea, "comment_count", +1)
    if not is_following_idea(idea, user):
        _insert_once(IdeaFollow(idea_id=idea.id, user_id=user.id))

    link = idea_link(idea, f"comment-{comment.id}")
    params = {"actor": user.display_name, "title": idea.title}
    replied_to = parent.author if parent is not None and parent.deleted_at is None else None
    if replied_to is not None:
        notify([replied_to], "comment.replied", params=params, link=link, actor=user, idea=idea)
    others = [idea.author, *followers_of_idea(idea)]
    if replied_to is not None:
        others = [u for u in others if u.id != replied_to.id]
    notify(others, "idea.commented", params=params, link=link, actor=user, idea=idea)
    return comment


def edit_comment(comment: Comment, user: User, body: str) -> Comment:
    """The author may correct a comment during the first 15 minutes."""
    require_can_post(user)
    if comment.author_id != user.id:
        raise EngagementError(_l("Only the author can edit this comment."))
    if comment.deleted_at is not None or comment.hidden_at is not None or comment.pending_review:
        raise EngagementError(_l("This comment can no longer be edited."))
    if not comment.can_be_edited_by(user):
        raise EngagementError(_l("A comment can only be edited during the first 15 minutes."))
    text = clean_body(body)
    if text != comment.body:
        comment.body = text
        comment.edited_at = utcnow()
    db.session.flush()
    return comment


def delete_comment(comment: Comment, user: User) -> None:
    """The author deletes their comment: its text is erased and "deleted" is shown; replies stay."""
    if user is None or comment.author_id != getattr(user, "id", None):
        raise EngagementError(_l("Only the author can delete this comment."))
    if comment.deleted_at is not None:
        raise EngagementError(_l("This comment has already been deleted."))
    was = comment.counts
    comment.deleted_at = utcnow()
    comment.body = ""
    db.session.flush()
    _set_counted(comment, was)
    from app.moderation.services import resolve_open_reports

    resolve_open_reports(comment=comment, resolution="deleted", actor=None)


def comments_of(idea: Idea) -> list[Comment]:
    """Top-level comments, oldest first, with their replies loaded."""
    return list(db.session.scalars(
        select(Comment)
        .where(Comment.idea_id == idea.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .options(
            selectinload(Comment.author),
            selectinload(Comment.replies).selectinload(Comment.author),
        )
    ))


def recount_comments(idea: Idea) -> int:
    n = db.session.scalar(
        select(func.count()).select_from(Comment).where(
            Comment.idea_id == idea.id, Comment.deleted_at.is_(None), Comment.hidden_at.is_(None),
            Comment.pending_review.is_(False),
        )
    ) or 0
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(comment_count=n).execution_options(synchronize_session=False)
    )
    db.session.refresh(idea, attribute_names=["comment_count"])
    return n

