"""Factories for cycles tests: users, a cycle with budgets and projects, ballots."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from app.accounts import services as accounts
from app.accounts.models import Role
from app.areas import services as areas
from app.core.timeutil import utcnow
from app.cycles import services
from app.cycles.models import BallotKind, Completion, Phase, TallyRule
from app.cycles.phases import bangkok_today
from app.extensions import db

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def create_user(province="50", subdistrict="500101", verified=True, email=None, name="ผู้ใช้ทดสอบ"):
    n = next(_counter)
    user = accounts.create_user(email or f"cyc-user{n}@example.com", PASSWORD, name, province, consent=True, email_verified=True)
    user.subdistrict_code = subdistrict
    if verified:
        user.residency_verified_at = utcnow()
    db.session.flush()
    return user


def create_official(area_code="50", role=Role.PROVINCIAL_OFFICIAL):
    user = create_user(verified=False, name="เจ้าหน้าที่")
    accounts.assign_role(None, user, role, areas.get_area_by_code(area_code))
    db.session.flush()
    return user


def voting_dates(today: date | None = None) -> dict:
    t = today or bangkok_today()
    return {
        "ideas_from": t - timedelta(days=60), "supports_from": t - timedelta(days=40), "review_from": t - timedelta(days=20),
        "voting_from": t - timedelta(days=2), "results_from": t + timedelta(days=10), "implementation_from": t + timedelta(days=40),
    }


def cycle_fiscal_year(dates: dict | None = None) -> int:
    """The fiscal year whose window holds the dates: the one in which implementation starts."""
    from app.core.formatting import fiscal_year

    return fiscal_year((dates or voting_dates())["implementation_from"])


def create_cycle(official, area_code="50", kind=BallotKind.KNAPSACK, rule=TallyRule.GREEDY, completion=Completion.ADD1,
                 total=10_000_000, dates=None, fiscal_year=None, **limits):
    area = areas.get_area_by_code(area_code)
    dates = dates or voting_dates()
    settings = services.CycleSettings(
        fiscal_year=fiscal_year or cycle_fiscal_year(dates), title="งบประมาณแบบมีส่วนร่วม", description="ทดสอบ", total_budget=total,
        ballot_kind=kind, rule=rule, completion=completion, **dates, **limits,
    )
    return services.create_cycle(official, area, settings)


def add_budget_with_projects(official, cycle, name="งบทั้งจังหวัด", amount=1_000_000, costs=(400_000, 300_000, 500_000, 200_000), codes=()):
    # Budgets cannot be added during voting: add them with the phase set to review, then clear the override.
    override = cycle.phase_override
    cycle.phase_override = Phase.REVIEW
    budget = services.add_budget(official, cycle, name, amount, codes)
    for i, cost in enumerate(costs, start=1):
        services.add_project(official, budget, f"โครงการที่ {i} ({name})", cost)
    cycle.phase_override = override
    db.session.flush()
    db.session.refresh(budget)
    return budget
