"""Each action is shown exactly to those who may take it (the page and the route use one permission function).

For every role and every kind of idea, each action the idea pages can offer
is looked for on the page, then taken through its route: a shown action
works (no 403 or 404, and it changes what it says), an action not shown is
refused (403 or 404, or refused with a message and nothing changed).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.core.timeutil import utcnow
from app.engagement import services as engagement
from app.engagement.models import Comment
from app.extensions import db
from app.moderation.models import Report
from tests.ideas.factories import create_idea, create_user, sign_in

ROLES = ("anonymous", "resident", "other_province", "unverified", "blocked", "author", "official", "other_official",
         "admin")
KINDS = ("public", "pending", "hidden", "withdrawn", "supported")


@pytest.fixture
def world(app):
    with app.test_request_context("/"):
        people = {
            "resident": create_user(name="ผู้อยู่อาศัย"),
            "other_province": create_user(name="คนขอนแก่น", province="40"),
            "unverified": create_user(name="ยังไม่ยืนยัน", verified=False),
            "blocked": create_user(name="ถูกระงับ"),
            "author": create_user(name="ผู้เขียน"),
            "official": create_user(name="เจ้าหน้าที่เชียงใหม่", role=Role.PROVINCIAL_OFFICIAL, role_area="50"),
            "other_official": create_user(name="เจ้าหน้าที่ขอนแก่น", province="40", role=Role.PROVINCIAL_OFFICIAL,
                                          role_area="40"),
            "admin": create_user(name="ผู้ดูแลระบบ", role=Role.ADMIN),
        }
        people["blocked"].is_blocked = True
        ideas = {kind: create_idea(people["author"], "50", title=f"ไอเดีย {kind}") for kind in KINDS}
        ideas["pending"].pending_review = True
        ideas["hidden"].hidden_at, ideas["hidden"].hidden_reason = utcnow(), "สแปม"
        ideas["withdrawn"].withdrawn_at = utcnow()
        # Supported (so no longer editable by its author).
        engagement.set_support(ideas["supported"], people["resident"], True)
        db.session.commit()
    return people, ideas


def _client(app, people, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, people[role])
    return client


def _shown(page: str, path: str) -> bool:
    return re.search(r'(?:href|action)="' + re.escape(path) + r'"', page) is not None


def _refused(response) -> bool:
    return response.status_code in (403, 404) or (
        response.status_code == 302 and "/login" in response.location
    )


def _supports(idea, user) -> int:
    return engagement.has_supported(idea, user)


@pytest.mark.parametrize("role", ROLES)
def test_an_action_is_shown_exactly_where_its_route_allows_it(app, world, role):
    people, ideas = world
    user = people.get(role)
    client = _client(app, people, role)
    for kind, idea in ideas.items():
        page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
        where = (role, kind)

        # Edit (first: a comment below closes editing): the link is shown iff the form opens
        # (otherwise 403, or back to the idea with a message).
        path = f"/ideas/{idea.id}/edit"
        shown = _shown(page, path)
        response = client.get(path)
        assert (response.status_code == 200) == shown, (where, "edit")

        # Support: shown (as "support", not as "withdraw my support") iff adding one works.
        path = f"/ideas/{idea.id}/support"
        before = idea.support_count
        can_add = _shown(page, path) and not (user is not None and engagement.has_supported(idea, user))
        response = client.post(path, data={"want": "1"})
        db.session.expire_all()
        added = idea.support_count == before + 1
        assert not _refused(response) or not can_add, where
        assert added == can_add, (where, "support")
        if added:
            client.post(path, data={"want": "0"})

        # Follow: shown iff following works (nobody here follows these ideas yet).
        path = f"/ideas/{idea.id}/follow"
        shown = _shown(page, path)
        response = client.post(path, data={"want": "1"})
        followed = user is not None and engagement.is_following_idea(idea, user)
        assert followed == shown, (where, "follow")
        if followed:
            client.post(path, data={"want": "0"})

        # Comment: the form is shown iff a comment is published.
        path = f"/ideas/{idea.id}/comments/new"
        shown = _shown(page, path)
        count = db.session.scalar(select(func.count()).select_from(Comment).where(Comment.idea_id == idea.id))
        response = client.post(path, data={"body": "ความเห็นทดสอบ"})
        after = db.session.scalar(select(func.count()).select_from(Comment).where(Comment.idea_id == idea.id))
        assert (after == count + 1) == shown, (where, "comment")
        assert not _refused(response) or not shown, where

        # Report: the link is shown iff its form can be opened and sent.
        path = f"/ideas/{idea.id}/report"
        shown = _shown(page, path)
        response = client.get(path)
        if shown:
            assert response.status_code == 200 and "<form" in response.get_data(as_text=True), where
        reports = db.session.scalar(select(func.count()).select_from(Report).where(Report.idea_id == idea.id))
        client.post(path, data={"reason": "spam", "note": ""})
        after = db.session.scalar(select(func.count()).select_from(Report).where(Report.idea_id == idea.id))
        assert (after == reports + 1) == shown, (where, "report")

        # Moderation: hide and restore are shown iff their forms open.
        for path in (f"/moderation/ideas/{idea.id}/hide", f"/moderation/ideas/{idea.id}/restore"):
            if _shown(page, path):
                assert client.get(path).status_code == 200, (where, path)
            elif role in ("anonymous", "resident", "other_province", "author", "other_official"):
                assert _refused(client.get(path)), (where, path)


@pytest.mark.parametrize("role", ROLES)
def test_submit_an_idea_is_offered_only_where_it_can_be_submitted(app, world, role):
    people, _ = world
    client = _client(app, people, role)
    for page_url in ("/p/50/ideas", "/p/50", "/p/40/ideas"):
        page = client.get(page_url).get_data(as_text=True)
        code = page_url.split("/")[2]
        path = f"/p/{code}/ideas/new"
        response = client.get(path)
        assert _shown(page, path) == (response.status_code != 403), (role, page_url)
        if not _shown(page, path):
            # A resident who might expect the button is told why.
            assert "ท่านเสนอไอเดียได้" in page or "ยืนยันอีเมล" in page or "ระงับ" in page, (role, page_url)


def test_an_author_cannot_support_their_own_idea(app, world):
    people, ideas = world
    author, idea = people["author"], ideas["public"]
    client = _client(app, people, "author")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert not _shown(page, f"/ideas/{idea.id}/support")
    assert "นี่คือไอเดียของท่าน" in page
    response = client.post(f"/ideas/{idea.id}/support", data={"want": "1"}, follow_redirects=True)
    assert "ท่านสนับสนุนไอเดียของตนเองไม่ได้" in response.get_data(as_text=True)
    response = client.post(f"/ideas/{idea.id}/support", data={"want": "1"}, headers={"Accept": "application/json"})
    assert response.status_code == 409 and "ไอเดียของตนเอง" in response.json["error"]
    db.session.expire_all()
    assert idea.support_count == 0 and not engagement.has_supported(idea, author)
    assert idea.can_be_edited  # the author's own edit stays open
    with app.test_request_context("/"):
        with pytest.raises(engagement.OwnIdea):
            engagement.set_support(idea, author, True)
    en = app.test_client()
    en.set_cookie("lang", "en")
    sign_in(en, author)
    response = en.post(f"/ideas/{idea.id}/support", data={"want": "1"}, headers={"Accept": "application/json"})
    assert "cannot support your own idea" in response.json["error"]
