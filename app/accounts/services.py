"""Account rules: registration, passwords, tokens, profile, residency and roles.

Services take the acting user as an argument, raise AccountError with a
translatable message, and flush; the route commits (or rolls back on an
AccountError). They never read the request, the session or current_user.
"""
from __future__ import annotations

import hashlib
import re
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import selectinload

from app.accounts import national_id
from app.accounts.models import ResidencyMethod, ResidencyState, Role, RoleAssignment, User
from app.areas.models import Area, Subdistrict
from app.audit.services import record
from app.core.timeutil import utcnow
from app.core.validators import strip_control_chars
from app.extensions import db
from app.notifications.services import notify, register_kind

_DEFAULT_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
_HASHERS: dict[tuple, PasswordHasher] = {}

from app.privacy.notice import current_notice  # noqa: E402  (the notice owns its version)

CONSENT_VERSION = current_notice().version
PASSWORD_MIN = 10
PASSWORD_MAX = 200
DISPLAY_NAME_MIN = 2
DISPLAY_NAME_MAX = 100
LOCALES = ("th", "en")

VERIFY_EMAIL = "verify-email"
RESET_PASSWORD = "reset-password"


class AccountError(Exception):
    """A rule about accounts was broken; the message is shown to the user."""


class UnknownAccount(AccountError):
    """No account has the email address given."""


class AreaCodeError(AccountError):
    """An area code typed for a role is missing, malformed, unknown or of the wrong kind."""


class WrongPassword(AccountError):
    """The current password given to confirm a change is not the person's."""


# --- input rules shared by forms, the CLI and other callers ------------------

def normalise_email(email: str) -> str:
    """Lower-case, trimmed, with an internationalised domain in its ASCII form.

    The same address typed as name@ตัวอย่าง.ไทย or name@xn--...  finds the same account.
    """
    email = (email or "").strip()
    try:
        return validate_email(email, check_deliverability=False, allow_smtputf8=False).ascii_email.lower()
    except (EmailNotValidError, UnicodeError, ValueError):
        return email.lower()


def check_email(email: str) -> str:
    """The normalised address, or AccountError if it is not one we can write to."""
    email = (email or "").strip()
    if not email or len(email) > 254:
        raise AccountError(_l("Enter an email address like name@example.com."))
    try:
        result = validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except (EmailNotValidError, UnicodeError, ValueError) as error:
        raise AccountError(_l("Enter an email address like name@example.com.")) from error
    return result.ascii_email.lower()


def check_password_rules(password: str) -> None:
    if not isinstance(password, str) or not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise AccountError(
            _l("The password must have between %(min)d and %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX)
        )


def check_display_name(name: str) -> str:
    name = (name or "").strip()
    if not DISPLAY_NAME_MIN <= len(name) <= DISPLAY_NAME_MAX:
        raise AccountError(
            _l("The display name must have between %(min)d and %(max)d characters.", min=DISPLAY_NAME_MIN, max=DISPLAY_NAME_MAX)
        )
    if strip_control_chars(name) != name or any(c in name for c in "\t\r\n"):
        raise AccountError(_l("The display name contains characters that are not allowed."))
    return name


# --- passwords ---------------------------------------------------------------

def _hasher() -> PasswordHasher:
    """Argon2id; PASSWORD_HASH_PARAMS (e.g. cheap ones for the test suite) may override the cost."""
    params = current_app.config.get("PASSWORD_HASH_PARAMS") if has_app_context() else None
    if not params:
        return _DEFAULT_HASHER
    key = tuple(sorted(params.items()))
    if key not in _HASHERS:
        _HASHERS[key] = PasswordHasher(**params)
    return _HASHERS[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """True if `password` is the user's; upgrades an outdated hash in place (the caller commits)."""
    if not user.password_hash:  # an account without a password (ThaID, LINE): the same time spent all the same
        _hasher().hash(password or "")
        return False
    try:
        ok = _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return ok


def get_user_by_email(email: str) -> Optional[User]:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _province(code: str | None) -> Area:
    from app.areas.services import get_province

    province = get_province(code) if code else None
    if province is None:
        raise AccountError(_l("Choose the province where you live."))
    return province


# --- registration and sign-in ------------------------------------------------

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
    """Register a person. The consent to the personal data notice and its date are stored."""
    if not consent:
        raise AccountError(_l("You must accept the personal data notice to register."))
    email = check_email(email)
    check_password_rules(password)
    display_name = check_display_name(display_name)
    _province(province_code)
    if get_user_by_email(email) is not None:
        raise AccountError(_l("An account with this email already exists."))
    now = utcnow()
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name,
        province_code=province_code,
        locale=locale if locale in LOCALES else None,
        consent_at=now,
        consent_version=CONSENT_VERSION,
        email_verified_at=now if email_verified else None,
    )
    db.session.add(user)
    db.session.flush()
    from app.privacy.consents import record_registration

    record_registration(user)
    db.session.flush()
    return user


def register(
    email: str, password: str, display_name: str, province_code: str, *, consent: bool, locale: str | None = None,
) -> tuple[User, bool]:
    """Registration as the page sees it: (the account, whether it was created now).

    An address that already has an account is not an error the page may show (that would tell anyone
    which addresses have accounts): every other check is made as for a new account, the password is
    hashed all the same (the same time spent), and the existing account is returned with False so
    that the caller tells its owner by email instead.
    """
    if not consent:
        raise AccountError(_l("You must accept the personal data notice to register."))
    normalised = check_email(email)
    check_password_rules(password)
    check_display_name(display_name)
    _province(province_code)
    existing = get_user_by_email(normalised)
    if existing is not None:
        hash_password(password)
        return existing, False
    return create_user(email, password, display_name, province_code, consent=consent, locale=locale), True


def create_admin(email: str, password: str, display_name: str) -> User:
    """Create the first administrator, or make an existing account one (the CLI's `users create-admin`)."""
    user = get_user_by_email(email)
    if user is None:
        user = create_user(email, password, display_name, "10", consent=True, email_verified=True)
    if not user.is_admin:
        user.roles.append(RoleAssignment(role=Role.ADMIN, area_id=None))
        db.session.flush()
        record(None, "role.assign", user, details={"role": Role.ADMIN.value, "via": "cli"})
    return user


def authenticate(email: str, password: str) -> Optional[User]:
    user = get_user_by_email(email)
    if user is None or user.deleted_at is not None:
        _hasher().hash(password)  # spend the same time whether or not the account exists
        return None
    return user if check_password(user, password) else None


# --- signed tokens (email verification, password reset) -------------------

def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(user: User, purpose: str) -> str:
    """What must not have changed since the token was made.

    An email link is bound to the address it was sent to. A reset link is bound
    to the current password hash and session version, so that it works once:
    setting the new password changes both.
    """
    if purpose == RESET_PASSWORD:
        material = f"{user.password_hash}|{user.session_version}"
    else:
        material = user.email
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "f": _fingerprint(user, purpose)})


def read_token(token: str, purpose: str, max_age: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise AccountError(_l("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise AccountError(_l("This link is not valid. Please check that you copied all of it.")) from error
    uid = data.get("uid") if isinstance(data, dict) else None
    user = db.session.get(User, uid) if isinstance(uid, int) else None
    if user is None or user.deleted_at is not None or data.get("f") != _fingerprint(user, purpose):
        raise AccountError(_l("This link is no longer valid. Please ask for a new one."))
    return user


def verify_email(user: User) -> None:
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.flush()


# --- passwords: change and reset --------------------------------------------

def end_sessions(user: User) -> None:
    """End every session of `user`: each browser's session and remember-me cookie, and every copy of them.

    Both cookies carry `User.get_id()` ("<id>:<session_version>") and the user loader refuses a version
    that is not the current one, so bumping it ends them all on their next request.
    """
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def set_password(user: User, new_password: str) -> None:
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password)
    end_sessions(user)  # signs out every other session and remember-me cookie


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password(user, current_password or ""):
        raise WrongPassword(_l("Your current password is not correct."))
    if current_password == new_password:
        raise AccountError(_l("Choose a new password that is different from the current one."))
    set_password(user, new_password)


def user_for_password_reset(email: str) -> Optional[User]:
    """The account to send a reset link to, if there is one (the page never says)."""
    user = get_user_by_email(email)
    if user is None or user.deleted_at is not None:
        return None
    return user


def reset_password(token: str, new_password: str, max_age: int) -> User:
    user = read_token(token, RESET_PASSWORD, max_age)
    set_password(user, new_password)
    # Whoever could open the link reads this inbox: the address is confirmed.
    verify_email(user)
    return user


# --- profile -------------------------------------------------------------------

def subdistricts_of_province(province_code: str) -> list[Subdistrict]:
    """A province's subdistricts for the profile's picker: by district, each in Thai dictionary order."""
    from app.core.collation import thai_sort_key

    rows = db.session.scalars(
        select(Subdistrict)
        .where(Subdistrict.province_code == province_code)
        .options(selectinload(Subdistrict.district))
    )
    return sorted(rows, key=lambda s: (thai_sort_key(s.district.name_th if s.district else ""), s.district_code,
                                       thai_sort_key(s.name_th), s.code))


def _forget_residency_check(user: User) -> None:
    user.residency_verified_at = None
    user.residency_verified_by_id = None
    user.residency_method = None
    user.residency_area_id = None


def update_profile(
    user: User,
    *,
    display_name: str,
    locale: str | None,
    email_notifications: bool,
    subdistrict_code: str | None,
) -> bool:
    """Save the profile. Returns True if a residency verification was withdrawn.

    The subdistrict must lie in the person's province. Moving to another
    subdistrict withdraws a residency verification: an official must check again.
    """
    display_name = check_display_name(display_name)
    if locale not in (None, "", *LOCALES):
        raise AccountError(_l("Choose Thai or English."))
    subdistrict_code = (subdistrict_code or "").strip() or None
    if subdistrict_code is not None:
        sub = db.session.get(Subdistrict, subdistrict_code)
        if sub is None or sub.province_code != user.province_code:
            raise AccountError(_l("Choose a subdistrict of your province."))
    withdrawn = False
    if subdistrict_code != user.subdistrict_code:
        withdrawn = user.residency_verified
        _forget_residency_check(user)
    user.display_name = display_name
    user.locale = locale or None
    user.email_notifications = bool(email_notifications)
    user.subdistrict_code = subdistrict_code
    db.session.flush()
    return withdrawn


def change_province(user: User, province_code: str) -> bool:
    """Move to another province: the subdistrict and any residency verification go.

    Returns True if a residency verification was withdrawn.
    """
    province = _province(province_code)
    if province.code == user.province_code:
        return False
    withdrawn = user.residency_verified
    user.province_code = province.code
    user.subdistrict_code = None
    _forget_residency_check(user)
    db.session.flush()
    return withdrawn


# --- residency -------------------------------------------------------------

def set_national_id(user: User, raw_id: str) -> None:
    """Link a 13-digit national ID to the account (only its keyed hash is kept)."""
    if not national_id.is_valid(raw_id or ""):
        raise AccountError(_l("This national ID number is not valid: check the 13 digits."))
    digest = national_id.keyed_hash(raw_id, current_app.config["ID_HASH_KEY"])
    owner = db.session.scalar(select(User).where(User.national_id_hash == digest))
    if owner is not None and owner.id != user.id:
        raise AccountError(_l("This national ID number is already linked to another account."))
    if user.national_id_hash != digest:
        user.national_id_hash = digest
        _forget_residency_check(user)  # a new number needs a new check
        user.identity_proven_at = None  # what ThaID proved was the other number
        user.identity_provider = None
    db.session.flush()


def lives_in(user: User, area: Area) -> bool:
    """Does the person live in the area (its province, or the local government's subdistricts)?"""
    from app.areas.services import subdistrict_in_area

    if user.province_code != area.province_code:
        return False
    if area.is_province:
        return True
    return user.subdistrict_code is not None and subdistrict_in_area(area, user.subdistrict_code)


# The resident is told, in the app and by email in their own language, when an official
# verifies their residency or withdraws it (not when they change their own subdistrict
# or ID number: they did that themselves and the profile page says so).
register_kind(
    "residency.verified",
    _l("An official of %(area)s verified that you live in %(subdistrict)s. You can now vote in the budgets of where you live."),
    email_subject=_l("Your residency is verified"),
)
register_kind(
    "residency.withdrawn",
    _l("An official of %(area)s withdrew the verification of your residency. You cannot vote until you are verified again: check your subdistrict and national ID number on your profile, or contact the office."),
    email_subject=_l("The verification of your residency was withdrawn"),
)


def _place_names(obj: Area | Subdistrict) -> dict[str, str]:
    """Thai and English names with the word for the level (ตำบล/แขวง, จังหวัด), as a notification shows them."""
    en = obj.name_en or obj.name_th
    if isinstance(obj, Subdistrict):
        return {"th": ("แขวง" if obj.province_code == "10" else "ตำบล") + obj.name_th, "en": f"{en} subdistrict"}
    if obj.is_province:
        return {"th": ("" if obj.code == "10" else "จังหวัด") + obj.name_th, "en": f"{en} province"}
    return {"th": obj.name_th, "en": en}


def _tell_resident(official: User, resident: User, area: Area, kind: str) -> None:
    # A provincial official may verify someone who gave no subdistrict: the place is then the province.
    place = resident.subdistrict if resident.subdistrict is not None else area
    notify([resident], kind, params={"area": _place_names(area), "subdistrict": _place_names(place)},
           link="/profile", actor=official, about_account=True)


def verify_residency(official: User, resident: User, area: Area) -> None:
    from app.permissions import can_verify_resident

    if not can_verify_resident(official, area):
        raise AccountError(_l("You are not an official of this area."))
    if resident.id == official.id:
        raise AccountError(_l("Another official must verify your own residency."))
    if not lives_in(resident, area):
        raise AccountError(_l("This person does not live in this area."))
    if resident.national_id_hash is None:
        raise AccountError(_l("This person has not added a national ID number yet."))
    if resident.residency_verified:
        raise AccountError(_l("This person is already a verified resident."))
    resident.residency_verified_at = utcnow()
    resident.residency_verified_by_id = official.id
    resident.residency_method = ResidencyMethod.IN_PERSON
    resident.residency_area_id = area.id
    db.session.flush()
    record(official, "resident.verify", resident, area=area, details={"subdistrict": resident.subdistrict_code})
    _tell_resident(official, resident, area, "residency.verified")


def revoke_residency(official: User, resident: User, area: Area) -> None:
    from app.permissions import can_verify_resident

    if not can_verify_resident(official, area):
        raise AccountError(_l("You are not an official of this area."))
    if not lives_in(resident, area):
        raise AccountError(_l("This person does not live in this area."))
    if not resident.residency_verified:
        raise AccountError(_l("This person is not a verified resident."))
    _forget_residency_check(resident)
    db.session.flush()
    record(official, "resident.unverify", resident, area=area)
    _tell_resident(official, resident, area, "residency.withdrawn")


def residents_query(area: Area, query: str | None = None, state: ResidencyState | None = None) -> Select:
    """People who live in an area, for the officials' residents page (newest first)."""
    from app.areas.services import subdistricts_of

    stmt = select(User).where(User.province_code == area.province_code, User.deleted_at.is_(None))
    if not area.is_province:
        codes = [s.code for s in subdistricts_of(area)]
        stmt = stmt.where(User.subdistrict_code.in_(codes) if codes else false())
    query = (query or "").strip()
    if query:
        stmt = stmt.where(or_(User.display_name.icontains(query, autoescape=True),
                              User.email.icontains(query, autoescape=True)))
    if state is ResidencyState.VERIFIED:
        stmt = stmt.where(User.residency_verified_at.is_not(None))
    elif state is ResidencyState.WAITING:
        stmt = stmt.where(User.national_id_hash.is_not(None), User.residency_verified_at.is_(None))
    elif state is ResidencyState.NO_ID:
        stmt = stmt.where(User.national_id_hash.is_(None))
    return stmt.order_by(User.created_at.desc(), User.id.desc())


# --- roles -----------------------------------------------------------------

AREA_ROLES = {Role.PROVINCIAL_OFFICIAL, Role.LG_OFFICER, Role.EVALUATOR}
_AREA_CODE = re.compile(r"^(\d{2}|\d{7})$")


def resolve_role_area(role: Role, code: str | None) -> Optional[Area]:
    """The area a role is assigned to, from the code an administrator typed ("50", "3500102")."""
    from app.areas.services import get_area_by_code

    code = (code or "").strip()
    if role is Role.ADMIN:
        if code:
            raise AreaCodeError(_l("An administrator acts nationally: leave the area empty."))
        return None
    if not code:
        if role is Role.PROVINCIAL_OFFICIAL:
            raise AreaCodeError(_l("Enter the 2-digit code of the province, e.g. 50."))
        if role is Role.LG_OFFICER:
            raise AreaCodeError(_l("Enter the 7-digit code of the local government, e.g. 3500102."))
        raise AreaCodeError(_l("Enter the code of a province or a local government, e.g. 50 or 3500102."))
    if not _AREA_CODE.match(code) or not code.isascii():
        raise AreaCodeError(_l("An area code has 2 digits (a province) or 7 digits (a local government)."))
    area = get_area_by_code(code)
    if area is None:
        raise AreaCodeError(_l("No province or local government has the code %(code)s.", code=code))
    if role is Role.PROVINCIAL_OFFICIAL and not area.is_province:
        raise AreaCodeError(_l("A provincial official is assigned to a province (2 digits, e.g. 50)."))
    if role is Role.LG_OFFICER and area.is_province:
        raise AreaCodeError(_l("A local government officer is assigned to a local government (7 digits, e.g. 3500102)."))
    return area


def assign_role(actor: Optional[User], user: User, role: Role, area: Optional[Area]) -> RoleAssignment:
    """Give `user` a role in `area` (actor None: the command line or the demo loader)."""
    from app.permissions import can_manage_roles

    if actor is not None and not can_manage_roles(actor):
        raise AccountError(_l("Only administrators can change roles."))
    if user.deleted_at is not None:
        raise AccountError(_l("This account has been deleted."))
    if role in AREA_ROLES and area is None:
        raise AccountError(_l("This role needs an area."))
    if role is Role.ADMIN:
        area = None
    if role is Role.PROVINCIAL_OFFICIAL and area is not None and not area.is_province:
        raise AccountError(_l("A provincial official is assigned to a province (2 digits, e.g. 50)."))
    if role is Role.LG_OFFICER and area is not None and area.is_province:
        raise AccountError(_l("A local government officer is assigned to a local government (7 digits, e.g. 3500102)."))
    for existing in user.roles:
        if existing.role is role and existing.area_id == (area.id if area else None):
            raise AccountError(_l("This person already has this role here."))
    assignment = RoleAssignment(
        role=role, area_id=area.id if area else None, created_by_id=actor.id if actor else None
    )
    assignment.area = area
    user.roles.append(assignment)
    db.session.flush()
    details = {"role": role.value}
    if area is not None:
        details["area"] = area.code
    record(actor, "role.assign", user, area=area, details=details)
    return assignment


def assign_role_by_email(actor: User, email: str, role: Role, area_code: str | None) -> RoleAssignment:
    """The admin page's form: find the person by email and the area by its code."""
    from app.permissions import can_manage_roles

    if not can_manage_roles(actor):
        raise AccountError(_l("Only administrators can change roles."))
    user = get_user_by_email(email)
    if user is None:
        raise UnknownAccount(_l("No account has this email address. The person must register first."))
    area = resolve_role_area(role, area_code)
    return assign_role(actor, user, role, area)


def remove_role(actor: User, assignment: RoleAssignment) -> None:
    from app.permissions import can_manage_roles

    if not can_manage_roles(actor):
        raise AccountError(_l("Only administrators can change roles."))
    if assignment.role is Role.ADMIN and assignment.user_id == actor.id:
        raise AccountError(_l("You cannot remove your own administrator role."))
    area = assignment.area
    user = assignment.user
    role = assignment.role
    user.roles.remove(assignment)
    db.session.flush()
    details = {"role": role.value}
    if area is not None:
        details["area"] = area.code
    record(actor, "role.remove", user, area=area, details=details)


def role_assignments_query(role: Role | None = None, area: Area | None = None) -> Select:
    """Role assignments for the admin page; an area filter on a province includes its local governments."""
    stmt = select(RoleAssignment).join(RoleAssignment.user).options(
        selectinload(RoleAssignment.user), selectinload(RoleAssignment.area)
    )
    if role is not None:
        stmt = stmt.where(RoleAssignment.role == role)
    if area is not None:
        if area.is_province:
            stmt = stmt.where(
                RoleAssignment.area_id.in_(select(Area.id).where(or_(Area.id == area.id, Area.parent_id == area.id)))
            )
        else:
            stmt = stmt.where(RoleAssignment.area_id == area.id)
    return stmt.order_by(RoleAssignment.created_at.desc(), RoleAssignment.id.desc())
