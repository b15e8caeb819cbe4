"""Paper voters: who voted at a village forum that checks ID cards (issue 14.5).

An officer at a forum (ประชาคม) that checks ID cards types each voter's national
ID before handing them a ballot. We keep only its keyed hash (the same HMAC as
users.national_id_hash, so it matches the person's account if they have one),
the forum and the officer: never anything that points to a ballot or a batch.

- A person recorded on paper in a budget cannot vote online in it
  (eligibility.voter_problem, and cast_ballot again under a lock).
- A person cannot be recorded twice in a budget: the unique (budget, hash)
  constraint holds when two officers type the same number at once.
- A person who already voted online is not recorded and the officer is told.

On PostgreSQL both sides lock the person's `users` row first, so that an
online vote and a forum record of the same person at the same moment do not
both succeed: the second waits for the first and then sees it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts import national_id
from app.accounts.models import User
from app.audit.services import record
from app.cycles.errors import CycleError
from app.cycles.models import CycleBudget, CycleVoter, PaperBatch, PaperVoter
from app.extensions import db

ALREADY_ONLINE = _l("This person has already voted online in this budget: do not give them a paper ballot.")


class AlreadyVoted(CycleError):
    """The person already voted in this budget (online or on paper): the officer must not hand a ballot."""


@dataclass(frozen=True)
class PaperVoterSummary:
    recorded: int  # people recorded at forums that check ID cards
    unchecked_ballots: int  # paper ballots from forums that did not check ID cards


def id_hash(raw_id: str) -> str:
    return national_id.keyed_hash(raw_id, current_app.config["ID_HASH_KEY"])


def paper_voted(budget_id: int, hashed: str | None) -> bool:
    if not hashed:
        return False
    return db.session.scalar(
        select(PaperVoter.id).where(PaperVoter.budget_id == budget_id, PaperVoter.id_hash == hashed)
    ) is not None


def lock_voter(user_id: int) -> None:
    """Hold the voter's row until commit (PostgreSQL; SQLite has one writer anyway): the forum takes the same lock."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def record_paper_voter(officer: Any, budget: CycleBudget, forum_name: str, forum_date: date, raw_id: str) -> PaperVoter:
    """Record that the holder of `raw_id` voted on paper at this forum, or raise (nothing stored)."""
    from app.cycles.phases import bangkok_today
    from app.cycles.voting import paper_entry_open
    from app.permissions import can_manage_cycles

    cycle = budget.cycle
    if not can_manage_cycles(officer, cycle.area):
        raise CycleError(_l("Only officials of this area can record paper voters."))
    if not paper_entry_open(cycle):
        raise CycleError(_l("Paper ballots can be entered only during voting and before the results are published."))
    if forum_date > bangkok_today():
        raise CycleError(_l("The forum date cannot be in the future."))
    if not national_id.is_valid(raw_id or ""):
        raise CycleError(_l("This national ID number is not valid: check the 13 digits on the ID card."))
    hashed = id_hash(raw_id)
    # The person's account, if they have one, locked as cast_ballot locks it (see the module's docstring).
    owner = db.session.scalar(select(User.id).where(User.national_id_hash == hashed).with_for_update())
    if owner is not None and db.session.scalar(
        select(CycleVoter.id).where(CycleVoter.budget_id == budget.id, CycleVoter.user_id == owner)
    ) is not None:
        raise AlreadyVoted(ALREADY_ONLINE)
    earlier = db.session.scalar(select(PaperVoter).where(PaperVoter.budget_id == budget.id, PaperVoter.id_hash == hashed))
    if earlier is not None:
        raise _already_on_paper(earlier)
    voter = PaperVoter(budget_id=budget.id, id_hash=hashed, forum_name=forum_name.strip()[:200], forum_date=forum_date,
                       recorded_by_id=getattr(officer, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(voter)
    except IntegrityError:  # another officer recorded the same person a moment ago
        earlier = db.session.scalar(select(PaperVoter).where(PaperVoter.budget_id == budget.id, PaperVoter.id_hash == hashed))
        raise _already_on_paper(earlier) from None
    record(officer, "cycles.paper_voter", budget, area=cycle.area, details={
        "cycle_id": cycle.id, "budget_id": budget.id, "forum": voter.forum_name, "forum_date": forum_date.isoformat(),
    })
    return voter


def remove_paper_voter(officer: Any, budget: CycleBudget, raw_id: str) -> None:
    """Undo a record typed by mistake (the wrong card), before the results are published (audited)."""
    from app.cycles.voting import paper_entry_open
    from app.permissions import can_manage_cycles

    cycle = budget.cycle
    if not can_manage_cycles(officer, cycle.area):
        raise CycleError(_l("Only officials of this area can record paper voters."))
    if not paper_entry_open(cycle):
        raise CycleError(_l("Paper ballots can be entered only during voting and before the results are published."))
    if not national_id.is_valid(raw_id or ""):
        raise CycleError(_l("This national ID number is not valid: check the 13 digits on the ID card."))
    voter = db.session.scalar(select(PaperVoter).where(PaperVoter.budget_id == budget.id, PaperVoter.id_hash == id_hash(raw_id)))
    if voter is None:
        raise CycleError(_l("This person is not recorded as a paper voter in this budget."))
    record(officer, "cycles.paper_voter_removed", budget, area=cycle.area, details={
        "cycle_id": cycle.id, "budget_id": budget.id, "forum": voter.forum_name, "forum_date": voter.forum_date.isoformat(),
    })
    db.session.delete(voter)
    db.session.flush()


def _already_on_paper(earlier: PaperVoter | None) -> AlreadyVoted:
    from app.core.formatting import format_date
    from app.core.locale import current_locale

    if earlier is None:
        return AlreadyVoted(_l("This person has already been recorded on paper in this budget."))
    return AlreadyVoted(_l("This person has already voted on paper in this budget, at %(forum)s on %(date)s.",
                           forum=earlier.forum_name, date=format_date(earlier.forum_date, current_locale())))


def check_batch(budget: CycleBudget, forum_name: str, forum_date: date, count: int) -> None:
    """A batch from a forum that checked ID cards cannot hold more ballots than the voters it recorded."""
    name = forum_name.strip()
    voters = db.session.scalar(select(func.count(PaperVoter.id)).where(
        PaperVoter.budget_id == budget.id, PaperVoter.forum_name == name, PaperVoter.forum_date == forum_date)) or 0
    ballots = db.session.scalar(select(func.coalesce(func.sum(PaperBatch.ballot_count), 0)).where(
        PaperBatch.budget_id == budget.id, PaperBatch.ids_checked.is_(True), PaperBatch.forum_name == name,
        PaperBatch.forum_date == forum_date)) or 0
    if ballots + count > voters:
        raise CycleError(_l(
            "This forum checked ID cards and recorded %(voters)d voters, but %(ballots)d of its ballots would be entered. "
            "Record every voter first, or leave the ID-card box unticked.",
            voters=voters, ballots=ballots + count))


def summary(budget: CycleBudget) -> PaperVoterSummary:
    recorded = db.session.scalar(select(func.count(PaperVoter.id)).where(PaperVoter.budget_id == budget.id)) or 0
    unchecked = db.session.scalar(select(func.coalesce(func.sum(PaperBatch.ballot_count), 0)).where(
        PaperBatch.budget_id == budget.id, PaperBatch.ids_checked.is_(False))) or 0
    return PaperVoterSummary(recorded=recorded, unchecked_ballots=unchecked)


def recent_forums(budget: CycleBudget) -> list[tuple[str, date, int]]:
    """Each forum that recorded voters in this budget, with how many (for the officers' page)."""
    rows = db.session.execute(
        select(PaperVoter.forum_name, PaperVoter.forum_date, func.count(PaperVoter.id))
        .where(PaperVoter.budget_id == budget.id)
        .group_by(PaperVoter.forum_name, PaperVoter.forum_date)
        .order_by(PaperVoter.forum_date, PaperVoter.forum_name)
    ).all()
    return [(name, day, n) for name, day, n in rows]
