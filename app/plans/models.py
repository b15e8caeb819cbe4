"""Plans: a province's annual action plan and a local government's development plan.

A plan is a three-level tree of items. A province's annual action plan
(แผนปฏิบัติราชการประจำปีของจังหวัด) covers one fiscal year and is organised as
development issues (ประเด็นการพัฒนา) → programmes (แผนงาน) → key projects
(โครงการสำคัญ). A local government's five-year development plan
(แผนพัฒนาท้องถิ่น) is organised as strategies (ยุทธศาสตร์) → tactics (กลยุทธ์)
→ programmes (แผนงาน). Proposals link to the plan item they serve.
Years are Buddhist-Era fiscal years.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area, _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

MAX_LEVEL = 3


class PlanKind(enum.Enum):
    PROVINCIAL_ACTION = "provincial_action"  # แผนปฏิบัติราชการประจำปีของจังหวัด, one fiscal year
    LOCAL_DEVELOPMENT = "local_development"  # แผนพัฒนาท้องถิ่น, five fiscal years

    @property
    def span(self) -> int:
        """How many fiscal years a plan of this kind covers."""
        return 1 if self is PlanKind.PROVINCIAL_ACTION else 5


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (
        # One annual plan per province and year; one development plan per local government and period.
        UniqueConstraint("area_id", "kind", "start_year"),
        CheckConstraint("end_year >= start_year", name="years_ordered"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[PlanKind] = mapped_column(
        Enum(PlanKind, name="plan_kind", values_callable=_enum_values, validate_strings=True)
    )
    title: Mapped[str] = mapped_column(String(300))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
    created_by: Mapped[Optional[User]] = relationship()
    items: Mapped[list["PlanItem"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanItem.position",
    )

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.kind.value} {self.start_year}-{self.end_year}>"

    @property
    def years(self) -> list[int]:
        """The plan's fiscal years (BE), in order."""
        return list(range(self.start_year, self.end_year + 1))

    @property
    def roots(self) -> list["PlanItem"]:
        """Level-1 items in order."""
        return [item for item in self.items if item.parent_id is None]


class PlanItem(db.Model):
    __tablename__ = "plan_items"
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        CheckConstraint("level >= 1 AND level <= 3", name="level_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_items.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    plan: Mapped[Plan] = relationship(back_populates="items")
    parent: Mapped[Optional["PlanItem"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["PlanItem"]] = relationship(
        back_populates="parent", order_by="PlanItem.position", cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<PlanItem {self.id} L{self.level} {self.code}>"

    @property
    def path(self) -> list["PlanItem"]:
        """Ancestors from the level-1 item down to the parent (the item itself excluded)."""
        chain: list[PlanItem] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def ancestor_at(self, level: int) -> Optional["PlanItem"]:
        """This item or its ancestor at `level` (None when the item sits above that level)."""
        if level == self.level:
            return self
        if level > self.level:
            return None
        return next((a for a in self.path if a.level == level), None)

    @property
    def root(self) -> "PlanItem":
        """The level-1 ancestor (ประเด็นการพัฒนา or ยุทธศาสตร์), or the item itself at level 1."""
        return self.ancestor_at(1) or self

    @property
    def leaf_ancestor(self) -> Optional["PlanItem"]:
        """The level-3 item (โครงการสำคัญ or แผนงาน) when this item is at level 3."""
        return self.ancestor_at(MAX_LEVEL)

    @property
    def area_id(self) -> int:
        return self.plan.area_id

    def label(self) -> str:
        return f"{self.code} {self.title}"
