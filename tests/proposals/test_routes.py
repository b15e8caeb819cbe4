"""Proposal pages through the test client: lists, the form, states, evaluators, permissions."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ideas.models import IdeaStatus
from app.proposals import services
from app.proposals.models import Proposal, ProposalState, Recommendation
from tests.proposals.test_services import assessment, data, make, moved
from tests.triage.factories import PASSWORD, create_idea, create_plan, evaluator, leaf, official

P = ProposalState


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303)


def form_data(**overrides):
    values = {
        "title": "ปรับปรุงทางเท้าถนนท่าแพ", "objective": "ให้คนเดินเท้าปลอดภัย", "target_output": "ทางเท้า 800 เมตร",
        "location_text": "ถนนท่าแพ", "estimated_cost": "2,400,000", "fiscal_year": "2570", "plan_item_id": "None",
        "budget_years": "2570,2571,2572,2573,2574", "budget_0": "฿2,400,000", "budget_1": "0", "budget_2": "",
        "budget_3": "", "budget_4": "", "kpi": "ผู้ใช้ทางเท้าพึงพอใจร้อยละ 80", "expected_result": "ทางเท้าเรียบ ปลอดภัย",
        "responsible_unit": "กองช่าง เทศบาลนครเชียงใหม่",
    }
    values.update(overrides)
    return values


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


def test_public_lists(client):
    p = moved(make("3500102"), P.UNDER_ASSESSMENT)
    draft = make("3500102", title="ร่างที่ยังไม่เผยแพร่")
    html = client.get("/proposals").get_data(as_text=True)
    assert p.title in html and draft.title not in html
    assert p.title in client.get("/proposals?area=3500102&state=under_assessment").get_data(as_text=True)
    assert client.get("/proposals?area=3500102&state=draft").status_code == 404
    assert client.get("/proposals?state=bogus").status_code == 404
    assert client.get("/proposals?area=0000000").status_code == 404
    assert client.get(f"/proposals/{p.id}").status_code == 200
    assert client.get(f"/proposals/{draft.id}").status_code == 404
    assert client.get("/proposals/999999999").status_code == 404
    html = client.get("/lg/3500102").get_data(as_text=True)
    assert "proposals-title" in html and p.title in html and draft.title not in html


def test_create_a_proposal_from_an_idea_through_the_form(client):
    officer = official("3500102")
    idea = create_idea(area_code="3500102", title="ทางเท้าท่าแพชำรุด")
    sign_in(client, officer)
    page = client.get(f"/proposals/new?idea={idea.id}")
    assert page.status_code == 200 and "ทางเท้าท่าแพชำรุด" in page.get_data(as_text=True)
    response = client.post(f"/proposals/new?idea={idea.id}", data=form_data(idea_ids=[str(idea.id)], subdistrict_codes=["500101"]))
    assert response.status_code == 302, response.get_data(as_text=True)
    proposal = db.session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert proposal.estimated_cost == 2_400_000 and proposal.budget_by_year[2570] == 2_400_000
    assert [s.code for s in proposal.subdistricts] == ["500101"]
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.ACCEPTED
    html = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert idea.title in html and f"/ideas/{idea.id}" in html
    # The idea links back (drafts: for officials).
    assert f"/proposals/{proposal.id}" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 200
    response = client.post(f"/proposals/{proposal.id}/edit", data=form_data(title="ทางเท้าท่าแพ ระยะที่ 1"))
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "ทางเท้าท่าแพ ระยะที่ 1"


@pytest.mark.parametrize("overrides", [
    {"estimated_cost": "-5"},
    {"estimated_cost": "10000000000000"},
    {"estimated_cost": "สองล้าน"},
    {"estimated_cost": ""},
    {"budget_1": "-100"},
    {"budget_0": "99999999999999999999"},
    {"title": ""},
    {"title": "ก" * 201},
    {"kpi": "ก" * 5001},
    {"fiscal_year": "1999"},
    {"fiscal_year": "abc"},
    {"plan_item_id": "garbage"},
    {"plan_item_id": "999999999"},
    {"subdistrict_codes": ["100101"]},
    {"responsible_unit": "กอง\x01ช่าง"},
])
def test_bad_input_shows_a_message_and_creates_nothing(client, overrides):
    sign_in(client, official("3500102"))
    before = _count()
    response = client.post("/proposals/new?area=3500102", data=form_data(**overrides))
    assert response.status_code == 200
    assert "error-summary" in response.get_data(as_text=True)
    assert _count() == before


def test_a_plan_item_of_another_area_is_refused_with_a_clear_message(client):
    other = create_plan("5500107", start_year=2566)
    sign_in(client, official("3500102"))
    response = client.post("/proposals/new?area=3500102", data=form_data(
        plan_item_id=str(leaf(other).id), fiscal_year="2567", budget_years="2566,2567,2568,2569,2570"))
    assert response.status_code == 200
    assert "another area" in response.get_data(as_text=True) or "พื้นที่อื่น" in response.get_data(as_text=True)


def test_changing_the_plan_shows_its_years_before_saving(client):
    plan = create_plan("3500102", start_year=2566)
    sign_in(client, official("3500102"))
    before = _count()
    response = client.post("/proposals/new?area=3500102", data=form_data(plan_item_id=str(leaf(plan).id), fiscal_year="2568"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "2566,2567,2568,2569,2570" in html and _count() == before
    response = client.post("/proposals/new?area=3500102", data=form_data(
        plan_item_id=str(leaf(plan).id), fiscal_year="2568", budget_years="2566,2567,2568,2569,2570"))
    assert response.status_code == 302 and _count() == before + 1


def test_state_evaluator_and_assessment_forms(client):
    officer = official("3500102")
    ev = evaluator("50")
    outsider = evaluator("5500107")
    p = make("3500102")
    sign_in(client, officer)
    assert client.get(f"/proposals/{p.id}").status_code == 200
    response = client.post(f"/proposals/{p.id}/evaluators", data={"evaluator_id": str(outsider.id)})
    assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    assert client.post(f"/proposals/{p.id}/evaluators", data={"evaluator_id": str(ev.id)}).status_code == 302
    response = client.post(f"/proposals/{p.id}/state", data={"to_state": "under_assessment", "reason": ""})
    assert response.status_code == 200 and p.state is P.DRAFT
    response = client.post(f"/proposals/{p.id}/state", data={"to_state": "shortlisted", "reason": "ข้ามขั้น"})
    assert response.status_code == 200 and p.state is P.DRAFT
    response = client.post(f"/proposals/{p.id}/state", data={"to_state": "under_assessment", "reason": "ส่งประเมิน"})
    assert response.status_code == 302
    client.post("/logout")

    sign_in(client, ev)
    assert "/proposals/%d/assess" % p.id in client.get("/proposals/assessments").get_data(as_text=True)
    assert client.get(f"/proposals/{p.id}/assess").status_code == 200
    response = client.post(f"/proposals/{p.id}/assess", data={
        "legal_authority_ok": "yes", "technically_feasible": "yes", "cost_reasonable": "no",
        "revised_cost": "-1", "recommendation": "feasible", "summary": "ทำได้",
    })
    assert response.status_code == 200 and p.state is P.UNDER_ASSESSMENT
    response = client.post(f"/proposals/{p.id}/assess", data={
        "legal_authority_ok": "yes", "technically_feasible": "yes", "cost_reasonable": "no",
        "revised_cost": "1,100,000", "recommendation": "feasible", "summary": "ทำได้ ราคาปรับลด",
        "notes": "บันทึกภายในเท่านั้น",
    })
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.state is P.FEASIBLE and p.final_cost == 1_100_000
    # An evaluator cannot move the state by hand.
    assert client.post(f"/proposals/{p.id}/state", data={"to_state": "shortlisted", "reason": "x"}).status_code == 403
    client.post("/logout")

    # The public sees the verdict and reason, not the internal notes.
    html = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "ทำได้ ราคาปรับลด" in html and "บันทึกภายในเท่านั้น" not in html
    sign_in(client, officer)
    assert "บันทึกภายในเท่านั้น" in client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert client.post(f"/proposals/{p.id}/state", data={"to_state": "shortlisted", "reason": "คัดเลือก"}).status_code == 302
    db.session.refresh(p)
    assert p.state is P.SHORTLISTED


def test_an_official_adopts_a_revised_estimate(client):
    officer = official("3500102")
    p = moved(make("3500102"), P.UNDER_ASSESSMENT)
    ev1, ev2 = evaluator("3500102"), evaluator("3500102")
    services.assign_evaluator(officer, p, ev1)
    services.assign_evaluator(officer, p, ev2)
    a1 = services.record_assessment(ev1, p, assessment(revised_cost=900_000))
    services.record_assessment(ev2, p, assessment(Recommendation.NOT_FEASIBLE))
    sign_in(client, officer)
    assert "900,000" in client.get(f"/proposals/{p.id}").get_data(as_text=True)
    response = client.post(f"/proposals/{p.id}/state", data={"to_state": "feasible", "reason": "ทำได้", "adopt": "999999"})
    assert response.status_code == 200 and p.state is P.UNDER_ASSESSMENT
    response = client.post(f"/proposals/{p.id}/state", data={"to_state": "feasible", "reason": "ทำได้", "adopt": str(a1.id)})
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.final_cost == 900_000
    # the page, its yearly budget table and its history read the adopted cost
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    table = page.split('class="table budget-table"', 1)[1].split("</table>", 1)[0]
    assert "฿900,000" in table and "฿1,250,000" not in table
    assert "฿1,250,000 เป็น ฿900,000" in page or "from ฿1,250,000 to ฿900,000" in page


def test_add_an_idea_form(client):
    officer = official("3500102")
    p = make("3500102")
    idea = create_idea(area_code="3500102")
    sign_in(client, officer)
    assert client.post(f"/proposals/{p.id}/ideas", data={"idea_id": "999999999"}).status_code == 200
    assert client.post(f"/proposals/{p.id}/ideas", data={"idea_id": str(create_idea(area_code="50").id)}).status_code == 200
    assert client.post(f"/proposals/{p.id}/ideas", data={"idea_id": str(idea.id)}).status_code == 302
    db.session.refresh(p)
    assert idea in p.ideas


def _routes(p, assessment_id):
    return [
        ("get", "/proposals/new?area=3500102"),
        ("post", "/proposals/new?area=3500102"),
        ("get", f"/proposals/{p.id}/edit"),
        ("post", f"/proposals/{p.id}/edit"),
        ("post", f"/proposals/{p.id}/state"),
        ("post", f"/proposals/{p.id}/evaluators"),
        ("post", f"/proposals/{p.id}/evaluators/{assessment_id}/remove"),
        ("post", f"/proposals/{p.id}/ideas"),
        ("get", f"/proposals/{p.id}/assess"),
        ("post", f"/proposals/{p.id}/assess"),
        ("get", "/proposals?area=3500102&state=draft"),
    ]


def test_an_official_of_another_province_gets_403_on_every_official_route(client):
    officer = official("3500102")
    p = moved(make("3500102", actor=officer), P.UNDER_ASSESSMENT, actor=officer)
    a = services.assign_evaluator(officer, p, evaluator("3500102"))
    outsider = official("10")
    sign_in(client, outsider)
    payload = {**form_data(), "to_state": "feasible", "reason": "x", "evaluator_id": str(outsider.id), "idea_id": "1"}
    for method, path in _routes(p, a.id):
        response = getattr(client, method)(path, **({"data": payload} if method == "post" else {}))
        expected = 404 if path.endswith("state=draft") else 403
        assert response.status_code == expected, (method, path, response.status_code)
    db.session.refresh(p)
    assert p.state is P.UNDER_ASSESSMENT and len(p.assessments) == 1
    # A draft of another province is not even visible.
    draft = make("3500102", actor=officer)
    assert client.get(f"/proposals/{draft.id}").status_code == 404


HUGE = "99999999999999999999"  # past what the database driver can bind: it used to answer 500


def test_ids_too_large_for_the_database_are_refused_not_a_crash(client):
    """QA: every id field and the ?idea= of the new-proposal page crashed with a number past 2**63."""
    officer = official("3500102")
    p = make("3500102")
    idea = create_idea(area_code="3500102")
    sign_in(client, officer)
    before = _count()
    assert client.get(f"/proposals/new?idea={HUGE}").status_code == 404
    assert client.get(f"/proposals/new?idea={idea.id}&idea={HUGE}").status_code == 200
    assert client.get(f"/proposals/{HUGE}").status_code == 404
    for url, data in (
        ("/proposals/new?area=3500102", form_data(plan_item_id=HUGE)),
        (f"/proposals/new?idea={idea.id}", form_data(idea_ids=HUGE)),
        (f"/proposals/{p.id}/edit", form_data(plan_item_id=HUGE)),
        (f"/proposals/{p.id}/evaluators", {"evaluator_id": HUGE}),
        (f"/proposals/{p.id}/ideas", {"idea_id": HUGE}),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 200, (url, response.status_code)
        assert "error" in response.get_data(as_text=True), url
    assert _count() == before
    db.session.refresh(p)
    assert idea not in p.ideas and not p.assessments


def _value(html: str, name: str) -> str:
    import re

    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_choosing_a_plan_item_without_javascript_shows_its_years_and_keeps_what_was_typed(client):
    officer = official("3500102")
    plan = create_plan("3500102", start_year=2566)  # 2566-2570
    sign_in(client, officer)
    before = _count()
    response = client.post("/proposals/new?area=3500102", data=form_data(
        choose="1", plan_item_id=str(leaf(plan).id), title="ชื่อที่พิมพ์ไว้", budget_0="1,000,000", budget_1="5,000"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _count() == before
    assert "error-summary" not in html  # choosing is not sending
    assert _value(html, "budget_years") == "2566,2567,2568,2569,2570"
    assert _value(html, "title") == "ชื่อที่พิมพ์ไว้"
    # what was typed for 2570 stays with 2570 (now the fifth field); 2571 is no longer a year of the form
    assert _value(html, "budget_4") == "1,000,000"
    assert [_value(html, f"budget_{i}") for i in range(4)] == ["", "", "", ""]
    assert "งบประมาณปี 2566 (บาท)" in html
    # the button is there for readers without JavaScript, and the script that does it live
    assert 'name="choose"' in client.get("/proposals/new?area=3500102").get_data(as_text=True)
    assert "js/proposals.js" in html and str(leaf(plan).id) in html.split("data-plan-years=", 1)[1][:400]


def test_a_refused_form_keeps_the_amounts_with_their_years(client):
    officer = official("3500102")
    plan = create_plan("3500102", start_year=2566)
    sign_in(client, officer)
    # the plan item changed the years at the same time as the title was left empty
    response = client.post("/proposals/new?area=3500102", data=form_data(
        plan_item_id=str(leaf(plan).id), title="", fiscal_year="2570", budget_0="2,400,000"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "error-summary" in html
    assert _value(html, "budget_years") == "2566,2567,2568,2569,2570"
    assert _value(html, "budget_4") == "2,400,000"
    assert _value(html, "estimated_cost") == "2,400,000"
    # sent again as shown, with the title, it is created with the amount on 2570
    before = _count()
    response = client.post("/proposals/new?area=3500102", data=form_data(
        plan_item_id=str(leaf(plan).id), fiscal_year="2570", budget_years="2566,2567,2568,2569,2570",
        budget_0="", budget_1="", budget_2="", budget_3="", budget_4="2,400,000"))
    assert response.status_code == 302 and _count() == before + 1
    created = db.session.scalars(select(Proposal).order_by(Proposal.id.desc())).first()
    assert created.budget_by_year == {2566: 0, 2567: 0, 2568: 0, 2569: 0, 2570: 2_400_000}
