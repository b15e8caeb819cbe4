"""Which phase a cycle is in.

Each dated phase starts at midnight, Bangkok time, on its first day and
runs until the next phase starts; before the first one the cycle is
"upcoming", and implementation has no end. An official may override the
computed phase (audited, see services.override_phase); the override wins
until it is cleared.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.core.timeutil import BANGKOK, utcnow
from app.cycles.models import DATED_PHASES, Cycle, Phase

PHASE_LABELS = {
    Phase.UPCOMING: _l("Not started yet"),
    Phase.IDEAS: _l("Idea collection"),
    Phase.SUPPORTS: _l("Supporting ideas"),
    Phase.REVIEW: _l("Review"),
    Phase.VOTING: _l("Voting"),
    Phase.RESULTS: _l("Results announcement"),
    Phase.IMPLEMENTATION: _l("Implementation"),
}


def bangkok_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(BANGKOK).date()


def phase_from_dates(starts: dict[Phase, date], today: date) -> Phase:
    """The phase whose first day is the latest one on or before `today`."""
    current = Phase.UPCOMING
    for phase, _column in DATED_PHASES:
        start = starts.get(phase)
        if start is not None and start <= today:
            current = phase
    return current


def phase_starts(cycle: Cycle) -> dict[Phase, date]:
    return {phase: getattr(cycle, column) for phase, column in DATED_PHASES}


def dated_phase(cycle: Cycle, now: datetime | None = None) -> Phase:
    return phase_from_dates(phase_starts(cycle), bangkok_today(now))


def current_phase(cycle: Cycle, now: datetime | None = None) -> Phase:
    phase = _current_phase(cycle, now)
    # Once closed (closing.close_voting) voting never reopens: the links that let a voter replace
    # their ballot are gone. Neither the dates nor an override can bring it back.
    if phase is Phase.VOTING and getattr(cycle, "voting_closed_at", None) is not None:
        return Phase.RESULTS
    return phase


def _current_phase(cycle: Cycle, now: datetime | None = None) -> Phase:
    if cycle.phase_override is not None:
        return cycle.phase_override
    phase = dated_phase(cycle, now)
    # Voting waits for its ballot: with a budget that has no projects the cycle stays in review.
    if phase in (Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION) and not cycle.ballot_ready and cycle.results_published_at is None:
        return Phase.REVIEW
    return phase


def phase_end(cycle: Cycle, phase: Phase) -> date | None:
    """The first day after `phase` (the next phase's start), or None for implementation."""
    order = [p for p, _ in DATED_PHASES]
    if phase not in order:
        return None
    index = order.index(phase)
    if index + 1 >= len(order):
        return None
    return getattr(cycle, DATED_PHASES[index + 1][1])


def timeline(cycle: Cycle, now: datetime | None = None) -> list[dict]:
    """The phases with their dates, for the cycle page."""
    phase = current_phase(cycle, now)
    rows = []
    for p, column in DATED_PHASES:
        start = getattr(cycle, column)
        end = phase_end(cycle, p)
        rows.append({
            "phase": p, "label": PHASE_LABELS[p], "start": start, "end": end,
            "current": p is phase, "skipped": end is not None and end <= start,
        })
    return rows


def validate_dates(starts: list[date]) -> str | None:
    """None if the phase dates are in order, else a message (lazy string)."""
    for earlier, later in zip(starts, starts[1:]):
        if later < earlier:
            return _l("Each phase must start on or after the day the previous phase starts.")
    voting = starts[3]
    results = starts[4]
    if results <= voting:
        return _l("Voting must last at least one day: results must start after voting starts.")
    return None
