"""Which subdistricts (ตำบล) a local government covers, as the registry decides it.

The DLA list we ship has one row per local government with its district and,
for about two thirds, its office's coordinates; GeoThai has the district's
subdistricts with codes and names but no coordinates. Neither says outright
which subdistricts an organisation covers, so `flask areas load` decides it
with these rules, district by district (the อบจ. and Bangkok cover their whole
province and get no rows):

1. **Name.** A local government whose name is a subdistrict's name in its
   district covers that subdistrict (อบต.สุเทพ and เทศบาลตำบลสุเทพ cover
   ตำบลสุเทพ). 7,298 of the 7,773 organisations are placed this way.
2. **Shared subdistrict.** When several organisations carry the same
   subdistrict's name (a เทศบาลตำบล that took part of a ตำบล, and the อบต.
   for the rest), each covers it: a resident's address is held to the
   subdistrict, not the village, so both see its residents and both count
   them as voters until an administrator gives the subdistrict to one.
3. **The town's subdistricts.** The subdistricts no organisation is named
   after go to the district's principal organisation among those whose name
   is no subdistrict's: the highest in rank (เมืองพัทยา, then เทศบาลนคร,
   เทศบาลเมือง, เทศบาลตำบล, อบต.; the lowest DLA code between equals).
   เทศบาลนครเชียงใหม่ so covers ศรีภูมิ, พระสิงห์, หายยา, ช้างม่อย, ช้างคลาน,
   วัดเกต and ป่าตัน, and not the subdistricts of the 10 other organisations
   of อำเภอเมืองเชียงใหม่.
4. **The office.** Any other organisation named after no subdistrict (often a
   เทศบาลตำบล named after a village or a market) covers the subdistrict its
   office lies in, taken as the subdistrict of the nearest office of an
   organisation placed by rule 1 in the same district. Without coordinates it
   covers nothing until an administrator says which.

A subdistrict that no rule gives to anyone stays uncovered: its residents are
seen and verified by the provincial officials only. `flask areas load`
prints how many such subdistricts and organisations remain, and an
administrator corrects any organisation on /admin/areas/<code>/subdistricts;
from then on the load leaves that organisation's subdistricts alone.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from geothai import normalize

# Rank of a type for rule 3 (lower is higher); the อบจ. are never placed by district.
RANK = {
    "special_admin_area": 0,
    "city_municipality": 1,
    "town_municipality": 2,
    "subdistrict_municipality": 3,
    "subdistrict_admin_org": 4,
}


@dataclass(frozen=True)
class LG:
    code: str
    lg_type: str  # an LGType value
    name_th: str  # without the type prefix, as in the DLA list
    district_code: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Sub:
    code: str
    name_th: str
    district_code: str


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    # Good enough inside one district: degrees of longitude shrink with the latitude.
    dy = a[0] - b[0]
    dx = (a[1] - b[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dx, dy)


def registry_coverage(lgs: Iterable[LG], subdistricts: Iterable[Sub]) -> dict[str, set[str]]:
    """The subdistrict codes each local government covers (by its DLA code), by the rules above.

    Every organisation given appears in the result, with an empty set when no rule places it.
    """
    subs_by_district: dict[str, list[Sub]] = defaultdict(list)
    for sub in subdistricts:
        subs_by_district[sub.district_code].append(sub)
    lgs_by_district: dict[str, list[LG]] = defaultdict(list)
    result: dict[str, set[str]] = {}
    for lg in lgs:
        result[lg.code] = set()
        lgs_by_district[lg.district_code].append(lg)

    for district, members in lgs_by_district.items():
        by_name = {normalize(s.name_th): s for s in subs_by_district.get(district, [])}
        named: list[tuple[LG, Sub]] = []
        unnamed: list[LG] = []
        for lg in members:
            sub = by_name.get(normalize(lg.name_th))
            if sub is not None:
                result[lg.code].add(sub.code)  # rules 1 and 2
                named.append((lg, sub))
            else:
                unnamed.append(lg)
        if not unnamed:
            continue
        unnamed.sort(key=lambda lg: (RANK.get(lg.lg_type, 9), lg.code))
        principal, others = unnamed[0], unnamed[1:]
        covered = {sub.code for _lg, sub in named}
        result[principal.code].update(
            s.code for s in subs_by_district.get(district, []) if s.code not in covered
        )  # rule 3
        offices = [((lg.lat, lg.lon), sub.code) for lg, sub in named if lg.lat is not None and lg.lon is not None]
        for lg in others:  # rule 4
            if lg.lat is None or lg.lon is None or not offices:
                continue
            here = (lg.lat, lg.lon)
            result[lg.code].add(min(offices, key=lambda office: _distance(here, office[0]))[1])
        if not result[principal.code] and principal.lat is not None and principal.lon is not None and offices:
            # A principal whose district had nothing left over is placed by its office too.
            here = (principal.lat, principal.lon)
            result[principal.code].add(min(offices, key=lambda office: _distance(here, office[0]))[1])
    return result
