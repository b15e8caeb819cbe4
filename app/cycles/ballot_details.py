"""What a voter reads about each ballot line: its proposal's objective, KPI, plan item, location and photos.

The ballot shows these inside each line (a `<details>` element, which opens without JavaScript
and without leaving the page, so nothing chosen is lost) and links to the proposal's own page in
a new tab. Photos come from the residents' ideas behind the proposal, and only from ideas that
anyone may see (the one visibility rule, `app.permissions.can_see_idea`, for an anonymous
reader): a ballot is read by every voter, so it shows no more than the public pages do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cycles.models import CycleProject
from app.extensions import db
from app.permissions import can_see_idea

PHOTOS_PER_LINE = 3


@dataclass(frozen=True)
class PlanStep:
    code: str
    title: str


@dataclass(frozen=True)
class BallotDetail:
    """A ballot line's proposal, as the voter reads it."""

    proposal_id: int
    objective: str
    target_output: str
    kpi: str
    expected_result: str
    plan_title: str | None
    plan_path: tuple[PlanStep, ...]
    location: str | None
    subdistricts: tuple[object, ...]
    area: object
    photos: tuple[object, ...] = field(default=())


def ballot_details(projects: Iterable[CycleProject]) -> dict[int, BallotDetail]:
    """{project id: detail} for the lines that come from a proposal that is public (a few queries in all)."""
    from app.ideas.models import Idea
    from app.plans.models import PlanItem
    from app.proposals.models import Proposal

    by_proposal = {p.proposal_id: p.id for p in projects if p.proposal_id is not None}
    if not by_proposal:
        return {}
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.id.in_(sorted(by_proposal))).options(
            selectinload(Proposal.area),
            selectinload(Proposal.subdistricts),
            selectinload(Proposal.plan_item).selectinload(PlanItem.plan),
            selectinload(Proposal.ideas).selectinload(Idea.photos),
        )
    )
    details: dict[int, BallotDetail] = {}
    for proposal in proposals:
        if not proposal.is_public:
            continue
        item = proposal.plan_item
        path: tuple[PlanStep, ...] = ()
        if item is not None:
            path = tuple(PlanStep(p.code, p.title) for p in item.path) + (PlanStep(item.code, item.title),)
        photos = [photo for idea in proposal.ideas if can_see_idea(None, idea) for photo in idea.photos]
        details[by_proposal[proposal.id]] = BallotDetail(
            proposal_id=proposal.id,
            objective=proposal.objective or "",
            target_output=proposal.target_output or "",
            kpi=proposal.kpi or "",
            expected_result=proposal.expected_result or "",
            plan_title=item.plan.title if item is not None else None,
            plan_path=path,
            location=proposal.location_text,
            subdistricts=tuple(proposal.subdistricts),
            area=proposal.area,
            photos=tuple(photos[:PHOTOS_PER_LINE]),
        )
    return details
