"""Support, follow and comment through HTTP, without JavaScript; bad input never changes anything."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.core.timeutil import utcnow
from app.engagement import services
from app.engagement.models import Comment
from app.extensions import db
from tests.engagement.factories import create_idea, create_user, sign_in


def comment_rows(idea) -> int:
    return db.session.scalar(select(func.count()).select_from(Comment).where(Comment.idea_id == idea.id))


def test_support_without_javascript_changes_the_count_on_the_idea_page(client):
    idea = create_idea(title="ทางเท้าชำรุด")
    user = create_user()
    sign_in(client, user)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "สนับสนุนไอเดียนี้" in page
    response = client.post(f"/ideas/{idea.id}/support", data={"want": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/ideas/{idea.id}#support")
    assert "ผู้สนับสนุน <strong>0</strong> คน" in page and "0</strong> การสนับสนุน" not in page
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert idea.support_count == 1
    assert "ขอบคุณที่สนับสนุนไอเดียนี้" in page and ">ถอนการสนับสนุน<" in page
    assert "ผู้สนับสนุน <strong>1</strong> คน" in page
    client.post(f"/ideas/{idea.id}/support", data={"want": "1"})  # a double click changes nothing
    assert idea.support_count == 1
    client.post(f"/ideas/{idea.id}/support")  # without "want": toggles off
    assert idea.support_count == 0


def test_support_answers_json_for_the_script(client):
    idea = create_idea()
    sign_in(client, create_user())
    response = client.post(f"/ideas/{idea.id}/support", data={"want": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["supported"] is True and response.json["count"] == 1


def test_support_needs_a_signed_in_account(client):
    idea = create_idea()
    response = client.post(f"/ideas/{idea.id}/support")
    assert response.status_code == 302 and "/login" in response.location
    assert idea.support_count == 0


def test_supporting_a_withdrawn_or_hidden_idea_explains_and_changes_nothing(client):
    withdrawn = create_idea(withdrawn_at=utcnow())
    hidden = create_idea(hidden_at=utcnow(), hidden_reason="สแปม")
    sign_in(client, create_user())
    page = client.post(f"/ideas/{withdrawn.id}/support", follow_redirects=True).get_data(as_text=True)
    assert "ถอนไอเดียนี้แล้ว" in page and withdrawn.support_count == 0
    response = client.post(f"/ideas/{hidden.id}/support", headers={"Accept": "application/json"})
    assert response.status_code == 409 and "ถูกซ่อน" in response.json["error"]
    assert hidden.support_count == 0


def test_tampered_ids_and_values_give_404_or_400(client):
    idea = create_idea()
    sign_in(client, create_user())
    assert client.post("/ideas/999999/support").status_code == 404
    assert client.post("/ideas/999999/follow").status_code == 404
    assert client.post("/areas/99999999/follow").status_code == 404
    assert client.post(f"/ideas/{idea.id}/support", data={"want": "yes"}).status_code == 400
    assert client.post(f"/ideas/{idea.id}/support", data={"want": "0", "next": "https://evil.example/"}).location.endswith(
        f"/ideas/{idea.id}#support")
    assert client.get("/ideas/999999/comments/new").status_code == 404
    assert client.post(f"/ideas/{idea.id}/comments/new", data={"body": "x", "parent_id": "99999"}).status_code == 404
    assert client.post(f"/ideas/{idea.id}/comments/new", data={"body": "x", "parent_id": "1 OR 1=1"}).status_code == 404
    # QA: a parent id past 2**63 crashed the database driver (500).
    assert client.post(f"/ideas/{idea.id}/comments/new", data={"body": "x", "parent_id": "9" * 20}).status_code == 404
    assert client.get("/ideas/" + "9" * 20 + "/comments/new").status_code == 404
    other = create_idea()
    foreign = services.add_comment(other, create_user(), "อีกไอเดีย")
    assert client.post(f"/ideas/{idea.id}/comments/new", data={"body": "x", "parent_id": str(foreign.id)}).status_code == 404
    assert client.get("/comments/999999/edit").status_code == 404
    assert client.post("/comments/999999/delete").status_code == 404
    assert comment_rows(idea) == 0 and idea.support_count == 0


def test_unverified_account_is_told_to_confirm_with_a_link_to_resend(client, outbox):
    import re

    idea = create_idea()
    user = create_user(verified=False)
    sign_in(client, user)
    page = client.post(f"/ideas/{idea.id}/support", follow_redirects=True).get_data(as_text=True)
    assert "โปรดยืนยันที่อยู่อีเมลก่อนโพสต์" in page
    assert "ส่งอีเมลยืนยันอีกครั้ง" in page
    assert idea.support_count == 0
    # The notice's button asks the accounts domain for a new confirmation email.
    action = re.search(r'<form method="post" action="([^"]+)" class="inline-form">\s*<input type="hidden" name="csrf_token"[^>]*>\s*'
                       r'<button type="submit" class="link-button">ส่งอีเมลยืนยันอีกครั้ง', page).group(1)
    client.post(action)
    assert [m["To"] for m in outbox()] == [user.email]
    page = client.get(f"/ideas/{idea.id}/comments/new").get_data(as_text=True)
    assert "โปรดยืนยันที่อยู่อีเมลก่อนโพสต์" in page and 'name="body"' not in page


def test_blocked_account_can_read_but_not_post(client):
    idea = create_idea()
    services.add_comment(idea, create_user(), "ความเห็นเดิม")
    blocked = create_user()
    blocked.is_blocked = True
    blocked.blocked_reason = "สแปม"
    sign_in(client, blocked)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "ความเห็นเดิม" in page and "บัญชีของท่านถูกระงับ" in page and 'id="comment-body"' not in page
    client.post(f"/ideas/{idea.id}/comments/new", data={"body": "โพสต์ไม่ได้"})
    client.post(f"/ideas/{idea.id}/support")
    assert comment_rows(idea) == 1 and idea.support_count == 0


def test_comment_and_reply_are_published_and_html_is_escaped(client):
    idea = create_idea()
    user = create_user()
    sign_in(client, user)
    response = client.post(f"/ideas/{idea.id}/comments/new",
                           data={"body": "<script>alert(1)</script>\nบรรทัดที่สอง"})
    assert response.status_code == 302
    comment = db.session.scalars(select(Comment).where(Comment.idea_id == idea.id)).one()
    assert response.location.endswith(f"#comment-{comment.id}")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>บรรทัดที่สอง" in page
    assert "<script>alert(1)" not in page
    client.post(f"/ideas/{idea.id}/comments/new", data={"body": "ตอบตัวเอง", "parent_id": str(comment.id)})
    reply = db.session.scalars(select(Comment).where(Comment.parent_id == comment.id)).one()
    assert reply.body == "ตอบตัวเอง" and idea.comment_count == 2
    page = client.get(f"/ideas/{idea.id}/comments/new?reply_to={comment.id}").get_data(as_text=True)
    assert "ตอบกลับความคิดเห็น" in page


def test_bad_comments_show_an_error_and_change_nothing(client):
    idea = create_idea()
    sign_in(client, create_user())
    for body, message in [
        ("", "กรุณาพิมพ์ข้อความก่อนส่งความคิดเห็น"),
        ("   ", "กรุณาพิมพ์ข้อความก่อนส่งความคิดเห็น"),
        ("ก" * 2001, "ไม่เกิน 2000 ตัวอักษร"),
        ("ข้อความ\x07ซ่อน", "อักขระที่ไม่อนุญาต"),
        ("เสียง\x1b[31m", "อักขระที่ไม่อนุญาต"),
    ]:
        response = client.post(f"/ideas/{idea.id}/comments/new", data={"body": body})
        assert response.status_code == 200, body
        page = response.get_data(as_text=True)
        assert message in page, body
        assert "error-summary" in page
    assert comment_rows(idea) == 0 and idea.comment_count == 0


def test_edit_own_comment_within_15_minutes_only(client):
    idea = create_idea()
    author, other = create_user(), create_user()
    comment = services.add_comment(idea, author, "เดิม")
    sign_in(client, other)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "แฮ็ก"}).status_code == 403
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    client.post("/logout")
    sign_in(client, author)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 200
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "ใหม่"}).status_code == 302
    assert comment.body == "ใหม่"
    comment.created_at = utcnow() - timedelta(minutes=20)
    db.session.flush()
    page = client.post(f"/comments/{comment.id}/edit", data={"body": "สายไป"}, follow_redirects=True).get_data(as_text=True)
    assert "15 นาที" in page and comment.body == "ใหม่"


def test_delete_own_comment_shows_deleted(client):
    idea = create_idea()
    author = create_user()
    comment = services.add_comment(idea, author, "จะลบ")
    sign_in(client, author)
    assert client.get(f"/comments/{comment.id}/delete").status_code == 200  # confirmation without JS
    assert client.post(f"/comments/{comment.id}/delete").status_code == 302
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "ความคิดเห็นนี้ถูกลบโดยผู้เขียน" in page and "จะลบ" not in page
    assert idea.comment_count == 0


def test_follow_an_idea_and_an_area_from_their_pages(client):
    idea = create_idea()
    user = create_user()
    page = client.get("/p/50").get_data(as_text=True)
    assert "เข้าสู่ระบบ</a> เพื่อติดตามพื้นที่นี้" in page
    sign_in(client, user)
    page = client.get("/lg/3500102").get_data(as_text=True)
    assert "ติดตามเทศบาลนครเชียงใหม่" in page
    assert "ติดตามจังหวัดเชียงใหม่" in client.get("/p/50").get_data(as_text=True)
    response = client.post("/areas/3500102/follow", data={"want": "1"})
    assert response.location.endswith("/lg/3500102")
    assert "เลิกติดตามเทศบาลนครเชียงใหม่" in client.get("/lg/3500102").get_data(as_text=True)
    client.post(f"/ideas/{idea.id}/follow", data={"want": "1"})
    assert [u.id for u in services.followers_of_idea(idea)] == [user.id]
    assert "เลิกติดตาม" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    client.post("/areas/50/follow")
    from app.areas.services import get_area_by_code

    assert [u.id for u in services.followers_of_area(get_area_by_code("50"))] == [user.id]


def test_commenting_is_rate_limited_with_a_thai_message(client):
    idea = create_idea()
    sign_in(client, create_user())
    statuses = [client.post(f"/ideas/{idea.id}/comments/new", data={"body": f"ความเห็น {i}"}).status_code
                for i in range(7)]
    assert statuses[:6] == [302] * 6
    assert statuses[6] == 429
    page = client.post(f"/ideas/{idea.id}/comments/new", data={"body": "อีก"}).get_data(as_text=True)
    assert "ท่านแสดงความคิดเห็นหลายครั้งในเวลาอันสั้น" in page
    assert comment_rows(idea) == 6


def test_supporting_is_rate_limited(client):
    idea = create_idea()
    sign_in(client, create_user())
    statuses = [client.post(f"/ideas/{idea.id}/support").status_code for _ in range(31)]
    assert statuses[:30] == [302] * 30 and statuses[30] == 429


def test_the_idea_section_in_english(client):
    idea = create_idea()
    services.add_comment(idea, create_user(), "ความเห็น")
    sign_in(client, create_user())
    client.set_cookie("lang", "en")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Support this idea" in page and "Follow this idea" in page and "Comments (1)" in page
    assert "Report this idea" in page and "Send comment" in page
