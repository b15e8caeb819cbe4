"""Each ballot line opens its proposal in place (objective, KPI, plan item, location, photos)."""
from __future__ import annotations

import re

from app.core.timeutil import utcnow
from app.cycles import services
from app.cycles.ballot_details import ballot_details
from app.cycles.models import BallotKind, Phase
from app.extensions import db
from app.proposals.models import ProposalState, proposal_ideas
from tests.cycles import factories as f
from tests.exports.factories import create_proposal
from tests.privacy.factories import add_photo
from tests.triage.factories import create_idea, create_plan


def ballot_with_proposals(official):
    """A voting cycle whose ballot holds a public proposal (with a public and a hidden idea) and a plain line."""
    plan = create_plan("50", start_year=f.cycle_fiscal_year())
    item = max(plan.items, key=lambda i: i.level)
    proposal = create_proposal(item, "ลานกีฬาชุมชนบ้านหนองหอย", fiscal_year=f.cycle_fiscal_year(),
                               objective="ให้เยาวชนมีที่ออกกำลังกาย", kpi="ผู้ใช้ลาน 200 คนต่อเดือน",
                               location_text="ข้างวัดหนองหอย")
    public_idea = create_idea(f.create_user(), "50", title="อยากได้ลานกีฬา")
    hidden_idea = create_idea(f.create_user(), "50", title="ลานกีฬาที่ซ่อนไว้", hidden_at=utcnow())
    public_photo = add_photo(public_idea, "a" * 32 + ".jpg")
    hidden_photo = add_photo(hidden_idea, "b" * 32 + ".jpg")
    for idea in (public_idea, hidden_idea):
        db.session.execute(proposal_ideas.insert().values(proposal_id=proposal.id, idea_id=idea.id))
    draft = create_proposal(None, "ร่างที่ยังไม่เผยแพร่", area=f.areas.get_area_by_code("50"),
                            state=ProposalState.DRAFT, fiscal_year=f.cycle_fiscal_year())
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL)
    cycle.phase_override = Phase.REVIEW
    budget = services.add_budget(official, cycle, "ทั้งจังหวัด", 1_000_000)
    services.assign_proposals(official, cycle, {proposal.id: budget.id})
    services.add_project(official, budget, "โครงการจากนอกระบบ", 100_000, "ซ่อมศาลาประชาคม")
    cycle.phase_override = Phase.VOTING
    db.session.flush()
    db.session.refresh(budget)
    return cycle, budget, proposal, item, public_photo, hidden_photo, draft


def test_details_come_from_public_proposals_and_public_ideas_only(official):
    cycle, budget, proposal, item, public_photo, hidden_photo, draft = ballot_with_proposals(official)
    details = ballot_details(budget.projects)
    line = next(p for p in budget.projects if p.proposal_id == proposal.id)
    plain = next(p for p in budget.projects if p.proposal_id is None)
    assert set(details) == {line.id} and plain.id not in details
    detail = details[line.id]
    assert detail.proposal_id == proposal.id and detail.kpi == "ผู้ใช้ลาน 200 คนต่อเดือน"
    assert detail.plan_path[-1].code == item.code
    assert [p.filename for p in detail.photos] == [public_photo.filename]
    # A ballot line whose proposal is not public shows nothing of it.
    plain.proposal_id = draft.id
    db.session.flush()
    assert plain.id not in ballot_details(budget.projects)


def test_ballot_page_opens_each_proposal_without_leaving_the_ballot(official, client):
    cycle, budget, proposal, item, public_photo, hidden_photo, _draft = ballot_with_proposals(official)
    voter = f.create_user()
    db.session.commit()
    client.post("/login", data={"email": voter.email, "password": f.PASSWORD})
    page = client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/vote", headers={"Accept-Language": "th"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # In place: a <details> per line (no script needed), holding the proposal's facts.
    assert html.count('class="ballot-detail"') == 2
    for text in ("ให้เยาวชนมีที่ออกกำลังกาย", "ผู้ใช้ลาน 200 คนต่อเดือน", f"{item.code} {item.title}", "ข้างวัดหนองหอย",
                 "ซ่อมศาลาประชาคม"):
        assert text in html
    assert public_photo.filename in html and hidden_photo.filename not in html
    # The whole proposal opens in a new tab, so the choices made on the ballot stay.
    link = re.search(r'<a href="/proposals/%d" target="_blank" rel="noopener">' % proposal.id, html)
    assert link is not None
    # The choices survive a refused submission too (server-side: without JavaScript).
    line = next(p for p in budget.projects if p.proposal_id == proposal.id)
    cycle.min_projects = 2
    db.session.commit()
    again = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/vote", data={"project": [str(line.id)]})
    body = again.get_data(as_text=True)
    assert again.status_code == 200
    assert re.search(r'value="%d" id="project-%d"[^>]*checked' % (line.id, line.id), body)
