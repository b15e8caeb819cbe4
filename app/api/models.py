"""API keys: who may ask the open API for more than the per-address rate limit.

The API is public without a key; a key only gives its holder (a harvester, a
university, a newsroom) its own, higher limit. Only a SHA-256 hash of each key
is stored: the key itself is shown once, when it is made. A key is random
(256 bits), so a plain hash is enough; no password hashing is needed to slow
guessing. A revoked key is kept, for the audit log.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # whose key it is, and what for
    prefix: Mapped[str] = mapped_column(String(16))  # the key's first characters, to tell keys apart in lists
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.prefix}… {self.name!r}>"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
