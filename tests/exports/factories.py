"""Proposals made directly as rows, so that export tests depend only on the table's columns."""
from __future__ import annotations

from app.extensions import db
from app.plans.models import PlanItem
from app.proposals.models import Proposal, ProposalBudgetYear, ProposalState


def create_proposal(item: PlanItem | None, title: str = "ก่อสร้างถนน คสล.", *, area=None,
                    state: ProposalState = ProposalState.SHORTLISTED, budget: dict[int, int] | None = None,
                    estimated_cost: int = 500_000, revised_cost: int | None = None, fiscal_year: int | None = None,
                    **fields) -> Proposal:
    area = area or item.plan.area
    values = dict(objective="เพื่อให้ประชาชนสัญจรสะดวก", target_output="ถนนกว้าง 5 เมตร ยาว 200 เมตร",
                  kpi="ร้อยละ 80 ของผู้ใช้พึงพอใจ", expected_result="ลดอุบัติเหตุ", responsible_unit="กองช่าง")
    values.update(fields)
    proposal = Proposal(
        area_id=area.id, title=title, estimated_cost=estimated_cost, revised_cost=revised_cost,
        fiscal_year=fiscal_year or (item.plan.start_year if item else 2570), plan_item_id=item.id if item else None,
        state=state, **values,
    )
    for year, amount in (budget or {}).items():
        proposal.budget_years.append(ProposalBudgetYear(fiscal_year=year, amount=amount))
    db.session.add(proposal)
    db.session.flush()
    return proposal
