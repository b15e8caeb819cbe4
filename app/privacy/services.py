"""Account deletion by the person themselves (the rules around `erasure.erase_account`).

Services take the acting user, raise PrivacyError with a translatable
message, and flush; the route commits and then removes photo files.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.extensions import db
from app.privacy.erasure import Erased, erase_account


class PrivacyError(Exception):
    """A request about personal data that cannot be carried out; the message is shown."""


class WrongPassword(PrivacyError):
    pass


def deletion_refusal(user: User):
    """Why this account cannot be deleted now, or None."""
    if user.deleted_at is not None:
        return _l("This account has already been deleted.")
    if user.roles:
        return _l("You hold an official role. Ask an administrator to remove your roles first; then you can delete your account.")
    return None


def delete_own_account(user: User, password: str, *, keep_photos: bool) -> Erased:
    from app.accounts.services import check_password

    refusal = deletion_refusal(user)
    if refusal is not None:
        raise PrivacyError(refusal)
    if not check_password(user, password or ""):
        raise WrongPassword(_l("The password is not correct. Your account has not been deleted."))
    result = erase_account(user, keep_photos=keep_photos)
    # Audited without personal data: no IP address, no name, no email.
    db.session.add(AuditEntry(
        actor_id=None, action="account.delete", object_type="users", object_id=user.id, ip=None,
        details={"photos_kept": keep_photos, "photos_removed": result.photos},
    ))
    db.session.flush()
    return result
