"""Erasing a person's account: what goes, what stays, and why.

The user row stays as an empty shell (no email, name, password, national ID
hash, subdistrict or language), so that the public ideas and comments that
point at it stay and show "deleted account", reports stay for moderation
without a name, supports stay counted, a ballot stays counted and the consent
log keeps the record that consents were given and withdrawn. Everything that
only served the person is removed: follows, notifications, sessions (the
session version changes) and, if they choose, the photos they uploaded.

The same `erase_account` serves the person's own deletion and the retention
rule for accounts never confirmed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select, update

from app.accounts.models import User
from app.core.timeutil import utcnow
from app.extensions import db

# Keys of audit details that describe the person acted on (not the official's action).
PERSONAL_AUDIT_KEYS = ("subdistrict", "email", "name", "display_name")


@dataclass
class Erased:
    """What an erasure removed; `photo_files` are to be deleted from storage after the commit."""

    follows: int = 0
    notifications: int = 0
    photos: int = 0
    photo_files: list[str] = field(default_factory=list)


def erased_email(user_id: int) -> str:
    # Unique (the column is) and not an address anyone can own (.invalid, RFC 2606).
    return f"deleted-{user_id}@deleted.invalid"


def erase_account(user: User, *, keep_photos: bool) -> Erased:
    from app.engagement.models import AreaFollow, IdeaFollow
    from app.ideas.models import Idea, IdeaPhoto
    from app.jobs.files import forget_files_of
    from app.notifications.models import Notification
    from app.notifications.services import _TRANSLATED
    from app.privacy import consents

    result = Erased()
    uid = user.id
    consents.withdraw_all(user)

    result.follows = (
        db.session.execute(delete(IdeaFollow).where(IdeaFollow.user_id == uid)).rowcount
        + db.session.execute(delete(AreaFollow).where(AreaFollow.user_id == uid)).rowcount
    )
    result.notifications = db.session.execute(delete(Notification).where(Notification.user_id == uid)).rowcount
    # Other people's notifications name the person who caused them: keep the event, drop the name.
    for note in db.session.scalars(select(Notification).where(Notification.actor_id == uid)):
        if "actor" in (note.params or {}):
            note.params = {**note.params, "actor": {_TRANSLATED: "Deleted account"}}
        note.actor_id = None
    if not keep_photos:
        photos = db.session.execute(
            select(IdeaPhoto.id, IdeaPhoto.filename).join(Idea, Idea.id == IdeaPhoto.idea_id).where(Idea.author_id == uid)
        ).all()
        result.photo_files = [name for _, name in photos]
        result.photos = len(photos)
        if photos:
            db.session.execute(delete(IdeaPhoto).where(IdeaPhoto.id.in_([pid for pid, _ in photos])))
    _forget_in_audit_log(uid)
    forget_files_of(uid)  # prepared downloads (their data download): rows now, files after the commit

    user.email = erased_email(uid)
    user.password_hash = ""  # no password can match an empty hash
    user.display_name = ""
    user.locale = None
    user.province_code = ""
    user.subdistrict_code = None
    user.national_id_hash = None
    user.residency_verified_at = None
    user.residency_verified_by_id = None
    user.identity_proven_at = None
    user.identity_provider = None
    user.identities.clear()  # a ThaID or LINE sign-in must not reach the erased account
    user.email_notifications = False
    user.blocked_reason = None
    user.session_version += 1  # every session and remember-me cookie dies
    user.deleted_at = utcnow()
    db.session.flush()
    db.session.expire_all()
    return result


def _forget_in_audit_log(uid: int) -> None:
    """The person's IP addresses and the personal details recorded about them leave the audit log."""
    from app.audit.models import AuditEntry

    db.session.execute(update(AuditEntry).where(AuditEntry.actor_id == uid).values(ip=None))
    about = select(AuditEntry).where(AuditEntry.object_type == "users", AuditEntry.object_id == uid)
    for entry in db.session.scalars(about):
        if entry.details and any(k in entry.details for k in PERSONAL_AUDIT_KEYS):
            entry.details = {k: v for k, v in entry.details.items() if k not in PERSONAL_AUDIT_KEYS}
