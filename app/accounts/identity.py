"""What a verified sign-in with an OpenID Connect provider does to accounts (issue 14.1).

- A provider identity (provider, subject) that is linked to an account signs that account in.
- A new one links to the account that is signed in, or, for a person who is not signed in,
  creates an account. It never links by email alone: a person whose email already has an account
  proves it is theirs first (its password, or a new one chosen through the reset email), and only
  then is the identity linked.
- A provider that proves identity (ThaID, or another configured the same way) must send a national
  ID with a valid check digit: only its keyed hash is kept (as a national ID typed on the profile),
  never on two accounts, and the account records that its identity was proven, by whom and when.
  Where its address names a subdistrict of the registry, that subdistrict becomes the person's
  residence, verified at once (method "thaid"). LINE proves an account only, never residency.

Services take plain values, raise IdentityError with a translatable message, and flush; the routes commit.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Optional

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts import national_id
from app.accounts.models import LinkedIdentity, ResidencyMethod, User
from app.accounts.oidc import Claims, Provider
from app.areas.models import Subdistrict
from app.audit.services import record
from app.core.timeutil import utcnow
from app.extensions import db

DISPLAY_NAME_CLAIMS = ("name", "given_name")
PENDING_MAX_SECONDS = 15 * 60  # a proof waiting for the person to finish or prove their account


class IdentityError(Exception):
    """The provider's answer cannot be used for this account; the message is shown to the person."""


class NationalIdTaken(IdentityError):
    """The provider's national ID is on another account (`owner_id`): refused, and worth an audit entry."""

    def __init__(self, message, owner_id: int):
        super().__init__(message)
        self.owner_id = owner_id


@dataclass
class Proof:
    """What a verified sign-in proved, in the form the site keeps (never the national ID itself)."""

    provider: str
    provider_label: str
    subject: str
    proves_identity: bool
    national_id_hash: Optional[str] = None
    subdistrict_code: Optional[str] = None
    province_code: Optional[str] = None
    email: Optional[str] = None
    email_verified: bool = False
    suggested_name: str = ""
    at: float = 0.0

    def to_session(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_session(cls, data: Any) -> Optional["Proof"]:
        if not isinstance(data, dict):
            return None
        try:
            proof = cls(**data)
        except TypeError:
            return None
        if utcnow().timestamp() - proof.at > PENDING_MAX_SECONDS:
            return None
        return proof


def read_claims(claims: Claims) -> Proof:
    """The proof in a provider's verified claims; IdentityError if an identity provider's claims cannot prove one."""
    provider: Provider = claims.provider
    values = claims.values
    proof = Proof(provider=provider.name, provider_label=provider.label, subject=claims.subject,
                  proves_identity=provider.proves_identity, at=utcnow().timestamp())
    email = values.get("email")
    if isinstance(email, str) and 3 <= len(email) <= 254:
        from app.accounts.services import normalise_email

        proof.email = normalise_email(email)
        proof.email_verified = values.get("email_verified") is True
    proof.suggested_name = _suggested_name(values)
    if not provider.proves_identity:
        return proof
    raw = values.get(provider.pid_claim)
    if raw is None or raw == "":
        raise IdentityError(_l(
            "%(provider)s did not send your national ID number, so your identity could not be verified and nothing "
            "was saved. Start again and allow %(provider)s to share your national ID number (pid) with Ruamkhit.",
            provider=provider.label))
    if not isinstance(raw, (str, int)) or not national_id.is_valid(str(raw)):
        raise IdentityError(_l(
            "The national ID number that %(provider)s sent is not valid (its check digit is wrong), so nothing was "
            "saved. Please contact %(provider)s, or sign in with your email and password.", provider=provider.label))
    proof.national_id_hash = national_id.keyed_hash(str(raw), current_app.config["ID_HASH_KEY"])
    subdistrict = subdistrict_of_address(values.get("address")) if provider.verifies_residency else None
    if subdistrict is not None:
        proof.subdistrict_code = subdistrict.code
        proof.province_code = subdistrict.province_code
    return proof


def _suggested_name(values: dict[str, Any]) -> str:
    given, family = values.get("given_name"), values.get("family_name")
    if isinstance(given, str) and given.strip():
        name = f"{given.strip()} {family.strip()}" if isinstance(family, str) and family.strip() else given.strip()
    elif isinstance(values.get("name"), str):
        name = values["name"].strip()
    else:
        name = ""
    return name[:100]


# --- addresses ---------------------------------------------------------------------

_PARTS = {
    "subdistrict": re.compile(r"(?:ตำบล|แขวง|ต\.)\s*([^\s,]+)"),
    "district": re.compile(r"(?:อำเภอ|เขต|อ\.)\s*([^\s,]+)"),
    "province": re.compile(r"(?:จังหวัด|จ\.)\s*([^\s,]+)"),
}
_POSTAL = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_BANGKOK = re.compile(r"กรุงเทพ(?:มหานคร|ฯ)?|กทม\.?")


def _address_parts(address: Any) -> dict[str, str]:
    """Subdistrict, district, province and postal code from an address claim (an object or a text)."""
    parts: dict[str, str] = {}
    if isinstance(address, dict):
        for key, names in {"subdistrict": ("subdistrict", "sub_district", "tambon"),
                           "district": ("district", "amphoe"),
                           "province": ("province",),
                           "postal_code": ("postal_code", "postcode")}.items():
            value = next((address[n] for n in names if isinstance(address.get(n), str) and address[n].strip()), None)
            if value:
                parts[key] = value.strip()
        text = " ".join(str(address.get(k) or "") for k in ("formatted", "street_address", "locality", "region",
                                                            "postal_code") if isinstance(address.get(k), str))
        if not parts.get("province") and isinstance(address.get("region"), str) and address["region"].strip():
            parts["province"] = address["region"].strip()
    elif isinstance(address, str):
        text = address
    else:
        return parts
    text = text[:1000]
    for key, pattern in _PARTS.items():
        found = pattern.search(text)
        if found and key not in parts:
            parts[key] = found.group(1)
    if "province" not in parts and _BANGKOK.search(text):
        parts["province"] = "กรุงเทพมหานคร"
    postal = _POSTAL.findall(text)
    if postal and "postal_code" not in parts:
        parts["postal_code"] = postal[-1]
    return parts


def subdistrict_of_address(address: Any) -> Optional[Subdistrict]:
    """The registry's subdistrict that the address names, if it names exactly one; None otherwise."""
    import geothai

    parts = _address_parts(address)
    if not parts.get("subdistrict"):
        return None
    try:
        matches = geothai.match(parts["subdistrict"], district=parts.get("district", ""),
                                province=parts.get("province", ""), postal_code=parts.get("postal_code", ""))
    except (ValueError, TypeError):
        return None
    if len(matches) != 1:
        return None
    return db.session.get(Subdistrict, matches[0].subdistrict.code)


# --- accounts ------------------------------------------------------------------------

def linked_account(proof: Proof) -> Optional[User]:
    """The live account the provider identity is linked to, if any."""
    link = db.session.scalar(select(LinkedIdentity).where(
        LinkedIdentity.provider == proof.provider, LinkedIdentity.subject == proof.subject))
    if link is None or link.user.deleted_at is not None:
        return None
    return link.user


def check_proof_for(user: Optional[User], proof: Proof) -> None:
    """IdentityError if the proof cannot go on `user` (None: a new account): its national ID is another's."""
    if proof.national_id_hash is None:
        return
    owner = db.session.scalar(select(User).where(User.national_id_hash == proof.national_id_hash))
    if owner is not None and (user is None or owner.id != user.id):
        raise NationalIdTaken(_l(
            "Your national ID number is already linked to another Ruamkhit account, so %(provider)s was not linked "
            "and nothing was saved. Sign in to that account with its email and password (or choose a new password "
            "with \"Forgot your password?\") and use %(provider)s there. If that account is not yours, contact the "
            "office of your local government.", provider=proof.provider_label), owner.id)


def record_refusal(error: NationalIdTaken, proof: Proof, actor: Optional[User]) -> None:
    """Audit, on the account that holds the number, that a sign-in tried to use it (officials may look into it).

    Called after the refused attempt was rolled back; the caller commits.
    """
    owner = db.session.get(User, error.owner_id)
    if owner is not None:
        record(actor, "account.identity_refused", owner, details={"provider": proof.provider_label})
        db.session.flush()


def sign_in(user: User, proof: Proof) -> None:
    """A linked identity signed its account in: what it proves now is applied (a move the registry knows, say)."""
    check_proof_for(user, proof)
    link = next(i for i in user.identities if i.provider == proof.provider)
    link.last_sign_in_at = utcnow()
    _apply(user, proof)
    db.session.flush()


def link(user: User, proof: Proof) -> LinkedIdentity:
    """Link the identity to `user`, who proved the account is theirs (signed in with it)."""
    if user.deleted_at is not None:
        raise IdentityError(_l("This account has been deleted."))
    existing = linked_account(proof)
    if existing is not None and existing.id != user.id:
        raise IdentityError(_l(
            "This %(provider)s account is already linked to another Ruamkhit account. Sign out and sign in with "
            "%(provider)s to use that account.", provider=proof.provider_label))
    other = next((i for i in user.identities if i.provider == proof.provider and i.subject != proof.subject), None)
    if other is not None:
        raise IdentityError(_l(
            "Your account is already linked to another %(provider)s account.", provider=proof.provider_label))
    check_proof_for(user, proof)
    identity = next((i for i in user.identities if i.provider == proof.provider), None)
    now = utcnow()
    if identity is None:
        identity = LinkedIdentity(provider=proof.provider, subject=proof.subject, linked_at=now)
        user.identities.append(identity)
        db.session.flush()
        record(user, "account.identity_link", user, details={"provider": proof.provider_label})
    identity.last_sign_in_at = now
    _apply(user, proof)
    db.session.flush()
    return identity


def create_account(
    proof: Proof, *, email: str, display_name: str, province_code: str, consent: bool, locale: Optional[str],
) -> User:
    """A first sign-in with a provider: a new account, linked to it (AccountError for bad input).

    The account has no password; its owner may choose one with "Forgot your password?".
    The email is confirmed at once only if the provider vouched for this very address.
    """
    from app.accounts import services

    check_proof_for(None, proof)
    if linked_account(proof) is not None:
        raise IdentityError(_l("This %(provider)s account is already linked to an account: sign in with it.",
                               provider=proof.provider_label))
    email_verified = bool(proof.email_verified and proof.email and services.normalise_email(email) == proof.email)
    province_code = proof.province_code or province_code
    user = services.create_user(email, secrets.token_urlsafe(32), display_name, province_code, consent=consent,
                                locale=locale, email_verified=email_verified)
    user.password_hash = ""  # no password matches an empty hash: the profile offers to choose one by email
    link(user, proof)
    return user


def _apply(user: User, proof: Proof) -> None:
    """Record what an identity provider proved: the national ID's hash, the proven identity, the residence."""
    if not proof.proves_identity or proof.national_id_hash is None:
        return
    from app.accounts.services import _forget_residency_check
    from app.areas.services import get_province

    now = utcnow()
    if user.national_id_hash != proof.national_id_hash:
        user.national_id_hash = proof.national_id_hash
        _forget_residency_check(user)  # a check of another number is not a check of this one
    user.identity_proven_at = now
    user.identity_provider = proof.provider
    if proof.subdistrict_code is None:
        return
    moved = proof.subdistrict_code != user.subdistrict_code
    if moved or user.residency_method is not ResidencyMethod.THAID or not user.residency_verified:
        user.province_code = proof.province_code or user.province_code
        user.subdistrict_code = proof.subdistrict_code
        province = get_province(user.province_code)
        user.residency_verified_at = now
        user.residency_verified_by_id = None
        user.residency_method = ResidencyMethod.THAID
        user.residency_area_id = province.id if province is not None else None
        db.session.flush()
        record(user, "resident.identity_verify", user,
               details={"provider": proof.provider_label, "subdistrict": proof.subdistrict_code})


def identity_summary(user: User) -> Optional[tuple[str, datetime]]:
    """(the provider's label, the date) when a provider proved the person's identity; None otherwise."""
    if user.identity_proven_at is None or not user.identity_provider:
        return None
    from app.accounts.oidc import get_provider

    provider = get_provider(user.identity_provider)
    return (provider.label if provider else user.identity_provider, user.identity_proven_at)
