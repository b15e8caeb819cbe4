"""Which proposals go into a plan's ผ.02 export, in which order, under which titles.

Exports are read-only and public: shortlisted and selected proposals are
public (only drafts are not), and so are plans. A local government's
proposals are grouped by ยุทธศาสตร์ (level 1) and แผนงาน (level 3) of its
development plan; a province's by ประเด็นการพัฒนา (level 1) and แผนงาน
(level 2) of its annual action plan. A proposal appears in the export of the
plan whose item it serves.

The budget of each year comes from the proposal's budget years; a proposal
without any is shown with its final cost in its own fiscal year.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.areas.models import Area, District
from app.core.formatting import format_date
from app.core.locale import current_locale
from app.core.timeutil import utcnow
from app.exports.p02 import ExportMeta, ExportRow, GroupKey
from app.extensions import db
from app.plans import services as plans
from app.plans.models import Plan, PlanItem, PlanKind
from app.proposals.models import Proposal, ProposalBudgetYear, ProposalState
from app.proposals.services import STATE_LABELS

STATE_FILTERS: dict[str, tuple[ProposalState, ...]] = {
    "shortlisted": (ProposalState.SHORTLISTED,),
    "selected": (ProposalState.SELECTED,),
    "both": (ProposalState.SHORTLISTED, ProposalState.SELECTED),
}
DEFAULT_FILTER = "shortlisted"
FILTER_LABELS = {
    "shortlisted": _l("Proposals on the shortlist"),
    "selected": _l("Selected (funded) proposals"),
    "both": _l("Proposals on the shortlist or selected"),
}
YIELD_PER = 1000


def group_levels(kind: PlanKind) -> tuple[int, int]:
    """The levels the form groups by: (ยุทธศาสตร์, แผนงาน) = (1, 3) or (ประเด็นการพัฒนา, แผนงาน) = (1, 2)."""
    return (1, 3) if kind is PlanKind.LOCAL_DEVELOPMENT else (1, 2)


@dataclass
class PlanGroups:
    """For every item of a plan: its (group1, group2) keys and the rank of that group in the form."""

    keys: dict[int, tuple[GroupKey, GroupKey | None]]
    rank: dict[int, int]


def plan_groups(plan: Plan) -> PlanGroups:
    level1, level2 = group_levels(plan.kind)
    ordered = plans.tree_order(plan)
    place = {item.id: n for n, item in enumerate(ordered)}
    keys: dict[int, tuple[GroupKey, GroupKey | None]] = {}
    sort_keys: dict[int, tuple[int, int]] = {}
    for item in ordered:
        g1, g2 = item.ancestor_at(level1), item.ancestor_at(level2)
        keys[item.id] = (GroupKey(g1.code, g1.title), GroupKey(g2.code, g2.title) if g2 else None)
        # Groups follow the tree; within a group1, the proposals under no group2 item come last.
        sort_keys[item.id] = (place[g1.id], place[g2.id] if g2 else len(ordered))
    ranks = {key: n for n, key in enumerate(sorted(set(sort_keys.values())))}
    return PlanGroups(keys=keys, rank={item_id: ranks[key] for item_id, key in sort_keys.items()})


def _query(plan: Plan, states: tuple[ProposalState, ...], groups: PlanGroups):
    years = plan.years
    budget = (
        select(
            ProposalBudgetYear.proposal_id.label("proposal_id"),
            func.count(ProposalBudgetYear.id).label("n_years"),
            *[func.sum(case((ProposalBudgetYear.fiscal_year == y, ProposalBudgetYear.amount))).label(f"y{y}") for y in years],
        )
        # Only this plan's proposals: the table holds every area's budgets.
        .join(Proposal, Proposal.id == ProposalBudgetYear.proposal_id)
        .join(PlanItem, PlanItem.id == Proposal.plan_item_id)
        .where(PlanItem.plan_id == plan.id, Proposal.area_id == plan.area_id, Proposal.state.in_(states))
        .group_by(ProposalBudgetYear.proposal_id)
        .subquery()
    )
    order = case(groups.rank, value=Proposal.plan_item_id, else_=len(groups.rank)) if groups.rank else Proposal.id
    return (
        select(
            Proposal.id, Proposal.title, Proposal.objective, Proposal.target_output, Proposal.kpi,
            Proposal.expected_result, Proposal.responsible_unit, Proposal.plan_item_id, Proposal.fiscal_year,
            Proposal.estimated_cost, Proposal.revised_cost, Proposal.state, budget.c.n_years,
            *[budget.c[f"y{y}"] for y in years],
        )
        .join(PlanItem, PlanItem.id == Proposal.plan_item_id)
        .outerjoin(budget, budget.c.proposal_id == Proposal.id)
        .where(PlanItem.plan_id == plan.id, Proposal.area_id == plan.area_id, Proposal.state.in_(states))
        .order_by(order, Proposal.id)
    )


def export_rows(plan: Plan, states: tuple[ProposalState, ...]) -> Iterator[ExportRow]:
    """The plan's proposals in these states, sorted by group, streamed from the database."""
    groups = plan_groups(plan)
    if not groups.keys:
        return
    years = plan.years
    n = len(years)
    labels = {state: str(STATE_LABELS[state]) for state in ProposalState}
    result = db.session.execute(_query(plan, states, groups).execution_options(yield_per=YIELD_PER))
    for rec in result:
        if rec.n_years:
            amounts = tuple(None if v is None else int(v) for v in rec[-n:])
        else:
            final = rec.revised_cost if rec.revised_cost is not None else rec.estimated_cost
            amounts = tuple(final if y == rec.fiscal_year else None for y in years)
        key1, key2 = groups.keys[rec.plan_item_id]
        yield ExportRow(
            group1=key1, group2=key2, title=rec.title, objective=rec.objective, target_output=rec.target_output,
            amounts=amounts, kpi=rec.kpi, expected_result=rec.expected_result,
            responsible_unit=rec.responsible_unit, proposal_id=rec.id, state=labels[rec.state],
            estimated_cost=rec.estimated_cost,
            final_cost=rec.revised_cost if rec.revised_cost is not None else rec.estimated_cost,
        )


def count_rows(plan: Plan, states: tuple[ProposalState, ...]) -> int:
    return db.session.scalar(
        select(func.count(Proposal.id)).join(PlanItem, PlanItem.id == Proposal.plan_item_id)
        .where(PlanItem.plan_id == plan.id, Proposal.area_id == plan.area_id, Proposal.state.in_(states))
    ) or 0


def unlinked_count(area: Area, states: tuple[ProposalState, ...]) -> int:
    """Proposals of the area in these states that serve no plan item, and so appear in no export."""
    return db.session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.area_id == area.id, Proposal.plan_item_id.is_(None), Proposal.state.in_(states))
    ) or 0


def body_line(area: Area) -> str:
    """เทศบาลนครเชียงใหม่ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ (the body named on the form, in Thai)."""
    if area.is_province:
        return plans.official_name_th(area)
    parts = [area.name_th]
    district = db.session.get(District, area.district_code) if area.district_code else None
    if district is not None:
        name = district.name_th
        parts.append(name if name.startswith(("เขต", "อำเภอ")) else f"อำเภอ{name}")
    province = area.province
    if province is not area:
        parts.append(plans.official_name_th(province))
    return " ".join(parts)


def export_meta(plan: Plan, state_filter: str) -> ExportMeta:
    """Title rows and column labels in the current language (Thai by default, as the form is)."""
    locale = current_locale()
    area = plan.area
    level1, level2 = group_levels(plan.kind)
    if plan.kind is PlanKind.LOCAL_DEVELOPMENT:
        lines = [_("Development project details"),
                 _("Local development plan (%(start)d – %(end)d BE)", start=plan.start_year, end=plan.end_year)]
    else:
        lines = [_("Project details"),
                 _("Provincial annual action plan, fiscal year %(year)d BE", year=plan.start_year)]
    lines.append(body_line(area) if locale == "th" else area.name(locale))
    # The title lines already name the plan (its kind, years and body): the note does not repeat it.
    note = _("%(what)s from Ruamkhit, %(date)s.", what=FILTER_LABELS[state_filter], date=format_date(utcnow(), locale))
    labels = {
        "number": _("No."), "title": _("Project"), "objective": _("Objective"),
        "target": _("Target (project output)"), "budget": _("Budget (baht)"), "kpi": _("Indicator (KPI)"),
        "result": _("Expected result"), "unit": _("Main responsible unit"), "no_group": _("not specified"),
        "group_total": _("Total %(group)s %(code)s (%(n)s projects)", group="{group}", code="{code}", n="{n}"),
        "grand_total": _("Grand total (%(n)s projects)", n="{n}"),
        "proposal_id": _("Proposal number"), "state": _("State"),
        "year_budget": _("Budget %(year)s (baht)", year="{year}"),
        "code_of": _("%(group)s code", group="{group}"),
        "estimated_cost": _("Estimated cost (baht)"), "final_cost": _("Final cost (baht)"),
    }
    return ExportMeta(
        title_lines=lines, years=plan.years, note=note,
        group1_label=str(plans.level_name(plan.kind, level1)), group2_label=str(plans.level_name(plan.kind, level2)),
        labels=labels, sheet_title="ผ.02" if locale == "th" else "P.02", form_label=_("Form P.02"),
    )


def export_filename(plan: Plan, state_filter: str, extension: str) -> str:
    return f"p02-{plan.area.code}-{plan.start_year}-{plan.end_year}-{state_filter}.{extension}"
