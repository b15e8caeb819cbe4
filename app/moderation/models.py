"""Reports of ideas and comments.

A report always names the idea (for a comment, the idea it is on), so that the
queue can be scoped to an official's areas through the idea's current area.
One person reports an item once: a partial unique index for ideas (comment_id
IS NULL) and a unique constraint for comments.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.engagement.models import Comment
from app.extensions import db
from app.ideas.models import Idea

NOTE_MAX = 500
REASON_MAX = 500
REPORT_THRESHOLD = 3  # distinct open reports that hide an item pending review


class ReportReason(enum.Enum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    NOT_RELEVANT = "not_relevant"
    PERSONAL_DATA = "personal_data"

    @property
    def label(self) -> str:
        return str(REASON_LABELS[self])


REASON_LABELS = {
    ReportReason.SPAM: _l("Spam or advertising"),
    ReportReason.OFFENSIVE: _l("Offensive or abusive"),
    ReportReason.NOT_RELEVANT: _l("Not relevant to this area"),
    ReportReason.PERSONAL_DATA: _l("Reveals personal data"),
}


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_id"),
        Index(
            "ux_reports_idea_reporter", "idea_id", "reporter_id", unique=True,
            sqlite_where=text("comment_id IS NULL"), postgresql_where=text("comment_id IS NULL"),
        ),
        # The queue and the header count read open reports per idea.
        Index("ix_reports_open", "resolved_at", "idea_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ReportReason] = mapped_column(
        Enum(ReportReason, name="report_reason", values_callable=_enum_values, validate_strings=True)
    )
    note: Mapped[Optional[str]] = mapped_column(String(NOTE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "hidden", "restored" or "deleted" (the author deleted the comment).
    resolution: Mapped[Optional[str]] = mapped_column(String(20))

    idea: Mapped[Idea] = relationship()
    comment: Mapped[Optional[Comment]] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])

    def __repr__(self) -> str:
        target = f"comment {self.comment_id}" if self.comment_id else f"idea {self.idea_id}"
        return f"<Report {self.id} {target} {self.reason.value}>"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
