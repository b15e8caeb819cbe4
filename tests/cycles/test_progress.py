"""Implementation: progress updates on funded projects, shown on the cycle and on the proposal."""
import io
from datetime import timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from app.core.dates import format_date_input
from app.cycles import progress, results, services, voting
from app.cycles.errors import CycleError
from app.cycles.models import BallotKind, Phase, ProgressStatus
from app.cycles.phases import bangkok_today
from app.extensions import db
from tests.cycles import factories as f


def be(day):
    """A date as a Thai reader types it (Buddhist Era)."""
    return format_date_input(day, "th")


def _photo() -> FileStorage:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(data, format="JPEG")
    data.seek(0)
    return FileStorage(stream=data, filename="site.jpg", content_type="image/jpeg")


@pytest.fixture
def funded(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL)
    budget = f.add_budget_with_projects(official, cycle, costs=(600_000, 500_000))
    voting.write_paper_ballots(budget.id, None, {budget.projects[0].id: 1}, 3)
    services.override_phase(official, cycle, Phase.RESULTS, "ปิดการลงคะแนน")
    results.compute_results(official, cycle)
    return cycle, budget


def test_progress_update_with_photo(funded, official, client):
    cycle, budget = funded
    winner, loser = budget.projects
    assert winner.selected and not loser.selected
    update = progress.add_progress_update(official, winner, ProgressStatus.IN_PROGRESS, 40, "เริ่มงานก่อสร้างแล้ว",
                                          bangkok_today() - timedelta(days=1), [_photo()])
    assert update.photos and update.photos[0].filename.endswith(".jpg")
    with pytest.raises(CycleError):
        progress.add_progress_update(official, loser, ProgressStatus.IN_PROGRESS, 10, "", bangkok_today())
    with pytest.raises(CycleError):
        progress.add_progress_update(official, winner, ProgressStatus.COMPLETED, 90, "", bangkok_today())
    with pytest.raises(CycleError):
        progress.add_progress_update(official, winner, ProgressStatus.IN_PROGRESS, 50, "", bangkok_today() + timedelta(days=3))
    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/progress").get_data(as_text=True)
    assert "เริ่มงานก่อสร้างแล้ว" in page and update.photos[0].filename in page


def test_progress_form(funded, official, client):
    cycle, budget = funded
    winner = budget.projects[0]
    client.post("/login", data={"email": official.email, "password": f.PASSWORD})
    assert client.get(f"/cycles/{cycle.id}/projects/{winner.id}/progress").status_code == 200
    bad = client.post(f"/cycles/{cycle.id}/projects/{winner.id}/progress", data={
        "status": "in_progress", "percent": "150", "happened_on": be(bangkok_today()), "note": "",
    })
    assert bad.status_code == 200 and "error-summary" in bad.get_data(as_text=True)
    ok = client.post(f"/cycles/{cycle.id}/projects/{winner.id}/progress", data={
        "status": "in_progress", "percent": "35", "happened_on": be(bangkok_today()), "note": "ส่งมอบพื้นที่แล้ว",
    })
    assert ok.status_code == 302
    assert winner.latest_update.percent == 35


def test_proposal_section_shows_progress(official):
    from flask import current_app

    from app.proposals.models import Proposal, ProposalState

    area = f.areas.get_area_by_code("50")
    proposal = Proposal(area_id=area.id, title="ลานกีฬาชุมชน", objective="-", target_output="-", estimated_cost=300_000,
                        responsible_unit="-", kpi="-", expected_result="-", fiscal_year=f.cycle_fiscal_year(), state=ProposalState.SHORTLISTED)
    db.session.add(proposal)
    db.session.flush()
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL)
    cycle.phase_override = Phase.REVIEW
    budget = services.add_budget(official, cycle, "ทั้งจังหวัด", 1_000_000)
    services.assign_proposals(official, cycle, {proposal.id: budget.id})
    db.session.refresh(budget)
    voting.write_paper_ballots(budget.id, None, {budget.projects[0].id: 1}, 2)
    services.override_phase(official, cycle, Phase.RESULTS, "ปิดการลงคะแนน")
    results.compute_results(official, cycle)
    progress.add_progress_update(official, budget.projects[0], ProgressStatus.COMPLETED, 100, "เสร็จแล้ว", bangkok_today())
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.COMPLETED
    providers = current_app.extensions["ruamkhit_proposal_sections"]
    sections = [s for s in (p(proposal, None) for p in providers) if s]
    assert any(template == "cycles/_proposal_section.html" for template, _ in sections)
    db.session.commit()
    page = current_app.test_client().get(f"/proposals/{proposal.id}")
    assert page.status_code == 200 and "cycles-progress-title" in page.get_data(as_text=True)
