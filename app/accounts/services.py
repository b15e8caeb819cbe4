"""Account rules: registration, passwords, tokens, residency and roles.

Services take the acting user as an argument, raise AccountError with a
translatable message, and flush; the route commits.
"""
from __future__ import annotations

from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.accounts import national_id
from app.accounts.models import Role, RoleAssignment, User
from app.areas.models import Area
from app.audit.services import record
from app.core.timeutil import utcnow
from app.extensions import db

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters

CONSENT_VERSION = "2569-1"


class AccountError(Exception):
    """A rule about accounts was broken; the message is shown to the user."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        ok = _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return ok


def get_user_by_email(email: str) -> Optional[User]:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(
    email: str,
    password: str,
    display_name: str,
    province_code: str,
    *,
    consent: bool,
    locale: str | None = None,
    email_verified: bool = False,
) -> User:
    if not consent:
        raise AccountError(_l("You must accept the personal data notice to register."))
    email = normalise_email(email)
    if get_user_by_email(email) is not None:
        raise AccountError(_l("An account with this email already exists."))
    now = utcnow()
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        province_code=province_code,
        locale=locale,
        consent_at=now,
        consent_version=CONSENT_VERSION,
        email_verified_at=now if email_verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_admin(email: str, password: str, display_name: str) -> User:
    user = get_user_by_email(email)
    if user is None:
        if len(password) < 8:
            raise AccountError(_l("The password must have at least 8 characters."))
        user = create_user(email, password, display_name, "10", consent=True, email_verified=True)
    if not user.is_admin:
        user.roles.append(RoleAssignment(role=Role.ADMIN, area_id=None))
        db.session.flush()
        record(None, "role.assign", user, details={"role": Role.ADMIN.value, "via": "cli"})
    return user


def authenticate(email: str, password: str) -> Optional[User]:
    user = get_user_by_email(email)
    if user is None or user.deleted_at is not None:
        _hasher.hash(password)  # spend the same time whether or not the account exists
        return None
    return user if check_password(user, password) else None


# --- signed tokens (email verification, password reset) -------------------

def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(user: User, purpose: str) -> str:
    # The password hash tail makes a reset token single-use: it dies when the password changes.
    return _serializer(purpose).dumps({"uid": user.id, "v": user.session_version, "p": user.password_hash[-12:]})


def read_token(token: str, purpose: str, max_age: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise AccountError(_l("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise AccountError(_l("This link is not valid. Please check that you copied all of it.")) from error
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or user.session_version != data.get("v") or user.password_hash[-12:] != data.get("p"):
        raise AccountError(_l("This link is no longer valid. Please ask for a new one."))
    return user


def verify_email(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()


def set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # signs out every other session and remember-me cookie
    db.session.flush()


# --- residency -------------------------------------------------------------

def set_national_id(user: User, raw_id: str) -> None:
    if not national_id.is_valid(raw_id):
        raise AccountError(_l("This national ID number is not valid: check the 13 digits."))
    digest = national_id.keyed_hash(raw_id, current_app.config["ID_HASH_KEY"])
    owner = db.session.scalar(select(User).where(User.national_id_hash == digest))
    if owner is not None and owner.id != user.id:
        raise AccountError(_l("This national ID number is already linked to another account."))
    if user.national_id_hash != digest:
        user.national_id_hash = digest
        user.residency_verified_at = None  # a new number needs a new check
        user.residency_verified_by_id = None
    db.session.flush()


def verify_residency(official: User, resident: User, area: Area) -> None:
    from app.permissions import can_verify_resident

    if not can_verify_resident(official, area):
        raise AccountError(_l("You are not an official of this area."))
    if resident.province_code != area.province_code:
        raise AccountError(_l("This person does not live in this area."))
    if resident.national_id_hash is None:
        raise AccountError(_l("This person has not added a national ID number yet."))
    resident.residency_verified_at = utcnow()
    resident.residency_verified_by_id = official.id
    db.session.flush()
    record(official, "resident.verify", resident, area=area)


def revoke_residency(official: User, resident: User, area: Area) -> None:
    from app.permissions import can_verify_resident

    if not can_verify_resident(official, area):
        raise AccountError(_l("You are not an official of this area."))
    resident.residency_verified_at = None
    resident.residency_verified_by_id = None
    db.session.flush()
    record(official, "resident.unverify", resident, area=area)


# --- roles -----------------------------------------------------------------

AREA_ROLES = {Role.PROVINCIAL_OFFICIAL, Role.LG_OFFICER, Role.EVALUATOR}


def assign_role(actor: Optional[User], user: User, role: Role, area: Optional[Area]) -> RoleAssignment:
    from app.permissions import can_manage_roles

    if actor is not None and not can_manage_roles(actor):
        raise AccountError(_l("Only administrators can change roles."))
    if role in AREA_ROLES and area is None:
        raise AccountError(_l("This role needs an area."))
    if role is Role.ADMIN:
        area = None
    if role is Role.PROVINCIAL_OFFICIAL and area is not None and not area.is_province:
        raise AccountError(_l("A provincial official is assigned to a province."))
    if role is Role.LG_OFFICER and area is not None and area.is_province:
        raise AccountError(_l("A local government officer is assigned to a local government."))
    for existing in user.roles:
        if existing.role is role and existing.area_id == (area.id if area else None):
            raise AccountError(_l("This person already has this role here."))
    assignment = RoleAssignment(
        role=role, area_id=area.id if area else None, created_by_id=actor.id if actor else None
    )
    user.roles.append(assignment)
    db.session.flush()
    record(actor, "role.assign", user, area=area, details={"role": role.value})
    return assignment


def remove_role(actor: User, assignment: RoleAssignment) -> None:
    from app.permissions import can_manage_roles

    if not can_manage_roles(actor):
        raise AccountError(_l("Only administrators can change roles."))
    if assignment.role is Role.ADMIN and assignment.user_id == actor.id:
        raise AccountError(_l("You cannot remove your own administrator role."))
    area = assignment.area
    user = assignment.user
    db.session.delete(assignment)
    db.session.flush()
    record(actor, "role.remove", user, area=area, details={"role": assignment.role.value})
