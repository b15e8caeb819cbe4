"""Records the PDPA asks for: each consent decision, and each time an official opens a person's data.

Both tables are append-only logs. A consent row stays after the person deletes
their account (it points at the erased account, which no longer holds any
personal data): it is the proof that the consent was given and withdrawn.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area, _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class ConsentAction(enum.Enum):
    GIVEN = "given"
    DECLINED = "declined"  # asked after a change of the notice, and said no
    WITHDRAWN = "withdrawn"


class Consent(db.Model):
    """One decision of one person about one consent purpose, under one notice version."""

    __tablename__ = "privacy_consents"
    __table_args__ = (Index("ix_privacy_consents_user_purpose", "user_id", "purpose", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(40))  # "privacy_notice", "email_notifications"
    version: Mapped[str] = mapped_column(String(20))
    action: Mapped[ConsentAction] = mapped_column(
        Enum(ConsentAction, name="consent_action", values_callable=_enum_values, validate_strings=True)
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Consent {self.user_id} {self.purpose} {self.version} {self.action.value}>"


class OfficialAccess(db.Model):
    """An official opened a person's personal data on a page of the site."""

    __tablename__ = "privacy_access_log"
    __table_args__ = (
        Index("ix_privacy_access_subject", "subject_id", "at"),
        Index("ix_privacy_access_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    official_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    page: Mapped[str] = mapped_column(String(40))  # a key of app.privacy.access.PAGES
    area_id: Mapped[Optional[int]] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))

    official: Mapped[Optional[User]] = relationship(foreign_keys=[official_id])
    subject: Mapped[User] = relationship(foreign_keys=[subject_id])
    area: Mapped[Optional[Area]] = relationship()

    def __repr__(self) -> str:
        return f"<OfficialAccess {self.official_id} -> {self.subject_id} {self.page}>"
