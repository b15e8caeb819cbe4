"""Reporting and moderating through HTTP; a moderator of another province gets 403 everywhere."""
from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.accounts.models import Role
from app.engagement import services as engagement
from app.extensions import db
from app.moderation import services
from app.moderation.models import Report, ReportReason
from tests.engagement.factories import create_idea, create_user, moderator_of, sign_in


def reports_of(idea) -> int:
    return db.session.scalar(select(func.count()).select_from(Report).where(Report.idea_id == idea.id))


def test_report_an_idea_once(client):
    idea = create_idea()
    sign_in(client, create_user())
    page = client.get(f"/ideas/{idea.id}/report").get_data(as_text=True)
    assert "สแปมหรือโฆษณา" in page and "เปิดเผยข้อมูลส่วนบุคคล" in page
    response = client.post(f"/ideas/{idea.id}/report", data={"reason": "spam", "note": "<b>ขายของ</b>"})
    assert response.status_code == 302
    report = db.session.scalars(select(Report).where(Report.idea_id == idea.id)).one()
    assert report.reason is ReportReason.SPAM and report.note == "<b>ขายของ</b>"
    # Twice: a clear message, no change (from the link and from a replayed form).
    page = client.get(f"/ideas/{idea.id}/report", follow_redirects=True).get_data(as_text=True)
    assert "รายงานเนื้อหานี้ไปแล้ว" in page
    page = client.post(f"/ideas/{idea.id}/report", data={"reason": "offensive"}, follow_redirects=True).get_data(as_text=True)
    assert "รายงานเนื้อหานี้ไปแล้ว" in page
    assert reports_of(idea) == 1


def test_bad_reports_show_errors_and_change_nothing(client):
    idea = create_idea()
    comment = engagement.add_comment(idea, create_user(), "ความเห็น")
    sign_in(client, create_user())
    for data in ({}, {"reason": "hate"}, {"reason": "spam", "note": "ก" * 501}, {"reason": "spam", "note": "a\x07b"}):
        response = client.post(f"/ideas/{idea.id}/report", data=data)
        assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True), data
        response = client.post(f"/comments/{comment.id}/report", data=data)
        assert response.status_code == 200, data
    assert reports_of(idea) == 0
    assert client.get("/ideas/999999/report").status_code == 404
    assert client.get("/comments/999999/report").status_code == 404


def test_a_tampered_report_reason_is_refused_in_the_readers_language(client):
    """QA: a forged reason said WTForms' "Not a valid choice." on a Thai page."""
    idea = create_idea()
    sign_in(client, create_user())
    page = client.post(f"/ideas/{idea.id}/report", data={"reason": "hate"}).get_data(as_text=True)
    assert "กรุณาเลือกจากตัวเลือกที่มี" in page and "Not a valid choice" not in page
    client.post("/language", data={"lang": "en"})
    page = client.post(f"/ideas/{idea.id}/report", data={"reason": "hate"}).get_data(as_text=True)
    assert "Not a valid choice." in page
    assert reports_of(idea) == 0


def test_three_reports_hide_a_comment_pending_review_on_the_idea_page(client):
    idea = create_idea()
    comment = engagement.add_comment(idea, create_user(), "ข้อความที่มีปัญหา")
    for _ in range(3):
        services.report_comment(comment, create_user(), ReportReason.OFFENSIVE)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "ข้อความที่มีปัญหา" not in page
    assert "ความคิดเห็นนี้ถูกซ่อนไว้ระหว่างที่ผู้ดูแลเนื้อหาตรวจสอบรายงาน" in page


def test_moderator_hides_a_comment_and_the_reason_is_shown_in_its_place(client):
    idea = create_idea(area_code="3500102")
    comment = engagement.add_comment(idea, create_user(), "<i>ข้อความหยาบ</i>")
    services.report_comment(comment, create_user(), ReportReason.OFFENSIVE, "หยาบคาย")
    moderator = moderator_of("50")
    sign_in(client, moderator)
    page = client.get("/moderation/").get_data(as_text=True)
    assert "&lt;i&gt;ข้อความหยาบ&lt;/i&gt;" in page and "หยาบคาย" in page
    assert 'class="badge">1<' in page  # the pending count in the header
    assert client.get(f"/moderation/comments/{comment.id}/hide").status_code == 200
    response = client.post(f"/moderation/comments/{comment.id}/hide", data={"reason": ""})
    assert response.status_code == 200 and comment.hidden_at is None  # a reason is required
    response = client.post(f"/moderation/comments/{comment.id}/hide", data={"reason": "ใช้ถ้อยคำไม่สุภาพ <b>"})
    assert response.status_code == 302
    client.post("/logout")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "ข้อความหยาบ" not in page
    assert "เหตุผล: ใช้ถ้อยคำไม่สุภาพ &lt;b&gt;" in page


def test_moderator_hides_and_restores_an_idea(client):
    idea = create_idea()
    sign_in(client, moderator_of("50"))
    assert client.post(f"/moderation/ideas/{idea.id}/hide", data={"reason": "ซ้ำ"}).status_code == 302
    assert idea.hidden_reason == "ซ้ำ"
    page = client.get("/moderation/?show=hidden").get_data(as_text=True)
    assert idea.title in page
    assert client.post(f"/moderation/ideas/{idea.id}/restore", data={"reason": "ไม่ซ้ำ"}).status_code == 302
    assert idea.hidden_at is None


def test_moderator_blocks_and_unblocks_from_the_queue(client):
    resident = create_user()
    idea = create_idea(author=resident)
    sign_in(client, moderator_of("50"))
    assert client.get(f"/moderation/users/{resident.id}/block").status_code == 200
    assert client.post(f"/moderation/users/{resident.id}/block", data={"reason": "สแปม"}).status_code == 302
    assert resident.is_blocked
    assert client.post(f"/moderation/users/{resident.id}/unblock", data={"reason": "ตกลงแล้ว"}).status_code == 302
    assert not resident.is_blocked
    assert client.get("/moderation/users/999999/block").status_code == 404
    assert idea.id


def test_residents_cannot_see_the_queue(client):
    assert client.get("/moderation/").status_code == 302  # sign in first
    sign_in(client, create_user())
    assert client.get("/moderation/").status_code == 403


def _moderation_requests(idea, comment, resident) -> dict[str, list[tuple[str, str, dict]]]:
    """Every moderator route of the blueprint, each with GET and POST where it has them."""
    reason = {"reason": "ทดสอบ"}
    return {
        "moderation.queue": [("GET", "/moderation/?area=50", {}), ("GET", "/moderation/?area=3500102&show=hidden", {})],
        "moderation.hide_idea": [("GET", f"/moderation/ideas/{idea.id}/hide", {}),
                                 ("POST", f"/moderation/ideas/{idea.id}/hide", reason)],
        "moderation.restore_idea": [("GET", f"/moderation/ideas/{idea.id}/restore", {}),
                                    ("POST", f"/moderation/ideas/{idea.id}/restore", reason)],
        "moderation.hide_comment": [("GET", f"/moderation/comments/{comment.id}/hide", {}),
                                    ("POST", f"/moderation/comments/{comment.id}/hide", reason)],
        "moderation.restore_comment": [("GET", f"/moderation/comments/{comment.id}/restore", {}),
                                       ("POST", f"/moderation/comments/{comment.id}/restore", reason)],
        "moderation.block_user": [("GET", f"/moderation/users/{resident.id}/block", {}),
                                  ("POST", f"/moderation/users/{resident.id}/block", reason)],
        "moderation.unblock_user": [("GET", f"/moderation/users/{resident.id}/unblock", {}),
                                    ("POST", f"/moderation/users/{resident.id}/unblock", reason)],
    }


@pytest.mark.parametrize("other", ["10", "5500107"])
def test_a_moderator_of_another_area_gets_403_on_every_moderation_route(client, other):
    """Bangkok's provincial official (another province), and the officer of another local government
    in the same province, may not touch Chiang Mai city's content or its residents."""
    resident = create_user()
    idea = create_idea(author=resident, area_code="3500102")
    comment = engagement.add_comment(idea, resident, "ความเห็น")
    services.report_idea(idea, create_user(), ReportReason.SPAM)
    requests = _moderation_requests(idea, comment, resident)
    # The list covers every moderator route; reporting is for everyone signed in.
    endpoints = {r.endpoint for r in current_app.url_map.iter_rules() if r.endpoint.startswith("moderation.")}
    assert endpoints - {"moderation.report_idea", "moderation.report_comment"} == set(requests)
    sign_in(client, moderator_of(other))
    for endpoint, calls in requests.items():
        for method, url, data in calls:
            response = client.open(url, method=method, data=data)
            assert response.status_code == 403, (endpoint, method, url, response.status_code)
    assert idea.hidden_at is None and comment.hidden_at is None and not resident.is_blocked
    assert services.open_report_count(idea=idea) == 1
    # Their own queue does not list Chiang Mai's reported idea.
    assert idea.title not in client.get("/moderation/").get_data(as_text=True)


def test_the_digest_command_emails_moderators(app, outbox):
    idea = create_idea(area_code="5500107", title="ป้ายรถเมล์")
    services.report_idea(idea, create_user(), ReportReason.NOT_RELEVANT)
    officer = moderator_of("5500107")
    admin = create_user(role=Role.ADMIN)
    result = app.test_cli_runner().invoke(args=["moderation", "digest", "--base-url", "https://ruamkhit.example"])
    assert result.exit_code == 0, result.output
    assert officer.email in result.output and admin.email in result.output
    mails = {m["To"]: m for m in outbox()}
    body = mails[officer.email].get_body(("plain",)).get_content()
    # Links are absolute, on the --base-url given (PUBLIC_BASE_URL otherwise).
    assert "ป้ายรถเมล์" in body and "https://ruamkhit.example/moderation/" in body
    dry = app.test_cli_runner().invoke(args=["moderation", "digest", "--dry-run"])
    assert "would email" in dry.output and len(outbox()) == len(mails)
    again = app.test_cli_runner().invoke(args=["moderation", "digest"])
    assert again.exit_code == 0, again.output
    latest = [m for m in outbox() if m["To"] == officer.email][0].get_body(("plain",)).get_content()
    assert "http://localhost/moderation/" in latest and "ruamkhit.example" not in latest
    bad = app.test_cli_runner().invoke(args=["moderation", "digest", "--base-url", "evil.example/x"])
    assert bad.exit_code != 0 and "--base-url" in bad.output


def test_the_officials_dashboard_links_to_the_queue_even_when_empty(client):
    sign_in(client, moderator_of("5500107"))
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/moderation/">รายการรอตรวจสอบเนื้อหา (รอพิจารณา 0 รายการ)' in page
