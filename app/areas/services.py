"""Reading and loading the area registry."""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select

from app.areas.models import Area, AreaKind, District, LGType, Subdistrict
from app.extensions import db

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"
DLA_CSV = DATA_DIR / "local_governments_dla.csv"

# Bangkok (BMA) is governed by its own act and is not in the DLA list. It gets
# a code of the same 7-digit shape with the type digit 1, which DLA does not use.
BMA_CODE = "1100000"

LG_TYPE_PREFIX_TH = {
    LGType.PROVINCIAL_ADMIN_ORG: "องค์การบริหารส่วนจังหวัด",
    LGType.CITY_MUNICIPALITY: "เทศบาลนคร",
    LGType.TOWN_MUNICIPALITY: "เทศบาลเมือง",
    LGType.SUBDISTRICT_MUNICIPALITY: "เทศบาลตำบล",
    LGType.SUBDISTRICT_ADMIN_ORG: "องค์การบริหารส่วนตำบล",
    LGType.SPECIAL_ADMIN_AREA: "",
}


def list_provinces(query: str | None = None, locale: str = "th") -> list[Area]:
    """Provinces matching a Thai or English name (or the code), sorted by name in `locale`."""
    stmt = select(Area).where(Area.kind == AreaKind.PROVINCE)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Area.name_th.ilike(like), Area.name_en.ilike(like), Area.code == query.strip()))
    provinces = list(db.session.scalars(stmt))
    return sorted(provinces, key=lambda p: p.name_en.lower() if locale == "en" else p.name_th)


def get_province(code: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.kind == AreaKind.PROVINCE, Area.code == code))


def get_local_government(code: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.kind == AreaKind.LOCAL_GOVERNMENT, Area.code == code))


def get_area_by_code(code: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.code == code))


def local_governments_of(province: Area, query: str | None = None) -> list[Area]:
    stmt = select(Area).where(Area.parent_id == province.id)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Area.name_th.ilike(like), Area.name_en.ilike(like), Area.code == query.strip()))
    order = {t: i for i, t in enumerate(LGType)}  # the enum's order: อบจ. first, special last
    return sorted(db.session.scalars(stmt), key=lambda a: (order.get(a.lg_type, 99), a.name_th))


def subdistricts_of(area: Area) -> list[Subdistrict]:
    """Subdistricts inside an area: the whole province for a province or its อบจ.,
    otherwise the subdistricts of the local government's district."""
    stmt = select(Subdistrict)
    if area.is_province or area.lg_type in (LGType.PROVINCIAL_ADMIN_ORG, None) or not area.district_code:
        stmt = stmt.where(Subdistrict.province_code == area.province_code)
    else:
        stmt = stmt.where(Subdistrict.district_code == area.district_code)
    return list(db.session.scalars(stmt.order_by(Subdistrict.code)))


def subdistrict_in_area(area: Area, code: str) -> bool:
    return any(s.code == code for s in subdistricts_of(area))


def lg_full_name_th(lg_type: LGType, name_th: str) -> str:
    prefix = LG_TYPE_PREFIX_TH[lg_type]
    if not prefix or name_th.startswith(prefix):
        return name_th
    return f"{prefix}{name_th}"


@dataclass
class LoadReport:
    provinces: int = 0
    districts: int = 0
    subdistricts: int = 0
    local_governments: int = 0
    created: int = 0
    updated: int = 0


def _dla_rows() -> Iterator[dict[str, str]]:
    with DLA_CSV.open(encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def load_registry(progress: Callable[[str, int], None] | None = None) -> LoadReport:
    """Load or update provinces, districts, subdistricts (geothai) and the 7,850 local governments.

    Idempotent: rows are matched on their official codes and updated in place.
    `progress(stage, n)` is called as rows are processed (for a progress bar).
    """
    import geothai

    report = LoadReport()
    tick = progress or (lambda stage, n: None)
    existing_areas = {a.code: a for a in db.session.scalars(select(Area))}
    existing_districts = {d.code: d for d in db.session.scalars(select(District))}
    existing_subs = {s.code: s for s in db.session.scalars(select(Subdistrict))}

    def upsert(cache: dict, model, code: str, values: dict):
        obj = cache.get(code)
        if obj is None:
            obj = model(code=code, **values)
            db.session.add(obj)
            cache[code] = obj
            report.created += 1
            return obj
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        report.updated += int(changed)
        return obj

    provinces: dict[str, Area] = {}
    for p in geothai.provinces():
        provinces[p.code] = upsert(
            existing_areas, Area, p.code,
            {"kind": AreaKind.PROVINCE, "name_th": p.name_th, "name_en": p.name_en,
             "province_code": p.code, "parent_id": None, "lg_type": None},
        )
        report.provinces += 1
        for d in geothai.districts(p.code):
            upsert(existing_districts, District, d.code,
                   {"province_code": p.code, "name_th": d.name_th, "name_en": d.name_en})
            report.districts += 1
            for s in geothai.subdistricts(d.code):
                upsert(existing_subs, Subdistrict, s.code,
                       {"district_code": d.code, "province_code": p.code, "name_th": s.name_th,
                        "name_en": s.name_en, "postal_code": (s.postal_codes or (None,))[0]})
                report.subdistricts += 1
        tick("provinces", 1)
    db.session.flush()

    rows = list(_dla_rows())
    rows.append({
        "dla_code": BMA_CODE, "type": LGType.SPECIAL_ADMIN_AREA.value, "name_th": "กรุงเทพมหานคร",
        "province_code": "10", "district_code_dopa": "", "lat": "13.7563", "lon": "100.5018", "area_km2": "1568.737",
        "name_en": "Bangkok Metropolitan Administration",
    })
    for row in rows:
        lg_type = LGType(row["type"])
        upsert(existing_areas, Area, row["dla_code"], {
            "kind": AreaKind.LOCAL_GOVERNMENT,
            "name_th": lg_full_name_th(lg_type, row["name_th"]), "name_en": row["name_en"],
            "province_code": row["province_code"], "parent_id": provinces[row["province_code"]].id,
            "lg_type": lg_type, "district_code": row["district_code_dopa"] or None,
            "lat": _float(row["lat"]), "lon": _float(row["lon"]), "area_km2": _float(row["area_km2"]),
        })
        report.local_governments += 1
        tick("local_governments", 1)
    db.session.flush()
    return report
