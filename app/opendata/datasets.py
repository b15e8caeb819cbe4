"""The open datasets: what each holds, its fields (name, type, constraints, meaning) and its rows.

Each dataset's rows come from one streamed query, ordered by area, so that the builder writes the
country file and each area's file in one pass without holding the rows in memory. Only what an
anonymous reader of the HTML pages sees is read:

- ideas: `visible_ideas_clause(None)` (not hidden, not waiting for review), no author;
- proposals: every state but draft (the officials' working copies), ideas listed only if visible;
- plans: plans are public;
- cycles: settings and dates, never a count of ballots;
- results: only published results (a result is computed only once voting has closed);
- ballots: the anonymous `.pb` files, only for cycles whose voting has closed (as the results page);
- response times: the triage definition (app.triage.services.response_time), per area.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db

STREAM_CHUNK = 2000
AREA_CODE_PATTERN = "^[0-9]{2}([0-9]{5})?$"  # a province (2 digits) or a local government (7-digit DLA code)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Frictionless Table Schema type: string, integer, number, boolean, datetime, date, year
    description: str  # English: the data package is read by machines and by people in either language
    required: bool = False
    unique: bool = False
    minimum: Optional[int] = None
    maximum: Optional[float] = None
    enum: Optional[tuple[str, ...]] = None
    pattern: Optional[str] = None
    max_length: Optional[int] = None

    def descriptor(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.type == "datetime":
            out["format"] = "%Y-%m-%dT%H:%M:%SZ"
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if self.max_length is not None:
            constraints["maxLength"] = self.max_length
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass
class Context:
    """What every dataset's rows need: the areas by id (7,900 of them, loaded once)."""

    areas: dict[int, Any]  # id -> Area
    now: datetime
    base_url: str
    response_times: Optional[list] = None  # filled once by the builder (statistics.response_times_by_area)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: Any  # lazy string
    description: Any
    fields: tuple[Field, ...]
    # (area_id, values) ordered by area_id; values ready for JSON: timestamps and dates already as text
    rows: Callable[[Context], Iterator[tuple[int, tuple]]]
    count: Callable[[Context], int]
    statistical: bool = False  # GD Catalog: ข้อมูลสถิติ rather than ข้อมูลระเบียน
    primary_key: tuple[str, ...] = ()
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fields": [f.descriptor() for f in self.fields]}
        if self.primary_key:
            out["primaryKey"] = list(self.primary_key)
        return out


def iso(value: Optional[datetime]) -> Optional[str]:
    """A UTC timestamp as the datasets write it: 2026-12-03T12:00:00Z."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def day(value) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _enum_values(enum_cls) -> tuple[str, ...]:
    return tuple(member.value for member in enum_cls)


def _code(ctx: Context, area_id: int) -> str:
    return ctx.areas[area_id].code


def _stream(stmt):
    return db.session.execute(stmt.execution_options(yield_per=STREAM_CHUNK))


# --- ideas -------------------------------------------------------------------------------------


def _idea_fields() -> tuple[Field, ...]:
    from app.ideas.models import IdeaCategory, IdeaStatus

    return (
        Field("id", "integer", "Idea number, as in its address /ideas/<id>.", required=True, unique=True, minimum=1),
        Field("area_code", "string", "Area the idea is addressed to: province code (2 digits) or DLA code of the local government (7 digits).", required=True, pattern=AREA_CODE_PATTERN),
        Field("title", "string", "Title, as the author wrote it.", required=True, max_length=150),
        Field("description", "string", "Description, as the author wrote it.", required=True),
        Field("category", "string", "Category chosen by the author.", required=True, enum=_enum_values(IdeaCategory)),
        Field("status", "string", "Public status given by the area's officials.", required=True, enum=_enum_values(IdeaStatus)),
        Field("answer", "string", "The officials' latest public answer, if any."),
        Field("subdistrict_code", "string", "Subdistrict (ตำบล/แขวง, 6-digit DOPA code) the idea is about, if given.", pattern="^[0-9]{6}$"),
        Field("latitude", "number", "Map point chosen by the author (WGS 84), if any.", minimum=-90, maximum=90),
        Field("longitude", "number", "Map point chosen by the author (WGS 84), if any.", minimum=-180, maximum=180),
        Field("supports", "integer", "Number of residents who support the idea.", required=True, minimum=0),
        Field("comments", "integer", "Number of comments.", required=True, minimum=0),
        Field("withdrawn", "boolean", "Withdrawn by its author (it stays visible, marked as withdrawn).", required=True),
        Field("merged_into_id", "integer", "For a merged idea, the idea it was merged into.", minimum=1),
        Field("created_at", "datetime", "When the idea was submitted (UTC).", required=True),
        Field("first_answered_at", "datetime", "When an official first answered it (UTC); empty while unanswered."),
        Field("status_changed_at", "datetime", "When its status last changed (UTC)."),
        Field("url", "string", "The idea's page.", required=True),
    )


def _idea_stmt(columns):
    from app.ideas.models import Idea
    from app.permissions import visible_ideas_clause

    return select(*columns).where(visible_ideas_clause(None))


def _raw_timestamp(dialect: str) -> Callable[[Any], Optional[str]]:
    """How a timestamp read without SQLAlchemy's types becomes 2026-12-03T12:00:00Z.

    SQLite hands back the text SQLAlchemy stored ("2026-12-03 12:00:00.000000", UTC); PostgreSQL a
    datetime in the session's time zone, which the query sets to UTC.
    """
    if dialect == "sqlite":
        return lambda v: None if v is None else f"{v[:10]}T{v[11:19]}Z"
    return lambda v: None if v is None else f"{v:%Y-%m-%dT%H:%M:%S}Z"


def _idea_rows(ctx: Context) -> Iterator[tuple[int, tuple]]:
    """Streamed without the ORM's per-value conversions (enums arrive as their stored values): at a
    million ideas those conversions cost more than writing the files."""
    from app.ideas.models import Idea

    stmt = _idea_stmt((
        Idea.area_id, Idea.id, Idea.title, Idea.description, Idea.category, Idea.status, Idea.answer,
        Idea.subdistrict_code, Idea.lat, Idea.lon, Idea.support_count, Idea.comment_count, Idea.withdrawn_at,
        Idea.merged_into_id, Idea.created_at, Idea.first_answered_at, Idea.status_changed_at,
    )).order_by(Idea.area_id, Idea.created_at, Idea.id)
    conn = db.session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    ts = _raw_timestamp(dialect)
    base = ctx.base_url
    codes = {area_id: area.code for area_id, area in ctx.areas.items()}
    # Options of this statement only: Connection.execution_options would change the session's connection.
    result = conn.exec_driver_sql(sql, execution_options={"stream_results": True, "yield_per": STREAM_CHUNK})
    for (area_id, id_, title, description, category, status, answer, sub, lat, lon, supports, comments,
         withdrawn_at, merged, created, answered, changed) in result:
        yield area_id, (
            id_, codes[area_id], title, description, category, status, answer, sub, lat, lon,
            supports, comments, withdrawn_at is not None, merged, ts(created), ts(answered), ts(changed),
            f"{base}/ideas/{id_}",
        )


def _idea_count(ctx: Context) -> int:
    from sqlalchemy import func

    return db.session.scalar(_idea_stmt((func.count(),))) or 0


# --- proposals ---------------------------------------------------------------------------------


def _proposal_fields() -> tuple[Field, ...]:
    from app.proposals.models import ProposalState

    public_states = tuple(s.value for s in ProposalState if s is not ProposalState.DRAFT)
    return (
        Field("id", "integer", "Proposal number, as in its address /proposals/<id>.", required=True, unique=True, minimum=1),
        Field("area_code", "string", "Area whose proposal it is (province or local government code).", required=True, pattern=AREA_CODE_PATTERN),
        Field("title", "string", "Project title.", required=True),
        Field("objective", "string", "Objective (วัตถุประสงค์).", required=True),
        Field("target_output", "string", "Target or output (เป้าหมาย).", required=True),
        Field("location", "string", "Where the project takes place, as written by the officials."),
        Field("estimated_cost", "integer", "Officials' estimate of the cost, in baht.", required=True, minimum=0),
        Field("revised_cost", "integer", "Cost revised after assessment, in baht, if any.", minimum=0),
        Field("responsible_unit", "string", "Unit responsible (หน่วยงานรับผิดชอบหลัก).", required=True),
        Field("kpi", "string", "Key performance indicator (ตัวชี้วัด).", required=True),
        Field("expected_result", "string", "Expected result (ผลที่คาดว่าจะได้รับ).", required=True),
        Field("fiscal_year", "integer", "Fiscal year (Buddhist Era) the proposal is for.", required=True, minimum=2400, maximum=2700),
        Field("budget_by_year", "string", "Yearly budget as year:baht pairs separated by ';' (e.g. 2568:100000;2569:50000).", pattern="^([0-9]{4}:[0-9]+)(;[0-9]{4}:[0-9]+)*$"),
        Field("plan_item_id", "integer", "Plan item the proposal serves (see the plans dataset), if linked.", minimum=1),
        Field("state", "string", "Where the proposal stands.", required=True, enum=public_states),
        Field("state_changed_at", "datetime", "When the state last changed (UTC).", required=True),
        Field("idea_ids", "string", "Public ideas behind the proposal, their numbers separated by ';'.", pattern="^[0-9]+(;[0-9]+)*$"),
        Field("url", "string", "The proposal's page.", required=True),
    )


def _proposal_rows(ctx: Context) -> Iterator[tuple[int, tuple]]:
    from app.ideas.models import Idea
    from app.permissions import visible_ideas_clause
    from app.proposals.models import Proposal, ProposalBudgetYear, ProposalState, proposal_ideas

    ideas: dict[int, list[int]] = {}
    for pid, iid in db.session.execute(
        select(proposal_ideas.c.proposal_id, proposal_ideas.c.idea_id)
        .join(Idea, Idea.id == proposal_ideas.c.idea_id).where(visible_ideas_clause(None))
        .order_by(proposal_ideas.c.proposal_id, proposal_ideas.c.idea_id)
    ):
        ideas.setdefault(pid, []).append(iid)
    years: dict[int, list[str]] = {}
    for pid, year, amount in db.session.execute(
        select(ProposalBudgetYear.proposal_id, ProposalBudgetYear.fiscal_year, ProposalBudgetYear.amount)
        .order_by(ProposalBudgetYear.proposal_id, ProposalBudgetYear.fiscal_year)
    ):
        years.setdefault(pid, []).append(f"{year}:{amount}")
    stmt = select(
        Proposal.area_id, Proposal.id, Proposal.title, Proposal.objective, Proposal.target_output, Proposal.location_text,
        Proposal.estimated_cost, Proposal.revised_cost, Proposal.responsible_unit, Proposal.kpi, Proposal.expected_result,
        Proposal.fiscal_year, Proposal.plan_item_id, Proposal.state, Proposal.state_changed_at,
    ).where(Proposal.state != ProposalState.DRAFT).order_by(Proposal.area_id, Proposal.id)
    for (area_id, id_, title, objective, target, location, cost, revised, unit, kpi, expected, year, item,
         state, changed) in _stream(stmt):
        yield area_id, (
            id_, _code(ctx, area_id), title, objective, target, location or None, cost, revised, unit, kpi, expected,
            year, ";".join(years.get(id_, [])) or None, item, state.value, iso(changed),
            ";".join(str(i) for i in ideas.get(id_, [])) or None, f"{ctx.base_url}/proposals/{id_}",
        )


def _proposal_count(ctx: Context) -> int:
    from sqlalchemy import func

    from app.proposals.models import Proposal, ProposalState

    return db.session.scalar(select(func.count()).select_from(Proposal).where(Proposal.state != ProposalState.DRAFT)) or 0


# --- plans -------------------------------------------------------------------------------------


def _plan_fields() -> tuple[Field, ...]:
    from app.plans.models import PlanKind

    return (
        Field("item_id", "integer", "Plan item number (proposals refer to it).", required=True, unique=True, minimum=1),
        Field("plan_id", "integer", "Plan number, as in its address /plans/<id>.", required=True, minimum=1),
        Field("area_code", "string", "Area whose plan it is.", required=True, pattern=AREA_CODE_PATTERN),
        Field("plan_kind", "string", "Kind of plan: a province's annual action plan or a local development plan.", required=True, enum=_enum_values(PlanKind)),
        Field("plan_title", "string", "Title of the plan.", required=True),
        Field("start_year", "integer", "First fiscal year of the plan (Buddhist Era).", required=True, minimum=2400, maximum=2700),
        Field("end_year", "integer", "Last fiscal year of the plan (Buddhist Era).", required=True, minimum=2400, maximum=2700),
        Field("parent_item_id", "integer", "The item this one belongs to; empty at the top level.", minimum=1),
        Field("level", "integer", "Depth in the plan: 1 development issue or strategy, 2 programme or tactic, 3 key project or programme.", required=True, minimum=1),
        Field("code", "string", "The item's number in the plan (e.g. 1.2.3).", required=True),
        Field("title", "string", "The item's title.", required=True),
        Field("position", "integer", "Order among its siblings.", required=True, minimum=0),
    )


def _plan_rows(ctx: Context) -> Iterator[tuple[int, tuple]]:
    from app.plans.models import Plan, PlanItem

    stmt = select(
        Plan.area_id, PlanItem.id, Plan.id, Plan.kind, Plan.title, Plan.start_year, Plan.end_year,
        PlanItem.parent_id, PlanItem.level, PlanItem.code, PlanItem.title, PlanItem.position,
    ).join(PlanItem, PlanItem.plan_id == Plan.id).order_by(Plan.area_id, Plan.id, PlanItem.level, PlanItem.position, PlanItem.id)
    for area_id, item_id, plan_id, kind, plan_title, start, end, parent, level, code, title, position in _stream(stmt):
        yield area_id, (item_id, plan_id, _code(ctx, area_id), kind.value, plan_title, start, end, parent, level, code, title, position)


def _plan_count(ctx: Context) -> int:
    from sqlalchemy import func

    from app.plans.models import PlanItem

    return db.session.scalar(select(func.count()).select_from(PlanItem)) or 0


# --- cycles ------------------------------------------------------------------------------------


def _cycle_fields() -> tuple[Field, ...]:
    from app.cycles.models import BallotKind, Completion, Phase, TallyRule

    return (
        Field("budget_id", "integer", "Budget number (a cycle has one or more budgets).", required=True, unique=True, minimum=1),
        Field("cycle_id", "integer", "Cycle number, as in its address /cycles/<id>.", required=True, minimum=1),
        Field("area_code", "string", "Area that runs the cycle.", required=True, pattern=AREA_CODE_PATTERN),
        Field("fiscal_year", "integer", "Fiscal year (Buddhist Era).", required=True, minimum=2400, maximum=2700),
        Field("title", "string", "Title of the cycle.", required=True),
        Field("total_budget", "integer", "Total budget of the cycle, in baht.", required=True, minimum=0),
        Field("budget_name", "string", "Name of this budget.", required=True),
        Field("budget_amount", "integer", "Amount of this budget, in baht.", required=True, minimum=0),
        Field("ballot_kind", "string", "Ballot: approval, knapsack, cumulative or ranking.", required=True, enum=_enum_values(BallotKind)),
        Field("rule", "string", "Counting rule.", required=True, enum=_enum_values(TallyRule)),
        Field("completion", "string", "Completion of the Method of Equal Shares.", required=True, enum=_enum_values(Completion)),
        Field("min_projects", "integer", "Approval ballot: least number of projects to choose.", minimum=0),
        Field("max_projects", "integer", "Approval ballot: most projects to choose.", minimum=0),
        Field("points_total", "integer", "Cumulative ballot: points each voter spreads.", minimum=0),
        Field("rank_k", "integer", "Ranking ballot: how many projects a voter ranks.", minimum=0),
        Field("phase", "string", "Phase at the time the file was built.", required=True, enum=_enum_values(Phase)),
        Field("ideas_from", "date", "First day of idea collection.", required=True),
        Field("supports_from", "date", "First day of supports.", required=True),
        Field("review_from", "date", "First day of review.", required=True),
        Field("voting_from", "date", "First day of voting.", required=True),
        Field("results_from", "date", "First day of results.", required=True),
        Field("implementation_from", "date", "First day of implementation.", required=True),
        Field("voting_closed", "boolean", "Voting has closed (ballots can no longer change).", required=True),
        Field("results_published_at", "datetime", "When the results were published (UTC); empty before."),
        Field("url", "string", "The cycle's page.", required=True),
    )


def _cycle_rows(ctx: Context) -> Iterator[tuple[int, tuple]]:
    from app.cycles.models import Cycle, CycleBudget, Phase
    from app.cycles.phases import current_phase

    cycles = db.session.scalars(select(Cycle).order_by(Cycle.area_id, Cycle.id)).all()
    for cycle in cycles:
        phase = current_phase(cycle, ctx.now)
        closed = cycle.voting_closed_at is not None or phase in (Phase.RESULTS, Phase.IMPLEMENTATION)
        for budget in sorted(cycle.budgets, key=lambda b: (b.position, b.id)):
            yield cycle.area_id, (
                budget.id, cycle.id, _code(ctx, cycle.area_id), cycle.fiscal_year, cycle.title, cycle.total_budget,
                budget.name, budget.amount, cycle.ballot_kind.value, cycle.rule.value, cycle.completion.value,
                cycle.min_projects, cycle.max_projects, cycle.points_total, cycle.rank_k, phase.value,
                day(cycle.ideas_from), day(cycle.supports_from), day(cycle.review_from), day(cycle.voting_from),
                day(cycle.results_from), day(cycle.implementation_from), closed, iso(cycle.results_published_at),
                f"{ctx.base_url}/cycles/{cycle.id}",
            )


def _cycle_count(ctx: Context) -> int:
    from sqlalchemy import func

    from app.cycles.models import CycleBudget

    return db.session.scalar(select(func.count()).select_from(CycleBudget)) or 0


# --- results -----------------------------------------------------------------------------------


def _result_fields() -> tuple[Field, ...]:
    return (
        Field("project_id", "integer", "Project number on the ballot.", required=True, unique=True, minimum=1),
        Field("cycle_id", "integer", "Cycle number (see the cycles dataset).", required=True, minimum=1),
        Field("budget_id", "integer", "Budget number (see the cycles dataset).", required=True, minimum=1),
        Field("area_code", "string", "Area that runs the cycle.", required=True, pattern=AREA_CODE_PATTERN),
        Field("pb_project_id", "string", "The project's id in the budget's .pb ballot file.", required=True),
        Field("title", "string", "Project title on the ballot.", required=True),
        Field("cost", "integer", "Cost on the ballot, in baht.", required=True, minimum=0),
        Field("proposal_id", "integer", "The proposal behind the project, if any.", minimum=1),
        Field("votes", "integer", "Ballots that chose the project (published results only).", required=True, minimum=0),
        Field("score", "number", "Points or score the counting rule gave the project.", required=True),
        Field("selected", "boolean", "Won: funded by the published result.", required=True),
        Field("rule", "string", "Counting rule of the published result.", required=True),
        Field("ballots", "integer", "Ballots counted in the budget.", required=True, minimum=0),
        Field("published_at", "datetime", "When the result was published (UTC).", required=True),
    )


def _published(ctx: Context):
    """(cycle, budget, result) for every budget whose result is published; nothing else, ever."""
    from app.cycles.models import Cycle, CycleBudget, CycleResult, ResultKind

    latest = {}
    for result in db.session.scalars(
        select(CycleResult).where(CycleResult.kind == ResultKind.PUBLISHED).order_by(CycleResult.id)
    ):
        latest[result.budget_id] = result
    if not latest:
        return []
    budgets = db.session.scalars(select(CycleBudget).where(CycleBudget.id.in_(sorted(latest)))).all()
    out = []
    for budget in budgets:
        cycle = budget.cycle
        if cycle.results_published_at is None:
            continue
        out.append((cycle, budget, latest[budget.id]))
    out.sort(key=lambda t: (t[0].area_id, t[0].id, t[1].position, t[1].id))
    return out


def _result_rows(ctx: Context) -> Iterator[tuple[int, tuple]]:
    for cycle, budget, result in _published(ctx):
        data = result.outcome
        selected = set(data.get("selected", []))
        for project in sorted(budget.projects, key=lambda p: (p.position, p.id)):
            pid = project.pb_project_id
            yield cycle.area_id, (
                project.id, cycle.id, budget.id, _code(ctx, cycle.area_id), pid, project.title, project.cost,
                project.proposal_id, int(data.get("votes", {}).get(pid, 0)), float(data.get("scores", {}).get(pid, 0)),
                pid in selected, result.rule, result.num_ballots, iso(cycle.results_published_at),
            )


def _result_count(ctx: Context) -> int:
    return sum(len(budget.projects) for _, budget, _ in _published(ctx))


# --- response times ----------------------------------------------------------------------------


def _response_fields() -> tuple[Field, ...]:
    return (
        Field("area_code", "string", "Area the ideas were submitted to.", required=True, unique=True, pattern=AREA_CODE_PATTERN),
        Field("area_name_th", "string", "Area name in Thai.", required=True),
        Field("area_name_en", "string", "Area name in English.", required=True),
        Field("window_start", "datetime", "Start of the 12 months counted (UTC).", required=True),
        Field("window_end", "datetime", "End of the 12 months counted (UTC): when the file was built.", required=True),
        Field("ideas", "integer", "Ideas submitted to the area in the window, except withdrawn and hidden ones.", required=True, minimum=0),
        Field("answered", "integer", "Of those, ideas an official has answered.", required=True, minimum=0),
        Field("median_days", "number", "Median days from submission to first answer, over the answered ideas.", minimum=0),
        Field("answered_within_15_days", "integer", "Ideas first answered within 15 days of submission.", required=True, minimum=0),
        Field("answered_within_30_days", "integer", "Ideas first answered within 30 days of submission.", required=True, minimum=0),
        Field("share_within_15_days", "number", "answered_within_15_days / ideas (an unanswered idea counts as not within).", minimum=0, maximum=1),
        Field("share_within_30_days", "number", "answered_within_30_days / ideas.", minimum=0, maximum=1),
    )


def _response_rows(ctx: Context) -> Iterator[tuple[int, tuple]]:
    for row in ctx.response_times or []:
        area = ctx.areas[row.area_id]
        stats = row.stats
        yield row.area_id, (
            area.code, area.name_th, area.name_en, iso(row.since), iso(row.until), stats.total, stats.answered,
            round(stats.median_days, 3) if stats.median_days is not None else None, stats.within_15, stats.within_30,
            round(stats.share_15, 4) if stats.share_15 is not None else None,
            round(stats.share_30, 4) if stats.share_30 is not None else None,
        )


def _response_count(ctx: Context) -> int:
    return len(ctx.response_times or [])


DATASETS: tuple[Dataset, ...] = (
    Dataset("ideas", _l("Ideas from residents"),
            _l("Every public idea residents submitted, with its category, status, the officials' answer, subdistrict, map point and counts of supports and comments. No author is named."),
            _idea_fields(), _idea_rows, _idea_count, primary_key=("id",),
            keywords=("ข้อเสนอแนะ", "การมีส่วนร่วม", "ideas", "participation")),
    Dataset("proposals", _l("Project proposals"),
            _l("Project proposals the officials built from ideas, past the draft stage: objective, target, cost, yearly budget, responsible unit, KPI, the plan item they serve and their state."),
            _proposal_fields(), _proposal_rows, _proposal_count, primary_key=("id",),
            keywords=("โครงการ", "งบประมาณ", "proposals", "budget")),
    Dataset("plans", _l("Development plans"),
            _l("The items of provinces' annual action plans and local development plans, as a tree (each item names its parent)."),
            _plan_fields(), _plan_rows, _plan_count, primary_key=("item_id",),
            keywords=("แผนพัฒนาท้องถิ่น", "แผนปฏิบัติราชการ", "plans")),
    Dataset("cycles", _l("Participatory budgeting cycles"),
            _l("Each budget of each participatory budgeting cycle: amount, ballot, counting rule and the dates of its phases. No ballot is counted here."),
            _cycle_fields(), _cycle_rows, _cycle_count, primary_key=("budget_id",),
            keywords=("งบประมาณแบบมีส่วนร่วม", "participatory budgeting")),
    Dataset("results", _l("Results of participatory budgeting"),
            _l("Published results only: for each project on a ballot, its votes, score and whether it won. A result exists only after voting has closed."),
            _result_fields(), _result_rows, _result_count, statistical=True, primary_key=("project_id",),
            keywords=("ผลการลงคะแนน", "results", "participatory budgeting")),
    Dataset("response_times", _l("Response times to residents' ideas"),
            _l("How fast each area answers: over the ideas submitted in the last 12 months, the median days to a first answer and the shares answered within 15 and 30 days."),
            _response_fields(), _response_rows, _response_count, statistical=True, primary_key=("area_code",),
            keywords=("ระยะเวลาตอบกลับ", "สถิติ", "response time", "statistics")),
)

BY_NAME = {d.name: d for d in DATASETS}
