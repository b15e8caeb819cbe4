"""One notification for one person: a kind, its parameters and a link."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

if TYPE_CHECKING:
    from app.ideas.models import Idea


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        # The bell counts unread rows of one person; the page lists them newest first.
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    # Rendered at display time with the message registered for `kind`, so each
    # reader sees it in their own language.
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500))
    # The idea it is about, if any: its title is read from the idea when the notification is
    # shown (never stored), and only to a reader who may still see it (app.permissions.can_see_idea).
    idea_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[Optional[User]] = relationship(foreign_keys=[actor_id])
    idea: Mapped[Optional["Idea"]] = relationship("Idea")

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} to {self.user_id}>"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
