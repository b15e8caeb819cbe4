"""The current phase follows the dates (Bangkok midnight), and an audited override wins."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.cycles import services
from app.cycles.errors import CycleError
from app.cycles.models import Phase
from app.extensions import db
from app.cycles.phases import current_phase, dated_phase, phase_from_dates, validate_dates
from tests.cycles import factories as f

STARTS = {
    Phase.IDEAS: date(2026, 10, 1), Phase.SUPPORTS: date(2026, 10, 15), Phase.REVIEW: date(2026, 11, 1),
    Phase.VOTING: date(2026, 11, 20), Phase.RESULTS: date(2026, 12, 10), Phase.IMPLEMENTATION: date(2027, 1, 1),
}


@pytest.mark.parametrize("today, expected", [
    (date(2026, 9, 30), Phase.UPCOMING),
    (date(2026, 10, 1), Phase.IDEAS),
    (date(2026, 10, 14), Phase.IDEAS),
    (date(2026, 10, 15), Phase.SUPPORTS),
    (date(2026, 11, 19), Phase.REVIEW),
    (date(2026, 11, 20), Phase.VOTING),
    (date(2026, 12, 9), Phase.VOTING),
    (date(2026, 12, 10), Phase.RESULTS),
    (date(2030, 1, 1), Phase.IMPLEMENTATION),
])
def test_phase_from_dates(today, expected):
    assert phase_from_dates(STARTS, today) is expected


def test_skipped_phase_when_two_start_the_same_day():
    starts = {**STARTS, Phase.SUPPORTS: date(2026, 11, 1)}
    assert phase_from_dates(starts, date(2026, 11, 1)) is Phase.REVIEW


def test_phase_changes_at_bangkok_midnight(official):
    cycle = f.create_cycle(official, dates={
        "ideas_from": date(2026, 10, 1), "supports_from": date(2026, 10, 15), "review_from": date(2026, 11, 1),
        "voting_from": date(2026, 11, 20), "results_from": date(2026, 12, 10), "implementation_from": date(2027, 1, 1),
    })
    # 16:59 UTC on 9 December is 23:59 in Bangkok: still voting; 17:00 UTC is midnight there.
    assert dated_phase(cycle, datetime(2026, 12, 9, 16, 59, tzinfo=timezone.utc)) is Phase.VOTING
    assert dated_phase(cycle, datetime(2026, 12, 9, 17, 0, tzinfo=timezone.utc)) is Phase.RESULTS


def test_dates_must_be_in_order():
    days = [date(2026, 10, d) for d in (1, 2, 3, 4, 5, 6)]
    assert validate_dates(days) is None
    assert validate_dates([days[1], days[0], *days[2:]]) is not None
    # Voting must last at least a day.
    assert validate_dates([days[0], days[1], days[2], days[3], days[3], days[5]]) is not None


def test_override_wins_and_is_audited(official):
    cycle = f.create_cycle(official)
    f.add_budget_with_projects(official, cycle)
    assert current_phase(cycle) is Phase.VOTING
    services.override_phase(official, cycle, Phase.RESULTS, "ปิดการลงคะแนนก่อนกำหนดตามมติสภา")
    assert current_phase(cycle) is Phase.RESULTS
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cycles.phase_override"))
    assert entry.details["to"] == "results" and entry.details["from"] == "voting"
    services.override_phase(official, cycle, None, "")
    assert current_phase(cycle) is Phase.VOTING


def test_override_needs_a_reason(official):
    cycle = f.create_cycle(official)
    with pytest.raises(CycleError):
        services.override_phase(official, cycle, Phase.RESULTS, "  ")


def test_voting_waits_for_a_ballot_on_every_budget(official):
    # The issue: saving a cycle whose voting start had passed opened voting with no budgets, and
    # the officer could then not add any. Now it stays in review and says what is missing.
    cycle = f.create_cycle(official)
    assert current_phase(cycle) is Phase.REVIEW and services.voting_waits(cycle)
    assert services.voting_blockers(cycle)
    with pytest.raises(CycleError):
        services.override_phase(official, cycle, Phase.VOTING, "เปิดเอง")
    budget = services.add_budget(official, cycle, "งบอำเภอเมือง", 1_000_000)
    second = services.add_budget(official, cycle, "งบอำเภอสารภี", 1_000_000)
    services.add_project(official, budget, "ซ่อมถนน", 400_000)
    assert current_phase(cycle) is Phase.REVIEW  # the second budget has no projects
    assert [str(m) for m in services.voting_blockers(cycle)] == [str(services.voting_blockers(cycle)[0])]
    assert "งบอำเภอสารภี" in str(services.voting_blockers(cycle)[0])
    services.add_project(official, second, "ไฟส่องสว่าง", 300_000)
    assert current_phase(cycle) is Phase.VOTING and not services.voting_blockers(cycle)
    assert not services.voting_waits(cycle)
