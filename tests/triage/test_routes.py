"""Triage pages through the test client: inbox, answer forms, sections on idea and area pages."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas.models import IdeaStatus
from tests.triage.factories import PASSWORD, area, create_idea, create_user, official, support


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303)


def test_inbox_and_answering_an_idea(client):
    officer = official("3500102")
    idea = create_idea(area_code="3500102", title="ซ่อมถนนซอยวัดเกต")
    sign_in(client, officer)
    page = client.get("/triage")
    assert page.status_code == 200 and "ซ่อมถนนซอยวัดเกต" in page.get_data(as_text=True)
    assert client.get("/triage?view=all&area=3500102").status_code == 200
    assert client.get("/triage?view=nonsense").status_code == 200
    assert client.get(f"/triage/ideas/{idea.id}").status_code == 200
    response = client.post(f"/triage/ideas/{idea.id}/status", data={"status": "under_review", "answer": "กำลังสำรวจ"})
    assert response.status_code == 302
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.UNDER_REVIEW and idea.answer == "กำลังสำรวจ"
    # The public idea page shows the dated timeline, and the officials' link.
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "triage-timeline-title" in html and "กำลังสำรวจ" in html and f"/triage/ideas/{idea.id}" in html


def test_bad_answers_show_a_message_and_change_nothing(client):
    officer = official("50")
    idea = create_idea(area_code="50")
    sign_in(client, officer)
    response = client.post(f"/triage/ideas/{idea.id}/status", data={"status": "not_possible", "answer": ""})
    assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    response = client.post(f"/triage/ideas/{idea.id}/status", data={"status": "bogus", "answer": "x"})
    assert response.status_code == 200
    response = client.post(f"/triage/ideas/{idea.id}/status", data={"status": "under_review", "answer": "ก" * 5001})
    assert response.status_code == 200
    response = client.post(f"/triage/ideas/{idea.id}/merge", data={"target_idea": "999999999"})
    assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    response = client.post(f"/triage/ideas/{idea.id}/merge", data={"target_idea": "abc"})
    assert response.status_code == 200
    response = client.post(f"/triage/ideas/{idea.id}/refer", data={"target_area": "not-a-number"})
    assert response.status_code == 200
    response = client.post(f"/triage/ideas/{idea.id}/refer", data={"target_area": str(area("10").id)})
    assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.RECEIVED and idea.area_id == area("50").id


def test_refer_and_merge_through_the_forms(client):
    officer = official("50")
    idea = create_idea(area_code="50")
    target = create_idea(area_code="50")
    supporter = create_user()
    support(idea, supporter)
    support(target, supporter)
    sign_in(client, officer)
    response = client.post(f"/triage/ideas/{idea.id}/merge", data={"target_idea": str(target.id), "merge_answer": "ซ้ำ"})
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.support_count == 1  # the same person is counted once
    other = create_idea(area_code="50")
    response = client.post(f"/triage/ideas/{other.id}/refer", data={"target_area": str(area("3500102").id)})
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.area_id == area("3500102").id and other.status is IdeaStatus.REFERRED


def test_an_lg_officer_loses_sight_of_an_idea_referred_up(client):
    officer = official("3500102")
    idea = create_idea(area_code="3500102")
    sign_in(client, officer)
    response = client.post(f"/triage/ideas/{idea.id}/refer", data={"target_area": str(area("50").id)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/triage")
    assert client.get(f"/triage/ideas/{idea.id}").status_code == 403


@pytest.mark.parametrize("method, path", [
    ("get", "/triage/ideas/{id}"),
    ("post", "/triage/ideas/{id}/status"),
    ("post", "/triage/ideas/{id}/refer"),
    ("post", "/triage/ideas/{id}/merge"),
    ("get", "/triage?area=50"),
    ("get", "/triage?area=3500102"),
])
def test_an_official_of_another_province_gets_403(client, method, path):
    idea = create_idea(area_code="3500102")
    sign_in(client, official("10"))
    data = {"status": "under_review", "target_area": str(area("50").id), "target_idea": str(idea.id)}
    response = getattr(client, method)(path.format(id=idea.id), **({"data": data} if method == "post" else {}))
    assert response.status_code == 403
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.RECEIVED


def test_residents_and_visitors_cannot_triage(client):
    idea = create_idea(area_code="50")
    assert client.get("/triage").status_code == 302  # to the sign-in page
    sign_in(client, create_user())
    assert client.get("/triage").status_code == 403
    assert client.get(f"/triage/ideas/{idea.id}").status_code == 403
    assert client.get("/triage/ideas/999999999").status_code == 404


def test_area_pages_show_the_response_time(client):
    now = utcnow()
    create_idea(area_code="5500107", created_at=now - timedelta(days=10), first_answered_at=now - timedelta(days=8),
                status=IdeaStatus.UNDER_REVIEW)
    create_idea(area_code="5500107", created_at=now - timedelta(days=3))
    html = client.get("/lg/5500107").get_data(as_text=True)
    assert "response-title" in html and "2.0" in html and "50%" in html
    html = client.get("/p/50").get_data(as_text=True)
    assert "response-title" in html


def test_the_dashboard_links_to_the_inbox_and_to_assessments(client):
    create_idea(area_code="3500102")
    sign_in(client, official("3500102"))
    html = client.get("/admin/").get_data(as_text=True)
    assert "/triage" in html
    client.post("/logout")
    from tests.triage.factories import evaluator

    sign_in(client, evaluator("50"))
    assert "/proposals/assessments" in client.get("/admin/").get_data(as_text=True)


def test_ids_too_large_for_the_database_are_form_errors(client):
    """QA: a merge target or referral area past 2**63 crashed the database driver (500)."""
    huge = "99999999999999999999"
    idea = create_idea(area_code="50")
    sign_in(client, official("50"))
    for path, data in ((f"/triage/ideas/{idea.id}/merge", {"target_idea": huge}),
                       (f"/triage/ideas/{idea.id}/refer", {"target_area": huge})):
        response = client.post(path, data=data)
        assert response.status_code == 200 and "error" in response.get_data(as_text=True), path
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.RECEIVED and idea.area_id == area("50").id
    assert client.get(f"/triage/ideas/{huge}").status_code == 404


def _radios(html: str) -> list[int]:
    import re

    return [int(v) for v in re.findall(r'<input type="radio" name="target_idea" value="(\d+)"', html)]


def test_merging_finds_the_target_by_a_search_without_typing_its_number(client):
    from app.ideas.search import index_idea

    officer = official("50")
    idea = create_idea(area_code="50", title="ขอไฟส่องสว่างซอยวัดอุโมงค์")
    same = create_idea(area_code="3500102", title="ไฟถนนซอยวัดอุโมงค์ดับทั้งซอย")  # a local government of the province
    elsewhere = create_idea(area_code="10", title="ไฟถนนซอยวัดอุโมงค์ กรุงเทพ")  # another province
    hidden = create_idea(area_code="50", title="ไฟถนนซอยวัดอุโมงค์ ซ่อน", hidden_at=utcnow())
    unrelated = create_idea(area_code="50", title="ขยะล้นถังตลาดต้นพยอม")
    for i in (idea, same, elsewhere, hidden, unrelated):
        index_idea(i)
    sign_in(client, officer)
    # without words: the ideas that look like this one
    html = client.get(f"/triage/ideas/{idea.id}").get_data(as_text=True)
    assert 'name="merge_q"' in html and 'type="search"' in html
    found = _radios(html)
    assert same.id in found and idea.id not in found
    assert elsewhere.id not in found and hidden.id not in found
    # by words, then by number
    assert _radios(client.get(f"/triage/ideas/{idea.id}?merge_q=ตลาดต้นพยอม").get_data(as_text=True)) == [unrelated.id]
    assert _radios(client.get(f"/triage/ideas/{idea.id}?merge_q=%23{same.id}").get_data(as_text=True)) == [same.id]
    assert _radios(client.get(f"/triage/ideas/{idea.id}?merge_q={elsewhere.id}").get_data(as_text=True)) == []
    assert client.get(f"/triage/ideas/{idea.id}?merge_q=99999999999999999999").status_code == 200
    nothing = client.get(f"/triage/ideas/{idea.id}?merge_q=qqqzzz").get_data(as_text=True)
    assert _radios(nothing) == [] and "qqqzzz" in nothing
    # sent without a choice: refused with a message, the search kept
    refused = client.post(f"/triage/ideas/{idea.id}/merge", data={"merge_q": "ตลาดต้นพยอม"})
    assert refused.status_code == 200 and "error-summary" in refused.get_data(as_text=True)
    assert _radios(refused.get_data(as_text=True)) == [unrelated.id]
    # chosen among the results
    response = client.post(f"/triage/ideas/{idea.id}/merge", data={"target_idea": str(same.id), "merge_q": ""})
    assert response.status_code == 302
    db.session.refresh(idea)
    assert idea.status is IdeaStatus.MERGED


def test_triage_pages_show_the_ideas_photos(client):
    from tests.privacy.factories import add_photo

    officer = official("50")
    idea = create_idea(area_code="50", title="หลุมบนถนนหน้าตลาด")
    add_photo(idea, "a" * 32 + ".jpg")
    add_photo(idea, "b" * 32 + ".jpg")
    sign_in(client, officer)
    page = client.get(f"/triage/ideas/{idea.id}").get_data(as_text=True)
    assert page.count('/media/' ) >= 2 and ("a" * 32 + ".jpg") in page and ("b" * 32 + ".jpg") in page
    inbox = client.get("/triage?view=all&area=50").get_data(as_text=True)
    assert 'class="inbox-photo"' in inbox and ("a" * 32 + ".jpg") in inbox
