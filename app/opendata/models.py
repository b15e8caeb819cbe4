"""Precomputed public statistics: one row per scope (the country, or an area), refreshed by a job."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class StatisticsSnapshot(db.Model):
    """The figures of one scope as app.opendata.statistics computed them at `computed_at`."""

    __tablename__ = "opendata_statistics"

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)  # "TH" or an area code
    area_id: Mapped[Optional[int]] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    ideas: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # for ordering the area list

    def __repr__(self) -> str:
        return f"<StatisticsSnapshot {self.scope} {self.computed_at:%Y-%m-%d %H:%M}>"
