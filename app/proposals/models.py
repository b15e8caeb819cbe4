"""Proposals (โครงการที่เสนอ), their ideas, budget years, transitions and assessments.

Money is whole baht in BigInteger columns. Fiscal years are Buddhist-Era
years (ปีงบประมาณ 2569). A proposal belongs to one area (a province or one
local government) and may serve one plan item of that area's plans.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Enum,
    ForeignKey,
    Index,
    JSON,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area, Subdistrict, _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

if TYPE_CHECKING:  # pragma: no cover
    from app.ideas.models import Idea
    from app.plans.models import PlanItem

# A cap on any amount of money typed into a proposal: one trillion baht is far
# above any Thai provincial or local budget, so anything larger is a typo.
MAX_BAHT = 10**12


class ProposalState(enum.Enum):
    DRAFT = "draft"
    UNDER_ASSESSMENT = "under_assessment"
    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"
    SHORTLISTED = "shortlisted"
    SELECTED = "selected"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Recommendation(enum.Enum):
    """An evaluator's overall recommendation."""

    FEASIBLE = "feasible"
    NOT_FEASIBLE = "not_feasible"


proposal_ideas = Table(
    "proposal_ideas",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True),
)

proposal_subdistricts = Table(
    "proposal_subdistricts",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("subdistrict_code", ForeignKey("subdistricts.code"), primary_key=True),
)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_area_state", "area_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))  # indexed with state below
    title: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text)
    target_output: Mapped[str] = mapped_column(Text)
    location_text: Mapped[Optional[str]] = mapped_column(String(300))
    estimated_cost: Mapped[int] = mapped_column(BigInteger)
    # Set when an assessment's revised estimate is accepted; then it is the final cost.
    revised_cost: Mapped[Optional[int]] = mapped_column(BigInteger)
    responsible_unit: Mapped[str] = mapped_column(String(200))
    kpi: Mapped[str] = mapped_column(Text)
    expected_result: Mapped[str] = mapped_column(Text)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    plan_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_items.id"), index=True)
    state: Mapped[ProposalState] = mapped_column(
        Enum(ProposalState, name="proposal_state", values_callable=_enum_values, validate_strings=True),
        default=ProposalState.DRAFT,
        server_default=ProposalState.DRAFT.value,
    )
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    area: Mapped[Area] = relationship()
    created_by: Mapped[Optional[User]] = relationship()
    plan_item: Mapped[Optional["PlanItem"]] = relationship()
    ideas: Mapped[list["Idea"]] = relationship(secondary=proposal_ideas, order_by="Idea.id")
    subdistricts: Mapped[list[Subdistrict]] = relationship(
        secondary=proposal_subdistricts, order_by=Subdistrict.code
    )
    budget_years: Mapped[list["ProposalBudgetYear"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalBudgetYear.fiscal_year"
    )
    transitions: Mapped[list["ProposalTransition"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan",
        order_by="(ProposalTransition.at, ProposalTransition.id)",
    )
    assessments: Mapped[list["ProposalAssessment"]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalAssessment.id"
    )

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.state.value} {self.title[:30]!r}>"

    @property
    def final_cost(self) -> int:
        """The cost to budget: the accepted revised estimate, else the official's estimate."""
        return self.revised_cost if self.revised_cost is not None else self.estimated_cost

    @property
    def budget_by_year(self) -> dict[int, int]:
        return {b.fiscal_year: b.amount for b in self.budget_years}

    @property
    def is_public(self) -> bool:
        """Drafts are the officials' working copies; every later state is public."""
        return self.state is not ProposalState.DRAFT


class ProposalBudgetYear(db.Model):
    """The budget planned for one fiscal year (BE) of the plan's years."""

    __tablename__ = "proposal_budget_years"
    __table_args__ = (UniqueConstraint("proposal_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)

    proposal: Mapped[Proposal] = relationship(back_populates="budget_years")

    def __repr__(self) -> str:
        return f"<ProposalBudgetYear {self.proposal_id} {self.fiscal_year} {self.amount}>"


class ProposalTransition(db.Model):
    """One move of a proposal between states: who, when and why. Never updated."""

    __tablename__ = "proposal_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    # None for the creation of the proposal (as a draft).
    from_state: Mapped[Optional[ProposalState]] = mapped_column(
        Enum(ProposalState, name="proposal_transition_from", native_enum=False, length=20,
             values_callable=_enum_values, validate_strings=True)
    )
    to_state: Mapped[ProposalState] = mapped_column(
        Enum(ProposalState, name="proposal_transition_to", native_enum=False, length=20,
             values_callable=_enum_values, validate_strings=True)
    )
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When this move changed the proposal's cost (a revised estimate adopted or dropped), how the
    # yearly budgets followed: {"from_cost": int, "to_cost": int, "years": [[year, old, new], ...]}.
    budget_change: Mapped[Optional[dict]] = mapped_column(JSON)

    proposal: Mapped[Proposal] = relationship(back_populates="transitions")
    actor: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        frm = self.from_state.value if self.from_state else None
        return f"<ProposalTransition {self.proposal_id} {frm}->{self.to_state.value}>"


class ProposalAssessment(db.Model):
    """One evaluator's assignment to a proposal and, once submitted, their verdicts.

    The criteria and notes are internal (officials and evaluators of the
    area); the public sees the proposal's final decision and its reason.
    """

    __tablename__ = "proposal_assessments"
    __table_args__ = (UniqueConstraint("proposal_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # อำนาจหน้าที่: is the project within the legal authority of the body?
    legal_authority_ok: Mapped[Optional[bool]] = mapped_column(Boolean)
    technically_feasible: Mapped[Optional[bool]] = mapped_column(Boolean)
    cost_reasonable: Mapped[Optional[bool]] = mapped_column(Boolean)
    revised_cost: Mapped[Optional[int]] = mapped_column(BigInteger)
    recommendation: Mapped[Optional[Recommendation]] = mapped_column(
        Enum(Recommendation, name="assessment_recommendation", values_callable=_enum_values, validate_strings=True)
    )
    # A short reason fit for the public decision; the notes stay internal.
    summary: Mapped[Optional[str]] = mapped_column(Text)
    notes: Mapped[Optional[str]] = mapped_column(Text)

    proposal: Mapped[Proposal] = relationship(back_populates="assessments")
    evaluator: Mapped[User] = relationship(foreign_keys=[evaluator_id])
    assigned_by: Mapped[Optional[User]] = relationship(foreign_keys=[assigned_by_id])

    def __repr__(self) -> str:
        return f"<ProposalAssessment {self.proposal_id} by {self.evaluator_id}>"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
