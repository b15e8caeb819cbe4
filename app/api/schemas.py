"""The shapes of the API: query parameters in, JSON out.

Each response is built as one of these pydantic models and serialized by it,
and app/api/openapi.py writes the OpenAPI document from the same models: a
field added here is in the document at once, and schemathesis checks that the
responses keep to it. Query models forbid unknown parameters, so a typo in a
filter is an error, not a silently unfiltered list.

Descriptions are lazy strings: the document and its page are written in the
reader's language (app/api/openapi.py turns them into text per request).

Money is whole baht (integers), fiscal years are Buddhist-Era years, times
are UTC in RFC 3339, dates are calendar dates (Asia/Bangkok).
"""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Optional

from flask_babel import lazy_gettext as _l
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.areas.models import AreaKind, LGType
from app.cycles.models import BallotKind, Completion, Phase, ProgressStatus, TallyRule
from app.ideas.models import IdeaCategory, IdeaStatus
from app.plans.models import PlanKind
from app.proposals.models import ProposalState

MAX_PAGE = 100
DEFAULT_PAGE = 50

AreaCode = Annotated[str, Field(pattern=r"^[0-9]{2}([0-9]{5})?$", description=_l("A province's 2-digit DOPA code or a local government's 7-digit DLA code."), examples=["50", "5010101"])]


# --- query parameters -----------------------------------------------------------------------------


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListQuery(Query):
    cursor: Optional[str] = Field(None, max_length=200, description=_l("The `next_cursor` of the previous page; omit for the first page."))
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description=_l("Items a page, at most %(max)s.", max=MAX_PAGE))


class AreaQuery(ListQuery):
    kind: Optional[AreaKind] = Field(None, description=_l("Only provinces or only local governments."))
    province: Optional[Annotated[str, Field(pattern=r"^[0-9]{2}$")]] = Field(None, description=_l("Only the province with this code and the local governments in it."))
    lg_type: Optional[LGType] = Field(None, description=_l("Only local governments of this type."))


class HarvestQuery(ListQuery):
    area: Optional[AreaCode] = Field(None, description=_l("Only this area (exactly; a province's code does not take in its local governments)."))
    updated_since: Optional[AwareDatetime] = Field(None, description=_l("Only items changed at or after this time (RFC 3339 with a UTC offset), for incremental harvesting."))


class IdeaQuery(HarvestQuery):
    status: Optional[IdeaStatus] = Field(None, description=_l("Only ideas in this status."))
    category: Optional[IdeaCategory] = Field(None, description=_l("Only ideas of this category."))
    subdistrict: Optional[Annotated[str, Field(pattern=r"^[0-9]{6}$")]] = Field(None, description=_l("Only ideas placed in this subdistrict (6-digit code)."))
    since: Optional[date] = Field(None, description=_l("Only ideas submitted on or after this day (Asia/Bangkok)."))


class ProposalQuery(HarvestQuery):
    status: Optional[ProposalState] = Field(None, description=_l("Only proposals in this state (never `draft`: drafts are not public)."))
    fiscal_year: Optional[int] = Field(None, ge=2400, le=2800, description=_l("Only proposals of this fiscal year (Buddhist Era)."))
    since: Optional[date] = Field(None, description=_l("Only proposals created on or after this day (Asia/Bangkok)."))


class PlanQuery(ListQuery):
    area: Optional[AreaCode] = Field(None, description=_l("Only this area's plans."))
    kind: Optional[PlanKind] = Field(None, description=_l("Only plans of this kind."))


class CycleQuery(ListQuery):
    area: Optional[AreaCode] = Field(None, description=_l("Only this area's cycles."))
    fiscal_year: Optional[int] = Field(None, ge=2400, le=2800, description=_l("Only cycles of this fiscal year (Buddhist Era)."))


class NoQuery(Query):
    pass


# --- responses ----------------------------------------------------------------------------------


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(Out):
    """An error, as RFC 9457 describes (application/problem+json), in the language asked for."""

    type: str = Field(description=_l("A URI naming the kind of problem (the API documentation's section on it)."))
    title: str
    status: int
    detail: str
    invalid_params: Optional[list["InvalidParam"]] = None


class InvalidParam(Out):
    name: str
    reason: str


class Link(Out):
    rel: str
    href: str


class Index(Out):
    name: str
    version: str
    openapi: str
    documentation: str
    links: list[Link]


class Area(Out):
    code: AreaCode
    kind: AreaKind
    name_th: str
    name_en: str
    lg_type: Optional[LGType] = Field(description=_l("The kind of local government (null for a province)."))
    province_code: str
    parent_code: Optional[str] = Field(description=_l("The province of a local government (null for a province)."))
    district_code: Optional[str]
    lat: Optional[float]
    lon: Optional[float]
    url: str = Field(description=_l("The area's page on the site."))


class Point(Out):
    lat: float
    lon: float


class Idea(Out):
    id: int
    area_code: str
    title: str
    description: str
    category: IdeaCategory
    status: IdeaStatus
    answer: Optional[str] = Field(description=_l("The area's public answer, once it has answered."))
    merged_into_id: Optional[int]
    subdistrict_code: Optional[str]
    point: Optional[Point]
    support_count: int
    comment_count: int
    author_name: Optional[str] = Field(description=_l("The display name the idea page shows; null for an account that was deleted."))
    withdrawn_at: Optional[datetime]
    status_changed_at: Optional[datetime]
    created_at: datetime
    updated_at: datetime
    url: str


class PlanItemRef(Out):
    id: int
    plan_id: int
    code: str
    title: str
    level: int


class BudgetYear(Out):
    fiscal_year: int
    amount: int


class StateChange(Out):
    from_state: Optional[ProposalState]
    to_state: ProposalState
    at: datetime
    reason: str
    by: Optional[str] = Field(description=_l("The official's display name, as the proposal page shows it; null for a deleted account."))


class Proposal(Out):
    id: int
    area_code: str
    title: str
    objective: str
    target_output: str
    location_text: Optional[str]
    responsible_unit: str
    kpi: str
    expected_result: str
    status: ProposalState
    fiscal_year: int
    estimated_cost: int
    revised_cost: Optional[int]
    final_cost: int
    budget_years: list[BudgetYear]
    plan_item: Optional[PlanItemRef]
    idea_ids: list[int] = Field(description=_l("The public ideas the proposal answers."))
    subdistrict_codes: list[str]
    history: list[StateChange]
    created_at: datetime
    updated_at: datetime
    url: str


class PlanItem(Out):
    id: int
    code: str
    title: str
    level: int
    children: list["PlanItem"]


class Plan(Out):
    id: int
    area_code: str
    kind: PlanKind
    title: str
    start_year: int
    end_year: int
    created_at: datetime
    items: list[PlanItem]
    url: str


class PhaseStart(Out):
    phase: Phase
    starts_on: date


class Ballot(Out):
    kind: BallotKind
    min_projects: Optional[int]
    max_projects: Optional[int]
    min_share_percent: Optional[int]
    points_total: Optional[int]
    points_max: Optional[int]
    rank_k: Optional[int]


class CycleProject(Out):
    id: int
    title: str
    description: str
    cost: int
    proposal_id: Optional[int]
    selected: Optional[bool] = Field(description=_l("Funded, once results are published (null before)."))


class CycleBudget(Out):
    id: int
    name: str
    amount: int
    subdistrict_codes: list[str] = Field(description=_l("Residents of these subdistricts vote in this budget; empty: the whole area."))
    projects: list[CycleProject]


class Cycle(Out):
    id: int
    area_code: str
    fiscal_year: int
    title: str
    description: str
    total_budget: int
    phase: Phase
    phases: list[PhaseStart]
    ballot: Ballot
    rule: TallyRule
    completion: Completion
    threshold: Optional[int]
    budgets: list[CycleBudget]
    voting_closed_at: Optional[datetime]
    results_published_at: Optional[datetime]
    results: Optional[str] = Field(description=_l("The API address of the results, once published."))
    created_at: datetime
    url: str


class ResultProject(Out):
    project_id: int
    title: str
    cost: int
    selected: bool
    votes: int
    score: float
    explanation: str = Field(description=_l("Why the project was or was not funded, in the language asked for."))


class BudgetResult(Out):
    budget_id: int
    name: str
    amount: int
    rule: str
    num_ballots: int
    used: int
    computed_at: datetime
    ballots_pb: Optional[str] = Field(description=_l("The anonymised ballots as a pabulib .pb file (while the cycle is in its results or implementation phase)."))
    projects: list[ResultProject]


class Results(Out):
    cycle_id: int
    published_at: datetime
    budgets: list[BudgetResult]


class ProgressPhoto(Out):
    url: str
    width: int
    height: int


class ProgressUpdate(Out):
    id: int
    status: ProgressStatus
    percent: int
    note: str
    happened_on: date
    created_at: datetime
    photos: list[ProgressPhoto]


class FundedProject(Out):
    project_id: int
    budget_id: int
    title: str
    cost: int
    proposal_id: Optional[int]
    updates: list[ProgressUpdate]


class Progress(Out):
    cycle_id: int
    projects: list[FundedProject]


class _Page(Out):
    next_cursor: Optional[str] = Field(description=_l("Pass as `cursor` for the next page; null on the last page."))
    next: Optional[str] = Field(description=_l("The address of the next page; null on the last page."))


class AreaList(_Page):
    items: list[Area]


class IdeaList(_Page):
    items: list[Idea]


class ProposalList(_Page):
    items: list[Proposal]


class PlanList(_Page):
    items: list[Plan]


class CycleList(_Page):
    items: list[Cycle]


Problem.model_rebuild()
PlanItem.model_rebuild()


def enum_values(cls: type[Enum]) -> list[str]:
    return [m.value for m in cls]


# --- statistics (figures computed by app/opendata/statistics.py) -----------------------------------


class StatisticsQuery(Query):
    pass


class ResponseStats(Out):
    total: int = Field(description=_l("Ideas counted: submitted in the window, neither withdrawn nor hidden."))
    answered: int
    median_days: Optional[float]
    within_15: int = Field(description=_l("Answered within 15 days (the share is over all counted ideas)."))
    within_30: int


class RankingRow(Out):
    area_code: str
    name_th: str
    name_en: str
    province_code: str
    ideas: int
    answered: int
    median_days: Optional[float]
    share_15: float
    share_30: float


class Turnout(Out):
    area_code: str
    cycle_id: int
    title: str
    fiscal_year: int
    budget_id: int
    budget_name: str
    online: int
    paper: int
    imported: int
    eligible: Optional[int] = Field(description=_l("Verified residents who may vote in the budget (null for an imported cycle)."))


class Statistics(Out):
    scope: str = Field(description=_l("TH for the whole country, or an area's code."))
    computed_at: datetime = Field(description=_l("When the figures were computed (every hour)."))
    window_days: int
    submitted: dict[str, int] = Field(description=_l("Public ideas submitted, by month (YYYY-MM, Asia/Bangkok)."))
    answered: dict[str, int] = Field(description=_l("Ideas first answered, by month."))
    supports: dict[str, int]
    comments: dict[str, int]
    categories: dict[str, int]
    statuses: dict[str, int]
    participants: dict[str, int] = Field(description=_l(
        "Distinct people who submitted, supported, commented or voted online. "
        "A vote counts only once it has closed: nobody who votes in a cycle still voting is counted yet."))
    turnout: list[Turnout] = Field(description=_l("Budgets whose voting has closed only."))
    response: Optional[ResponseStats]
    ranking: Optional[list[RankingRow]] = Field(description=_l("Areas by response time, fastest first (country and provinces)."))
