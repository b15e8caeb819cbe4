"""Ballots: reading a ballot form, the ballot rules, casting, receipts and paper ballots.

Casting is one short transaction. It first upserts the voter record
(`cycle_voters`, unique on budget and user): on PostgreSQL the
`INSERT ... ON CONFLICT DO UPDATE` takes the row lock, so a second
submission by the same person waits until the first commits and then sees
its ballot; on SQLite the first write takes the database write lock. Only
then is the earlier ballot (found by its keyed voter hash) marked replaced
and the new one written: on PostgreSQL in one second statement (its snapshot
is taken after the lock is granted, which is why it cannot be folded into
the upsert). The unique voter hash on ballots is a second guard: two live
ballots of one voter cannot exist.

Nothing but that keyed hash may join the two rows while voting is open
(issue 11.7): the voter row keeps no time and an online ballot no day, and
on PostgreSQL the ballot is written inside a savepoint, so that its rows
carry the subtransaction's id in `xmin`, not the id of the transaction that
wrote the voter row (which would otherwise join every ballot to its voter
with no key at all). When voting closes, closing.close_voting destroys the
hash and the physical traces (heap order, xmin) as well.

The POST reads the budget, its cycle and area as plain values (voting_budget,
one query, fresh every time) and the budget's ballot lines and subdistricts
from a per-process cache keyed by the cycle's config_version (ballot_setup).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, insert, select, text, update

from app.areas.models import Area, AreaKind, LGType
from app.audit.services import record
from app.core.formatting import format_baht
from app.cycles.eligibility import VOTED_ON_PAPER, area_subdistrict_codes, voted_on_paper, voter_problem
from app.cycles.errors import CycleError
from app.cycles.paper_voters import check_batch, lock_voter
from app.cycles.models import (
    BallotChannel,
    BallotChoice,
    BallotKind,
    Cycle,
    CycleBallot,
    CycleBudget,
    CycleProject,
    CycleVoter,
    PaperBatch,
    Phase,
    budget_subdistricts,
)
from app.cycles.phases import bangkok_today, current_phase
from app.extensions import db
from app.core.numbers import parse_int

# No ballot value may exceed this: it keeps every sum far inside a 64-bit integer.
MAX_VALUE = 1_000_000
MAX_PAPER_BATCH = 100_000
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper


@dataclass(frozen=True)
class BallotProject:
    id: int
    title: str
    cost: int


# --- reading the form -----------------------------------------------------


def _as_int(text: str) -> int | None:
    return parse_int(text or "", minimum=0, maximum=10**12)


def parse_ballot_form(kind: BallotKind, form: Mapping[str, Any]) -> list[tuple[int, int]]:
    """(project id, value) pairs from a submitted ballot form, in the order given.

    Approval and knapsack ballots send `project=<id>` once per chosen
    project; cumulative ballots `points-<id>=<n>`; ranking ballots
    `rank-<id>=<n>`. Blank or zero points and blank ranks mean "not
    chosen". Anything that is not a whole number raises CycleError naming it.
    """
    problems: list = []
    pairs: list[tuple[int, int]] = []
    getlist = getattr(form, "getlist", None)
    if kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        values = getlist("project") if getlist else ([form["project"]] if "project" in form else [])
        for raw in values:
            project_id = _as_int(raw)
            if project_id is None:
                problems.append(_l("“%(value)s” is not a project on this ballot.", value=str(raw)[:40]))
            else:
                pairs.append((project_id, 1))
    else:
        prefix = "points-" if kind is BallotKind.CUMULATIVE else "rank-"
        for key in form.keys():
            if not key.startswith(prefix):
                continue
            raws = getlist(key) if getlist else [form[key]]
            project_id = _as_int(key[len(prefix):])
            for raw in raws:
                if project_id is None:
                    problems.append(_l("“%(value)s” is not a project on this ballot.", value=key[len(prefix):][:40]))
                    continue
                if not (raw or "").strip():
                    continue
                value = _as_int(raw)
                if value is None or value > MAX_VALUE:
                    if kind is BallotKind.CUMULATIVE:
                        problems.append(_l("“%(value)s” is not a possible number of points.", value=str(raw)[:40]))
                    else:
                        problems.append(_l("“%(value)s” is not a possible rank.", value=str(raw)[:40]))
                    continue
                if value == 0 and kind is BallotKind.CUMULATIVE:
                    continue
                pairs.append((project_id, value))
    if problems:
        raise CycleError(*problems)
    return pairs


# --- the ballot rules -----------------------------------------------------


def check_ballot(
    cycle: Cycle, budget_amount: int, projects: Mapping[int, BallotProject], pairs: list[tuple[int, int]]
) -> dict[int, int]:
    """Apply the cycle's ballot rules; return {project id: value} or raise CycleError listing every problem."""
    problems: list = []
    chosen: dict[int, int] = {}
    for project_id, value in pairs:
        project = projects.get(project_id)
        if project is None:
            problems.append(_l("Project number %(id)s is not on this ballot (it may belong to another budget).", id=project_id))
        elif project_id in chosen:
            problems.append(_l("“%(title)s” appears more than once on the ballot.", title=project.title))
        else:
            chosen[project_id] = value
    if problems:
        raise CycleError(*problems)
    kind = cycle.ballot_kind
    count = len(chosen)
    if count == 0:
        raise CycleError(_l("Choose at least one project."))
    if kind is BallotKind.APPROVAL:
        if cycle.min_projects and count < cycle.min_projects:
            problems.append(_l("Choose at least %(n)d projects (you chose %(count)d).", n=cycle.min_projects, count=count))
        if cycle.max_projects and count > cycle.max_projects:
            problems.append(_l("Choose at most %(n)d projects (you chose %(count)d).", n=cycle.max_projects, count=count))
    elif kind is BallotKind.KNAPSACK:
        total = sum(projects[p].cost for p in chosen)
        if total > budget_amount:
            problems.append(_l(
                "The projects you chose cost %(total)s in all, %(over)s more than the budget of %(budget)s.",
                total=format_baht(total), over=format_baht(total - budget_amount),
                budget=format_baht(budget_amount),
            ))
        if cycle.min_share_percent:
            least = -(-budget_amount * cycle.min_share_percent // 100)
            if total < least:
                problems.append(_l(
                    "Choose projects worth at least %(least)s (%(percent)d%% of the budget); yours cost %(total)s.",
                    least=format_baht(least), percent=cycle.min_share_percent, total=format_baht(total),
                ))
    elif kind is BallotKind.CUMULATIVE:
        cap = cycle.points_max or cycle.points_total or MAX_VALUE
        for project_id, value in chosen.items():
            if value > cap:
                problems.append(_l(
                    "“%(title)s” has %(points)d points, but one project may get at most %(max)d.",
                    title=projects[project_id].title, points=value, max=cap,
                ))
        total = sum(chosen.values())
        if cycle.points_total and total > cycle.points_total:
            problems.append(_l("You gave %(total)d points in all, but you have %(n)d.", total=total, n=cycle.points_total))
    elif kind is BallotKind.RANKING:
        k = cycle.rank_k or len(projects)
        ranks = sorted(chosen.values())
        if count > k:
            problems.append(_l("Rank at most %(k)d projects (you ranked %(count)d).", k=k, count=count))
        if any(r < 1 or r > k for r in ranks):
            problems.append(_l("Ranks go from 1 to %(k)d.", k=k))
        elif len(set(ranks)) != len(ranks):
            problems.append(_l("Two projects have the same rank: give each project its own rank."))
        elif ranks != list(range(1, count + 1)):
            problems.append(_l("Ranks must follow on from 1 without gaps (1, 2, 3...)."))
    if problems:
        raise CycleError(*problems)
    return chosen


def ballot_projects(budget_id: int) -> dict[int, BallotProject]:
    rows = db.session.execute(
        select(CycleProject.id, CycleProject.title, CycleProject.cost).where(CycleProject.budget_id == budget_id)
    )
    return {r.id: BallotProject(r.id, r.title, r.cost) for r in rows}


# --- what the vote path reads ---------------------------------------------------------
#
# A vote reads the budget, its cycle and the cycle's area as plain values from one
# Core query (no ORM objects, fresh on every vote, so a phase or rule changed a moment
# ago applies at once), and the rows that rarely change (ballot lines, the budget's
# subdistricts, the area's subdistricts) from a per-process cache keyed by the
# cycle's config_version, which every service that changes them bumps. The snapshot
# classes have the attribute names of the models, so the same rules (current_phase,
# check_ballot, voter_problem) read either.


@dataclass(frozen=True)
class VotingArea:
    id: int
    kind: AreaKind
    province_code: str
    lg_type: LGType | None
    district_code: str | None

    @property
    def is_province(self) -> bool:
        return self.kind is AreaKind.PROVINCE


@dataclass(frozen=True)
class VotingCycle:
    id: int
    ballot_kind: BallotKind
    min_projects: int | None
    max_projects: int | None
    min_share_percent: int | None
    points_total: int | None
    points_max: int | None
    rank_k: int | None
    ideas_from: date
    supports_from: date
    review_from: date
    voting_from: date
    results_from: date
    implementation_from: date
    phase_override: Phase | None
    ballot_ready: bool
    results_published_at: datetime | None
    voting_closed_at: datetime | None
    config_version: int
    created_at: datetime
    accepted_methods: list[str] | None
    area: VotingArea


@dataclass(frozen=True)
class VotingBudget:
    id: int
    amount: int
    cycle: VotingCycle


_CYCLE_COLUMNS = (
    "id", "ballot_kind", "min_projects", "max_projects", "min_share_percent", "points_total", "points_max", "rank_k",
    "ideas_from", "supports_from", "review_from", "voting_from", "results_from", "implementation_from",
    "phase_override", "ballot_ready", "results_published_at", "voting_closed_at", "config_version", "created_at",
    "accepted_methods",
)
_AREA_COLUMNS = ("id", "kind", "province_code", "lg_type", "district_code")


def _voting_budget_query():
    budgets, cycles, areas = CycleBudget.__table__, Cycle.__table__, Area.__table__
    return (
        select(
            budgets.c.id.label("budget_id"), budgets.c.amount,
            *(cycles.c[name].label(f"c_{name}") for name in _CYCLE_COLUMNS),
            *(areas.c[name].label(f"a_{name}") for name in _AREA_COLUMNS),
        )
        .select_from(budgets.join(cycles, cycles.c.id == budgets.c.cycle_id).join(areas, areas.c.id == cycles.c.area_id))
        .where(budgets.c.id == bindparam("budget_id"), budgets.c.cycle_id == bindparam("cycle_id"))
    )


_VOTING_BUDGET = _voting_budget_query()


def voting_budget(cycle_id: int, budget_id: int) -> VotingBudget | None:
    """The budget `budget_id` of cycle `cycle_id` as it stands now (one query), or None."""
    row = db.session.connection().execute(_VOTING_BUDGET, {"budget_id": budget_id, "cycle_id": cycle_id}).first()
    if row is None:
        return None
    m = row._mapping
    area = VotingArea(**{name: m[f"a_{name}"] for name in _AREA_COLUMNS})
    cycle = VotingCycle(**{name: m[f"c_{name}"] for name in _CYCLE_COLUMNS}, area=area)
    return VotingBudget(id=m["budget_id"], amount=m["amount"], cycle=cycle)


@dataclass(frozen=True)
class BallotSetup:
    projects: dict[int, BallotProject]
    restricted: frozenset[str]  # the budget's subdistricts; empty: the whole area
    area_codes: frozenset[str] | None  # the area's subdistricts; None: the whole province


# (budget id, cycle.config_version, cycle.created_at) -> BallotSetup. An entry is never
# stale: every service that changes budgets or ballot lines bumps config_version, and
# created_at tells apart two cycles that got the same ids (SQLite reuses the ids of a
# rolled-back insert). A change of the subdistricts a local government covers (by
# `flask areas load` or an administrator) bumps the config_version of its cycles too.
_SETUP_CACHE: dict[tuple[int, int, datetime], BallotSetup] = {}
_SETUP_CACHE_MAX = 512


def ballot_setup(budget: CycleBudget | VotingBudget) -> BallotSetup:
    key = (budget.id, budget.cycle.config_version or 1, budget.cycle.created_at)
    found = _SETUP_CACHE.get(key)
    if found is None:
        codes = frozenset(db.session.scalars(
            select(budget_subdistricts.c.subdistrict_code).where(budget_subdistricts.c.budget_id == budget.id)
        ))
        area_codes = area_subdistrict_codes(budget.cycle.area)
        found = BallotSetup(ballot_projects(budget.id), codes, None if area_codes is None else frozenset(area_codes))
        if len(_SETUP_CACHE) >= _SETUP_CACHE_MAX:
            _SETUP_CACHE.clear()
        _SETUP_CACHE[key] = found
    return found


# --- keyed hashes and receipts --------------------------------------------


def _ballot_key() -> bytes:
    # Its own secret (config.py refuses to start production without it), never derived from
    # SECRET_KEY: every app server holds that one, and it would let anyone who has it recompute the link.
    key = current_app.config.get("BALLOT_HASH_KEY")
    if not key:
        raise RuntimeError("BALLOT_HASH_KEY is not configured")
    return key.encode()


def voter_hash(budget_id: int, user_id: int) -> str:
    """HMAC of (budget, user): finds a voter's ballot; without the app's key it reveals nothing."""
    return hmac.new(_ballot_key(), f"{budget_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def new_receipt_code() -> str:
    # 32 letters: the low 5 bits of a random byte pick one uniformly.
    raw = "".join(RECEIPT_ALPHABET[b & 31] for b in secrets.token_bytes(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_receipt(code: str) -> str:
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return cleaned.replace("O", "0").replace("I", "1")


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()


def new_ballot_id() -> str:
    return secrets.token_hex(16)


# --- casting ----------------------------------------------------------------


def voting_open(cycle: Cycle) -> bool:
    """Voting follows the phase, but never reopens once closed (closing.py) or the results are published."""
    return current_phase(cycle) is Phase.VOTING and cycle.results_published_at is None and cycle.voting_closed_at is None


_CLOSED_GUARD = text("SELECT voting_closed_at FROM cycles WHERE id = :cycle_id")


def _closed_meanwhile() -> CycleError:
    return CycleError(_l("Voting closed while your ballot was being sent: it was not recorded."))


def cast_ballot(user: Any, budget: CycleBudget | VotingBudget, pairs: list[tuple[int, int]]) -> str:
    """Record (or replace) `user`'s ballot in `budget`; return the receipt code, shown once.

    `budget` is a model or the snapshot voting_budget() reads (the route's fast path).
    """
    cycle = budget.cycle
    if not voting_open(cycle):
        raise CycleError(_l("Voting is not open in this cycle."))
    setup = ballot_setup(budget)
    problem = voter_problem(user, budget, cycle.area, setup.restricted, area_codes=setup.area_codes, check_paper=False)
    if problem is not None:
        raise CycleError(problem)
    chosen = check_ballot(cycle, budget.amount, setup.projects, pairs)
    if user.national_id_hash:
        # A forum recording this person at this moment holds or waits for the same lock (paper_voters).
        lock_voter(user.id)
        if voted_on_paper(user, budget):
            raise CycleError(VOTED_ON_PAPER)

    conn = db.session.connection()
    changed = _upsert_voter(conn, budget.id, user.id)
    link = voter_hash(budget.id, user.id)
    code = new_receipt_code()
    if conn.dialect.name == "postgresql":
        # The voter row is locked now (until commit), and this statement's snapshot is
        # taken after the lock was granted, so it sees the ballot of a submission that
        # committed while this one waited. One round trip replaces it and writes the new one,
        # inside a savepoint: the ballot rows get the subtransaction's xid as their xmin, so
        # that xmin does not join them to the voter row written above.
        with db.session.begin_nested():
            # The SAVEPOINT is sent when the nested transaction first asks for its connection.
            written = db.session.connection().execute(_PG_CAST, {
                "id": new_ballot_id(), "budget_id": budget.id, "cycle_id": cycle.id,
                "receipt": receipt_hash(code), "link": link,
                "projects": list(chosen.keys()), "values": list(chosen.values()),
            }).rowcount
        if not written:
            # Closing (which locks cycle_ballots) committed while this vote waited for it.
            raise _closed_meanwhile()
        return code
    if changed:
        _replace_ballot(link)
    _write_ballot(budget.id, chosen, BallotChannel.ONLINE, None, receipt_hash(code), link, None)
    # SQLite: this transaction holds the write lock now, so a close can no longer commit under it;
    # one that committed while this vote waited for the lock is seen here.
    if conn.execute(_CLOSED_GUARD, {"cycle_id": cycle.id}).scalar() is not None:
        raise _closed_meanwhile()
    return code


# Statements built once per dialect (building them is most of the cost of a short statement).
_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str):
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        table = CycleVoter.__table__
        stmt = dialect_insert(table).values(
            budget_id=bindparam("budget_id"), user_id=bindparam("user_id"), changed_count=0,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.budget_id, table.c.user_id],
            set_={"changed_count": table.c.changed_count + 1},
        ).returning(table.c.changed_count)
        _UPSERTS[dialect] = stmt
    return stmt


def _upsert_voter(conn, budget_id: int, user_id: int) -> int:
    """Insert or bump the voter record under a row lock; return how often the vote changed before."""
    stmt = _upsert_statement(conn.dialect.name)
    # Core statements go straight to the session's connection: the ORM adds nothing here.
    return conn.execute(stmt, {"budget_id": budget_id, "user_id": user_id}).scalar_one()


def _replace_ballot(link: str) -> None:
    ballots = CycleBallot.__table__
    conn = db.session.connection()
    old = conn.execute(
        update(ballots).where(ballots.c.voter_hash == link).values(voter_hash=None, replaced=True).returning(ballots.c.id)
    ).scalars().all()
    if old:
        # The replaced ballot keeps its receipt (to say it was replaced) but not its choices.
        conn.execute(delete(BallotChoice.__table__).where(BallotChoice.__table__.c.ballot_id.in_(old)))


# PostgreSQL, online ballot: mark the voter's live ballot (if any) replaced and drop its
# choices, then write the new ballot and its choices, in one statement. The new ballot's
# row is produced from `SELECT count(*) FROM old`, so the UPDATE has run to completion
# before the INSERT (the unique voter_hash then no longer names the old ballot).
_PG_CAST = text(
    "WITH old AS (UPDATE cycle_ballots SET voter_hash = NULL, replaced = true WHERE voter_hash = :link RETURNING id),"
    " cleared AS (DELETE FROM cycle_ballot_choices WHERE ballot_id IN (SELECT id FROM old)),"
    " b AS (INSERT INTO cycle_ballots (id, budget_id, cast_on, channel, receipt_hash, voter_hash, replaced, paper_batch_id)"
    " SELECT :id, :budget_id, NULL, CAST('online' AS cycle_ballot_channel), :receipt, :link, false, NULL"
    " FROM (SELECT count(*) FROM old) AS replaced_first"
    " WHERE NOT EXISTS (SELECT 1 FROM cycles WHERE id = :cycle_id AND voting_closed_at IS NOT NULL) RETURNING id)"
    " INSERT INTO cycle_ballot_choices (ballot_id, project_id, value)"
    " SELECT b.id, c.project_id, c.value FROM b,"
    " unnest(CAST(:projects AS integer[]), CAST(:values AS integer[])) AS c(project_id, value)"
)


def _write_ballot(
    budget_id: int, chosen: Mapping[int, int], channel: BallotChannel, day: date | None,
    receipt: str | None, link: str | None, batch_id: int | None,
) -> str:
    ballot_id = new_ballot_id()
    conn = db.session.connection()
    conn.execute(insert(CycleBallot.__table__).values(
        id=ballot_id, budget_id=budget_id, cast_on=day, channel=channel, receipt_hash=receipt,
        voter_hash=link, replaced=False, paper_batch_id=batch_id,
    ))
    conn.execute(insert(BallotChoice.__table__), [
        {"ballot_id": ballot_id, "project_id": project_id, "value": value} for project_id, value in chosen.items()
    ])
    return ballot_id


def has_voted(user: Any, budget: CycleBudget) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(CycleVoter.id).where(CycleVoter.budget_id == budget.id, CycleVoter.user_id == user.id)
    ) is not None


def current_choices(user: Any, budget: CycleBudget) -> dict[int, int]:
    """The voter's live ballot, to prefill the form when they change their vote (only they see it)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    ballot_id = db.session.scalar(select(CycleBallot.id).where(CycleBallot.voter_hash == voter_hash(budget.id, user.id)))
    if ballot_id is None:
        return {}
    rows = db.session.execute(select(BallotChoice.project_id, BallotChoice.value).where(BallotChoice.ballot_id == ballot_id))
    return {r.project_id: r.value for r in rows}


# --- receipts ------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptStatus:
    found: bool
    counted: bool = False
    replaced: bool = False
    cycle: Cycle | None = None
    budget: CycleBudget | None = None
    cast_on: date | None = None


def check_receipt(code: str) -> ReceiptStatus:
    if len(normalise_receipt(code)) != 12:
        return ReceiptStatus(found=False)
    ballot = db.session.scalar(select(CycleBallot).where(CycleBallot.receipt_hash == receipt_hash(code)))
    if ballot is None:
        return ReceiptStatus(found=False)
    budget = db.session.get(CycleBudget, ballot.budget_id)
    return ReceiptStatus(
        found=True, counted=not ballot.replaced, replaced=ballot.replaced,
        cycle=budget.cycle if budget else None, budget=budget, cast_on=ballot.cast_on,
    )


# --- paper ballots -------------------------------------------------------------


def paper_entry_open(cycle: Cycle) -> bool:
    """Paper ballots can be entered during voting and afterwards until the results are published."""
    return cycle.results_published_at is None and current_phase(cycle) in (Phase.VOTING, Phase.RESULTS)


def enter_paper_ballots(
    officer: Any, budget: CycleBudget, forum_name: str, forum_date: date, pairs: list[tuple[int, int]], count: int,
    ids_checked: bool = False,
) -> PaperBatch:
    """Enter `count` identical paper ballots collected at a village forum (validated like online ones)."""
    from app.permissions import can_manage_cycles

    cycle = budget.cycle
    if not can_manage_cycles(officer, cycle.area):
        raise CycleError(_l("Only officials of this area can enter paper ballots."))
    if not paper_entry_open(cycle):
        raise CycleError(_l("Paper ballots can be entered only during voting and before the results are published."))
    if count < 1 or count > MAX_PAPER_BATCH:
        raise CycleError(_l("The number of identical ballots must be between 1 and %(n)d.", n=MAX_PAPER_BATCH))
    if forum_date > bangkok_today():
        raise CycleError(_l("The forum date cannot be in the future."))
    chosen = check_ballot(cycle, budget.amount, ballot_projects(budget.id), pairs)
    if ids_checked:
        check_batch(budget, forum_name, forum_date, count)
    batch = PaperBatch(
        budget_id=budget.id, forum_name=forum_name.strip(), forum_date=forum_date,
        ballot_count=count, entered_by_id=getattr(officer, "id", None), ids_checked=ids_checked,
    )
    db.session.add(batch)
    db.session.flush()
    write_paper_ballots(budget.id, batch, chosen, count)
    record(officer, "cycles.paper_ballots", batch, area=cycle.area, details={
        "cycle_id": cycle.id, "budget_id": budget.id, "forum": batch.forum_name,
        "forum_date": forum_date.isoformat(), "count": count, "ids_checked": ids_checked,
        "choices": {str(k): v for k, v in chosen.items()},
    })
    return batch


def write_paper_ballots(budget_id: int, batch: PaperBatch | None, chosen: Mapping[int, int], count: int,
                        channel: BallotChannel = BallotChannel.PAPER, day: date | None = None) -> None:
    """Insert `count` identical ballots in two statements (no receipt, no voter hash)."""
    day = day or (batch.forum_date if batch is not None else bangkok_today())
    ids = [new_ballot_id() for _ in range(count)]
    db.session.execute(insert(CycleBallot.__table__), [
        {"id": i, "budget_id": budget_id, "cast_on": day, "channel": channel, "receipt_hash": None,
         "voter_hash": None, "replaced": False, "paper_batch_id": batch.id if batch is not None else None}
        for i in ids
    ])
    db.session.execute(insert(BallotChoice.__table__), [
        {"ballot_id": i, "project_id": p, "value": v} for i in ids for p, v in chosen.items()
    ])


def paper_batches(budget: CycleBudget) -> list[PaperBatch]:
    return list(db.session.scalars(
        select(PaperBatch).where(PaperBatch.budget_id == budget.id).order_by(PaperBatch.forum_date, PaperBatch.id)
    ))


def delete_paper_batch(officer: Any, batch: PaperBatch) -> None:
    """Remove a batch entered by mistake, before the results are published (audited)."""
    from app.permissions import can_manage_cycles

    budget = db.session.get(CycleBudget, batch.budget_id)
    cycle = budget.cycle
    if not can_manage_cycles(officer, cycle.area):
        raise CycleError(_l("Only officials of this area can remove paper ballots."))
    if cycle.results_published_at is not None:
        raise CycleError(_l("The results are published: their ballots can no longer change."))
    record(officer, "cycles.paper_ballots_removed", batch, area=cycle.area, details={
        "cycle_id": cycle.id, "budget_id": budget.id, "forum": batch.forum_name, "count": batch.ballot_count,
    })
    db.session.execute(delete(CycleBallot.__table__).where(CycleBallot.__table__.c.paper_batch_id == batch.id))
    db.session.delete(batch)
    db.session.flush()
