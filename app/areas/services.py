"""Reading and loading the area registry."""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import selectinload

from app.areas.coverage import LG, Sub, registry_coverage
from app.areas.models import Area, AreaKind, District, LGType, Subdistrict, lg_subdistricts
from app.areas.search import area_filter
from app.core.collation import thai_sort_key
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
    """Provinces matching what a person typed (app/areas/search.py), sorted by name in `locale`:
    in Thai as a Thai dictionary does (the sort_th key), in English alphabetically."""
    stmt = select(Area).where(Area.kind == AreaKind.PROVINCE)
    if query and query.strip():
        stmt = stmt.where(area_filter(query))
    return list(db.session.scalars(stmt.order_by(*_name_order(locale))))


def _name_order(locale: str) -> tuple:
    return (func.lower(Area.name_en), Area.code) if locale == "en" else (Area.sort_th, Area.code)


LG_SEARCH_LIMIT = 50


def search_local_governments(query: str, locale: str = "th", limit: int = LG_SEARCH_LIMIT) -> list[Area]:
    """Local governments anywhere whose name (or abbreviation and name, or other name) matches."""
    if not query or not query.strip():
        return []
    stmt = select(Area).where(Area.kind == AreaKind.LOCAL_GOVERNMENT, area_filter(query))
    stmt = stmt.options(selectinload(Area.parent)).order_by(*_name_order(locale)).limit(limit)
    return list(db.session.scalars(stmt))


def get_province(code: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.kind == AreaKind.PROVINCE, Area.code == code))


def get_local_government(code: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.kind == AreaKind.LOCAL_GOVERNMENT, Area.code == code))


def get_area_by_code(code: str) -> Area | None:
    return db.session.scalar(select(Area).where(Area.code == code))


def local_governments_of(province: Area, query: str | None = None, locale: str = "th") -> list[Area]:
    """A province's local governments by kind (อบจ. first, special last), each kind by name in `locale`
    (Thai dictionary order in Thai)."""
    stmt = select(Area).where(Area.parent_id == province.id)
    if query and query.strip():
        stmt = stmt.where(area_filter(query))
    order = {t: i for i, t in enumerate(LGType)}  # the enum's order: อบจ. first, special last
    return sorted(db.session.scalars(stmt.order_by(*_name_order(locale))), key=lambda a: order.get(a.lg_type, 99))


def covers_whole_province(area: Any) -> bool:
    """A province, its อบจ. and Bangkok (and a local government without a district) cover the whole province."""
    return area.is_province or area.lg_type in (LGType.PROVINCIAL_ADMIN_ORG, None) or not area.district_code


def subdistrict_codes_of(area: Any) -> set[str] | None:
    """The codes of the subdistricts an area covers, or None when it covers its whole province.

    `area` is an Area or anything with its id, kind, lg_type and district_code (the
    voting path's snapshot). This and `area_covers` are the one rule for "lives in
    this local government": residents lists, verification, eligibility to vote,
    idea and budget subdistricts all ask it.
    """
    if covers_whole_province(area):
        return None
    return set(db.session.scalars(
        select(lg_subdistricts.c.subdistrict_code).where(lg_subdistricts.c.area_id == area.id)
    ))


def subdistricts_of(area: Any) -> list[Subdistrict]:
    """The subdistricts an area covers: the whole province for a province, its อบจ. or
    Bangkok; otherwise the local government's own (lg_subdistricts)."""
    stmt = select(Subdistrict)
    if covers_whole_province(area):
        stmt = stmt.where(Subdistrict.province_code == area.province_code)
    else:
        stmt = stmt.join(lg_subdistricts, lg_subdistricts.c.subdistrict_code == Subdistrict.code).where(
            lg_subdistricts.c.area_id == area.id
        )
    # In Thai dictionary order of their names (the pickers list them); the code breaks ties.
    rows = db.session.scalars(stmt.options(selectinload(Subdistrict.district)))
    return sorted(rows, key=lambda s: (thai_sort_key(s.name_th), s.code))


def area_covers(area: Any, code: str | None) -> bool:
    """Does the area cover the subdistrict `code`?"""
    if not code:
        return False
    if covers_whole_province(area):
        return code[:2] == area.province_code and db.session.get(Subdistrict, code) is not None
    return db.session.scalar(
        select(lg_subdistricts.c.area_id).where(
            lg_subdistricts.c.area_id == area.id, lg_subdistricts.c.subdistrict_code == code
        )
    ) is not None


def subdistrict_in_area(area: Area, code: str) -> bool:
    return area_covers(area, code)


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
    # Subdistricts that no local government covers, and local governments that cover none
    # (the อบจ. and Bangkok, which cover their province, are not counted).
    uncovered_subdistricts: int = 0
    lgs_without_subdistricts: int = 0


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
            {"kind": AreaKind.PROVINCE, "name_th": p.name_th, "name_en": p.name_en, "sort_th": thai_sort_key(p.name_th),
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
        name_th = lg_full_name_th(lg_type, row["name_th"])
        upsert(existing_areas, Area, row["dla_code"], {
            "kind": AreaKind.LOCAL_GOVERNMENT,
            "name_th": name_th, "name_en": row["name_en"], "sort_th": thai_sort_key(name_th),
            "province_code": row["province_code"], "parent_id": provinces[row["province_code"]].id,
            "lg_type": lg_type, "district_code": row["district_code_dopa"] or None,
            "lat": _float(row["lat"]), "lon": _float(row["lon"]), "area_km2": _float(row["area_km2"]),
        })
        report.local_governments += 1
        tick("local_governments", 1)
    db.session.flush()
    _load_coverage(rows, existing_areas, report)
    return report


def _load_coverage(rows: list[dict[str, str]], areas_by_code: dict[str, Area], report: LoadReport) -> None:
    """Fill lg_subdistricts by the rules of app/areas/coverage.py, leaving alone the
    local governments whose subdistricts an administrator chose."""
    subs = [Sub(s.code, s.name_th, s.district_code) for s in db.session.scalars(select(Subdistrict))]
    lgs = [
        LG(row["dla_code"], row["type"], row["name_th"], row["district_code_dopa"], _float(row["lat"]), _float(row["lon"]))
        for row in rows
        if row["type"] != LGType.PROVINCIAL_ADMIN_ORG.value and row["district_code_dopa"]
    ]
    wanted = registry_coverage(lgs, subs)
    current: dict[int, set[str]] = {}
    for area_id, code in db.session.execute(select(lg_subdistricts.c.area_id, lg_subdistricts.c.subdistrict_code)):
        current.setdefault(area_id, set()).add(code)
    add: list[dict] = []
    changed: list[int] = []
    for lg_code, codes in wanted.items():
        area = areas_by_code[lg_code]
        if area.subdistricts_edited_at is not None:
            codes = current.get(area.id, set())
        else:
            have = current.get(area.id, set())
            if have != codes:
                report.updated += 1
                changed.append(area.id)
                if have - codes:
                    db.session.execute(delete(lg_subdistricts).where(
                        lg_subdistricts.c.area_id == area.id, lg_subdistricts.c.subdistrict_code.in_(have - codes)
                    ))
                add.extend({"area_id": area.id, "subdistrict_code": c} for c in sorted(codes - have))
        current[area.id] = codes
        report.lgs_without_subdistricts += not codes
    if add:
        db.session.execute(insert(lg_subdistricts), add)
    if changed:
        _bump_cycles(*changed)
    covered = set().union(*current.values()) if current else set()
    report.uncovered_subdistricts = sum(1 for s in subs if s.code not in covered)
    db.session.flush()


# --- an administrator corrects a local government's subdistricts ------------------

class CoverageError(ValueError):
    """A correction of a local government's subdistricts that cannot be made (a translatable message)."""


def set_lg_subdistricts(admin: Any, lg: Area, codes: Iterable[str]) -> bool:
    """An administrator sets the subdistricts a local government covers. Returns True if anything changed.

    The subdistricts must lie in the local government's province. The change is audited,
    and `flask areas load` keeps it from then on. The cycles of the local government are
    bumped so that voting eligibility follows at once in every worker.
    """
    from flask_babel import lazy_gettext as _l

    from app.audit.services import record
    from app.core.timeutil import utcnow
    from app.permissions import can_manage_areas

    if not can_manage_areas(admin):
        raise CoverageError(_l("Only an administrator can change which subdistricts a local government covers."))
    if lg.kind is not AreaKind.LOCAL_GOVERNMENT or covers_whole_province(lg):
        raise CoverageError(_l("This area covers its whole province; its subdistricts cannot be chosen."))
    wanted = {c.strip() for c in codes if c and c.strip()}
    if len(wanted) > 2000 or any(not (len(c) == 6 and c.isascii() and c.isdigit()) for c in wanted):
        raise CoverageError(_l("Choose subdistricts of %(province)s only.", province=lg.province.name_th))
    if wanted:
        found = set(db.session.scalars(
            select(Subdistrict.code).where(Subdistrict.code.in_(wanted), Subdistrict.province_code == lg.province_code)
        ))
        if found != wanted:
            raise CoverageError(_l("Choose subdistricts of %(province)s only.", province=lg.province.name_th))
    if wanted == (subdistrict_codes_of(lg) or set()) and lg.subdistricts_edited_at is not None:
        return False
    added, removed = _replace_coverage(lg, wanted)
    lg.subdistricts_edited_at = utcnow()
    db.session.flush()
    record(admin, "area.subdistricts", lg, area=lg, details={"added": sorted(added), "removed": sorted(removed)})
    return True


def _bump_cycles(*area_ids: int) -> None:
    # The vote path caches an area's subdistricts per cycle config_version (app/cycles/voting.py).
    from app.cycles.models import Cycle

    for start in range(0, len(area_ids), 500):
        db.session.execute(
            update(Cycle).where(Cycle.area_id.in_(area_ids[start:start + 500]))
            .values(config_version=Cycle.config_version + 1),
            execution_options={"synchronize_session": False},
        )


def _registry_codes_for(lg: Area) -> set[str]:
    """The subdistricts the registry's rules give `lg` (its district's DLA rows decide)."""
    rows = [r for r in _dla_rows() if r["district_code_dopa"] == lg.district_code and r["type"] != LGType.PROVINCIAL_ADMIN_ORG.value]
    lgs = [LG(r["dla_code"], r["type"], r["name_th"], r["district_code_dopa"], _float(r["lat"]), _float(r["lon"])) for r in rows]
    subs = [Sub(s.code, s.name_th, s.district_code) for s in db.session.scalars(
        select(Subdistrict).where(Subdistrict.district_code == lg.district_code)
    )]
    return registry_coverage(lgs, subs).get(lg.code, set())


def _replace_coverage(lg: Area, wanted: set[str]) -> tuple[set[str], set[str]]:
    have = subdistrict_codes_of(lg) or set()
    if have - wanted:
        db.session.execute(delete(lg_subdistricts).where(
            lg_subdistricts.c.area_id == lg.id, lg_subdistricts.c.subdistrict_code.in_(have - wanted)
        ))
    if wanted - have:
        db.session.execute(insert(lg_subdistricts), [{"area_id": lg.id, "subdistrict_code": c} for c in sorted(wanted - have)])
    if have != wanted:
        _bump_cycles(lg.id)
    return wanted - have, have - wanted


def restore_registry_subdistricts(admin: Any, lg: Area) -> bool:
    """Undo an administrator's choice: the registry's rules decide again (now and at each load)."""
    from flask_babel import lazy_gettext as _l

    from app.audit.services import record
    from app.permissions import can_manage_areas

    if not can_manage_areas(admin):
        raise CoverageError(_l("Only an administrator can change which subdistricts a local government covers."))
    if lg.kind is not AreaKind.LOCAL_GOVERNMENT or covers_whole_province(lg):
        raise CoverageError(_l("This area covers its whole province; its subdistricts cannot be chosen."))
    added, removed = _replace_coverage(lg, _registry_codes_for(lg))
    was_edited = lg.subdistricts_edited_at is not None
    lg.subdistricts_edited_at = None
    db.session.flush()
    if not (added or removed or was_edited):
        return False
    record(admin, "area.subdistricts", lg, area=lg, details={
        "added": sorted(added), "removed": sorted(removed), "restored": True,
    })
    return True


def province_subdistricts_for_choice(lg: Area) -> list[tuple[District, list[Subdistrict]]]:
    """The subdistricts of the local government's province by district, its own district first."""
    districts = {d.code: d for d in db.session.scalars(select(District).where(District.province_code == lg.province_code))}
    groups: dict[str, list[Subdistrict]] = {}
    subs = db.session.scalars(select(Subdistrict).where(Subdistrict.province_code == lg.province_code))
    for sub in sorted(subs, key=lambda s: (thai_sort_key(s.name_th), s.code)):
        groups.setdefault(sub.district_code, []).append(sub)
    order = sorted(groups, key=lambda code: (
        code != lg.district_code, thai_sort_key(districts[code].name_th) if code in districts else "", code))
    return [(districts[code], groups[code]) for code in order if code in districts]


def other_coverers(lg: Area) -> dict[str, list[Area]]:
    """For each subdistrict of the province, the other local governments that cover it."""
    rows = db.session.execute(
        select(lg_subdistricts.c.subdistrict_code, Area)
        .join(Area, Area.id == lg_subdistricts.c.area_id)
        .where(Area.province_code == lg.province_code, Area.id != lg.id)
        .order_by(Area.code)
    )
    found: dict[str, list[Area]] = {}
    for code, area in rows:
        found.setdefault(code, []).append(area)
    return found
