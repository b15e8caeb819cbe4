"""Consents: recording each decision, and asking again once when the notice changes what a consent covers.

Two purposes today. `privacy_notice`: the person accepted the notice of a
version (at registration, and again when a new version needs it).
`email_notifications`: the optional consent to receive notifications by
email, which is the same thing as the email setting on the profile and the
notifications page: every change of `User.email_notifications`, wherever it is
made, is recorded here by an attribute listener, so no caller can forget.
Everything else on the site runs under the public task and needs no consent,
so declining or withdrawing leaves the person able to use all of it.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select

from app.accounts.models import User
from app.core.timeutil import utcnow
from app.extensions import db
from app.privacy.models import Consent, ConsentAction
from app.privacy.notice import NOTICE_HISTORY, current_notice, version_key

PRIVACY_NOTICE = "privacy_notice"
EMAIL_NOTIFICATIONS = "email_notifications"


class ConsentError(Exception):
    """A consent request that cannot be carried out; the message is shown to the person."""


@dataclass(frozen=True)
class Purpose:
    key: str
    title: object
    explanation: object
    withdrawable: bool


PURPOSES: dict[str, Purpose] = {
    PRIVACY_NOTICE: Purpose(
        PRIVACY_NOTICE, _l("The privacy notice"),
        _l("You accepted the privacy notice when you registered. To stop all processing, delete your account."),
        withdrawable=False,
    ),
    EMAIL_NOTIFICATIONS: Purpose(
        EMAIL_NOTIFICATIONS, _l("Notifications by email"),
        _l("We email you each new notification. Without this consent you still see every notification on the site."),
        withdrawable=True,
    ),
}

# Set while a decision is recorded explicitly, so that the listener does not record it twice.
_recording: ContextVar[bool] = ContextVar("privacy_recording_consent", default=False)


def _add(user: User, purpose: str, action: ConsentAction, version: str | None = None) -> Consent:
    row = Consent(purpose=purpose, version=version or current_notice().version, action=action, at=utcnow())
    if user.id is not None:
        row.user_id = user.id
    else:
        row.user = user
    db.session.add(row)
    return row


def _on_email_notifications_set(user: User, value, oldvalue, initiator):
    if _recording.get():
        return value
    old = bool(oldvalue) if isinstance(oldvalue, bool) else False
    if bool(value) != old:
        _add(user, EMAIL_NOTIFICATIONS, ConsentAction.GIVEN if value else ConsentAction.WITHDRAWN)
    return value


def init_listeners() -> None:
    if not event.contains(User.email_notifications, "set", _on_email_notifications_set):
        event.listen(User.email_notifications, "set", _on_email_notifications_set, active_history=True, retval=True)


# --- reading ------------------------------------------------------------------

def history(user: User) -> list[Consent]:
    return list(db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.id)))


def latest(user: User, purpose: str) -> Optional[Consent]:
    return db.session.scalar(
        select(Consent).where(Consent.user_id == user.id, Consent.purpose == purpose).order_by(Consent.id.desc()).limit(1)
    )


def is_given(user: User, purpose: str) -> bool:
    if purpose == EMAIL_NOTIFICATIONS:
        return bool(user.email_notifications)
    row = latest(user, purpose)
    return row is not None and row.action is ConsentAction.GIVEN


def required_version(purpose: str) -> str:
    """The oldest notice version under which a given consent is still valid."""
    required = NOTICE_HISTORY[0].version
    for notice in NOTICE_HISTORY:
        if purpose in notice.reconsent:
            required = notice.version
    return required


def any_reconsent() -> bool:
    return any(notice.reconsent for notice in NOTICE_HISTORY[1:])


def pending(user: User) -> list[str]:
    """The consents to ask again: given under a version older than the one that changed them, not yet decided."""
    if not any_reconsent() or user.deleted_at is not None:
        return []
    asked = []
    for purpose in PURPOSES:
        row = latest(user, purpose)
        if row is None or row.action is not ConsentAction.GIVEN:
            continue  # never given, withdrawn or declined: nothing to ask
        if purpose == EMAIL_NOTIFICATIONS and not user.email_notifications:
            continue
        if version_key(row.version) < version_key(required_version(purpose)):
            asked.append(purpose)
    return asked


# --- deciding -------------------------------------------------------------------

def record_registration(user: User) -> None:
    """Registration accepts the current notice (the form refuses to register without it)."""
    _add(user, PRIVACY_NOTICE, ConsentAction.GIVEN, user.consent_version)


def give(user: User, purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ConsentError(_l("There is no such consent."))
    if is_given(user, purpose):
        raise ConsentError(_l("You have already given this consent."))
    if purpose == EMAIL_NOTIFICATIONS:
        user.email_notifications = True  # recorded by the listener
    else:
        _accept_notice(user)
    db.session.flush()


def withdraw(user: User, purpose: str) -> None:
    if purpose not in PURPOSES:
        raise ConsentError(_l("There is no such consent."))
    if not PURPOSES[purpose].withdrawable:
        raise ConsentError(_l("This consent cannot be withdrawn on its own: delete your account to stop all processing."))
    if not is_given(user, purpose):
        raise ConsentError(_l("You have not given this consent, so there is nothing to withdraw."))
    user.email_notifications = False  # recorded by the listener
    db.session.flush()


def _accept_notice(user: User) -> None:
    now = utcnow()
    user.consent_version = current_notice().version
    user.consent_at = now
    _add(user, PRIVACY_NOTICE, ConsentAction.GIVEN)


def decide_pending(user: User, accept: bool) -> list[str]:
    """Answer the question asked after a change of the notice; returns the purposes decided."""
    purposes = pending(user)
    if not purposes:
        raise ConsentError(_l("There is nothing to decide: you have already answered."))
    token = _recording.set(True)
    try:
        for purpose in purposes:
            if accept:
                if purpose == PRIVACY_NOTICE:
                    _accept_notice(user)
                else:
                    _add(user, purpose, ConsentAction.GIVEN)
            else:
                _add(user, purpose, ConsentAction.DECLINED)
                if purpose == EMAIL_NOTIFICATIONS:
                    user.email_notifications = False
    finally:
        _recording.reset(token)
    db.session.flush()
    return purposes


def withdraw_all(user: User) -> None:
    """On deletion: every consent still given is recorded as withdrawn."""
    token = _recording.set(True)
    try:
        for purpose in PURPOSES:
            if is_given(user, purpose):
                _add(user, purpose, ConsentAction.WITHDRAWN)
        user.email_notifications = False
    finally:
        _recording.reset(token)
    db.session.flush()
