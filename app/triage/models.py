"""The public history of an idea's answers: one row per status change.

The idea itself (app.ideas.models.Idea) holds the current status, answer and
area; this table keeps every change so the idea page can show a dated
timeline, referrals keep their trail, and each area's response time can be
computed from the area that first answered.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Enum, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area, _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db
from app.ideas.models import IdeaStatus

if TYPE_CHECKING:  # pragma: no cover
    from app.ideas.models import Idea
    from app.proposals.models import Proposal


def _status_column(name: str, nullable: bool):
    # Stored as VARCHAR (not a native enum) so as not to share the ideas
    # migration's PostgreSQL type.
    return mapped_column(
        Enum(IdeaStatus, name=name, native_enum=False, length=20, values_callable=_enum_values,
             validate_strings=True),
        nullable=nullable,
    )


class IdeaStatusChange(db.Model):
    __tablename__ = "idea_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[Optional[IdeaStatus]] = _status_column("idea_change_from", True)
    to_status: Mapped[IdeaStatus] = _status_column("idea_change_to", False)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The area that held the idea when it changed, and for a referral the area it went to.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    to_area_id: Mapped[Optional[int]] = mapped_column(ForeignKey("areas.id"))
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ideas.id"))
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    supports_moved: Mapped[Optional[int]] = mapped_column(Integer)

    idea: Mapped["Idea"] = relationship(foreign_keys=[idea_id])
    actor: Mapped[Optional[User]] = relationship()
    area: Mapped[Area] = relationship(foreign_keys=[area_id])
    to_area: Mapped[Optional[Area]] = relationship(foreign_keys=[to_area_id])
    merged_into: Mapped[Optional["Idea"]] = relationship(foreign_keys=[merged_into_id])
    proposal: Mapped[Optional["Proposal"]] = relationship()

    def __repr__(self) -> str:
        return f"<IdeaStatusChange {self.idea_id} -> {self.to_status.value}>"
