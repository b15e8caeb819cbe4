"""Idempotent comments (issue 10.10): the same comment or reply form sent twice posts one comment."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.engagement.models import Comment
from app.extensions import db
from tests.engagement.factories import create_idea, create_user, sign_in


def comments_on(idea) -> int:
    return db.session.scalar(select(func.count()).select_from(Comment).where(Comment.idea_id == idea.id))


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="submission_token"[^>]*value="([^"]+)"', html)


def test_the_comment_form_twice_posts_one_comment(client):
    idea = create_idea()
    user = create_user()
    sign_in(client, user)
    [token] = _tokens(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    first = client.post(f"/ideas/{idea.id}/comments/new", data={"body": "เห็นด้วยครับ", "submission_token": token})
    assert first.status_code == 302 and comments_on(idea) == 1
    comment = db.session.scalar(select(Comment).where(Comment.idea_id == idea.id))
    again = client.post(f"/ideas/{idea.id}/comments/new", data={"body": "เห็นด้วยครับ", "submission_token": token})
    assert again.status_code == 303 and again.location.endswith(f"#comment-{comment.id}")
    assert comments_on(idea) == 1
    # The idea page now has a comment with a reply form: each form its own token.
    tokens = _tokens(client.get(f"/ideas/{idea.id}").get_data(as_text=True))
    assert len(tokens) == 2 and len(set(tokens)) == 2 and token not in tokens
    reply = {"body": "ขอบคุณ", "parent_id": str(comment.id), "submission_token": tokens[0]}
    assert client.post(f"/ideas/{idea.id}/comments/new", data=reply).status_code == 302
    assert client.post(f"/ideas/{idea.id}/comments/new", data=reply).status_code == 303
    assert comments_on(idea) == 2


def test_the_comment_page_keeps_its_token_through_an_error(client):
    idea = create_idea()
    sign_in(client, create_user())
    [token] = _tokens(client.get(f"/ideas/{idea.id}/comments/new").get_data(as_text=True))
    page = client.post(f"/ideas/{idea.id}/comments/new", data={"body": "", "submission_token": token})
    assert page.status_code == 200 and _tokens(page.get_data(as_text=True)) == [token]
    assert client.post(f"/ideas/{idea.id}/comments/new", data={"body": "ครั้งที่สอง", "submission_token": token}).status_code == 302
    assert client.post(f"/ideas/{idea.id}/comments/new", data={"body": "ครั้งที่สอง", "submission_token": token}).status_code == 303
    assert comments_on(idea) == 1


def test_without_a_token_comments_post_as_before(client):
    idea = create_idea()
    sign_in(client, create_user())
    for _ in range(2):
        assert client.post(f"/ideas/{idea.id}/comments/new", data={"body": "ซ้ำ"}).status_code == 302
    assert comments_on(idea) == 2
