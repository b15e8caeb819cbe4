"""Closing the vote: destroy every link between voters and ballots (issue 11.7).

While voting is open a voter may change their ballot, which needs a link:
the keyed voter hash on `cycle_ballots`. When voting closes (by the dates,
through `flask --app wsgi cycles close-due` from cron, by hand from the
manage page, and at the latest before any result is computed) close_voting,
in one transaction and audited:

- sets the voter hash of every ballot of the cycle's budgets to NULL;
- rewrites those ballots and their choices (deleted and inserted again) in
  the order of their random ids, so that the order in which rows are stored
  (PostgreSQL's heap order, `ctid`; SQLite's rowid) and the transaction id
  that wrote them (`xmin`, now the same for every ballot) no longer follow
  the order in which people voted;
- drops the day of online ballots (none is kept since 0110, older ones lose it);
- marks the cycle closed (`voting_closed_at`): voting cannot reopen, since a
  voter's earlier ballot could no longer be found and replaced.

Receipts keep working: a receipt names a ballot by its receipt hash, never a voter.
Rows deleted on PostgreSQL stay on disk as dead tuples until VACUUM; the
close-due command vacuums the two tables after it commits. Backups and the
write-ahead log taken while voting was open still hold the link (README,
production section).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, text

from app.audit.services import record
from app.core.timeutil import utcnow
from app.cycles.errors import CycleError
from app.cycles.models import Cycle, CycleBallot, CycleBudget, Phase
from app.cycles.phases import dated_phase
from app.extensions import db

# Temporary copies, dropped before the transaction ends; they hold ballots without any voter.
_BALLOTS_COPY = "ruamkhit_closing_ballots"
_CHOICES_COPY = "ruamkhit_closing_choices"


# What closed a vote, as the audit log says it (details["how"]).
CLOSED_BY_LABELS = {
    "by_hand": _l("an official, by hand"),
    "dates": _l("the voting dates (cycles close-due)"),
    "results": _l("computing the results"),
}


@dataclass(frozen=True)
class ClosingReport:
    cycle_id: int
    ballots: int
    links_destroyed: int


def voting_closed(cycle: Any) -> bool:
    return getattr(cycle, "voting_closed_at", None) is not None


def closing_due(cycle: Cycle) -> bool:
    """Voting is over (the dates or the override say so) and its links are not yet destroyed."""
    from app.cycles.phases import current_phase

    return not voting_closed(cycle) and current_phase(cycle) in (Phase.RESULTS, Phase.IMPLEMENTATION)


def can_close_by_hand(cycle: Cycle) -> bool:
    """From the manage page: while voting is open, or once it has ended and is not yet closed."""
    from app.cycles.phases import current_phase

    return not voting_closed(cycle) and current_phase(cycle) in (Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION)


def close_voting(cycle: Cycle, actor: Any, *, how: str = "by_hand", now: datetime | None = None) -> ClosingReport:
    """Destroy every voter-ballot link of `cycle` and mark its voting closed (audited; the caller commits).

    `actor` is the official (checked) or None for the command line. `how`
    says what closed it in the audit log: "by_hand", "dates" or "results".
    """
    from app.permissions import can_manage_cycles

    if actor is not None and not can_manage_cycles(actor, cycle.area):
        raise CycleError(_l("Only officials of this area can close the vote."))
    if voting_closed(cycle):
        raise CycleError(_l("Voting in this cycle is already closed."))
    if not can_close_by_hand(cycle):
        raise CycleError(_l("Voting has not opened yet in this cycle: there is nothing to close."))
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        # Votes in flight wait for this to commit, then find voting closed (voting.cast_ballot's guard).
        conn.execute(text("LOCK TABLE cycle_ballots IN SHARE ROW EXCLUSIVE MODE"))
    budget_ids = list(db.session.scalars(select(CycleBudget.id).where(CycleBudget.cycle_id == cycle.id)))
    ballots = links = 0
    if budget_ids:
        in_budgets = CycleBallot.budget_id.in_(budget_ids)
        ballots = db.session.scalar(select(func.count()).select_from(CycleBallot).where(in_budgets)) or 0
        links = db.session.scalar(
            select(func.count()).select_from(CycleBallot).where(in_budgets, CycleBallot.voter_hash.is_not(None))
        ) or 0
        if ballots:
            # In a savepoint: the rewritten rows carry its own transaction id, whatever else the
            # enclosing transaction wrote.
            with db.session.begin_nested():
                _rewrite_ballots(db.session.connection(), budget_ids)
    cycle.voting_closed_at = now or utcnow()
    from app.cycles.services import touch

    touch(cycle)
    db.session.flush()
    record(actor, "cycles.voting_close", cycle, area=cycle.area, details={
        "how": how, "ballots": ballots, "links_destroyed": links, "dated_phase": dated_phase(cycle).value,
    })
    return ClosingReport(cycle.id, ballots, links)


def _rewrite_ballots(conn, budget_ids: list[int]) -> None:
    """Delete the budgets' ballots and choices and insert them again in random-id order, without voter hash or day."""
    temp = "pg_temp." if conn.dialect.name == "postgresql" else "temp."
    ids = {"ids": budget_ids}

    def run(sql: str, expanding: bool = False) -> None:
        statement = text(sql)
        if expanding:
            statement = statement.bindparams(bindparam("ids", expanding=True))
        conn.execute(statement, ids if expanding else {})

    for name in (_BALLOTS_COPY, _CHOICES_COPY):
        run(f"DROP TABLE IF EXISTS {temp}{name}")
    run(
        f"CREATE TEMP TABLE {_BALLOTS_COPY} AS"
        " SELECT id, budget_id, CASE WHEN channel = 'online' THEN NULL ELSE cast_on END AS cast_on,"
        " channel, receipt_hash, replaced, paper_batch_id FROM cycle_ballots WHERE budget_id IN :ids", True,
    )
    run(
        f"CREATE TEMP TABLE {_CHOICES_COPY} AS"
        " SELECT c.ballot_id, c.project_id, c.value FROM cycle_ballot_choices c"
        " JOIN cycle_ballots b ON b.id = c.ballot_id WHERE b.budget_id IN :ids", True,
    )
    run(f"DELETE FROM cycle_ballot_choices WHERE ballot_id IN (SELECT id FROM {_BALLOTS_COPY})")
    run("DELETE FROM cycle_ballots WHERE budget_id IN :ids", True)
    # ORDER BY: rows are appended in this order, so storage order now follows the random ids.
    run(
        "INSERT INTO cycle_ballots (id, budget_id, cast_on, channel, receipt_hash, voter_hash, replaced, paper_batch_id)"
        f" SELECT id, budget_id, cast_on, channel, receipt_hash, NULL, replaced, paper_batch_id FROM {_BALLOTS_COPY}"
        " ORDER BY id"
    )
    run(
        "INSERT INTO cycle_ballot_choices (ballot_id, project_id, value)"
        f" SELECT ballot_id, project_id, value FROM {_CHOICES_COPY} ORDER BY ballot_id, project_id"
    )
    for name in (_BALLOTS_COPY, _CHOICES_COPY):
        run(f"DROP TABLE {temp}{name}")


def close_due(now: datetime | None = None) -> list[ClosingReport]:
    """Close every cycle whose voting has ended and is not yet closed (the command line's close-due)."""
    reports = []
    cycles = db.session.scalars(select(Cycle).where(Cycle.voting_closed_at.is_(None)).order_by(Cycle.id)).all()
    for cycle in cycles:
        if closing_due(cycle):
            reports.append(close_voting(cycle, None, how="dates", now=now))
    return reports


def vacuum_ballots(full: bool = False) -> bool:
    """After a close has committed: VACUUM the ballot tables on PostgreSQL so the deleted rows' space is reused.

    Plain VACUUM frees the dead rows (which still held the voter hashes) for
    reuse; VACUUM FULL also writes the tables to new files, at the cost of
    locking them for the time it takes. Returns False on SQLite (nothing to do)
    or when the tables stayed locked for 10 s.
    """
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return False
    from sqlalchemy.exc import OperationalError

    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # Never wait behind a long transaction: the next run (or autovacuum) does it instead.
            conn.execute(text("SET lock_timeout = '10s'"))
            conn.execute(text(f"VACUUM {'FULL ' if full else ''}cycle_ballots, cycle_ballot_choices"))
    except OperationalError:
        return False
    return True
