"""A small world for the API tests: ideas (public, hidden, waiting for review, by a deleted account), a public
and a draft proposal on a plan, a cycle whose results are published (with progress) and one still voting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.timeutil import utcnow
from app.cycles import results as tally
from app.cycles import services as cycles
from app.cycles import voting
from app.cycles.models import BallotKind, Phase, ProgressStatus
from app.extensions import db
from app.proposals.models import ProposalState, ProposalTransition
from tests.cycles import factories as cf
from tests.exports.factories import create_proposal
from tests.ideas import factories as ideas
from tests.plans import factories as pf

VOTING_BALLOTS = 4321  # a count no page may show while voting is open


@dataclass
class World:
    public: Any
    hidden: Any
    pending: Any
    orphan: Any
    plan: Any
    proposal: Any
    draft: Any
    published: Any
    voting: Any


def cast(budget, picks: dict[tuple[int, ...], int]) -> None:
    for chosen, count in picks.items():
        voting.write_paper_ballots(budget.id, None, {budget.projects[i].id: 1 for i in chosen}, count)
    db.session.flush()


def world() -> World:
    author = ideas.create_user(name="สมชาย ใจดี")
    public = ideas.create_idea(author, title="ซ่อมถนนหน้าวัด")
    hidden = ideas.create_idea(author, title="ความคิดที่ถูกซ่อน")
    hidden.hidden_at = utcnow()
    pending = ideas.create_idea(author, title="ความคิดที่รอตรวจ")
    pending.pending_review = True
    gone = ideas.create_user(name="ผู้ที่ลบบัญชีแล้ว")
    orphan = ideas.create_idea(gone, title="ไฟถนนดับ")
    gone.deleted_at = utcnow()

    plan = pf.create_plan(pf.province("50"), start_year=2570)
    leaf = next(i for i in plan.items if i.level == 3)
    proposal = create_proposal(leaf, "ก่อสร้างถนนสายบ้านใหม่", budget={2570: 500_000})
    proposal.ideas.extend([public, hidden])
    proposal.transitions.append(ProposalTransition(from_state=ProposalState.FEASIBLE, to_state=ProposalState.SHORTLISTED,
                                                   reason="ผ่านการประเมินความเป็นไปได้", actor=gone))
    draft = create_proposal(leaf, "ร่างโครงการที่ยังไม่เผยแพร่", state=ProposalState.DRAFT)

    official = cf.create_official("50")
    published = cf.create_cycle(official, kind=BallotKind.APPROVAL)
    budget = cf.add_budget_with_projects(official, published, costs=(600_000, 300_000, 200_000))
    cast(budget, {(0,): 10, (1, 2): 6})
    cycles.override_phase(official, published, Phase.RESULTS, "ปิดการลงคะแนน")
    tally.compute_results(official, published)
    from app.cycles.progress import add_progress_update

    add_progress_update(official, budget.projects[0], ProgressStatus.IN_PROGRESS, 40, "เริ่มก่อสร้างแล้ว", date(2026, 11, 1))

    still_voting = cf.create_cycle(official, kind=BallotKind.APPROVAL)
    open_budget = cf.add_budget_with_projects(official, still_voting, costs=(400_000, 300_000))
    cast(open_budget, {(0,): VOTING_BALLOTS})
    db.session.flush()
    return World(public, hidden, pending, orphan, plan, proposal, draft, published, still_voting)
