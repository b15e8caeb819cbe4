"""The bell and the notifications page."""
from __future__ import annotations

from app.engagement import services as engagement
from tests.engagement.factories import create_idea, create_user, sign_in


def test_the_bell_counts_unread_and_the_page_lists_them_in_thai(client, app):
    author = create_user()
    idea = create_idea(author=author, title="ถนน <ซอย 3>")
    with app.test_request_context("/"):
        engagement.add_comment(idea, create_user(name="สมชาย"), "เห็นด้วย")
    sign_in(client, author)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/notifications/">การแจ้งเตือน <span class="badge">1</span>' in page
    page = client.get("/notifications/").get_data(as_text=True)
    assert "สมชาย แสดงความคิดเห็นในไอเดีย &#34;ถนน &lt;ซอย 3&gt;&#34;" in page  # escaped, never markup
    assert "ท่านมีการแจ้งเตือนที่ยังไม่ได้อ่าน 1 รายการ" in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, app):
    author = create_user()
    idea = create_idea(author=author)
    with app.test_request_context("/"):
        comment = engagement.add_comment(idea, create_user(), "ความเห็น")
    from app.notifications.services import list_notifications, unread_count

    [note], _ = list_notifications(author)
    sign_in(client, author)
    response = client.get(f"/notifications/{note.id}")
    assert response.status_code == 302 and response.location.endswith(f"/ideas/{idea.id}#comment-{comment.id}")
    assert unread_count(author) == 0


def test_someone_elses_notification_is_a_404(client, app):
    author, other = create_user(), create_user()
    idea = create_idea(author=author)
    with app.test_request_context("/"):
        engagement.add_comment(idea, create_user(), "ความเห็น")
    from app.notifications.services import list_notifications, unread_count

    [note], _ = list_notifications(author)
    sign_in(client, other)
    assert client.get(f"/notifications/{note.id}").status_code == 404
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.get("/notifications/999999").status_code == 404
    assert unread_count(author) == 1


def test_mark_read_mark_all_read_and_email_preference(client, app):
    author = create_user()
    idea = create_idea(author=author)
    with app.test_request_context("/"):
        for i in range(3):
            engagement.add_comment(idea, create_user(), f"ความเห็น {i}")
    from app.notifications.services import list_notifications, unread_count

    notes, _ = list_notifications(author)
    sign_in(client, author)
    client.post(f"/notifications/{notes[0].id}/read")
    assert unread_count(author) == 2
    page = client.post("/notifications/read-all", follow_redirects=True).get_data(as_text=True)
    assert unread_count(author) == 0 and "ท่านไม่มีการแจ้งเตือนที่ยังไม่ได้อ่าน" in page
    assert not author.email_notifications
    client.post("/notifications/email", data={"email_notifications": "y"})
    assert author.email_notifications
    client.post("/notifications/email", data={})
    assert not author.email_notifications
    assert client.get("/notifications/?page=abc").status_code == 200
    assert client.get("/notifications/?page=99999").status_code == 200


def test_the_notifications_page_needs_an_account(client):
    assert client.get("/notifications/").status_code == 302
