"""Moderation rules: reports, the queue, hide and restore, block and unblock, the digest.

An item is *waiting* while it has open (unresolved) reports. After
REPORT_THRESHOLD distinct people report it, it is hidden pending review
(`pending_review`) until a moderator hides it for good (with a public reason)
or restores it; either decision resolves its open reports. Every moderation
decision is written to the audit log; the automatic hiding too, with no actor.

Scope: officials moderate the ideas (and their comments) of their areas
(`app.permissions.official_area_ids`); administrators everywhere. Blocking is
account-wide: an official may block an account that posted an idea or a
comment in one of their areas (not another official's), an administrator
any account but an administrator's.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import Role, RoleAssignment, User
from app.accounts.services import end_sessions
from app.areas.models import Area
from app.audit.services import record
from app.core.timeutil import utcnow
from app.core.validators import _CONTROL
from app.engagement.models import Comment
from app.engagement.services import CannotPost, _bump, require_can_post
from app.extensions import db
from app.ideas.models import Idea
from app.moderation.models import NOTE_MAX, REASON_MAX, REPORT_THRESHOLD, Report, ReportReason
from app.notifications.services import notify, register_kind
from app.permissions import can_block, can_moderate, official_area_ids

__all__ = ["CannotPost", "ModerationError"]

PER_PAGE = 25
MAX_PAGE = 400

register_kind(
    "moderation.idea_hidden",
    _l('The moderators hid your idea "%(title)s". Reason: %(reason)s'),
    email_subject=_l('Your idea "%(title)s" was hidden'),
)
register_kind(
    "moderation.comment_hidden",
    _l('The moderators hid your comment on the idea "%(title)s". Reason: %(reason)s'),
    email_subject=_l('Your comment on "%(title)s" was hidden'),
)
register_kind(
    "moderation.idea_restored",
    _l('Your idea "%(title)s" is visible again after review.'),
)
register_kind(
    "moderation.comment_restored",
    _l('Your comment on the idea "%(title)s" is visible again after review.'),
)
register_kind(
    "account.blocked",
    _l("The moderators blocked your account: you can still read, but not post. Reason: %(reason)s"),
    email_subject=_l("Your Ruamkhit account was blocked"),
)
register_kind(
    "account.unblocked",
    _l("Your account is no longer blocked: you can post again."),
    email_subject=_l("Your Ruamkhit account was unblocked"),
)


class ModerationError(Exception):
    """A moderation rule was broken; the message is shown to the user."""


# --- helpers -------------------------------------------------------------------

def clean_text(value: Optional[str], *, required: bool, limit: int) -> Optional[str]:
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise ModerationError(_l("Give a reason."))
        return None
    if len(text) > limit:
        raise ModerationError(_l("Write at most %(max)d characters.", max=limit))
    if _CONTROL.search(text):
        raise ModerationError(_l("This field contains characters that are not allowed."))
    return text


def _require_moderator(official: User, area: Area) -> None:
    if not can_moderate(official, area):
        raise ModerationError(_l("You are not a moderator of this area."))


def _open_reports_filter(idea: Optional[Idea] = None, comment: Optional[Comment] = None):
    conds = [Report.resolved_at.is_(None)]
    if comment is not None:
        conds.append(Report.comment_id == comment.id)
    else:
        conds += [Report.idea_id == idea.id, Report.comment_id.is_(None)]
    return conds


def open_report_count(idea: Optional[Idea] = None, comment: Optional[Comment] = None) -> int:
    return db.session.scalar(
        select(func.count(distinct(Report.reporter_id))).where(*_open_reports_filter(idea, comment))
    ) or 0


def resolve_open_reports(
    *, idea: Optional[Idea] = None, comment: Optional[Comment] = None, resolution: str, actor: Optional[User]
) -> int:
    """Close the open reports of one item; returns how many were closed."""
    result = db.session.execute(
        update(Report).where(*_open_reports_filter(idea, comment))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id if actor else None, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount or 0


# --- reports -------------------------------------------------------------------

def _reason(value) -> ReportReason:
    try:
        return value if isinstance(value, ReportReason) else ReportReason(value)
    except ValueError as error:
        raise ModerationError(_l("Choose why you are reporting this.")) from error


def _insert_report(report: Report) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError as error:  # the same person, twice at the same moment
        raise ModerationError(_l("You have already reported this. Thank you: the moderators will look at it.")) from error


def has_reported(user, *, idea: Optional[Idea] = None, comment: Optional[Comment] = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    stmt = select(Report.id).where(Report.reporter_id == user.id)
    if comment is not None:
        stmt = stmt.where(Report.comment_id == comment.id)
    else:
        stmt = stmt.where(Report.idea_id == idea.id, Report.comment_id.is_(None))
    return db.session.scalar(stmt.limit(1)) is not None


def report_idea(idea: Idea, user: User, reason, note: Optional[str] = None) -> Report:
    """Report an idea once. The third distinct report hides it pending review."""
    require_can_post(user)
    reason = _reason(reason)
    note = clean_text(note, required=False, limit=NOTE_MAX)
    if idea.author_id == user.id:
        raise ModerationError(_l("You cannot report your own idea. You can withdraw it instead."))
    if idea.hidden_at is not None:
        raise ModerationError(_l("This idea has already been hidden by the moderators."))
    if has_reported(user, idea=idea):
        raise ModerationError(_l("You have already reported this. Thank you: the moderators will look at it."))
    report = Report(idea_id=idea.id, reporter_id=user.id, reason=reason, note=note)
    _insert_report(report)
    if not idea.pending_review and open_report_count(idea=idea) >= REPORT_THRESHOLD:
        idea.pending_review = True
        db.session.flush()
        record(None, "moderation.auto_pending", idea, area=idea.area,
               details={"reports": open_report_count(idea=idea)})
    return report


def report_comment(comment: Comment, user: User, reason, note: Optional[str] = None) -> Report:
    """Report a comment once. The third distinct report hides it pending review."""
    require_can_post(user)
    reason = _reason(reason)
    note = clean_text(note, required=False, limit=NOTE_MAX)
    if comment.author_id == user.id:
        raise ModerationError(_l("You cannot report your own comment. You can delete it instead."))
    if comment.deleted_at is not None:
        raise ModerationError(_l("This comment has been deleted by its author."))
    if comment.hidden_at is not None:
        raise ModerationError(_l("This comment has already been hidden by the moderators."))
    if has_reported(user, comment=comment):
        raise ModerationError(_l("You have already reported this. Thank you: the moderators will look at it."))
    report = Report(idea_id=comment.idea_id, comment_id=comment.id, reporter_id=user.id, reason=reason, note=note)
    _insert_report(report)
    if not comment.pending_review and open_report_count(comment=comment) >= REPORT_THRESHOLD:
        was = comment.counts
        comment.pending_review = True
        db.session.flush()
        _bump(comment.idea, "comment_count", int(comment.counts) - int(was))
        record(None, "moderation.auto_pending", comment, area=comment.idea.area,
               details={"reports": open_report_count(comment=comment), "idea_id": comment.idea_id})
    return report


# --- hide and restore ------------------------------------------------------------

def hide_idea(official: User, idea: Idea, reason: str) -> None:
    """Hide an idea; `reason` is shown publicly in place of it."""
    _require_moderator(official, idea.area)
    reason = clean_text(reason, required=True, limit=REASON_MAX)
    idea.hidden_at = idea.hidden_at or utcnow()
    idea.hidden_reason = reason
    idea.pending_review = False
    db.session.flush()
    closed = resolve_open_reports(idea=idea, resolution="hidden", actor=official)
    record(official, "moderation.hide_idea", idea, area=idea.area, details={"reason": reason, "reports": closed})
    notify([idea.author], "moderation.idea_hidden", params={"title": idea.title, "reason": reason},
           link=_idea_link(idea), actor=official, idea=idea)


def restore_idea(official: User, idea: Idea, reason: str) -> None:
    """Show an idea again (or keep it visible and close its reports); the reason goes to the audit log."""
    _require_moderator(official, idea.area)
    reason = clean_text(reason, required=True, limit=REASON_MAX)
    was_hidden = idea.hidden_at is not None or idea.pending_review
    if not was_hidden and open_report_count(idea=idea) == 0:
        raise ModerationError(_l("This idea is visible and has no open reports: there is nothing to restore."))
    idea.hidden_at = None
    idea.hidden_reason = None
    idea.pending_review = False
    db.session.flush()
    closed = resolve_open_reports(idea=idea, resolution="restored", actor=official)
    record(official, "moderation.restore_idea", idea, area=idea.area, details={"reason": reason, "reports": closed})
    if was_hidden:
        notify([idea.author], "moderation.idea_restored", params={"title": idea.title},
               link=_idea_link(idea), actor=official, idea=idea)


def hide_comment(official: User, comment: Comment, reason: str) -> None:
    area = comment.idea.area
    _require_moderator(official, area)
    reason = clean_text(reason, required=True, limit=REASON_MAX)
    if comment.deleted_at is not None:
        raise ModerationError(_l("This comment has been deleted by its author."))
    was = comment.counts
    comment.hidden_at = comment.hidden_at or utcnow()
    comment.hidden_reason = reason
    comment.hidden_by_id = official.id
    comment.pending_review = False
    db.session.flush()
    _bump(comment.idea, "comment_count", int(comment.counts) - int(was))
    closed = resolve_open_reports(comment=comment, resolution="hidden", actor=official)
    record(official, "moderation.hide_comment", comment, area=area,
           details={"reason": reason, "reports": closed, "idea_id": comment.idea_id})
    notify([comment.author], "moderation.comment_hidden", params={"title": comment.idea.title, "reason": reason},
           link=_idea_link(comment.idea, f"comment-{comment.id}"), actor=official, idea=comment.idea)


def restore_comment(official: User, comment: Comment, reason: str) -> None:
    area = comment.idea.area
    _require_moderator(official, area)
    reason = clean_text(reason, required=True, limit=REASON_MAX)
    was_hidden = comment.hidden_at is not None or comment.pending_review
    if not was_hidden and open_report_count(comment=comment) == 0:
        raise ModerationError(_l("This comment is visible and has no open reports: there is nothing to restore."))
    was = comment.counts
    comment.hidden_at = None
    comment.hidden_reason = None
    comment.hidden_by_id = None
    comment.pending_review = False
    db.session.flush()
    _bump(comment.idea, "comment_count", int(comment.counts) - int(was))
    closed = resolve_open_reports(comment=comment, resolution="restored", actor=official)
    record(official, "moderation.restore_comment", comment, area=area,
           details={"reason": reason, "reports": closed, "idea_id": comment.idea_id})
    if was_hidden and comment.deleted_at is None:
        notify([comment.author], "moderation.comment_restored", params={"title": comment.idea.title},
               link=_idea_link(comment.idea, f"comment-{comment.id}"), actor=official, idea=comment.idea)


def _idea_link(idea: Idea, anchor: Optional[str] = None) -> str:
    from app.engagement.services import idea_link

    return idea_link(idea, anchor)


# --- block and unblock -------------------------------------------------------------

def areas_where_posted(user: User) -> list[Area]:
    """Areas where `user` submitted an idea or commented on one."""
    idea_areas = select(Idea.area_id).where(Idea.author_id == user.id)
    comment_areas = select(Idea.area_id).join(Comment, Comment.idea_id == Idea.id).where(Comment.author_id == user.id)
    return list(db.session.scalars(
        select(Area).where(or_(Area.id.in_(idea_areas), Area.id.in_(comment_areas))).order_by(Area.id)
    ))


def may_block(official: User, target: User) -> bool:
    return can_block(official, target, areas_where_posted(target))


def _moderated_area_of(official: User, target: User) -> Optional[Area]:
    """An area of the official's where the target posted (for the audit log's area)."""
    for area in areas_where_posted(target):
        if can_moderate(official, area):
            return area
    return None


def block_user(official: User, target: User, reason: str) -> None:
    """Block an account: it can still sign in and read, but not post (app.permissions.can_post)."""
    if not may_block(official, target):
        raise ModerationError(_l("You cannot block this account."))
    reason = clean_text(reason, required=True, limit=REASON_MAX)
    if target.is_blocked:
        raise ModerationError(_l("This account is already blocked."))
    target.is_blocked = True
    target.blocked_reason = reason
    end_sessions(target)  # signed in again, the account sees that it is blocked
    record(official, "moderation.block_user", target, area=_moderated_area_of(official, target),
           details={"reason": reason})
    notify([target], "account.blocked", params={"reason": reason}, link="/notifications/", actor=official)


def unblock_user(official: User, target: User, reason: str) -> None:
    if not may_block(official, target):
        raise ModerationError(_l("You cannot unblock this account."))
    reason = clean_text(reason, required=True, limit=REASON_MAX)
    if not target.is_blocked:
        raise ModerationError(_l("This account is not blocked."))
    target.is_blocked = False
    target.blocked_reason = None
    db.session.flush()
    record(official, "moderation.unblock_user", target, area=_moderated_area_of(official, target),
           details={"reason": reason})
    notify([target], "account.unblocked", params={}, link="/notifications/", actor=official)


# --- the queue -----------------------------------------------------------------------

@dataclass
class QueueItem:
    """One reported idea or comment with its open reports."""

    idea: Idea
    comment: Optional[Comment]
    reports: list[Report] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "comment" if self.comment is not None else "idea"

    @property
    def area(self) -> Area:
        return self.idea.area

    @property
    def author(self) -> User:
        return self.comment.author if self.comment is not None else self.idea.author

    @property
    def pending_review(self) -> bool:
        return (self.comment or self.idea).pending_review

    @property
    def reason_counts(self) -> list[tuple[ReportReason, int]]:
        counts = Counter(r.reason for r in self.reports)
        return [(reason, counts[reason]) for reason in ReportReason if counts[reason]]

    @property
    def first_reported_at(self):
        return min(r.created_at for r in self.reports) if self.reports else None


def _scope(stmt, area_ids: Optional[set[int]]):
    if area_ids is None:
        return stmt
    return stmt.where(Idea.area_id.in_(area_ids or {-1}))


def scope_area_ids(user: User, area: Optional[Area] = None) -> Optional[set[int]]:
    """The area ids a moderator's lists cover: one area if asked (and allowed), else all of theirs."""
    if area is not None:
        if not can_moderate(user, area):
            raise ModerationError(_l("You are not a moderator of this area."))
        return {area.id}
    return official_area_ids(user)


def waiting_count(user: User, area: Optional[Area] = None) -> int:
    """How many items (ideas and comments) with open reports are in the moderator's areas."""
    ids = scope_area_ids(user, area)
    if ids is not None and not ids:
        return 0
    stmt = _scope(
        select(func.count(distinct(Report.idea_id)).filter(Report.comment_id.is_(None)),
               func.count(distinct(Report.comment_id)))
        .join(Idea, Idea.id == Report.idea_id)
        .where(Report.resolved_at.is_(None)),
        ids,
    )
    ideas, comments = db.session.execute(stmt).one()
    return (ideas or 0) + (comments or 0)


def waiting_items(user: User, area: Optional[Area] = None, page: int = 1, per_page: int = PER_PAGE) -> tuple[list[QueueItem], bool]:
    """Items with open reports: the most reported first (those hidden pending review), then the longest waiting."""
    ids = scope_area_ids(user, area)
    if ids is not None and not ids:
        return [], False
    page = max(1, min(page, MAX_PAGE))
    first = func.min(Report.created_at).label("first")
    targets = db.session.execute(
        _scope(
            select(Report.idea_id, Report.comment_id, first, func.count(distinct(Report.reporter_id)).label("n"))
            .join(Idea, Idea.id == Report.idea_id)
            .where(Report.resolved_at.is_(None))
            .group_by(Report.idea_id, Report.comment_id),
            ids,
        )
        .order_by(func.count(distinct(Report.reporter_id)).desc(), first, Report.idea_id, Report.comment_id)
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    has_next = len(targets) > per_page
    targets = targets[:per_page]
    if not targets:
        return [], False
    idea_ids = {t.idea_id for t in targets}
    comment_ids = {t.comment_id for t in targets if t.comment_id is not None}
    reports = db.session.scalars(
        select(Report).where(Report.resolved_at.is_(None), Report.idea_id.in_(idea_ids))
        .options(selectinload(Report.reporter)).order_by(Report.created_at)
    ).all()
    ideas = {i.id: i for i in db.session.scalars(
        # The queue asks each author is_official (their roles): loaded with them, not once per item.
        select(Idea).where(Idea.id.in_(idea_ids))
        .options(selectinload(Idea.area), selectinload(Idea.author).selectinload(User.roles))
    )}
    comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids)).options(selectinload(Comment.author).selectinload(User.roles))
    )} if comment_ids else {}
    items = []
    for t in targets:
        item = QueueItem(ideas[t.idea_id], comments.get(t.comment_id) if t.comment_id else None)
        item.reports = [r for r in reports if r.idea_id == t.idea_id and r.comment_id == t.comment_id]
        items.append(item)
    return items, has_next


def hidden_ideas(user: User, area: Optional[Area] = None, limit: int = 50) -> list[Idea]:
    ids = scope_area_ids(user, area)
    if ids is not None and not ids:
        return []
    return list(db.session.scalars(
        _scope(select(Idea).where(Idea.hidden_at.is_not(None)), ids)
        .order_by(Idea.hidden_at.desc(), Idea.id.desc()).limit(limit)
        .options(selectinload(Idea.area))
    ))


def hidden_comments(user: User, area: Optional[Area] = None, limit: int = 50) -> list[Comment]:
    ids = scope_area_ids(user, area)
    if ids is not None and not ids:
        return []
    return list(db.session.scalars(
        _scope(select(Comment).join(Idea, Idea.id == Comment.idea_id).where(Comment.hidden_at.is_not(None)), ids)
        .order_by(Comment.hidden_at.desc(), Comment.id.desc()).limit(limit)
        .options(selectinload(Comment.author), selectinload(Comment.idea))
    ))


def header_counts(user: User) -> dict[str, int]:
    """Provider for the header: items waiting in the moderator's areas (nothing for residents)."""
    if not getattr(user, "is_official", False):
        return {}
    return {"moderation": waiting_count(user)}


# --- the digest ----------------------------------------------------------------------

def moderators() -> list[User]:
    """Every live account with a moderating role (administrator, provincial official, LG officer)."""
    return list(db.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role.in_([Role.ADMIN, Role.PROVINCIAL_OFFICIAL, Role.LG_OFFICER]),
               User.deleted_at.is_(None))
        .distinct().order_by(User.id)
    ))


DIGEST_ITEMS = 20


def digest_for(user: User) -> tuple[int, list[QueueItem]]:
    """How many items wait in the moderator's areas, and the first of them."""
    count = waiting_count(user)
    if not count:
        return 0, []
    items, _ = waiting_items(user, None, 1, DIGEST_ITEMS)
    return count, items


def _digest_email(user: User, count: int, items: list[QueueItem]) -> tuple[str, str]:
    """Subject and body in the moderator's language (call inside force_locale)."""
    from flask_babel import gettext as _
    from flask_babel import ngettext

    from app.core.locale import current_locale
    from app.core.urls import absolute_url

    locale = current_locale()
    lines = []
    for item in items:
        what = _("Comment on: %(title)s", title=item.idea.title) if item.comment is not None else _(
            "Idea: %(title)s", title=item.idea.title)
        reports = ngettext("%(num)d report", "%(num)d reports", len(item.reports))
        area = item.area.name(locale)
        if item.pending_review:
            line = _("%(what)s · %(area)s · %(reports)s · hidden pending review", what=what, area=area, reports=reports)
        else:
            line = _("%(what)s · %(area)s · %(reports)s", what=what, area=area, reports=reports)
        lines.append(f"- {line}")
    if count > len(items):
        lines.append(_("...and %(n)d more.", n=count - len(items)))
    subject = ngettext("%(num)d item waits for moderation", "%(num)d items wait for moderation", count)
    body = _(
        "Hello %(name)s,\n\n%(summary)s\n\n%(items)s\n\nOpen the moderation queue: %(link)s\n\n"
        "You receive this summary because you moderate these areas on Ruamkhit.",
        name=user.display_name, summary=subject, items="\n".join(lines),
        link=absolute_url("moderation.queue"),
    )
    return _("Ruamkhit: %(subject)s", subject=subject), body


def send_digests(dry_run: bool = False, once_key: str | None = None) -> list[tuple[User, int]]:
    """Queue an email to every moderator who has something waiting; (moderator, count) for each one.

    With `once_key` (the scheduled job's "moderation.digest:<day>"), each
    moderator gets that email once however often this runs. The caller commits.
    Links are on the configured public address (app/core/urls.py), so no request is needed.
    """
    from flask_babel import force_locale

    from app.jobs.mail import queue_email

    sent = []
    for user in moderators():
        count, items = digest_for(user)
        if not count:
            continue
        with force_locale(user.locale or "th"):
            subject, body = _digest_email(user, count, items)
        if not dry_run:
            queue_email(user.email, subject, body, key=f"{once_key}:{user.id}" if once_key else None)
        sent.append((user, count))
    return sent
