"""Public statistics, computed for the whole country and every area at once (typed, no request).

The figures are computed in a few grouped queries over every area together, and stored as one
row per scope in `opendata_statistics` (the country, then each area with any activity) by
`refresh_statistics`, which the `opendata.statistics` job runs every hour. The statistics pages
and the API read that row: a page costs one primary-key read whatever the number of ideas.

Definitions (stated on the page too):
- response time: app.triage.services.counted_ideas / summarise_delays, the area pages' own: ideas
  submitted to the area in the last 365 days, withdrawn and hidden ones left out; the shares within
  15 and 30 days are over all counted ideas (an unanswered idea counts as not answered within);
- ideas per month: public ideas (visible to anyone), by the Bangkok month of submission; answered
  per month: by the Bangkok month of their first answer;
- supports and comments: public ones, on public ideas, by Bangkok month;
- participants: distinct accounts that submitted a public idea, supported or commented on one, or
  voted online in a cycle of the area whose voting has closed (the record that a person voted is
  kept as the turnout; how they voted is not; while voting is open nobody is counted, as that would
  be a running count of the vote). Paper ballots name nobody, so they count in the turnout, not here;
- turnout: for each budget whose voting has closed, online and paper ballots against the verified
  residents who may vote in it today. Nothing about a budget whose voting is still open.
"""
from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any, Optional

from sqlalchemy import distinct, func, literal_column, select, union

from app.core.timeutil import utcnow
from app.extensions import db
from app.triage.services import WINDOW_DAYS, ResponseTime, counted_ideas, summarise_delays

COUNTRY = "TH"  # the scope of the whole country in `opendata_statistics` and in URLs
RANKING_MIN_IDEAS = 5  # an area enters the response-time ranking with at least this many counted ideas
MONTHS_SHOWN = 24
REFRESH_MINUTES = 60  # the job's schedule (app/jobs/queue.py SCHEDULE): how old the figures may be


@dataclass(frozen=True)
class AreaResponseTime:
    area_id: int
    since: datetime
    until: datetime
    stats: ResponseTime


def response_times_by_area(now: Optional[datetime] = None) -> tuple[list[AreaResponseTime], ResponseTime]:
    """The response time of every area with a counted idea, and the country's, in one streamed query.

    Rows come ordered by the area they were submitted to, so each area's delays are summarised and
    dropped before the next; only the country's delays (8 bytes each) are kept for its median.
    """
    now = now or utcnow()
    since = now - timedelta(days=WINDOW_DAYS)
    submitted_to, stmt = counted_ideas(now)
    result = db.session.execute(stmt.order_by(submitted_to).execution_options(yield_per=5000))
    areas: list[AreaResponseTime] = []
    country = array("d")
    total = 0
    current: Optional[int] = None
    bucket: list[tuple[datetime, Optional[datetime]]] = []

    def flush() -> None:
        if current is not None and bucket:
            areas.append(AreaResponseTime(current, since, now, summarise_delays(bucket, now)))

    for area_id, created, answered in result:
        if area_id != current:
            flush()
            current, bucket = area_id, []
        bucket.append((created, answered))
        total += 1
        if answered is not None and answered <= now:
            country.append((answered - created).total_seconds() / 86400)
    flush()
    whole = ResponseTime(
        total=total, answered=len(country), median_days=median(country) if len(country) else None,
        within_15=sum(1 for d in country if d <= 15), within_30=sum(1 for d in country if d <= 30),
    )
    return areas, whole


# --- everything else, grouped by area in a few queries ------------------------------------------


def _month(column):
    """The Bangkok calendar month (YYYY-MM) of a UTC timestamp, in SQL."""
    # Constants written into the SQL, not bound: PostgreSQL must see the same expression in SELECT
    # and GROUP BY, and two bound parameters are two expressions to it.
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(literal_column("'Asia/Bangkok'"), column), literal_column("'YYYY-MM'"))
    return func.strftime(literal_column("'%Y-%m'"), column, literal_column("'+7 hours'"))


def _visible_comment():
    from app.engagement.models import Comment

    return (Comment.deleted_at.is_(None), Comment.hidden_at.is_(None), Comment.pending_review.is_(False))


def _nested() -> Any:
    return defaultdict(lambda: defaultdict(int))


def _per_area_month(stmt) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = _nested()
    for area_id, month, n in db.session.execute(stmt):
        if month:
            out[area_id][month] += n
    return out


def _participant_selects():
    from app.cycles.models import Cycle, CycleBudget, CycleVoter
    from app.engagement.models import Comment, Support
    from app.ideas.models import Idea
    from app.permissions import visible_ideas_clause

    visible = visible_ideas_clause(None)
    return {
        "submitted": select(Idea.area_id.label("area_id"), Idea.author_id.label("user_id")).where(visible),
        "supported": select(Idea.area_id.label("area_id"), Support.user_id.label("user_id"))
        .join(Idea, Idea.id == Support.idea_id).where(visible),
        "commented": select(Idea.area_id.label("area_id"), Comment.author_id.label("user_id"))
        .join(Idea, Idea.id == Comment.idea_id).where(visible, *_visible_comment()),
        # Only once voting has closed: while it is open, the number of people who have voted so far
        # is a running count of the vote (issue 15.4), served nowhere.
        "voted": select(Cycle.area_id.label("area_id"), CycleVoter.user_id.label("user_id"))
        .join(CycleBudget, CycleBudget.id == CycleVoter.budget_id).join(Cycle, Cycle.id == CycleBudget.cycle_id)
        .where(Cycle.voting_closed_at.is_not(None)),
    }


def _participants() -> tuple[dict[int, dict[str, int]], dict[str, int]]:
    """Distinct accounts per area (and in the country) for each activity and for any of them."""
    selects = _participant_selects()
    per_area: dict[int, dict[str, int]] = _nested()
    country: dict[str, int] = {}
    for kind, stmt in selects.items():
        sub = stmt.subquery()
        for area_id, n in db.session.execute(
            select(sub.c.area_id, func.count(distinct(sub.c.user_id))).group_by(sub.c.area_id)
        ):
            per_area[area_id][kind] = n
        country[kind] = db.session.scalar(select(func.count(distinct(sub.c.user_id)))) or 0
    every = union(*selects.values()).subquery()
    for area_id, n in db.session.execute(
        select(every.c.area_id, func.count(distinct(every.c.user_id))).group_by(every.c.area_id)
    ):
        per_area[area_id]["any"] = n
    country["any"] = db.session.scalar(select(func.count(distinct(every.c.user_id)))) or 0
    return per_area, country


def _turnout(now: datetime) -> dict[int, list[dict[str, Any]]]:
    """Ballots and eligible voters of every budget whose voting has closed, by the cycle's area."""
    from app.accounts.models import User
    from app.areas.services import subdistrict_codes_of
    from app.cycles.models import BallotChannel, Cycle, CycleBallot, Phase
    from app.cycles.phases import current_phase

    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.area_id, Cycle.fiscal_year, Cycle.id)).all()
    for cycle in cycles:
        if cycle.voting_closed_at is None and current_phase(cycle, now) not in (Phase.RESULTS, Phase.IMPLEMENTATION):
            continue  # voting open (or not yet): no count of any kind
        area_codes = subdistrict_codes_of(cycle.area)
        for budget in sorted(cycle.budgets, key=lambda b: (b.position, b.id)):
            counts = {channel: 0 for channel in BallotChannel}
            for channel, n in db.session.execute(
                select(CycleBallot.channel, func.count()).where(
                    CycleBallot.budget_id == budget.id, CycleBallot.replaced.is_(False)
                ).group_by(CycleBallot.channel)
            ):
                counts[channel] = n
            codes = {s.code for s in budget.subdistricts}
            if area_codes is not None:
                codes = (codes & area_codes) if codes else set(area_codes)
            eligible = None
            if cycle.imported_from is None:
                stmt = select(func.count()).select_from(User).where(
                    User.residency_verified_at.is_not(None), User.deleted_at.is_(None),
                    User.province_code == cycle.area.province_code,
                )
                if codes or area_codes is not None:
                    stmt = stmt.where(User.subdistrict_code.in_(sorted(codes)))
                eligible = db.session.scalar(stmt) or 0
            out[cycle.area_id].append({
                "area_code": cycle.area.code, "cycle_id": cycle.id, "title": cycle.title, "fiscal_year": cycle.fiscal_year,
                "budget_id": budget.id, "budget_name": budget.name,
                "online": counts[BallotChannel.ONLINE], "paper": counts[BallotChannel.PAPER],
                "imported": counts[BallotChannel.IMPORTED], "eligible": eligible,
            })
    return out


def _response(stats: ResponseTime) -> dict[str, Any]:
    return {"total": stats.total, "answered": stats.answered, "median_days": stats.median_days,
            "within_15": stats.within_15, "within_30": stats.within_30}


def _ranking_row(area, stats: ResponseTime) -> list:
    return [area.code, area.name_th, area.name_en, area.province_code, stats.total, stats.answered,
            round(stats.median_days, 2) if stats.median_days is not None else None,
            round(stats.share_15 or 0, 4), round(stats.share_30 or 0, 4)]


def rank(rows: list[list]) -> list[list]:
    """Fastest first: the larger share answered within 15 days, then within 30, then the shorter median."""
    return sorted(rows, key=lambda r: (-r[7], -r[8], r[6] if r[6] is not None else float("inf"), r[0]))


def compute_all(now: Optional[datetime] = None) -> dict[str, dict[str, Any]]:
    """The figures of the country ("TH") and of every area with any activity, keyed by scope code."""
    from app.areas.models import Area
    from app.engagement.models import Comment, Support
    from app.ideas.models import Idea
    from app.permissions import visible_ideas_clause

    now = now or utcnow()
    visible = visible_ideas_clause(None)
    areas = {a.id: a for a in db.session.scalars(select(Area))}
    submitted = _per_area_month(
        select(Idea.area_id, _month(Idea.created_at), func.count()).where(visible).group_by(Idea.area_id, _month(Idea.created_at)))
    answered = _per_area_month(
        select(Idea.area_id, _month(Idea.first_answered_at), func.count())
        .where(visible, Idea.first_answered_at.is_not(None)).group_by(Idea.area_id, _month(Idea.first_answered_at)))
    supports = _per_area_month(
        select(Idea.area_id, _month(Support.created_at), func.count()).join(Idea, Idea.id == Support.idea_id)
        .where(visible).group_by(Idea.area_id, _month(Support.created_at)))
    comments = _per_area_month(
        select(Idea.area_id, _month(Comment.created_at), func.count()).join(Idea, Idea.id == Comment.idea_id)
        .where(visible, *_visible_comment()).group_by(Idea.area_id, _month(Comment.created_at)))
    categories: dict[int, dict[str, int]] = _nested()
    statuses: dict[int, dict[str, int]] = _nested()
    for area_id, category, status, n in db.session.execute(
        select(Idea.area_id, Idea.category, Idea.status, func.count()).where(visible)
        .group_by(Idea.area_id, Idea.category, Idea.status)
    ):
        categories[area_id][category.value] += n
        statuses[area_id][status.value] += n
    participants, country_participants = _participants()
    turnout = _turnout(now)
    response_rows, country_response = response_times_by_area(now)
    responses = {r.area_id: r.stats for r in response_rows}

    active = set(submitted) | set(answered) | set(supports) | set(comments) | set(participants) | set(turnout) | set(responses)
    ranking_all = rank([_ranking_row(areas[a], s) for a, s in responses.items() if s.total >= RANKING_MIN_IDEAS])
    out: dict[str, dict[str, Any]] = {}

    def scope_data(area_id: Optional[int]) -> dict[str, Any]:
        def pick(source):
            if area_id is not None:
                return dict(source.get(area_id, {}))
            total: dict[str, int] = defaultdict(int)
            for per in source.values():
                for key, n in per.items():
                    total[key] += n
            return dict(total)

        data = {
            "computed_at": now.isoformat(),
            "window_days": WINDOW_DAYS,
            "submitted": pick(submitted), "answered": pick(answered),
            "supports": pick(supports), "comments": pick(comments),
            "categories": pick(categories), "statuses": pick(statuses),
            "participants": dict(participants.get(area_id, {})) if area_id is not None else country_participants,
            "turnout": list(turnout.get(area_id, [])) if area_id is not None else [t for rows in turnout.values() for t in rows],
            "response": _response(responses[area_id]) if area_id in responses else (
                _response(country_response) if area_id is None else None),
        }
        if area_id is None:
            data["ranking"] = ranking_all
        elif areas[area_id].is_province:
            data["ranking"] = [r for r in ranking_all if r[3] == areas[area_id].province_code]
        return data

    out[COUNTRY] = scope_data(None)
    for area_id in sorted(active):
        out[areas[area_id].code] = scope_data(area_id)
    return out


@dataclass(frozen=True)
class RefreshReport:
    scopes: int
    seconds: float


def refresh_statistics(now: Optional[datetime] = None) -> RefreshReport:
    """Recompute every scope and replace the stored rows (in the caller's transaction)."""
    import time

    from app.areas.models import Area
    from app.opendata.models import StatisticsSnapshot

    started = time.monotonic()
    now = now or utcnow()
    figures = compute_all(now)
    area_ids = {code: id_ for id_, code in db.session.execute(select(Area.id, Area.code))}
    db.session.execute(StatisticsSnapshot.__table__.delete())
    db.session.execute(StatisticsSnapshot.__table__.insert(), [
        {"scope": code, "area_id": area_ids.get(code) if code != COUNTRY else None, "computed_at": now, "data": data,
         "ideas": sum(data["submitted"].values())}
        for code, data in figures.items()
    ])
    db.session.flush()
    return RefreshReport(scopes=len(figures), seconds=time.monotonic() - started)


def snapshot(scope: str):
    """The stored figures of a scope, or None (an area without activity, or before the first refresh)."""
    from app.opendata.models import StatisticsSnapshot

    return db.session.get(StatisticsSnapshot, scope)


def month_series(counts: dict[str, int], last: str, months: int = MONTHS_SHOWN) -> list[tuple[str, int]]:
    """The `months` calendar months ending with `last` (YYYY-MM), with 0 where nothing happened."""
    year, month = int(last[:4]), int(last[5:7])
    out = []
    for _ in range(months):
        key = f"{year:04d}-{month:02d}"
        out.append((key, int(counts.get(key, 0))))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def all_months(*series: dict[str, int], last: str) -> list[str]:
    """Every month from the first with data to `last` (for the CSV files, which hold the whole history)."""
    keys = [k for s in series for k in s]
    if not keys:
        return []
    first = min(keys)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out
