"""Factories for idea tests: plain functions with good defaults."""
from __future__ import annotations

from io import BytesIO
from itertools import count

from app.accounts import services as accounts
from app.accounts.models import Role
from app.areas.services import get_area_by_code
from app.extensions import db
from app.ideas import services
from app.ideas.models import Idea, IdeaCategory

PASSWORD = "correct horse battery"
_seq = count(1)


def create_user(email: str | None = None, *, province: str = "50", verified: bool = True, name: str = "ผู้ทดสอบ",
                role: Role | None = None, role_area: str | None = None):
    email = email or f"user{next(_seq)}@example.com"
    user = accounts.create_user(email, PASSWORD, name, province, consent=True, email_verified=verified)
    if role is not None:
        accounts.assign_role(None, user, role, get_area_by_code(role_area) if role_area else None)
    db.session.flush()
    return user


def area(code: str = "50"):
    return get_area_by_code(code)


def create_idea(author=None, area_code: str = "50", *, title: str = "ติดตั้งไฟส่องสว่างถนน",
                description: str = "ถนนหน้าโรงเรียนมืดมากตอนกลางคืน ขอให้ติดตั้งไฟส่องสว่าง",
                category: IdeaCategory = IdeaCategory.INFRASTRUCTURE, subdistrict_code: str | None = None,
                photos=()) -> Idea:
    author = author or create_user()
    return services.submit_idea(
        author, area(area_code),
        services.IdeaInput(title=title, description=description, category=category, subdistrict_code=subdistrict_code),
        photos,
    )


def sign_in(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code in (302, 303), response.status_code
    return response


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30), exif=None) -> bytes:
    from PIL import Image

    out = BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()
