"""Triage rules: officials give every idea a public status with an answer.

Statuses (app.ideas.models.IdeaStatus) move only along `TRANSITIONS`:

    received      -> under review, accepted, merged, referred, not possible, already done
    under review  -> accepted, merged, referred, not possible, already done
    referred      -> the same as received (the receiving area answers it), or referred again
    accepted      -> under review, only while no proposal includes the idea
    not possible  -> under review (reopened, with an answer saying why)
    already done  -> under review (reopened, with an answer saying why)
    merged        -> nothing (its supports now live on the target idea)

"Accepted" by itself means the area will take the idea into a proposal; the
proposals service moves ideas to accepted when it builds a proposal from them
(`accept_into_proposal`). A merge and a referral have their own functions
because they need a target.

Referral (documented choice): an idea moves only within one province.
  - a province refers to any of its local governments;
  - a local government refers up to its province;
  - a local government refers to a *neighbouring* local government, with a
    reason: one in the same district (อำเภอ), or the province's provincial
    administrative organisation (อบจ.), whose territory covers every district.
    A provincial official (or administrator), who acts for every local
    government of the province, may refer between any two of them, again
    with a reason.
The idea keeps its id, history, supports, comments and followers; only its
area changes, so the receiving area finds it in its triage inbox.

First answer: the first status change made by an official (to any status,
"under review" included: it is a public acknowledgement) sets
`first_answered_at`. That change necessarily happens while the idea is still
in the area it was submitted to (a referral is itself an answer), which is
why response times are counted for the area an idea was submitted to.

Every change writes one IdeaStatusChange row (the public timeline), an audit
entry, and notifies the idea's author and followers.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased, selectinload

from app.accounts.models import User
from app.areas.models import Area, LGType
from app.audit.services import record
from app.core.timeutil import utcnow
from app.core.validators import _CONTROL, MAX_ID
from app.extensions import db
from app.ideas.models import STATUS_LABELS, Idea, IdeaStatus
from app.notifications.services import notify, register_kind
from app.permissions import can_triage, is_official_of
from app.triage.models import IdeaStatusChange

ANSWER_MAX = 5000
S = IdeaStatus

register_kind(
    "idea.status_changed",
    _l('The idea "%(title)s" is now: %(status)s'),
    email_subject=_l('News about the idea "%(title)s"'),
)

_OPEN_TARGETS = frozenset({S.UNDER_REVIEW, S.ACCEPTED, S.MERGED, S.REFERRED, S.NOT_POSSIBLE, S.ALREADY_DONE})
TRANSITIONS: dict[IdeaStatus, frozenset[IdeaStatus]] = {
    S.RECEIVED: _OPEN_TARGETS,
    S.UNDER_REVIEW: _OPEN_TARGETS - {S.UNDER_REVIEW},
    S.REFERRED: _OPEN_TARGETS,
    S.ACCEPTED: frozenset({S.UNDER_REVIEW}),
    S.NOT_POSSIBLE: frozenset({S.UNDER_REVIEW}),
    S.ALREADY_DONE: frozenset({S.UNDER_REVIEW}),
    S.MERGED: frozenset(),
}
# Statuses that still wait for the area's decision (the inbox's default view).
OPEN_STATUSES = (S.RECEIVED, S.UNDER_REVIEW, S.REFERRED)
# Statuses set through change_status; merge and referral have their own forms.
SIMPLE_STATUSES = (S.UNDER_REVIEW, S.ACCEPTED, S.NOT_POSSIBLE, S.ALREADY_DONE)


class TriageError(Exception):
    """A triage rule was broken; the message is shown to the official.

    `field` is "answer" when the message is about the answer text, "status"
    when about the change itself.
    """

    def __init__(self, message: Any, field: str = "status") -> None:
        super().__init__(message)
        self.field = field


# --- helpers -------------------------------------------------------------------

def _clean(text: Optional[str], *, required: bool, missing: Any = None) -> Optional[str]:
    value = (text or "").strip()
    if not value:
        if required:
            raise TriageError(missing if missing is not None else _l("Write an answer for the author."), "answer")
        return None
    if len(value) > ANSWER_MAX:
        raise TriageError(_l("An answer can have at most %(max)d characters.", max=ANSWER_MAX), "answer")
    if _CONTROL.search(value):
        raise TriageError(_l("This field contains characters that are not allowed."), "answer")
    return value


def _require_official(actor: User, idea: Idea) -> None:
    if not can_triage(actor, idea.area):
        raise TriageError(_l("Only an official of the idea's area can answer it."))
    if idea.withdrawn_at is not None:
        raise TriageError(_l("The author withdrew this idea; it can no longer be answered."))


def _require_transition(idea: Idea, status: IdeaStatus) -> None:
    if status not in TRANSITIONS[idea.status]:
        raise TriageError(_l(
            'An idea that is "%(current)s" cannot become "%(new)s".',
            current=STATUS_LABELS[idea.status], new=STATUS_LABELS[status],
        ))


def idea_in_proposal(idea: Idea) -> bool:
    from app.proposals.models import proposal_ideas

    return db.session.scalar(
        select(func.count()).select_from(proposal_ideas).where(proposal_ideas.c.idea_id == idea.id)
    ) > 0


def allowed_statuses(idea: Idea) -> list[IdeaStatus]:
    """The statuses the official can choose on the plain status form (no merge or referral)."""
    allowed = [s for s in SIMPLE_STATUSES if s in TRANSITIONS[idea.status]]
    if idea.status is S.ACCEPTED and idea_in_proposal(idea):
        return []
    return allowed


def _idea_path(idea: Idea) -> str:
    return url_for("ideas.show_idea", idea_id=idea.id)


def _notify(actor: User, idea: Idea, status: IdeaStatus) -> None:
    from app.engagement.services import followers_of_idea

    recipients = [idea.author, *followers_of_idea(idea)]
    notify(recipients, "idea.status_changed", params={"title": idea.title, "status": STATUS_LABELS[status]},
           link=_idea_path(idea), actor=actor, idea=idea)


def _apply(
    actor: User,
    idea: Idea,
    status: IdeaStatus,
    answer: Optional[str],
    *,
    to_area: Optional[Area] = None,
    merged_into: Optional[Idea] = None,
    proposal: Any = None,
    supports_moved: Optional[int] = None,
    now: Optional[datetime] = None,
) -> IdeaStatusChange:
    """Write the change on the idea, its timeline row, the audit entry and the notifications."""
    now = now or utcnow()
    change = IdeaStatusChange(
        idea_id=idea.id, from_status=idea.status, to_status=status, answer=answer,
        actor_id=getattr(actor, "id", None), at=now, area_id=idea.area_id,
        to_area_id=to_area.id if to_area else None,
        merged_into_id=merged_into.id if merged_into else None,
        proposal_id=getattr(proposal, "id", None), supports_moved=supports_moved,
    )
    db.session.add(change)
    from_area = idea.area
    idea.status = status
    idea.status_changed_at = now
    if idea.first_answered_at is None:
        idea.first_answered_at = now
    # The answer describes the current status: a new status without one clears the old text.
    idea.answer = answer
    if merged_into is not None:
        idea.merged_into_id = merged_into.id
    if to_area is not None:
        idea.area_id = to_area.id
        idea.area = to_area
    db.session.flush()
    details: dict[str, Any] = {"from": change.from_status.value if change.from_status else None, "to": status.value}
    if to_area is not None:
        details.update(from_area=from_area.code, to_area=to_area.code)
    if merged_into is not None:
        details.update(merged_into=merged_into.id, supports_moved=supports_moved)
    if proposal is not None:
        details["proposal"] = proposal.id
    record(actor, "idea.status_changed", idea, area=from_area, details=details)
    _notify(actor, idea, status)
    return change


# --- the three kinds of change -------------------------------------------------------

def change_status(actor: User, idea: Idea, status: IdeaStatus, answer: Optional[str] = None) -> IdeaStatusChange:
    """Set a plain status (under review, accepted, not possible, already done) with an answer.

    "Not possible" needs the reason; reopening a decided idea needs an answer saying why.
    """
    _require_official(actor, idea)
    if status in (S.MERGED, S.REFERRED):
        raise TriageError(_l("Use the merge or referral form for this status."))
    if status is S.RECEIVED:
        raise TriageError(_l('An idea cannot be set back to "received".'))
    _require_transition(idea, status)
    if idea.status is S.ACCEPTED and idea_in_proposal(idea):
        raise TriageError(_l("This idea is part of a proposal; it stays accepted."))
    reopening = idea.status in (S.ACCEPTED, S.NOT_POSSIBLE, S.ALREADY_DONE)
    if status is S.NOT_POSSIBLE:
        text = _clean(answer, required=True, missing=_l("Say why the idea is not possible."))
    elif reopening:
        text = _clean(answer, required=True, missing=_l("Say why the idea is reopened."))
    else:
        text = _clean(answer, required=False)
    return _apply(actor, idea, status, text)


def accept_into_proposal(actor: User, idea: Idea, proposal: Any, answer: Optional[str] = None) -> IdeaStatusChange:
    """Accept an idea because it joins `proposal` (called by the proposals service).

    An idea already accepted gets a timeline entry naming the proposal.
    """
    _require_official(actor, idea)
    if idea.status is not S.ACCEPTED:
        _require_transition(idea, S.ACCEPTED)
    text = _clean(answer, required=False)
    return _apply(actor, idea, S.ACCEPTED, text, proposal=proposal)


def visible_target(idea: Optional[Idea]) -> bool:
    return (
        idea is not None and idea.withdrawn_at is None and idea.hidden_at is None and not idea.pending_review
    )


MERGE_CANDIDATES = 10


def can_merge_into(idea: Idea, target: Optional[Idea]) -> bool:
    """Whether `target` is an idea `idea` may be merged into (the rules merge_idea checks)."""
    return (visible_target(target) and target.id != idea.id and target.status is not S.MERGED
            and target.area.province_code == idea.area.province_code)


def merge_candidates(idea: Idea, query: Optional[str], limit: int = MERGE_CANDIDATES) -> list[Idea]:
    """Ideas `idea` may be merged into, found by a search of the province's ideas, best first.

    The query is words of the title or description, or an idea's number
    ("123" or "#123"); without a query, the ideas that look like this one.
    """
    from app.ideas.search import search_ideas

    text = (query or "").strip()[:200]
    number = text.lstrip("#").strip()
    found: list[Idea] = []
    if number.isascii() and number.isdigit():
        target = db.session.get(Idea, int(number)) if 0 < int(number) <= MAX_ID else None
        found = [target] if target is not None else []
    else:
        words = text or f"{idea.title} {idea.description[:300]}"
        # Over-fetch: the search covers every area, the candidates only this province.
        found = [hit.idea for hit in search_ideas(words, limit=200).hits]
    return [c for c in found if can_merge_into(idea, c)][:limit]


def merge_idea(actor: User, idea: Idea, target: Optional[Idea], answer: Optional[str] = None) -> IdeaStatusChange:
    """Merge `idea` into `target`: its supports move (a person who supported both counts once)."""
    from app.engagement.services import move_supports

    _require_official(actor, idea)
    _require_transition(idea, S.MERGED)
    if target is None:
        raise TriageError(_l("Choose the idea to merge into (its number)."))
    if target.id == idea.id:
        raise TriageError(_l("An idea cannot be merged into itself."))
    if not visible_target(target):
        raise TriageError(_l("The target idea must be a visible idea (not hidden or withdrawn)."))
    if target.area.province_code != idea.area.province_code:
        raise TriageError(_l("The target idea must be in the same province."))
    if target.status is S.MERGED:
        raise TriageError(_l("That idea was itself merged into another one; merge into that one instead."))
    text = _clean(answer, required=False)
    moved = move_supports(idea, target)
    # move_supports expires the session's objects; nothing here relies on stale values.
    return _apply(actor, idea, S.MERGED, text, merged_into=target, supports_moved=moved)


def _is_neighbour(source: Area, target: Area) -> bool:
    if target.lg_type is LGType.PROVINCIAL_ADMIN_ORG or source.lg_type is LGType.PROVINCIAL_ADMIN_ORG:
        return True
    return bool(source.district_code) and source.district_code == target.district_code


def referral_refusal(actor: User, idea: Idea, target: Area) -> Optional[Any]:
    """Why `actor` may not refer `idea` to `target` (a translatable message), or None."""
    source = idea.area
    if target.id == source.id:
        return _l("The idea is already in this area.")
    if target.province_code != source.province_code:
        return _l("An idea can only be referred within its province.")
    if source.is_province or target.is_province:
        return None  # down to a local government of the province, or up to the province
    # Local government to local government.
    if is_official_of(actor, source.province) or _is_neighbour(source, target):
        return None
    return _l(
        "A local government can refer an idea to its province or to a neighbouring local government "
        "(in the same district, or the provincial administrative organisation)."
    )


def refer_idea(actor: User, idea: Idea, target: Optional[Area], reason: Optional[str] = None) -> IdeaStatusChange:
    """Move the idea to another area of the same province (see the module docstring)."""
    _require_official(actor, idea)
    _require_transition(idea, S.REFERRED)
    if target is None:
        raise TriageError(_l("Choose the area to refer the idea to."))
    refusal = referral_refusal(actor, idea, target)
    if refusal is not None:
        raise TriageError(refusal)
    lg_to_lg = not idea.area.is_province and not target.is_province
    text = _clean(reason, required=lg_to_lg, missing=_l("Say why the idea goes to another local government."))
    return _apply(actor, idea, S.REFERRED, text, to_area=target)


def referral_targets(actor: User, idea: Idea) -> list[Area]:
    """Areas the official may refer the idea to, in the order shown on the form."""
    source = idea.area
    province = source.province
    from app.areas.models import LGType
    from app.core.collation import thai_sort_key

    kinds = {kind: i for i, kind in enumerate(LGType)}  # อบจ. first, then the municipalities, อบต., special
    candidates = [province] + sorted(province.children, key=lambda a: (kinds.get(a.lg_type, 99), a.sort_th or thai_sort_key(a.name_th)))
    return [a for a in candidates if referral_refusal(actor, idea, a) is None]


# --- reading ---------------------------------------------------------------------

def timeline(idea: Idea) -> list[IdeaStatusChange]:
    return list(db.session.scalars(
        select(IdeaStatusChange)
        .where(IdeaStatusChange.idea_id == idea.id)
        .options(selectinload(IdeaStatusChange.area), selectinload(IdeaStatusChange.to_area),
                 selectinload(IdeaStatusChange.merged_into), selectinload(IdeaStatusChange.proposal))
        .order_by(IdeaStatusChange.at, IdeaStatusChange.id)
    ))


INBOX_FILTERS = ("open", "unanswered", "all") + tuple(s.value for s in IdeaStatus)
INBOX_PER_PAGE = 50


def inbox(actor: User, *, view: str = "open", area_id: Optional[int] = None, page: int = 1) -> tuple[list[Idea], bool]:
    """Ideas of the official's areas, oldest unanswered first, then by age.

    `view`: "open" (received, under review, referred: waiting for the area),
    "unanswered", "all", or one status value. Withdrawn ideas are left out.
    Returns (ideas of the page, whether there is a next page).
    """
    from app.permissions import official_area_ids

    areas = official_area_ids(actor)
    stmt = select(Idea).where(Idea.withdrawn_at.is_(None))
    if areas is not None:
        stmt = stmt.where(Idea.area_id.in_(areas) if areas else Idea.id.is_(None))
    if area_id is not None:
        stmt = stmt.where(Idea.area_id == area_id)
    if view == "open":
        stmt = stmt.where(Idea.status.in_(OPEN_STATUSES))
    elif view == "unanswered":
        stmt = stmt.where(Idea.first_answered_at.is_(None))
    elif view in {s.value for s in IdeaStatus}:
        stmt = stmt.where(Idea.status == IdeaStatus(view))
    unanswered_first = case((Idea.first_answered_at.is_(None), 0), else_=1)
    stmt = stmt.order_by(unanswered_first, Idea.created_at, Idea.id).options(selectinload(Idea.area), selectinload(Idea.photos))
    page = max(1, min(page, 1000))
    rows = list(db.session.scalars(stmt.offset((page - 1) * INBOX_PER_PAGE).limit(INBOX_PER_PAGE + 1)))
    return rows[:INBOX_PER_PAGE], len(rows) > INBOX_PER_PAGE


def inbox_counts(actor: User, area_id: Optional[int] = None) -> dict[str, int]:
    """How many ideas of the official's areas are in each status (withdrawn left out), plus "unanswered"."""
    from app.permissions import official_area_ids

    areas = official_area_ids(actor)
    stmt = select(Idea.status, func.count()).where(Idea.withdrawn_at.is_(None))
    if areas is not None:
        stmt = stmt.where(Idea.area_id.in_(areas) if areas else Idea.id.is_(None))
    if area_id is not None:
        stmt = stmt.where(Idea.area_id == area_id)
    counts = {s.value: 0 for s in IdeaStatus}
    for status, n in db.session.execute(stmt.group_by(Idea.status)):
        counts[status.value] = n
    unanswered = select(func.count()).select_from(Idea).where(Idea.withdrawn_at.is_(None), Idea.first_answered_at.is_(None))
    if areas is not None:
        unanswered = unanswered.where(Idea.area_id.in_(areas) if areas else Idea.id.is_(None))
    if area_id is not None:
        unanswered = unanswered.where(Idea.area_id == area_id)
    counts["unanswered"] = db.session.scalar(unanswered) or 0
    counts["open"] = sum(counts[s.value] for s in OPEN_STATUSES)
    counts["all"] = sum(counts[s.value] for s in IdeaStatus)
    return counts


# --- response time -------------------------------------------------------------------

WINDOW_DAYS = 365


@dataclass(frozen=True)
class ResponseTime:
    """How fast an area answers, over ideas submitted to it in the last 12 months.

    Counted: ideas submitted to the area (the area they were first submitted
    to, even if later referred elsewhere) in the 365 days before `now`,
    except ideas withdrawn by their author or hidden by moderation.
    `median_days` is the median of (first answer − submission) over the
    answered ones, in days; the shares within 15 and 30 days are over *all*
    counted ideas, so an idea still unanswered counts as not answered within.
    """

    total: int
    answered: int
    median_days: Optional[float]
    within_15: int
    within_30: int

    @property
    def unanswered(self) -> int:
        return self.total - self.answered

    @property
    def share_15(self) -> Optional[float]:
        return self.within_15 / self.total if self.total else None

    @property
    def share_30(self) -> Optional[float]:
        return self.within_30 / self.total if self.total else None


def counted_ideas(now: datetime):
    """The ideas a response time counts, as (submitted-to area id, created_at, first_answered_at) rows.

    One definition for the area pages (`response_time`), the statistics pages and the open data
    (app.opendata.statistics): the caller adds a filter on the area or an order.
    """
    since = now - timedelta(days=WINDOW_DAYS)
    first_referral = (
        select(IdeaStatusChange.idea_id, func.min(IdeaStatusChange.id).label("change_id"))
        .where(IdeaStatusChange.to_status == S.REFERRED)
        .group_by(IdeaStatusChange.idea_id)
        .subquery()
    )
    source = aliased(IdeaStatusChange)
    submitted_to = func.coalesce(source.area_id, Idea.area_id).label("submitted_to")
    return submitted_to, (
        select(submitted_to, Idea.created_at, Idea.first_answered_at)
        .outerjoin(first_referral, first_referral.c.idea_id == Idea.id)
        .outerjoin(source, source.id == first_referral.c.change_id)
        .where(
            Idea.created_at >= since, Idea.created_at <= now,
            Idea.withdrawn_at.is_(None), Idea.hidden_at.is_(None), Idea.pending_review.is_(False),
        )
    )


def summarise_delays(rows, now: datetime) -> ResponseTime:
    """A ResponseTime from (created_at, first_answered_at) pairs of counted ideas."""
    total = 0
    delays = []
    for created, answered in rows:
        total += 1
        if answered is not None and answered <= now:
            delays.append((answered - created).total_seconds() / 86400)
    return ResponseTime(
        total=total,
        answered=len(delays),
        median_days=statistics.median(delays) if delays else None,
        within_15=sum(1 for d in delays if d <= 15),
        within_30=sum(1 for d in delays if d <= 30),
    )


def response_time(area: Area, now: Optional[datetime] = None) -> ResponseTime:
    now = now or utcnow()
    submitted_to, stmt = counted_ideas(now)
    rows = db.session.execute(stmt.where(submitted_to == area.id)).all()
    return summarise_delays(((created, answered) for _, created, answered in rows), now)
