"""The rules of ideas: submit, edit (until the first support or comment), withdraw, list.

Services take the acting user, raise IdeaError with a translatable message
(and the form field it concerns, if any), and flush; the route commits.
"""
from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.orm import selectinload

from app.areas.models import Area
from app.areas.services import subdistrict_in_area
from app.core.numbers import is_ascii_digits
from app.core.timeutil import utcnow
from app.core.validators import _CONTROL, MAX_ID
from app.extensions import db
from app.ideas import search
from app.ideas.models import Idea, IdeaCategory, IdeaPhoto, IdeaStatus
from app.ideas.text import normalise_newlines
from app.media.storage import StoredImage, delete_image, exists
from app.permissions import can_moderate, can_post, can_submit_idea, visible_ideas_clause

TITLE_MAX = 150
DESCRIPTION_MAX = 5000
MAX_PHOTOS = 5
PER_PAGE = 20
# Roughly Thailand's bounding box, with a margin: a map point outside is a typing mistake.
LAT_RANGE = (5.0, 21.0)
LON_RANGE = (97.0, 106.0)


class IdeaError(Exception):
    """A rule about ideas was broken; the message is shown to the user."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class IdeaInput:
    title: str
    description: str
    category: IdeaCategory
    subdistrict_code: str | None = None
    lat: float | None = None
    lon: float | None = None


def area_scope(area: Area) -> str:
    """The URL prefix of an area: "p" for a province, "lg" for a local government."""
    return "p" if area.is_province else "lg"


def clean_input(data: IdeaInput, area: Area) -> IdeaInput:
    """Normalise and check what a resident typed; raises IdeaError (with the field) on bad input."""
    title = " ".join((data.title or "").split())
    description = normalise_newlines(data.description or "").strip()
    if not title:
        raise IdeaError(_l("Enter a title."), "title")
    if len(title) > TITLE_MAX:
        raise IdeaError(_l("The title must be %(n)d characters or fewer.", n=TITLE_MAX), "title")
    if not description:
        raise IdeaError(_l("Describe your idea."), "description")
    if len(description) > DESCRIPTION_MAX:
        raise IdeaError(_l("The description must be %(n)s characters or fewer.", n=f"{DESCRIPTION_MAX:,}"), "description")
    if _CONTROL.search(title):
        raise IdeaError(_l("This field contains characters that are not allowed."), "title")
    if _CONTROL.search(description):
        raise IdeaError(_l("This field contains characters that are not allowed."), "description")
    if not isinstance(data.category, IdeaCategory):
        raise IdeaError(_l("Choose a category."), "category")
    code = (data.subdistrict_code or "").strip() or None
    if code is not None and not subdistrict_in_area(area, code):
        raise IdeaError(_l("Choose a subdistrict of %(area)s.", area=area.name_th), "subdistrict_code")
    lat, lon = data.lat, data.lon
    if (lat is None) != (lon is None):
        raise IdeaError(_l("Enter both the latitude and the longitude, or neither."), "lat")
    if lat is not None:
        if not (math.isfinite(lat) and math.isfinite(lon)) or not (
            LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]
        ):
            raise IdeaError(_l("The map point must be in Thailand (latitude 5 to 21, longitude 97 to 106)."), "lat")
        lat, lon = round(lat, 6), round(lon, 6)
    return IdeaInput(title, description, data.category, code, lat, lon)


SUBMIT_ELSEWHERE = _l(
    "You can submit ideas to your own province and its local governments. "
    "If you have moved, change your province in your profile."
)


def submit_refusal(user, area: Area) -> str | None:
    """Why a signed-in `user` may not submit an idea to `area` (shown where the button would be), or None."""
    try:
        check_can_submit(user, area)
    except IdeaError as error:
        return str(error)
    return None


def check_can_submit(author, area: Area) -> None:
    """Raise IdeaError saying why `author` may not submit to `area` (app.permissions.can_submit_idea)."""
    if can_submit_idea(author, area):
        return
    if not can_post(author):
        if author is None or not getattr(author, "is_authenticated", False):
            raise IdeaError(_l("Please sign in to submit an idea."))
        if getattr(author, "is_blocked", False):
            raise IdeaError(_l("Your account has been blocked from posting. You can still read everything."))
        raise IdeaError(_l("Please confirm your email address before you post: open the link we sent you."))
    raise IdeaError(SUBMIT_ELSEWHERE)


def _attach_photos(idea: Idea, photos: Sequence[StoredImage]) -> None:
    if len(idea.photos) + len(photos) > MAX_PHOTOS:
        raise IdeaError(_l("You can add up to %(n)d photos.", n=MAX_PHOTOS), "photos")
    for photo in photos:
        if not exists(photo.filename):
            raise IdeaError(_l("A photo could not be found any more. Please add it again."), "photos")
        idea.photos.append(IdeaPhoto(
            filename=photo.filename, content_type=photo.content_type, width=photo.width,
            height=photo.height, size_bytes=photo.size_bytes,
        ))


def idea_of_submission(author, submission_token: str | None) -> Idea | None:
    """The idea `author` already made with this form (the same one-time token), if any."""
    if not submission_token:
        return None
    return db.session.scalar(
        select(Idea).where(Idea.author_id == author.id, Idea.submission_token == submission_token)
    )


def submit_idea(author, area: Area, data: IdeaInput, photos: Sequence[StoredImage] = (),
                submission_token: str | None = None) -> Idea:
    """Create an idea in `area` by `author`, with already stored photos.

    `submission_token` is the form's one-time token: the route first looks for the idea it already made
    (idea_of_submission); two submits racing each other meet the unique constraint (IntegrityError).
    """
    check_can_submit(author, area)
    clean = clean_input(data, area)
    now = utcnow()
    idea = Idea(
        area=area, area_id=area.id, author_id=author.id, title=clean.title, description=clean.description,
        category=clean.category, subdistrict_code=clean.subdistrict_code, lat=clean.lat, lon=clean.lon,
        status=IdeaStatus.RECEIVED, created_at=now, updated_at=now, submission_token=submission_token,
    )
    db.session.add(idea)
    _attach_photos(idea, photos)
    db.session.flush()
    search.index_idea(idea)
    forget_counts(area)
    return idea


def check_can_edit(user, idea: Idea) -> None:
    if getattr(user, "id", None) != idea.author_id:
        raise IdeaError(_l("Only the author can change this idea."))
    if idea.is_withdrawn:
        raise IdeaError(_l("This idea has been withdrawn and can no longer be changed."))
    if not idea.is_publicly_visible:
        raise IdeaError(_l("This idea is hidden by a moderator and cannot be changed."))
    if not idea.can_be_edited:
        raise IdeaError(_l("This idea can no longer be changed: people have already supported or commented on it."))
    if not can_post(user):
        raise IdeaError(_l("Your account cannot post at the moment."))


def edit_idea(
    user, idea: Idea, data: IdeaInput, *, add_photos: Sequence[StoredImage] = (), remove_photo_ids: Sequence[int] = ()
) -> list[str]:
    """Change an idea (author only, until the first support or comment).

    Returns the file names of removed photos: the route deletes the files once
    the change is committed.
    """
    check_can_edit(user, idea)
    clean = clean_input(data, idea.area)
    removed: list[str] = []
    for photo in list(idea.photos):
        if photo.id in set(remove_photo_ids):
            removed.append(photo.filename)
            idea.photos.remove(photo)
    _attach_photos(idea, add_photos)
    idea.title = clean.title
    idea.description = clean.description
    idea.category = clean.category
    idea.subdistrict_code = clean.subdistrict_code
    idea.lat, idea.lon = clean.lat, clean.lon
    idea.updated_at = utcnow()
    db.session.flush()
    search.index_idea(idea)
    return removed


def withdraw_idea(user, idea: Idea) -> None:
    """The author withdraws an idea; it stays visible, marked as withdrawn."""
    if getattr(user, "id", None) != idea.author_id:
        raise IdeaError(_l("Only the author can withdraw this idea."))
    if idea.is_withdrawn:
        raise IdeaError(_l("This idea has already been withdrawn."))
    idea.withdrawn_at = utcnow()
    idea.updated_at = idea.withdrawn_at
    db.session.flush()


def discard_photos(photos: Sequence[StoredImage]) -> None:
    for photo in photos:
        delete_image(photo.filename)


# --- listing -----------------------------------------------------------------

SORTS = ("newest", "supported", "discussed", "answered")
SORT_LABELS = {
    "newest": _l("Newest"),
    "supported": _l("Most supported"),
    "discussed": _l("Most discussed"),
    "answered": _l("Recently answered"),
}


def _sort_column(sort: str):
    return {
        "newest": Idea.created_at,
        "supported": Idea.support_count,
        "discussed": Idea.comment_count,
        "answered": Idea.status_changed_at,
    }[sort]


@dataclass
class IdeaFilters:
    category: IdeaCategory | None = None
    status: IdeaStatus | None = None
    subdistrict_code: str | None = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args, area: Area) -> "IdeaFilters":
        """Read filters from query arguments; anything unknown is ignored rather than an error."""
        def enum_or_none(enum_cls, value):
            try:
                return enum_cls(value) if value else None
            except ValueError:
                return None

        code = (args.get("subdistrict") or "").strip()
        sort = args.get("sort") or "newest"
        return cls(
            category=enum_or_none(IdeaCategory, args.get("category")),
            status=enum_or_none(IdeaStatus, args.get("status")),
            subdistrict_code=code if len(code) == 6 and is_ascii_digits(code) and subdistrict_in_area(area, code) else None,
            sort=sort if sort in SORTS else "newest",
        )

    def as_args(self) -> dict[str, str]:
        args = {}
        if self.category:
            args["category"] = self.category.value
        if self.status:
            args["status"] = self.status.value
        if self.subdistrict_code:
            args["subdistrict"] = self.subdistrict_code
        if self.sort != "newest":
            args["sort"] = self.sort
        return args


@dataclass
class IdeaPage:
    ideas: list[Idea] = field(default_factory=list)
    next_cursor: str | None = None
    prev_cursor: str | None = None


def encode_cursor(idea: Idea, sort: str) -> str:
    value = getattr(idea, _sort_column(sort).key)
    key = value.isoformat() if isinstance(value, datetime) else str(value)
    return f"{key}~{idea.id}"


def decode_cursor(token: str | None, sort: str):
    """(sort key, id) from a cursor, or None for anything malformed."""
    if not token or "~" not in token or len(token) > 80:
        return None
    key, _, raw_id = token.rpartition("~")
    try:
        idea_id = int(raw_id)
        if sort in ("newest", "answered"):
            value = datetime.fromisoformat(key)
            if value.tzinfo is None:
                return None
            value = value.astimezone(timezone.utc)  # year 1 at +14:00 cannot be stored: OverflowError
        else:
            value = int(key)
            if not 0 <= value <= MAX_ID:
                return None
    except (ValueError, OverflowError):
        return None
    if not 0 <= idea_id <= MAX_ID:  # past PostgreSQL's INTEGER: no such idea, and no driver error
        return None
    return value, idea_id


def visible_clause():
    """The ideas everyone may see (app.permissions.visible_ideas_clause for a reader who is nobody)."""
    return visible_ideas_clause(None)


def list_ideas(
    area: Area,
    filters: IdeaFilters,
    viewer=None,
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = PER_PAGE,
) -> IdeaPage:
    """One page of an area's ideas, by keyset: the cost of a page does not grow with its depth."""
    column = _sort_column(filters.sort)
    stmt = select(Idea).where(Idea.area_id == area.id, visible_ideas_clause(viewer)).options(selectinload(Idea.subdistrict))
    if filters.category:
        stmt = stmt.where(Idea.category == filters.category)
    if filters.status:
        stmt = stmt.where(Idea.status == filters.status)
    if filters.subdistrict_code:
        stmt = stmt.where(Idea.subdistrict_code == filters.subdistrict_code)
    if filters.sort == "answered":
        stmt = stmt.where(Idea.status_changed_at.is_not(None))

    key = tuple_(column, Idea.id)
    backwards = False
    position = decode_cursor(after, filters.sort)
    if position is not None:
        stmt = stmt.where(key < tuple_(literal(position[0], column.type), literal(position[1])))
    else:
        position = decode_cursor(before, filters.sort)
        if position is not None:
            backwards = True
            stmt = stmt.where(key > tuple_(literal(position[0], column.type), literal(position[1])))
    if backwards:
        stmt = stmt.order_by(column.asc(), Idea.id.asc())
    else:
        stmt = stmt.order_by(column.desc(), Idea.id.desc())
    rows = list(db.session.scalars(stmt.limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    page = IdeaPage(ideas=rows)
    if rows:
        if backwards:
            page.next_cursor = encode_cursor(rows[-1], filters.sort)
            page.prev_cursor = encode_cursor(rows[0], filters.sort) if more else None
        else:
            page.next_cursor = encode_cursor(rows[-1], filters.sort) if more else None
            page.prev_cursor = encode_cursor(rows[0], filters.sort) if position is not None else None
    return page


# Counting an area's ideas by status reads one index entry per idea (100,000 for a big
# province): the result is kept for a short while in each worker. Counts may lag by that
# much; the lists themselves are always current. IDEAS_COUNTS_CACHE_SECONDS (0 in tests).
_counts_cache: dict[tuple[int, bool], tuple[float, dict[IdeaStatus, int]]] = {}


def _counts_ttl() -> float:
    from flask import current_app

    return float(current_app.config.get("IDEAS_COUNTS_CACHE_SECONDS", 0 if current_app.testing else 30))


def forget_counts(area: Area) -> None:
    """Drop this worker's cached counts of an area (after a change made here)."""
    for key in [k for k in _counts_cache if k[0] == area.id]:
        _counts_cache.pop(key, None)


def status_counts(area: Area, viewer=None) -> dict[IdeaStatus, int]:
    """How many ideas of the area are in each status (officials also count hidden ones)."""
    include_hidden = can_moderate(viewer, area)
    key = (area.id, include_hidden)
    ttl = _counts_ttl()
    cached = _counts_cache.get(key)
    if ttl > 0 and cached is not None and time.monotonic() - cached[0] < ttl:
        return dict(cached[1])
    stmt = select(Idea.status, func.count()).where(Idea.area_id == area.id).group_by(Idea.status)
    if not include_hidden:
        stmt = stmt.where(visible_clause())
    counts = {status: 0 for status in IdeaStatus}
    counts.update({status: n for status, n in db.session.execute(stmt)})
    if ttl > 0:
        if len(_counts_cache) > 20_000:
            _counts_cache.clear()
        _counts_cache[key] = (time.monotonic(), counts)
    return dict(counts)


def latest_ideas(area: Area, limit: int = 50) -> list[Idea]:
    """The newest public ideas of an area (the Atom feed)."""
    stmt = (
        select(Idea).where(Idea.area_id == area.id, visible_clause())
        .order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit)
    )
    return list(db.session.scalars(stmt))
