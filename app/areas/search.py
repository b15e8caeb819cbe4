"""Finding a province or local government by what people type.

People rarely type "องค์การบริหารส่วนตำบลช้างเผือก" or "นครราชสีมา": they type
"อบต.ช้างเผือก", "โคราช", "korat" or "กทม". A query is read as

- the abbreviation of a kind of local government followed by a name
  ("อบต.ช้างเผือก", "ทต. ช้างเผือก", "อบจ.เชียงใหม่"): that kind, with that name;
- another name of an area (data/province_aliases.csv: "โคราช" -> 30);
- a part of the Thai or English name (English without spaces or case:
  "chiangmai" finds Chiang Mai), or the code.

`area_filter` turns a query into one SQL condition, used by the province list,
a province's list of local governments and the nationwide search alike.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import ColumnElement, and_, false, func, or_

from app.areas.models import Area, LGType

ALIASES_CSV = Path(__file__).resolve().parent.parent.parent / "data" / "province_aliases.csv"

# The abbreviations and long forms officials write before a local government's name.
# Short ones of two letters need a dot or a space after them ("ทม.", "ทม ") so that a
# name which merely starts with those letters is not read as one.
LG_TYPE_ABBREVIATIONS: tuple[tuple[str, LGType], ...] = (
    ("องค์การบริหารส่วนจังหวัด", LGType.PROVINCIAL_ADMIN_ORG),
    ("องค์การบริหารส่วนตำบล", LGType.SUBDISTRICT_ADMIN_ORG),
    ("เทศบาลนคร", LGType.CITY_MUNICIPALITY),
    ("เทศบาลเมือง", LGType.TOWN_MUNICIPALITY),
    ("เทศบาลตำบล", LGType.SUBDISTRICT_MUNICIPALITY),
    ("อบจ", LGType.PROVINCIAL_ADMIN_ORG),
    ("อบต", LGType.SUBDISTRICT_ADMIN_ORG),
    ("ทน", LGType.CITY_MUNICIPALITY),
    ("ทม", LGType.TOWN_MUNICIPALITY),
    ("ทต", LGType.SUBDISTRICT_MUNICIPALITY),
    ("pao", LGType.PROVINCIAL_ADMIN_ORG),
    ("sao", LGType.SUBDISTRICT_ADMIN_ORG),
    ("tao", LGType.SUBDISTRICT_ADMIN_ORG),
)
_PROVINCE_WORDS = re.compile(r"^(จังหวัด|จ\.)\s*")
_IGNORED = re.compile(r"[\s.\-ฯ]+")


def normalise(text: str) -> str:
    """Lower case, without spaces, dots, hyphens or ฯ: how names and aliases are compared."""
    return _IGNORED.sub("", text).casefold()


@dataclass(frozen=True)
class Query:
    text: str                     # what is left to match against names
    lg_type: LGType | None        # a kind of local government the query named
    alias_codes: frozenset[str]   # areas the query names by another name


@lru_cache(maxsize=1)
def _aliases() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    with ALIASES_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            table.setdefault(normalise(row["alias"]), set()).add(row["code"].strip())
    return {alias: frozenset(codes) for alias, codes in table.items()}


def alias_codes(text: str) -> frozenset[str]:
    """Codes of the areas whose other name is `text`, or starts with it (3 letters or more)."""
    key = normalise(text)
    if not key:
        return frozenset()
    found: set[str] = set()
    for alias, codes in _aliases().items():
        if alias == key or (len(key) >= 3 and alias.startswith(key)):
            found |= codes
    return frozenset(found)


def parse(query: str) -> Query:
    text = " ".join(query.split())
    text = _PROVINCE_WORDS.sub("", text)
    lg_type = None
    folded = text.casefold()
    for abbreviation, kind in LG_TYPE_ABBREVIATIONS:
        if not folded.startswith(abbreviation):
            continue
        rest = text[len(abbreviation):]
        if not rest:
            lg_type, text = kind, ""
            break
        if rest[0] in ". " or (len(abbreviation) >= 3 and not abbreviation.isascii()):
            lg_type, text = kind, rest.lstrip(". ")
            break
    return Query(text=text, lg_type=lg_type, alias_codes=alias_codes(text) if lg_type is None else frozenset())


def names_lg_type(query: str) -> bool:
    """Whether the query starts with the abbreviation of a kind of local government."""
    return parse(query).lg_type is not None


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def area_filter(query: str) -> ColumnElement[bool]:
    """One SQL condition on Area for what a person typed."""
    q = parse(query)
    conditions = []
    if q.text:
        compact = normalise(q.text)
        name = or_(
            Area.name_th.like(_like(q.text), escape="\\"),
            func.replace(func.replace(func.lower(Area.name_en), " ", ""), "-", "").like(_like(compact), escape="\\")
            if compact else false(),
            Area.code == q.text,
        )
        if q.alias_codes:
            name = or_(name, Area.code.in_(sorted(q.alias_codes)))
        conditions.append(name)
    if q.lg_type is not None:
        conditions.append(Area.lg_type == q.lg_type)
    if not conditions:
        return false()
    return and_(*conditions)
