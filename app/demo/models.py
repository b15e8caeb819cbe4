"""What the demo loader made, under a stable key of its own.

The demo is loaded again by every `make run`. Matching its objects by what a
person can change (an idea's area after a referral, a title after an edit)
made duplicates; each object the demo creates is remembered here instead, by
a key written in the demo's source, and never made again while the row is
there, whatever has happened to the object since (moved, edited, merged,
even deleted by an official).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class DemoObject(db.Model):
    __tablename__ = "demo_objects"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_demo_objects_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(300))
    object_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
