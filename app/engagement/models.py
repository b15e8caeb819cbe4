"""Supports, comments and follows.

A support and a follow are unique per person (a unique constraint, so that two
concurrent requests cannot create two). Idea.support_count and
Idea.comment_count are denormalised counters kept by app.engagement.services.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db
from app.ideas.models import Idea

COMMENT_MAX = 2000
EDIT_WINDOW = timedelta(minutes=15)


class Support(db.Model):
    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Support idea={self.idea_id} user={self.user_id}>"


class IdeaFollow(db.Model):
    __tablename__ = "idea_follows"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<IdeaFollow idea={self.idea_id} user={self.user_id}>"


class AreaFollow(db.Model):
    __tablename__ = "area_follows"
    __table_args__ = (UniqueConstraint("area_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AreaFollow area={self.area_id} user={self.user_id}>"


class Comment(db.Model):
    """A comment on an idea, or a reply to one (one level: a reply's parent is never a reply)."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_idea_created", "idea_id", "created_at", "id"),
        # One comment per submitted form (app.core.submissions): a retried submit finds the first.
        UniqueConstraint("author_id", "submission_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)  # plain text, at most COMMENT_MAX characters
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Deleted by its author: the body is erased and "deleted" is shown in its place.
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Hidden by a moderator, with a reason shown publicly in place of the body.
    hidden_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[Optional[str]] = mapped_column(String(500))
    hidden_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # Hidden automatically after enough reports, until a moderator decides.
    pending_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The one-time token of the form that posted the comment (app.core.submissions).
    submission_token: Mapped[Optional[str]] = mapped_column(String(64))

    idea: Mapped[Idea] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    parent: Mapped[Optional["Comment"]] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list["Comment"]] = relationship(
        back_populates="parent", order_by="Comment.id", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Comment {self.id} idea={self.idea_id}>"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_publicly_visible(self) -> bool:
        """Its body is shown to everyone (not deleted, hidden or waiting for review)."""
        return self.deleted_at is None and self.hidden_at is None and not self.pending_review

    @property
    def counts(self) -> bool:
        """Counted in Idea.comment_count: exactly the comments whose body everyone can read."""
        return self.is_publicly_visible

    def editable_until(self) -> datetime:
        return self.created_at + EDIT_WINDOW

    def can_be_edited_by(self, user, now: datetime | None = None) -> bool:
        return (
            getattr(user, "id", None) == self.author_id
            and self.deleted_at is None
            and self.hidden_at is None
            and not self.pending_review
            and (now or utcnow()) < self.editable_until()
        )

    def can_be_deleted_by(self, user) -> bool:
        return getattr(user, "id", None) == self.author_id and self.deleted_at is None
