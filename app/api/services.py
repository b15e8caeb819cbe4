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


# --- proposals --------------------------------------------------------------------------------------


def public_proposals():
    """Drafts are the officials' working copies (Proposal.is_public); every later state is public."""
    from app.proposals.models import Proposal, ProposalState

    return select(Proposal).where(Proposal.state != ProposalState.DRAFT)


def _public_idea_ids(proposal_ids: list[int]) -> dict[int, list[int]]:
    """The ideas each proposal answers, only those an anonymous reader may see."""
    from app.proposals.models import proposal_ideas

    out: dict[int, list[int]] = {pid: [] for pid in proposal_ids}
    if not proposal_ids:
        return out
    rows = db.session.execute(
        select(proposal_ideas.c.proposal_id, Idea.id).join(Idea, Idea.id == proposal_ideas.c.idea_id)
        .where(proposal_ideas.c.proposal_id.in_(proposal_ids), visible_ideas_clause(None)).order_by(Idea.id)
    )
    for pid, iid in rows:
        out[pid].append(iid)
    return out


def proposal_out(p: Any, codes: dict[int, str], idea_ids: list[int]) -> s.Proposal:
    item = p.plan_item
    return s.Proposal(
        id=p.id, area_code=codes[p.area_id], title=p.title, objective=p.objective, target_output=p.target_output,
        location_text=p.location_text, responsible_unit=p.responsible_unit, kpi=p.kpi, expected_result=p.expected_result,
        status=p.state, fiscal_year=p.fiscal_year, estimated_cost=p.estimated_cost, revised_cost=p.revised_cost,
        final_cost=p.final_cost,
        budget_years=[s.BudgetYear(fiscal_year=b.fiscal_year, amount=b.amount) for b in p.budget_years],
        plan_item=s.PlanItemRef(id=item.id, plan_id=item.plan_id, code=item.code, title=item.title, level=item.level) if item else None,
        idea_ids=idea_ids, subdistrict_codes=[d.code for d in p.subdistricts],
        history=[s.StateChange(from_state=t.from_state, to_state=t.to_state, at=t.at, reason=t.reason or "",
                               by=_deleted_or_name(t.actor)) for t in p.transitions],
        created_at=p.created_at, updated_at=latest([p.created_at, p.updated_at, p.state_changed_at]),
        url=absolute_url("proposals.show_proposal", proposal_id=p.id),
    )


def _proposal_options():
    from app.proposals.models import Proposal, ProposalTransition

    return (selectinload(Proposal.budget_years), selectinload(Proposal.plan_item), selectinload(Proposal.subdistricts),
            selectinload(Proposal.transitions).selectinload(ProposalTransition.actor))


def list_proposals(q: s.ProposalQuery) -> tuple[s.ProposalList, Optional[datetime]]:
    from app.proposals.models import Proposal

    stmt = public_proposals().options(*_proposal_options())
    area = area_by_code(q.area)
    if area is not None:
        stmt = stmt.where(Proposal.area_id == area.id)
    if q.status is not None:
        stmt = stmt.where(Proposal.state == q.status)
    if q.fiscal_year is not None:
        stmt = stmt.where(Proposal.fiscal_year == q.fiscal_year)
    if q.since is not None:
        stmt = stmt.where(Proposal.created_at >= start_of_day(q.since, "since"))
    if q.updated_since is not None:
        t = to_utc(q.updated_since, "updated_since")
        stmt = stmt.where(or_(Proposal.created_at >= t, Proposal.updated_at >= t, Proposal.state_changed_at >= t))
    page = _page(stmt, "proposals", Proposal.id, q.cursor, q.limit, descending=True, key_of=lambda p: p.id)
    codes = _area_codes(p.area_id for p in page.rows)
    ideas = _public_idea_ids([p.id for p in page.rows])
    items = [proposal_out(p, codes, ideas[p.id]) for p in page.rows]
    return s.ProposalList(items=items, next_cursor=page.next_cursor, next=None), latest(i.updated_at for i in items)


def get_proposal(proposal_id: int) -> tuple[s.Proposal, Optional[datetime]]:
    from app.proposals.models import Proposal

    p = db.session.scalar(public_proposals().options(*_proposal_options()).where(Proposal.id == proposal_id))
    if p is None:
        raise ApiProblem(404, _l("No public proposal has this number."))
    out = proposal_out(p, _area_codes([p.area_id]), _public_idea_ids([p.id])[p.id])
    return out, out.updated_at


# --- plans ------------------------------------------------------------------------------------------
# Plans record when they were made, not when an item was last edited: they are sent without
# Last-Modified (the ETag still answers If-None-Match).


def plan_out(plan: Any, codes: dict[int, str]) -> s.Plan:
    children: dict[Optional[int], list] = {}
    for item in sorted(plan.items, key=lambda i: (i.position, i.id)):
        children.setdefault(item.parent_id, []).append(item)

    def tree(parent_id: Optional[int], depth: int) -> list[s.PlanItem]:
        if depth > 3:  # three levels (plans.models.MAX_LEVEL); never loop on a damaged tree
            return []
        return [s.PlanItem(id=i.id, code=i.code, title=i.title, level=i.level, children=tree(i.id, depth + 1))
                for i in children.get(parent_id, [])]

    return s.Plan(id=plan.id, area_code=codes[plan.area_id], kind=plan.kind, title=plan.title, start_year=plan.start_year,
                  end_year=plan.end_year, created_at=plan.created_at, items=tree(None, 1),
                  url=absolute_url("plans.show_plan", plan_id=plan.id))


def list_plans(q: s.PlanQuery) -> tuple[s.PlanList, Optional[datetime]]:
    from app.plans.models import Plan

    stmt = select(Plan).options(selectinload(Plan.items))
    area = area_by_code(q.area)
    if area is not None:
        stmt = stmt.where(Plan.area_id == area.id)
    if q.kind is not None:
        stmt = stmt.where(Plan.kind == q.kind)
    page = _page(stmt, "plans", Plan.id, q.cursor, q.limit, descending=True, key_of=lambda p: p.id)
    codes = _area_codes(p.area_id for p in page.rows)
    return s.PlanList(items=[plan_out(p, codes) for p in page.rows], next_cursor=page.next_cursor, next=None), None


def get_plan(plan_id: int) -> tuple[s.Plan, Optional[datetime]]:
    from app.plans.models import Plan

    plan = db.session.scalar(select(Plan).options(selectinload(Plan.items)).where(Plan.id == plan_id))
    if plan is None:
        raise ApiProblem(404, _l("No plan has this number."))
    return plan_out(plan, _area_codes([plan.area_id])), None


# --- cycles, results, progress ----------------------------------------------------------------------
# Vote counts are never served while voting is open (issue 15.4): a cycle says nothing of its ballots,
# and its results exist here only once published and voting is over. Cycles carry no time of their
# last edit, so they are sent without Last-Modified.


def results_public(cycle: Any) -> bool:
    from app.cycles.voting import voting_open

    return cycle.results_published_at is not None and not voting_open(cycle)


def cycle_out(cycle: Any, codes: dict[int, str]) -> s.Cycle:
    from app.cycles.phases import current_phase, phase_starts

    published = results_public(cycle)
    budgets = [
        s.CycleBudget(
            id=b.id, name=b.name, amount=b.amount, subdistrict_codes=[d.code for d in b.subdistricts],
            projects=[s.CycleProject(id=p.id, title=p.title, description=p.description or "", cost=p.cost,
                                     proposal_id=p.proposal_id, selected=p.selected if published else None)
                      for p in b.projects],
        )
        for b in cycle.budgets
    ]
    return s.Cycle(
        id=cycle.id, area_code=codes[cycle.area_id], fiscal_year=cycle.fiscal_year, title=cycle.title,
        description=cycle.description or "", total_budget=cycle.total_budget, phase=current_phase(cycle),
        phases=[s.PhaseStart(phase=ph, starts_on=d) for ph, d in phase_starts(cycle).items()],
        ballot=s.Ballot(kind=cycle.ballot_kind, min_projects=cycle.min_projects, max_projects=cycle.max_projects,
                        min_share_percent=cycle.min_share_percent, points_total=cycle.points_total,
                        points_max=cycle.points_max, rank_k=cycle.rank_k),
        rule=cycle.rule, completion=cycle.completion, threshold=cycle.threshold, budgets=budgets,
        voting_closed_at=cycle.voting_closed_at, results_published_at=cycle.results_published_at if published else None,
        results=absolute_url("api.get_results", cycle_id=cycle.id) if published else None,
        created_at=cycle.created_at, url=absolute_url("cycles.show_cycle", cycle_id=cycle.id),
    )


def _cycle_options():
    from app.cycles.models import Cycle, CycleBudget

    return (selectinload(Cycle.budgets).selectinload(CycleBudget.projects),
            selectinload(Cycle.budgets).selectinload(CycleBudget.subdistricts))


def list_cycles(q: s.CycleQuery) -> tuple[s.CycleList, Optional[datetime]]:
    from app.cycles.models import Cycle

    stmt = select(Cycle).options(*_cycle_options())
    area = area_by_code(q.area)
    if area is not None:
        stmt = stmt.where(Cycle.area_id == area.id)
    if q.fiscal_year is not None:
        stmt = stmt.where(Cycle.fiscal_year == q.fiscal_year)
    page = _page(stmt, "cycles", Cycle.id, q.cursor, q.limit, descending=True, key_of=lambda c: c.id)
    codes = _area_codes(c.area_id for c in page.rows)
    return s.CycleList(items=[cycle_out(c, codes) for c in page.rows], next_cursor=page.next_cursor, next=None), None


def _cycle(cycle_id: int) -> Any:
    from app.cycles.models import Cycle

    cycle = db.session.scalar(select(Cycle).options(*_cycle_options()).where(Cycle.id == cycle_id))
    if cycle is None:
        raise ApiProblem(404, _l("No budgeting cycle has this number."))
    return cycle


def get_cycle(cycle_id: int) -> tuple[s.Cycle, Optional[datetime]]:
    cycle = _cycle(cycle_id)
    return cycle_out(cycle, _area_codes([cycle.area_id])), None


def get_results(cycle_id: int) -> tuple[s.Results, Optional[datetime]]:
    from app.cycles import results as tally
    from app.cycles.services import published_result

    cycle = _cycle(cycle_id)
    if not results_public(cycle):
        raise ApiProblem(404, _l("The results of this cycle are not published yet: no vote count is shown while voting is open."))
    budgets = []
    for budget in cycle.budgets:
        result = published_result(budget)
        if result is None:
            continue
        view = tally.result_view(cycle, budget, result)
        budgets.append(s.BudgetResult(
            budget_id=budget.id, name=budget.name, amount=budget.amount, rule=result.rule, num_ballots=result.num_ballots,
            used=view["used"], computed_at=result.computed_at,
            ballots_pb=absolute_url("cycles.download_ballots", cycle_id=cycle.id, budget_id=budget.id)
            if tally.export_allowed(cycle) else None,
            projects=[s.ResultProject(project_id=r["project"].id, title=r["project"].title, cost=r["project"].cost,
                                      selected=r["selected"], votes=int(r["votes"]), score=float(r["score"]),
                                      explanation=str(r["explanation"])) for r in view["rows"]],
        ))
    return s.Results(cycle_id=cycle.id, published_at=cycle.results_published_at, budgets=budgets), cycle.results_published_at


def get_progress(cycle_id: int) -> tuple[s.Progress, Optional[datetime]]:
    from app.cycles.models import CycleProject, ProgressUpdate

    cycle = _cycle(cycle_id)
    projects = []
    if results_public(cycle):  # "funded" means selected by the published result
        rows = db.session.scalars(
            select(CycleProject).where(CycleProject.cycle_id == cycle.id, CycleProject.selected.is_(True))
            .options(selectinload(CycleProject.updates).selectinload(ProgressUpdate.photos))
            .order_by(CycleProject.budget_id, CycleProject.position, CycleProject.id)
        )
        for p in rows:
            projects.append(s.FundedProject(
                project_id=p.id, budget_id=p.budget_id, title=p.title, cost=p.cost, proposal_id=p.proposal_id,
                updates=[s.ProgressUpdate(
                    id=u.id, status=u.status, percent=u.percent, note=u.note or "", happened_on=u.happened_on,
                    created_at=u.created_at,
                    photos=[s.ProgressPhoto(url=absolute_url("media.serve", name=ph.filename), width=ph.width, height=ph.height)
                            for ph in u.photos],
                ) for u in p.updates],
            ))
    modified = latest([u.created_at for p in projects for u in p.updates] + [cycle.results_published_at])
    return s.Progress(cycle_id=cycle.id, projects=projects), modified


# --- statistics -------------------------------------------------------------------------------------
# The open-data part computes them every hour (app/opendata/statistics.py); the API serves its rows.


def get_statistics(scope: str) -> tuple[s.Statistics, Optional[datetime]]:
    from app.opendata.statistics import COUNTRY, snapshot

    area = None
    if scope != COUNTRY:
        area = db.session.scalar(select(Area).where(Area.code == scope))
        if area is None:
            raise ApiProblem(404, _l("No area has this code."))
    row = snapshot(scope)
    if row is None:
        raise ApiProblem(404, _l("No statistics for this area yet: it has no activity, or the figures were not computed yet."))
    data = row.data
    # No running count of the vote: the figures count voters only of votes that have closed
    # (app/opendata/statistics.py), the same rule as the statistics pages and their CSV files.
    participants = dict(data.get("participants") or {})
    ranking = data.get("ranking")
    out = s.Statistics(
        scope=scope, computed_at=row.computed_at, window_days=data.get("window_days", 0),
        submitted=data.get("submitted", {}), answered=data.get("answered", {}), supports=data.get("supports", {}),
        comments=data.get("comments", {}), categories=data.get("categories", {}), statuses=data.get("statuses", {}),
        participants=participants,
        turnout=[s.Turnout(**t) for t in data.get("turnout", [])],
        response=s.ResponseStats(**data["response"]) if data.get("response") else None,
        ranking=[s.RankingRow(area_code=r[0], name_th=r[1], name_en=r[2], province_code=r[3], ideas=r[4], answered=r[5],
                              median_days=r[6], share_15=r[7], share_30=r[8]) for r in ranking] if ranking is not None else None,
    )
    return out, row.computed_at
