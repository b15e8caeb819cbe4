"""Users and their area-scoped roles."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area, Subdistrict, _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class Role(enum.Enum):
    ADMIN = "admin"  # national administrator, no area
    PROVINCIAL_OFFICIAL = "provincial_official"  # a province and its local governments
    LG_OFFICER = "lg_officer"  # one local government
    EVALUATOR = "evaluator"  # assesses proposals of one area


class ResidencyState(enum.Enum):
    """Where a person stands on the way to voting: no ID yet, waiting for an official, verified."""

    NO_ID = "no_id"
    WAITING = "waiting"
    VERIFIED = "verified"


class ResidencyMethod(enum.Enum):
    """How a residency was verified (each verification records one)."""

    IN_PERSON = "in_person"  # an official saw the ID card
    THAID = "thaid"  # the DOPA digital ID gave the address
    RESIDENT_LIST = "resident_list"  # the person matched a row of the area's resident list


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Read through `display_name`, which names an erased account "Deleted account" in the reader's language.
    stored_name: Mapped[str] = mapped_column("display_name", String(100))
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    # Where the person lives: a province, optionally narrowed to a subdistrict.
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    subdistrict_code: Mapped[Optional[str]] = mapped_column(ForeignKey("subdistricts.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(20), server_default="2569-1")
    email_notifications: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    # Keyed hash (HMAC-SHA256 with ID_HASH_KEY) of the 13-digit national ID; never the ID itself.
    national_id_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    residency_verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    residency_verified_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # How and for which area the residency was verified (with the date above and, in person, the official).
    residency_method: Mapped[Optional[ResidencyMethod]] = mapped_column(
        Enum(ResidencyMethod, name="residency_method", values_callable=_enum_values, validate_strings=True,
             native_enum=False, length=20)
    )
    residency_area_id: Mapped[Optional[int]] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    # Who proved the person's identity (the provider's name, "thaid") and when: the national ID came from it.
    identity_proven_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    identity_provider: Mapped[Optional[str]] = mapped_column(String(40))
    is_blocked: Mapped[bool] = mapped_column(Boolean, server_default=false(), default=False)
    blocked_reason: Mapped[Optional[str]] = mapped_column(String(500))
    # Bumped on password change so that old sessions and remember-me cookies die.
    session_version: Mapped[int] = mapped_column(Integer, server_default="1", default=1)
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    subdistrict: Mapped[Optional[Subdistrict]] = relationship()
    residency_area: Mapped[Optional[Area]] = relationship(foreign_keys=[residency_area_id])
    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", foreign_keys="RoleAssignment.user_id", cascade="all, delete-orphan"
    )
    identities: Mapped[list["LinkedIdentity"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="LinkedIdentity.linked_at"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @hybrid_property
    def display_name(self) -> str:
        if self.deleted_at is not None:
            from app.privacy.labels import DELETED_ACCOUNT

            return DELETED_ACCOUNT
        return self.stored_name

    @display_name.inplace.setter
    def _display_name_setter(self, value: str) -> None:
        self.stored_name = value

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls):
        return cls.stored_name

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login: deleted accounts cannot sign in
        return self.deleted_at is None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_password(self) -> bool:
        """False for an account created by a sign-in with ThaID or LINE, until its owner chooses one."""
        return bool(self.password_hash)

    @property
    def residency_verified(self) -> bool:
        return self.residency_verified_at is not None

    @property
    def residency_state(self) -> ResidencyState:
        if self.residency_verified_at is not None:
            return ResidencyState.VERIFIED
        if self.national_id_hash is not None:
            return ResidencyState.WAITING
        return ResidencyState.NO_ID

    def has_role(self, role: Role) -> bool:
        return any(r.role is role for r in self.roles)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_official(self) -> bool:
        return any(r.role in (Role.ADMIN, Role.PROVINCIAL_OFFICIAL, Role.LG_OFFICER) for r in self.roles)


class RoleAssignment(db.Model):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "area_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", values_callable=_enum_values, validate_strings=True)
    )
    area_id: Mapped[Optional[int]] = mapped_column(ForeignKey("areas.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
    area: Mapped[Optional[Area]] = relationship()

    def __repr__(self) -> str:
        return f"<RoleAssignment {self.user_id} {self.role.value} {self.area_id}>"


class ResidentList(db.Model):
    """An area's list of eligible residents, as uploaded by an official (one current list an area).

    Only keyed hashes of (national ID, date of birth) are kept, each with its subdistrict:
    no national ID, name or house number (app/accounts/resident_list.py).
    """

    __tablename__ = "resident_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), unique=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    row_count: Mapped[int] = mapped_column(Integer, default=0)

    area: Mapped[Area] = relationship()

    def __repr__(self) -> str:
        return f"<ResidentList {self.id} area={self.area_id} rows={self.row_count}>"


class ResidentListEntry(db.Model):
    __tablename__ = "resident_list_entries"

    list_id: Mapped[int] = mapped_column(ForeignKey("resident_lists.id", ondelete="CASCADE"), primary_key=True)
    # HMAC-SHA256 of "national ID:date of birth (ISO)" with a key derived from ID_HASH_KEY.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    subdistrict_code: Mapped[str] = mapped_column(String(6))

    def __repr__(self) -> str:
        return f"<ResidentListEntry list={self.list_id}>"


class LinkedIdentity(db.Model):
    """An account at an OpenID Connect provider (ThaID, LINE, ...) that signs the person in.

    Only the provider's name and its stable subject identifier are kept, never its tokens.
    """

    __tablename__ = "linked_identities"
    __table_args__ = (UniqueConstraint("provider", "subject"), UniqueConstraint("user_id", "provider"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="identities")

    def __repr__(self) -> str:
        return f"<LinkedIdentity {self.provider} user={self.user_id}>"
