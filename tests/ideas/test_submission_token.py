"""Idempotent submissions (issue 10.10): the same idea form sent twice makes one idea; a retry after an
error page lands on the idea that was saved."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ideas import services
from app.ideas.models import Idea
from tests.ideas.factories import create_idea, create_user, sign_in

NEW = "/p/50/ideas/new"
CREATE = "/p/50/ideas/create"


def form_data(**kw):
    data = {"title": "ซ่อมสะพานข้ามคลองแม่ข่า", "description": "สะพานผุ เดินข้ามแล้วอันตราย",
            "category": "infrastructure", "subdistrict_code": "", "lat": "", "lon": ""}
    data.update(kw)
    return data


def ideas_by(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Idea).where(Idea.author_id == user.id))


def _token(html: str) -> str:
    match = re.search(r'name="submission_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="submission_token"', html)
    assert match, "no submission token in the form"
    return match.group(1)


def test_the_form_and_the_preview_carry_one_token(client):
    user = create_user()
    sign_in(client, user)
    first = _token(client.get(NEW).get_data(as_text=True))
    assert first != _token(client.get(NEW).get_data(as_text=True))  # a new one each time the form is opened
    preview = client.post(NEW, data={**form_data(), "submission_token": first}).get_data(as_text=True)
    assert _token(preview) == first


def test_the_same_form_twice_makes_one_idea(client):
    user = create_user()
    sign_in(client, user)
    token = _token(client.get(NEW).get_data(as_text=True))
    first = client.post(CREATE, data={**form_data(), "submission_token": token})
    assert first.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.author_id == user.id))
    assert first.location.endswith(f"/ideas/{idea.id}")
    again = client.post(CREATE, data={**form_data(), "submission_token": token})
    assert again.status_code == 303 and again.location.endswith(f"/ideas/{idea.id}")
    assert ideas_by(user) == 1
    page = client.get(again.location).get_data(as_text=True)
    assert "ไอเดียนี้ส่งไปแล้ว" in page
    # A new form (a new token) makes a new idea.
    other = _token(client.get(NEW).get_data(as_text=True))
    assert client.post(CREATE, data={**form_data(title="อีกเรื่องหนึ่ง"), "submission_token": other}).status_code == 302
    assert ideas_by(user) == 2


def test_a_token_is_per_author(client):
    token = "t" * 43
    first = create_user()
    create_idea(first).submission_token = token
    db.session.commit()
    second = create_user()
    sign_in(client, second)
    response = client.post(CREATE, data={**form_data(), "submission_token": token})
    assert response.status_code == 302 and ideas_by(second) == 1


def test_a_missing_or_forged_token_still_submits(client):
    user = create_user()
    sign_in(client, user)
    assert client.post(CREATE, data=form_data()).status_code == 302
    assert client.post(CREATE, data={**form_data(title="เรื่องที่สอง"), "submission_token": "<script>"}).status_code == 302
    assert ideas_by(user) == 2


def test_racing_submits_meet_the_unique_constraint(client, monkeypatch):
    """The second request got past the look-up before the first committed: the constraint decides."""
    user = create_user()
    sign_in(client, user)
    token = _token(client.get(NEW).get_data(as_text=True))
    assert client.post(CREATE, data={**form_data(), "submission_token": token}).status_code == 302
    monkeypatch.setattr(services, "idea_of_submission", _first_call_misses(services.idea_of_submission))
    again = client.post(CREATE, data={**form_data(), "submission_token": token})
    assert again.status_code == 303 and ideas_by(user) == 1


def _first_call_misses(real):
    calls = []

    def lookup(author, token):
        calls.append(token)
        return None if len(calls) == 1 else real(author, token)

    return lookup


def test_an_error_shown_after_the_idea_was_saved_then_a_retry(client, monkeypatch):
    """The idea is committed but the author's answer is lost (an error page); the retry finds the idea."""
    import app.ideas.routes as routes

    user = create_user()
    sign_in(client, user)
    token = _token(client.get(NEW).get_data(as_text=True))

    def lost(*args, **kwargs):
        raise ConnectionError("the answer was lost after the commit")

    monkeypatch.setattr(routes, "flash", lost)
    with pytest.raises(ConnectionError):
        client.post(CREATE, data={**form_data(), "submission_token": token})
    monkeypatch.undo()
    assert ideas_by(user) == 1
    again = client.post(CREATE, data={**form_data(), "submission_token": token})
    assert again.status_code == 303 and ideas_by(user) == 1
