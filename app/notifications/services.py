"""Registering notification kinds, notifying people, reading and marking notifications.

A domain registers each kind once, at import time:

    register_kind("idea.commented", _l('%(actor)s commented on "%(title)s"'),
                  email_subject=_l('New comment on "%(title)s"'))

and then calls `notify(recipients, "idea.commented", params={...}, link="/ideas/5")`.
Only the kind and the parameters are stored: the message is rendered when it
is read, in the reader's language. A parameter that must itself be translated
(a status name, say) may be given as a lazy string (`_l("Accepted")`); its
msgid is stored and translated at display time too. A parameter given as
{"th": ..., "en": ...} (an area's names) is shown in the reader's language.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select, update

from app.accounts.models import User
from app.core.locale import current_locale
from app.core.urls import absolute_link, absolute_url
from app.core.timeutil import utcnow
from app.extensions import db
from app.jobs.services import JobContext, enqueue, register
from app.notifications.models import Notification

log = logging.getLogger(__name__)

PER_PAGE = 30
MAX_PAGE = 200  # bounded offset: nobody pages through 6,000 notifications
_TRANSLATED = "_msgid"  # marks a stored parameter that is translated at display time


@dataclass(frozen=True)
class NotificationKind:
    kind: str
    message: LazyString
    email_subject: Optional[LazyString] = None


_KINDS: dict[str, NotificationKind] = {}


class NotificationError(Exception):
    """A rule about notifications was broken; the message is shown to the user."""


def register_kind(kind: str, message: LazyString, email_subject: LazyString | None = None) -> None:
    """Declare a kind of notification and its message (a lazy string with %(name)s params).

    Registering the same kind again replaces it (modules may be reloaded in tests).
    """
    _KINDS[kind] = NotificationKind(kind, message, email_subject)


def registered_kinds() -> dict[str, NotificationKind]:
    return dict(_KINDS)


def _store_param(value: Any) -> Any:
    if isinstance(value, LazyString):
        # lazy_gettext("Accepted") -> keep the msgid, translate for each reader.
        if value._args and not value._kwargs and isinstance(value._args[0], str):
            return {_TRANSLATED: value._args[0]}
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict) and "th" in value:
        return {k: str(v) for k, v in value.items() if k in ("th", "en") and v is not None}
    return str(value)


class _Params(dict):
    """Parameters for %-formatting: a missing one renders empty instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


def _display_params(params: dict[str, Any] | None) -> _Params:
    out = _Params()
    for key, value in (params or {}).items():
        if isinstance(value, dict) and _TRANSLATED in value:
            out[key] = _(value[_TRANSLATED])
        elif isinstance(value, dict) and "th" in value:
            out[key] = value.get(current_locale()) or value["th"]
        else:
            out[key] = value
    return out


def _format(message: LazyString | str, params: dict[str, Any] | None) -> str:
    template = str(message)
    try:
        return template % _display_params(params)
    except (TypeError, ValueError, KeyError):
        # A parameter of the wrong type must not break the page: show the bare message.
        return template


HIDDEN_IDEA_MESSAGE = _l(
    "News about an idea that is no longer shown: the moderators hid it, or it waits for their review."
)


def _reader_params(notification: Notification, reader: Any) -> dict[str, Any] | None:
    """The stored parameters with the idea's title as it reads now; None if `reader` may not see the idea."""
    from app.permissions import can_see_idea

    params = dict(notification.params or {})
    if notification.idea_id is None:
        return params
    idea = notification.idea
    if idea is None or not can_see_idea(reader, idea):
        return None
    params["title"] = idea.title
    return params


def render_message(notification: Notification, reader: Any = None) -> str:
    """The notification's text in the current language, for `reader` (by default its recipient)."""
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return _("You have a new notification.")
    params = _reader_params(notification, reader if reader is not None else notification.user)
    if params is None:
        return str(HIDDEN_IDEA_MESSAGE)
    return _format(kind.message, params)


def _settings_link() -> str:
    return absolute_url("notifications.list_notifications")


def _notification_email(
    user: User, kind: NotificationKind, params: dict[str, Any], link: str, about_account: bool = False
) -> tuple[str, str]:
    """Subject and body of a notification email, in the recipient's language."""
    with force_locale(user.locale or "th"):
        message = _format(kind.message, params)
        subject = _format(kind.email_subject, params) if kind.email_subject is not None else message
        if about_account:
            body = _(
                "Hello %(name)s,\n\n%(message)s\n\nOpen it here: %(link)s\n\n"
                "We write to you about this whatever your notification settings, because it concerns your account on Ruamkhit.",
                name=user.display_name, message=message, link=absolute_link(link),
            )
        else:
            body = _(
                "Hello %(name)s,\n\n%(message)s\n\nOpen it here: %(link)s\n\n"
                "You receive these emails because you turned on email notifications on Ruamkhit. "
                "You can turn them off on your notifications page: %(settings)s",
                name=user.display_name, message=message, link=absolute_link(link), settings=_settings_link(),
            )
        subject = _("Ruamkhit: %(subject)s", subject=subject)
    return subject[:200], body


def wants_email(user: User) -> bool:
    """Email only people who opted in, whose address is confirmed and whose account is live."""
    return bool(user.email_notifications) and user.email_verified and user.deleted_at is None


def notify(
    recipients: Iterable[User],
    kind: str,
    *,
    params: dict,
    link: str,
    actor: User | None = None,
    about_account: bool = False,
    idea: Any = None,
) -> None:
    """Store one in-app notification per recipient (never for the actor) and email those who opted in.

    Both are done by a "notifications.deliver" job, queued with the caller's
    transaction. Recipients are deduplicated; deleted accounts are skipped. `link` is a path
    on this site ("/ideas/5#comment-9"). The email is written in the
    recipient's language (their `locale`, Thai by default). A notification
    `about_account` (their residency was verified or withdrawn: a change to
    what the account may do) is emailed to every confirmed address, as the
    account's own emails are, whatever the notification settings.

    A notification about an idea names it: its "title" parameter is not
    stored but read from the idea whenever the notification is shown, and
    people who may not see the idea (app.permissions.can_see_idea) are not told.
    """
    from app.permissions import can_see_idea

    registered = _KINDS.get(kind)
    if registered is None:
        raise ValueError(f"notification kind {kind!r} is not registered")
    stored = {str(k): _store_param(v) for k, v in (params or {}).items()}
    if idea is not None:
        stored.pop("title", None)
    seen: set[int] = set()
    targets: list[User] = []
    for user in recipients:
        if user is None or user.id in seen or user.deleted_at is not None:
            continue
        if actor is not None and user.id == actor.id:
            continue
        if idea is not None and not can_see_idea(user, idea):
            continue
        seen.add(user.id)
        targets.append(user)
    if not targets:
        return
    # The rows and the emails are made by a job (app/jobs): an idea with 5,000 followers
    # does not hold up the comment that notifies them, and a mail outage is retried.
    enqueue("notifications.deliver", {
        "kind": kind, "params": stored, "link": link[:500], "at": utcnow().isoformat(),
        "actor_id": actor.id if actor is not None else None, "user_ids": [u.id for u in targets],
        "about_account": bool(about_account), "idea_id": idea.id if idea is not None else None,
    })


FANOUT_CHUNK = 500


@register("notifications.deliver", _l("Notifications (bell and emails)"), max_attempts=5)
def deliver_notifications(payload: dict, ctx: JobContext) -> dict:
    """One in-app notification per recipient and one queued email for each who opted in.

    Runs once: its rows and its email jobs are committed with the job's "done".
    """
    from app.jobs.mail import queue_email

    registered = _KINDS.get(payload["kind"])
    if registered is None:
        raise ValueError(f"notification kind {payload['kind']!r} is not registered")
    from app.ideas.models import Idea
    from app.permissions import can_see_idea

    at = datetime.fromisoformat(payload["at"]) if payload.get("at") else utcnow()
    ids = [int(i) for i in payload.get("user_ids") or []]
    idea = db.session.get(Idea, payload["idea_id"]) if payload.get("idea_id") else None
    if payload.get("idea_id") and idea is None:
        return {"notified": 0, "emailed": 0}  # the idea is gone: nothing to tell
    params = payload.get("params") or {}
    # The idea's title as it reads when the email is written (never stored with the notification).
    email_params = {**params, "title": idea.title} if idea is not None else params
    about_account = bool(payload.get("about_account"))
    notified = emailed = 0
    for start in range(0, len(ids), FANOUT_CHUNK):
        chunk = ids[start:start + FANOUT_CHUNK]
        users = list(db.session.scalars(select(User).where(User.id.in_(chunk), User.deleted_at.is_(None)).order_by(User.id)))
        for user in users:
            if idea is not None and not can_see_idea(user, idea):
                continue  # hidden since the notification was queued
            db.session.add(Notification(
                user_id=user.id, kind=payload["kind"], params=params, link=payload["link"],
                actor_id=payload.get("actor_id"), created_at=at, idea_id=idea.id if idea is not None else None,
            ))
            notified += 1
            if wants_email(user) or (about_account and user.email_verified and user.deleted_at is None):
                subject, body = _notification_email(user, registered, email_params, payload["link"], about_account)
                queue_email(user.email, subject, body, key=f"notification:{ctx.job_id}:{user.id}")
                emailed += 1
        db.session.flush()
        ctx.progress(min(start + FANOUT_CHUNK, len(ids)), len(ids))
    return {"notified": notified, "emailed": emailed}


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ) or 0


def list_notifications(user: User, page: int = 1, per_page: int = PER_PAGE) -> tuple[list[Notification], bool]:
    """One page of the user's notifications, newest first, and whether there is a next page."""
    page = max(1, min(page, MAX_PAGE))
    from sqlalchemy.orm import selectinload

    rows = list(db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(selectinload(Notification.idea))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ))
    return rows[:per_page], len(rows) > per_page


def get_own_notification(user: User, notification_id: int) -> Optional[Notification]:
    """The notification if it belongs to `user` (someone else's id is treated as missing)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        return None
    return notification


def mark_read(user: User, notification: Notification) -> None:
    if notification.user_id != user.id:
        raise NotificationError(_l("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount or 0


def set_email_notifications(user: User, enabled: bool) -> None:
    user.email_notifications = bool(enabled)
    db.session.flush()


def header_counts(user: User) -> dict[str, int]:
    """Provider for the header: the unread count next to the bell."""
    return {"notifications": unread_count(user)}
