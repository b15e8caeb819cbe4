"""Factories for plan tests: officials of an area and plans with a few items."""
from __future__ import annotations

import itertools

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.areas import services as areas
from app.areas.models import Area
from app.plans import services
from app.plans.models import Plan

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def province(code: str = "50") -> Area:
    return areas.get_province(code)


def lg(code: str = "3500102") -> Area:
    return areas.get_local_government(code)


def create_user(role: Role | None = None, area: Area | None = None, name: str = "ผู้ทดสอบ") -> User:
    n = next(_seq)
    user = accounts.create_user(f"plans-user-{n}@example.com", PASSWORD, f"{name} {n}", "50",
                                consent=True, email_verified=True)
    if role is not None:
        accounts.assign_role(None, user, role, area)
    return user


def create_official(area: Area) -> User:
    return create_user(Role.PROVINCIAL_OFFICIAL if area.is_province else Role.LG_OFFICER, area, "เจ้าหน้าที่")


def create_plan(area: Area | None = None, start_year: int = 2566, actor: User | None = None,
                items: list[tuple[str, str | None, str]] | None = None) -> Plan:
    """A plan with items given as (code, parent code, title); defaults to a small three-level tree."""
    area = area or lg()
    actor = actor or create_official(area)
    plan = services.create_plan(actor, area, start_year)
    if items is None:
        items = [
            ("1", None, "ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน"),
            ("1.1", "1", "ก่อสร้างและปรับปรุงถนน"),
            ("1.1.1", "1.1", "แผนงานเคหะและชุมชน"),
            ("2", None, "ยุทธศาสตร์การพัฒนาคุณภาพชีวิต"),
            ("2.1", "2", "ส่งเสริมสุขภาพ"),
            ("2.1.1", "2.1", "แผนงานสาธารณสุข"),
        ]
    by_code = {}
    for code, parent, title in items:
        by_code[code] = services.add_item(actor, plan, by_code.get(parent) if parent else None, title, code)
    return plan


def login(client, user: User) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
