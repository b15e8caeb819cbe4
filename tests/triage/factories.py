"""Factories for triage and proposal tests: plain functions with good defaults.

Ideas, plans and plan items are created as rows directly so these tests
depend only on the models' columns (the contracts), not on other domains' forms.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Optional

from app.accounts import services as accounts
from app.accounts.models import Role
from app.areas.services import get_area_by_code
from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas.models import Idea, IdeaCategory
from app.plans.models import Plan, PlanItem, PlanKind

PASSWORD = "correct horse battery"
_seq = count(1)


def area(code: str = "50"):
    return get_area_by_code(code)


def create_user(email: Optional[str] = None, *, role: Optional[Role] = None, role_area: Optional[str] = None,
                name: Optional[str] = None, province: str = "50"):
    n = next(_seq)
    user = accounts.create_user(email or f"tri{n}@example.com", PASSWORD, name or f"ผู้ใช้ {n}", province,
                                consent=True, email_verified=True, locale="th")
    if role is not None:
        accounts.assign_role(None, user, role, area(role_area) if role_area else None)
    db.session.flush()
    return user


def official(code: str = "50"):
    """A provincial official for a province code, an LG officer for a local government code."""
    a = area(code)
    role = Role.PROVINCIAL_OFFICIAL if a.is_province else Role.LG_OFFICER
    return create_user(role=role, role_area=code, name=f"เจ้าหน้าที่ {code}")


def evaluator(code: str = "50"):
    return create_user(role=Role.EVALUATOR, role_area=code, name=f"ผู้ประเมิน {code}")


def create_idea(author=None, area_code: str = "50", *, title: Optional[str] = None,
                created_at: Optional[datetime] = None, **columns) -> Idea:
    author = author or create_user()
    now = created_at or utcnow()
    idea = Idea(
        area_id=area(area_code).id, author_id=author.id,
        title=title or f"ติดตั้งไฟส่องสว่างถนน {next(_seq)}",
        description="ถนนหน้าโรงเรียนมืดมากตอนกลางคืน ขอให้ติดตั้งไฟส่องสว่าง",
        category=IdeaCategory.INFRASTRUCTURE, created_at=now, updated_at=now, **columns,
    )
    db.session.add(idea)
    db.session.flush()
    return idea


def support(idea: Idea, user) -> None:
    from app.engagement.services import set_support

    set_support(idea, user, True)
    db.session.flush()


def follow(idea: Idea, user) -> None:
    from app.engagement.services import set_idea_follow

    set_idea_follow(idea, user, True)
    db.session.flush()


def create_plan(area_code: str = "3500102", *, start_year: int = 2566, kind: Optional[PlanKind] = None) -> Plan:
    """A plan with one branch of three items (codes 1, 1.1, 1.1.1)."""
    a = area(area_code)
    kind = kind or (PlanKind.PROVINCIAL_ACTION if a.is_province else PlanKind.LOCAL_DEVELOPMENT)
    end_year = start_year + kind.span - 1
    plan = Plan(area_id=a.id, kind=kind, title=f"แผนทดสอบ {a.name_th} {start_year}", start_year=start_year, end_year=end_year)
    db.session.add(plan)
    db.session.flush()
    parent = None
    for level, code, title in ((1, "1", "การพัฒนาโครงสร้างพื้นฐาน"), (2, "1.1", "ถนนและทางเท้า"), (3, "1.1.1", "แผนงานเคหะและชุมชน")):
        item = PlanItem(plan_id=plan.id, parent_id=parent.id if parent else None, level=level, code=code, title=title, position=0)
        db.session.add(item)
        db.session.flush()
        parent = item
    db.session.refresh(plan)
    return plan


def leaf(plan: Plan) -> PlanItem:
    return next(i for i in plan.items if i.level == 3)


def days_ago(n: float) -> datetime:
    return utcnow() - timedelta(days=n)
