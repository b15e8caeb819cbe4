"""Factories for engagement, moderation and notification tests: plain functions with good defaults.

Ideas are created as rows directly (not through the ideas services) so that
these tests depend only on the Idea model's columns.
"""
from __future__ import annotations

from itertools import count

from app.accounts import services as accounts
from app.accounts.models import Role
from app.areas.services import get_area_by_code
from app.extensions import db
from app.ideas.models import Idea, IdeaCategory

PASSWORD = "correct horse battery"
_seq = count(1)


def create_user(email: str | None = None, *, verified: bool = True, name: str | None = None,
                role: Role | None = None, role_area: str | None = None, locale: str | None = "th",
                email_notifications: bool = False, province: str = "50"):
    n = next(_seq)
    email = email or f"eng{n}@example.com"
    user = accounts.create_user(email, PASSWORD, name or f"ผู้ใช้ {n}", province, consent=True,
                                email_verified=verified, locale=locale)
    user.email_notifications = email_notifications
    if role is not None:
        accounts.assign_role(None, user, role, get_area_by_code(role_area) if role_area else None)
    db.session.flush()
    return user


def moderator_of(code: str = "50"):
    area = get_area_by_code(code)
    role = Role.PROVINCIAL_OFFICIAL if area.is_province else Role.LG_OFFICER
    return create_user(role=role, role_area=code, name=f"เจ้าหน้าที่ {code}")


def area(code: str = "50"):
    return get_area_by_code(code)


def create_idea(author=None, area_code: str = "50", *, title: str = "ติดตั้งไฟส่องสว่างถนนหน้าโรงเรียน",
                description: str = "ถนนหน้าโรงเรียนมืดมากตอนกลางคืน", **columns) -> Idea:
    author = author or create_user()
    idea = Idea(area_id=area(area_code).id, author_id=author.id, title=title, description=description,
                category=IdeaCategory.INFRASTRUCTURE, **columns)
    db.session.add(idea)
    db.session.flush()
    return idea


def sign_in(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code in (302, 303), response.status_code
    return response
