"""The area registry.

An *area* is where ideas, proposals and budgeting cycles live: a province or
one local government. Districts and subdistricts are reference data used to
place things inside an area and to decide where a resident lives.

A local government covers some subdistricts (ตำบล) of its district, held in
`lg_subdistricts` (filled by `flask areas load`, corrected by an administrator:
see app/areas/coverage.py for how the registry's assignment is decided). A
province, a provincial administrative organisation (อบจ.) and Bangkok cover
their whole province and have no rows there.
"""
from __future__ import annotations

import enum
from typing import Optional

from datetime import datetime

from sqlalchemy import Column, DateTime, Enum, Float, ForeignKey, Index, Integer, String, Table, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.collation import thai_sort_key
from app.extensions import db

# The Thai dictionary sort key of a name (app/core/collation.py). Compared by code point in
# both databases: SQLite does so by default, PostgreSQL with the "C" collation.
SORT_KEY_TYPE = String(450).with_variant(String(450, collation="C"), "postgresql")


class AreaKind(enum.Enum):
    PROVINCE = "province"
    LOCAL_GOVERNMENT = "local_government"


class LGType(enum.Enum):
    """Kinds of local administrative organisation (อปท.)."""

    PROVINCIAL_ADMIN_ORG = "provincial_admin_org"  # อบจ.
    CITY_MUNICIPALITY = "city_municipality"  # เทศบาลนคร
    TOWN_MUNICIPALITY = "town_municipality"  # เทศบาลเมือง
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality"  # เทศบาลตำบล
    SUBDISTRICT_ADMIN_ORG = "subdistrict_admin_org"  # อบต.
    SPECIAL_ADMIN_AREA = "special_admin_area"  # เมืองพัทยา, กรุงเทพมหานคร


def _enum_values(enum_cls: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_cls]


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (
        Index("ix_areas_province_kind", "province_code", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[AreaKind] = mapped_column(
        Enum(AreaKind, name="area_kind", values_callable=_enum_values, validate_strings=True)
    )
    # DOPA 2-digit province code, or 7-digit DLA code for a local government.
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # ORDER BY sort_th lists names as a Thai dictionary does; kept in step with name_th below.
    sort_th: Mapped[str] = mapped_column(SORT_KEY_TYPE, default="", server_default="", index=True)
    province_code: Mapped[str] = mapped_column(String(2))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("areas.id"), index=True)
    lg_type: Mapped[Optional[LGType]] = mapped_column(
        Enum(LGType, name="lg_type", values_callable=_enum_values, validate_strings=True)
    )
    district_code: Mapped[Optional[str]] = mapped_column(String(4))
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    area_km2: Mapped[Optional[float]] = mapped_column(Float)
    # Set when an administrator chose this local government's subdistricts by hand:
    # `flask areas load` then leaves them as they are.
    subdistricts_edited_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    parent: Mapped[Optional["Area"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Area {self.code} {self.name_th}>"

    @property
    def is_province(self) -> bool:
        return self.kind is AreaKind.PROVINCE

    @property
    def province(self) -> "Area":
        """The province an area lies in (itself for a province)."""
        if self.is_province or self.parent is None:
            return self
        return self.parent

    def name(self, locale: str = "th") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_th

    def title(self, locale: str = "th") -> str:
        """The area as a sentence names it: in Thai a province is จังหวัดเชียงใหม่ ("เจ้าหน้าที่ของ
        จังหวัดเชียงใหม่จะตอบ", not "…ของเชียงใหม่…"), except Bangkok, which is no จังหวัด; a local
        government's name is already whole. English keeps the plain name ("Officials of Chiang Mai")."""
        if locale != "en" and self.is_province and self.code != "10" and not self.name_th.startswith("จังหวัด"):
            return f"จังหวัด{self.name_th}"
        return self.name(locale)


class District(db.Model):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"<District {self.code} {self.name_th}>"

    def name(self, locale: str = "th") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_th


class Subdistrict(db.Model):
    __tablename__ = "subdistricts"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[Optional[str]] = mapped_column(String(5))

    district: Mapped[District] = relationship()

    def __repr__(self) -> str:
        return f"<Subdistrict {self.code} {self.name_th}>"

    def name(self, locale: str = "th") -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_th


# Which subdistricts each local government covers (see the module docstring).
lg_subdistricts = Table(
    "lg_subdistricts",
    db.metadata,
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
    Column("subdistrict_code", ForeignKey("subdistricts.code"), primary_key=True, index=True),
)


@event.listens_for(Area, "before_insert")
@event.listens_for(Area, "before_update")
def _fill_sort_key(mapper, connection, area: Area) -> None:
    area.sort_th = thai_sort_key(area.name_th)
