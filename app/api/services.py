"""What the API reads, as an anonymous reader of the site would see it.

Ideas go through `app.permissions.visible_ideas_clause(None)` (the one
visibility rule); proposals are public once out of draft; results exist only
once published and never while voting is open; no e-mail, no national ID,
no role, nothing of a deleted account (its display name is sent as null).

Each list is read by keyset: ordered by a unique key, the next page starts
after the last key served (app/api/http.py encodes it in the cursor).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, date
from typing import Any, Generic, Optional, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.api import schemas as s
from app.api.http import ApiProblem, bad_param, decode_cursor, encode_cursor, latest, to_utc
from app.areas.models import Area, AreaKind
from app.core.urls import absolute_url
from app.extensions import db
from app.ideas.models import Idea
from app.permissions import visible_ideas_clause

T = TypeVar("T")
BANGKOK = timezone(timedelta(hours=7))


@dataclass
class Page(Generic[T]):
    rows: list[T]
    next_cursor: Optional[str]


def _page(stmt, list_name: str, column, cursor: Optional[str], limit: int, *, descending: bool, key_of) -> Page:
    kind = int if column.type.python_type is int else str
    after = decode_cursor(list_name, cursor, kind)
    if after is not None:
        stmt = stmt.where(column < after if descending else column > after)
    stmt = stmt.order_by(column.desc() if descending else column.asc()).limit(limit + 1)
    rows = list(db.session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(list_name, key_of(rows[-1])) if more and rows else None)


def area_by_code(code: Optional[str], *, param: str = "area") -> Optional[Area]:
    if code is None:
        return None
    area = db.session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise bad_param(param, _l("No area has this code."))
    return area


def start_of_day(day: date, name: str) -> datetime:
    """00:00 in Bangkok of `day`, in UTC."""
    try:
        return datetime.combine(day, time(), tzinfo=BANGKOK).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise bad_param(name, _l("This date cannot be read.")) from None


def _deleted_or_name(user: Any) -> Optional[str]:
    if user is None or user.deleted_at is not None:
        return None
    return user.display_name


# --- areas ------------------------------------------------------------------------------------------


def area_out(area: Area, codes: dict[int, str]) -> s.Area:
    endpoint = "areas.show_province" if area.is_province else "areas.show_local_government"
    return s.Area(
        code=area.code, kind=area.kind, name_th=area.name_th, name_en=area.name_en, lg_type=area.lg_type,
        province_code=area.province_code, parent_code=codes.get(area.parent_id) if area.parent_id else None,
        district_code=area.district_code, lat=area.lat, lon=area.lon, url=absolute_url(endpoint, code=area.code),
    )


def _parent_codes(areas: list[Area]) -> dict[int, str]:
    ids = {a.parent_id for a in areas if a.parent_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(Area.id, Area.code).where(Area.id.in_(ids))).all())


def list_areas(q: s.AreaQuery) -> tuple[s.AreaList, Optional[datetime]]:
    stmt = select(Area)
    if q.kind is not None:
        stmt = stmt.where(Area.kind == q.kind)
    if q.province is not None:
        stmt = stmt.where(Area.province_code == q.province)
    if q.lg_type is not None:
        stmt = stmt.where(Area.lg_type == q.lg_type)
    page = _page(stmt, "areas", Area.code, q.cursor, q.limit, descending=False, key_of=lambda a: a.code)
    codes = _parent_codes(page.rows)
    items = [area_out(a, codes) for a in page.rows]
    return s.AreaList(items=items, next_cursor=page.next_cursor, next=None), latest(a.subdistricts_edited_at for a in page.rows)


def get_area(code: str) -> tuple[s.Area, Optional[datetime]]:
    area = db.session.scalar(select(Area).where(Area.code == code))
    if area is None:
        raise ApiProblem(404, _l("No area has this code."))
    return area_out(area, _parent_codes([area])), area.subdistricts_edited_at


# --- ideas ------------------------------------------------------------------------------------------


def public_ideas():
    """The ideas an anonymous reader sees (app.permissions, the one rule)."""
    return select(Idea).where(visible_ideas_clause(None))


def idea_changed_at(idea: Idea) -> datetime:
    return latest([idea.created_at, idea.updated_at, idea.status_changed_at, idea.withdrawn_at])  # type: ignore[return-value]


def idea_out(idea: Idea, area_codes: dict[int, str]) -> s.Idea:
    point = s.Point(lat=idea.lat, lon=idea.lon) if idea.lat is not None and idea.lon is not None else None
    return s.Idea(
        id=idea.id, area_code=area_codes[idea.area_id], title=idea.title, description=idea.description,
        category=idea.category, status=idea.status, answer=idea.answer or None, merged_into_id=idea.merged_into_id,
        subdistrict_code=idea.subdistrict_code, point=point, support_count=idea.support_count,
        comment_count=idea.comment_count, author_name=_deleted_or_name(idea.author), withdrawn_at=idea.withdrawn_at,
        status_changed_at=idea.status_changed_at, created_at=idea.created_at, updated_at=idea_changed_at(idea),
        url=absolute_url("ideas.show_idea", idea_id=idea.id),
    )


def _area_codes(area_ids) -> dict[int, str]:
    ids = set(area_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Area.id, Area.code).where(Area.id.in_(ids))).all())


def list_ideas(q: s.IdeaQuery) -> tuple[s.IdeaList, Optional[datetime]]:
    stmt = public_ideas().options(selectinload(Idea.author))
    area = area_by_code(q.area)
    if area is not None:
        stmt = stmt.where(Idea.area_id == area.id)
    if q.status is not None:
        stmt = stmt.where(Idea.status == q.status)
    if q.category is not None:
        stmt = stmt.where(Idea.category == q.category)
    if q.subdistrict is not None:
        stmt = stmt.where(Idea.subdistrict_code == q.subdistrict)
    if q.since is not None:
        stmt = stmt.where(Idea.created_at >= start_of_day(q.since, "since"))
    if q.updated_since is not None:
        t = to_utc(q.updated_since, "updated_since")
        stmt = stmt.where(or_(Idea.created_at >= t, Idea.updated_at >= t, Idea.status_changed_at >= t, Idea.withdrawn_at >= t))
    page = _page(stmt, "ideas", Idea.id, q.cursor, q.limit, descending=True, key_of=lambda i: i.id)
    codes = _area_codes(i.area_id for i in page.rows)
    items = [idea_out(i, codes) for i in page.rows]
    return s.IdeaList(items=items, next_cursor=page.next_cursor, next=None), latest(i.updated_at for i in items)


def get_idea(idea_id: int) -> tuple[s.Idea, Optional[datetime]]:
    idea = db.session.scalar(public_ideas().where(Idea.id == idea_id))
    if idea is None:  # hidden ideas are no more there than ideas that never were
        raise ApiProblem(404, _l("No public idea has this number."))
    out = idea_out(idea, _area_codes([idea.area_id]))
    return out, out.updated_at
