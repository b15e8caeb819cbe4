"""Ideas residents submit to a province or a local government, their photos and search index.

The triage columns (status, answer, merged_into...) are written by the
triage services, the moderation columns (hidden_at, pending_review) by
moderation, and the counters (support_count, comment_count) by engagement;
this package only displays them.

Search uses an inverted index kept in two tables (`idea_search_terms`, one row
per distinct word of an idea, and `idea_search_vocabulary`, every word ever
indexed) because neither PostgreSQL's nor SQLite's full-text search segments
Thai. The same B-tree queries run on both databases; see app/ideas/search.py.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Enum, Float, ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area, Subdistrict, _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User


class IdeaCategory(enum.Enum):
    INFRASTRUCTURE = "infrastructure"
    WATER = "water"
    ENVIRONMENT = "environment"
    HEALTH = "health"
    EDUCATION = "education"
    SAFETY = "safety"
    ECONOMY_JOBS = "economy_jobs"
    CULTURE_TOURISM = "culture_tourism"
    SOCIAL_WELFARE = "social_welfare"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(CATEGORY_LABELS[self])


CATEGORY_LABELS = {
    IdeaCategory.INFRASTRUCTURE: _l("Roads and infrastructure"),
    IdeaCategory.WATER: _l("Water"),
    IdeaCategory.ENVIRONMENT: _l("Environment"),
    IdeaCategory.HEALTH: _l("Health"),
    IdeaCategory.EDUCATION: _l("Education"),
    IdeaCategory.SAFETY: _l("Safety"),
    IdeaCategory.ECONOMY_JOBS: _l("Economy and jobs"),
    IdeaCategory.CULTURE_TOURISM: _l("Culture and tourism"),
    IdeaCategory.SOCIAL_WELFARE: _l("Social welfare"),
    IdeaCategory.OTHER: _l("Other"),
}


class IdeaStatus(enum.Enum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    MERGED = "merged"
    REFERRED = "referred"
    NOT_POSSIBLE = "not_possible"
    ALREADY_DONE = "already_done"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    IdeaStatus.RECEIVED: _l("Received"),
    IdeaStatus.UNDER_REVIEW: _l("Under review"),
    IdeaStatus.ACCEPTED: _l("Accepted"),
    IdeaStatus.MERGED: _l("Merged into another idea"),
    IdeaStatus.REFERRED: _l("Referred to another area"),
    IdeaStatus.NOT_POSSIBLE: _l("Not possible"),
    IdeaStatus.ALREADY_DONE: _l("Already done"),
}


class Idea(db.Model):
    __tablename__ = "ideas"
    # One index per list query (area + sort key + id for keyset pagination),
    # so that a page costs the same at page 1 and page 10,000.
    __table_args__ = (
        Index("ix_ideas_area_created", "area_id", "created_at", "id"),
        Index("ix_ideas_area_supports", "area_id", "support_count", "id"),
        Index("ix_ideas_area_comments", "area_id", "comment_count", "id"),
        Index("ix_ideas_area_answered", "area_id", "status_changed_at", "id"),
        # Counts by status read this index only (visibility columns included).
        Index("ix_ideas_area_status", "area_id", "status", "pending_review", "hidden_at"),
        # One idea per submitted form (app.core.submissions): a retried submit finds the first.
        UniqueConstraint("author_id", "submission_token"),
        Index("ix_ideas_area_category", "area_id", "category", "created_at", "id"),
        Index("ix_ideas_area_subdistrict", "area_id", "subdistrict_code", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))  # indexed by the composites below
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[IdeaCategory] = mapped_column(
        Enum(IdeaCategory, name="idea_category", values_callable=_enum_values, validate_strings=True)
    )
    subdistrict_code: Mapped[Optional[str]] = mapped_column(ForeignKey("subdistricts.code"))
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)

    # Triage (written by the triage services).
    status: Mapped[IdeaStatus] = mapped_column(
        Enum(IdeaStatus, name="idea_status", values_callable=_enum_values, validate_strings=True),
        default=IdeaStatus.RECEIVED, server_default=IdeaStatus.RECEIVED.value,
    )
    status_changed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    first_answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ideas.id"))

    # Author and moderation.
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    hidden_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[Optional[str]] = mapped_column(String(500))
    pending_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # Denormalised counters (kept by the engagement services).
    support_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The one-time token of the form that created the idea (app.core.submissions); None for older ideas.
    submission_token: Mapped[Optional[str]] = mapped_column(String(64))

    area: Mapped[Area] = relationship()
    author: Mapped["User"] = relationship(foreign_keys=[author_id])
    subdistrict: Mapped[Optional[Subdistrict]] = relationship()
    merged_into: Mapped[Optional["Idea"]] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    photos: Mapped[list["IdeaPhoto"]] = relationship(
        back_populates="idea", cascade="all, delete-orphan", order_by="IdeaPhoto.id"
    )

    def __repr__(self) -> str:
        return f"<Idea {self.id} {self.title[:30]!r}>"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_publicly_visible(self) -> bool:
        """Shown to everyone: neither hidden by a moderator nor waiting for review after reports."""
        return self.hidden_at is None and not self.pending_review

    @property
    def can_be_edited(self) -> bool:
        """The author may edit until the first support or comment (and not once withdrawn)."""
        return self.support_count == 0 and self.comment_count == 0 and self.withdrawn_at is None

    def can_be_edited_by(self, user) -> bool:
        return getattr(user, "id", None) == self.author_id and self.can_be_edited

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for("ideas.show_idea", idea_id=self.id)


class IdeaPhoto(db.Model):
    __tablename__ = "idea_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship(back_populates="photos")

    def __repr__(self) -> str:
        return f"<IdeaPhoto {self.id} {self.filename}>"

    @property
    def url(self) -> str:
        from flask import url_for

        return url_for("media.serve", name=self.filename)


class IdeaSearchTerm(db.Model):
    """One distinct word of an idea (title or description): the inverted index.

    ix_..._term serves "the latest ideas containing this word" over all ideas
    and ix_..._term_area the same within one area; both carry in_title so
    that a search reads the indexes only. The primary key (idea_id, term)
    serves re-indexing one idea.
    """

    __tablename__ = "idea_search_terms"
    __table_args__ = (
        PrimaryKeyConstraint("idea_id", "term"),
        Index("ix_idea_search_terms_term", "term", "idea_id", "in_title"),
        Index("ix_idea_search_terms_term_area", "term", "area_id", "idea_id", "in_title"),
    )

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(100))
    area_id: Mapped[int] = mapped_column(Integer)
    in_title: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<IdeaSearchTerm {self.term!r} {self.idea_id}>"


class IdeaSearchVocabulary(db.Model):
    """Every word ever indexed: the substring fallback looks for words containing the query here."""

    __tablename__ = "idea_search_vocabulary"
    # On PostgreSQL a trigram index (pg_trgm) serves the fallback's LIKE '%word%'; on SQLite the
    # postgresql_* options are ignored and this is a plain index (the table is small).
    __table_args__ = (
        Index("ix_idea_search_vocabulary_trgm", "term", postgresql_using="gin", postgresql_ops={"term": "gin_trgm_ops"}),
    )

    term: Mapped[str] = mapped_column(String(100), primary_key=True)

    def __repr__(self) -> str:
        return f"<IdeaSearchVocabulary {self.term!r}>"
