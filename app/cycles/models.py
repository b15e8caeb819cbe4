"""Budgeting cycles and what happens in them.

A *cycle* belongs to one area and fiscal year; it is split into one or more
*budgets*, each with its own ballot of *cycle projects*. Votes are political
opinions (DESIGN step 10), so who voted and what was voted are kept apart:

- `cycle_voters` says that a person voted in a budget (and nothing about how,
  nor when);
- `cycle_ballots` and `cycle_ballot_choices` hold the ballots under a random
  id, with no user id and no time (a paper ballot keeps its forum's date).

While voting is open the only bridge is `CycleBallot.voter_hash`, an HMAC of
(budget id, user id) under BALLOT_HASH_KEY, used to find and replace a
voter's ballot when they change their vote; the two rows are written in
different (sub)transactions so that PostgreSQL's xmin does not join them
(voting.cast_ballot). When voting closes, closing.close_voting clears the
hash and rewrites the ballots in the order of their random ids, so that
nothing, system columns and heap order included, ties a ballot to a voter.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.areas.models import Area, _enum_values
from app.core.timeutil import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class Phase(enum.Enum):
    UPCOMING = "upcoming"
    IDEAS = "ideas"
    SUPPORTS = "supports"
    REVIEW = "review"
    VOTING = "voting"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


# The dated phases in order, with the Cycle column holding each one's first day.
DATED_PHASES: tuple[tuple[Phase, str], ...] = (
    (Phase.IDEAS, "ideas_from"),
    (Phase.SUPPORTS, "supports_from"),
    (Phase.REVIEW, "review_from"),
    (Phase.VOTING, "voting_from"),
    (Phase.RESULTS, "results_from"),
    (Phase.IMPLEMENTATION, "implementation_from"),
)


class BallotKind(enum.Enum):
    APPROVAL = "approval"  # choose between min and max projects
    KNAPSACK = "knapsack"  # choose projects whose total cost fits the budget
    CUMULATIVE = "cumulative"  # spread N points, at most M on one project
    RANKING = "ranking"  # order your top k


class TallyRule(enum.Enum):
    GREEDY = "greedy"
    GREEDY_NO_SKIP = "greedy-no-skip"
    GREEDY_THRESHOLD = "greedy-threshold"
    MES = "mes"


class Completion(enum.Enum):
    ADD1 = "add1"
    ADD1_GREEDY = "add1+greedy"
    GREEDY = "greedy"
    NONE = "none"


class BallotChannel(enum.Enum):
    ONLINE = "online"
    PAPER = "paper"
    IMPORTED = "imported"


class ResultKind(enum.Enum):
    PREVIEW = "preview"  # computed, seen by the area's officials only; may be computed again until published
    PUBLISHED = "published"  # a preview that an official published: frozen, public
    RECOUNT = "recount"  # computed after publication and compared with it


class ProgressStatus(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DELAYED = "delayed"
    COMPLETED = "completed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=_enum_values, validate_strings=True)


class Cycle(db.Model):
    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)  # Buddhist Era
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    total_budget: Mapped[int] = mapped_column(BigInteger)  # baht

    ballot_kind: Mapped[BallotKind] = mapped_column(_enum(BallotKind, "cycle_ballot_kind"))
    min_projects: Mapped[Optional[int]] = mapped_column(Integer)  # approval
    max_projects: Mapped[Optional[int]] = mapped_column(Integer)  # approval
    min_share_percent: Mapped[Optional[int]] = mapped_column(Integer)  # knapsack: least share of the budget spent
    points_total: Mapped[Optional[int]] = mapped_column(Integer)  # cumulative: N
    points_max: Mapped[Optional[int]] = mapped_column(Integer)  # cumulative: at most M on one project
    rank_k: Mapped[Optional[int]] = mapped_column(Integer)  # ranking: top k

    rule: Mapped[TallyRule] = mapped_column(_enum(TallyRule, "cycle_tally_rule"))
    completion: Mapped[Completion] = mapped_column(
        _enum(Completion, "cycle_completion"), server_default=Completion.ADD1.value, default=Completion.ADD1
    )
    threshold: Mapped[Optional[int]] = mapped_column(Integer)  # greedy-threshold: least votes/points

    ideas_from: Mapped[date] = mapped_column(Date)
    supports_from: Mapped[date] = mapped_column(Date)
    review_from: Mapped[date] = mapped_column(Date)
    voting_from: Mapped[date] = mapped_column(Date)
    results_from: Mapped[date] = mapped_column(Date)
    implementation_from: Mapped[date] = mapped_column(Date)
    phase_override: Mapped[Optional[Phase]] = mapped_column(_enum(Phase, "cycle_phase"))
    phase_override_reason: Mapped[Optional[str]] = mapped_column(String(500))

    imported_from: Mapped[Optional[str]] = mapped_column(String(200))  # name of an imported .pb file
    # Every budget has at least one project on its ballot (kept by services.refresh_ballot_ready):
    # until then voting does not open, by the dates or by hand (phases.current_phase).
    ballot_ready: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Bumped by every change to the cycle's budgets or ballots: the vote path caches a budget's
    # ballot lines and voters' subdistricts per process under (budget id, config_version).
    config_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    results_published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # When voting closed and every voter-ballot link was destroyed (closing.close_voting); voting never reopens.
    voting_closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # The residency methods (ResidencyMethod values) whose verified residents may vote; None: every method.
    accepted_methods: Mapped[Optional[list[str]]] = mapped_column(JSON)
    # When voting opened other than by its dates: by hand (a phase override) or when a late ballot became
    # ready on a voting day (services.note_voting_opened). None: it opened at midnight of voting_from.
    voting_opened_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship()
    budgets: Mapped[list["CycleBudget"]] = relationship(
        back_populates="cycle", order_by="CycleBudget.position, CycleBudget.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Cycle {self.id} {self.fiscal_year} {self.title!r}>"

    @property
    def is_imported(self) -> bool:
        return self.imported_from is not None


budget_subdistricts = db.Table(
    "cycle_budget_subdistricts",
    db.Column("budget_id", ForeignKey("cycle_budgets.id", ondelete="CASCADE"), primary_key=True),
    db.Column("subdistrict_code", ForeignKey("subdistricts.code"), primary_key=True),
)


class CycleBudget(db.Model):
    __tablename__ = "cycle_budgets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)  # baht
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    cycle: Mapped[Cycle] = relationship(back_populates="budgets")
    # Residents of these subdistricts vote in this budget; none means the whole area.
    subdistricts: Mapped[list["Subdistrict"]] = relationship(  # noqa: F821
        "Subdistrict", secondary=budget_subdistricts, order_by="Subdistrict.code"
    )
    projects: Mapped[list["CycleProject"]] = relationship(
        back_populates="budget", order_by="CycleProject.position, CycleProject.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<CycleBudget {self.id} {self.name!r} {self.amount}>"


class CycleProject(db.Model):
    """One line of a budget's ballot: a shortlisted proposal (or, for an imported cycle, a .pb project)."""

    __tablename__ = "cycle_projects"
    __table_args__ = (
        UniqueConstraint("cycle_id", "proposal_id"),
        UniqueConstraint("budget_id", "pb_project_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("cycle_budgets.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposals.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    cost: Mapped[int] = mapped_column(BigInteger)  # baht
    pb_project_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    selected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    budget: Mapped[CycleBudget] = relationship(back_populates="projects")
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="project",
        order_by="ProgressUpdate.happened_on.desc(), ProgressUpdate.id.desc()",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<CycleProject {self.id} {self.title!r} {self.cost}>"

    @property
    def latest_update(self) -> Optional["ProgressUpdate"]:
        return self.updates[0] if self.updates else None


class CycleVoter(db.Model):
    """That a person voted in a budget: no ballot id, no choices, no time (it would match a ballot's)."""

    __tablename__ = "cycle_voters"
    __table_args__ = (UniqueConstraint("budget_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("cycle_budgets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    changed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<CycleVoter budget={self.budget_id} user={self.user_id}>"


class PaperBatch(db.Model):
    """Paper ballots collected at one village forum (ประชาคมหมู่บ้าน) and entered by an officer."""

    __tablename__ = "cycle_paper_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("cycle_budgets.id", ondelete="CASCADE"), index=True)
    forum_name: Mapped[str] = mapped_column(String(200))
    forum_date: Mapped[date] = mapped_column(Date)
    ballot_count: Mapped[int] = mapped_column(Integer)
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The forum checked ID cards and recorded its voters (cycle_paper_voters); the results say
    # how many paper ballots came from forums that did not.
    ids_checked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<PaperBatch {self.id} {self.forum_name!r} x{self.ballot_count}>"


class PaperVoter(db.Model):
    """That a person voted on paper in a budget, at a forum that checked ID cards (issue 14.5).

    Only the keyed hash of their national ID (the same as users.national_id_hash), the forum
    and the officer: nothing that points to a ballot or a batch, and no time. Unique per budget,
    so that two officers recording the same person at the same moment record them once.
    """

    __tablename__ = "cycle_paper_voters"
    __table_args__ = (UniqueConstraint("budget_id", "id_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("cycle_budgets.id", ondelete="CASCADE"))
    id_hash: Mapped[str] = mapped_column(String(64))
    forum_name: Mapped[str] = mapped_column(String(200))
    forum_date: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    def __repr__(self) -> str:
        return f"<PaperVoter budget={self.budget_id} {self.forum_name!r}>"


class CycleBallot(db.Model):
    """One ballot under a random id. Deliberately no user id and no time."""

    __tablename__ = "cycle_ballots"
    __table_args__ = (Index("ix_cycle_ballots_budget_live", "budget_id", "replaced"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("cycle_budgets.id", ondelete="CASCADE"))
    # A paper ballot's forum date, an imported ballot's import day; None for an online ballot,
    # whose day would tell its voter apart from the others (the day on which only one person voted).
    cast_on: Mapped[Optional[date]] = mapped_column(Date)
    channel: Mapped[BallotChannel] = mapped_column(_enum(BallotChannel, "cycle_ballot_channel"))
    receipt_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    # HMAC(key, budget id, user id) of an online ballot's voter; cleared when replaced.
    voter_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    replaced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    paper_batch_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("cycle_paper_batches.id", ondelete="CASCADE"), index=True
    )

    choices: Mapped[list["BallotChoice"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<CycleBallot {self.id} {self.channel.value}>"


class ReceiptPad(db.Model):
    """Half of a receipt code on its way to the page that shows it once (app.cycles.receipts).

    The session cookie holds the code XOR this pad; this row holds the pad under the hash of a random
    handle, and nothing that links it to a voter or a ballot.
    """

    __tablename__ = "cycle_receipt_pads"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the handle in the cookie
    pad: Mapped[str] = mapped_column(String(128))  # hex
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    def __repr__(self) -> str:
        return f"<ReceiptPad {self.id[:8]}>"


class BallotChoice(db.Model):
    """A project on a ballot: `value` is 1 (approval, knapsack), the points (cumulative) or the rank (ranking)."""

    __tablename__ = "cycle_ballot_choices"

    ballot_id: Mapped[str] = mapped_column(ForeignKey("cycle_ballots.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("cycle_projects.id", ondelete="CASCADE"), primary_key=True, index=True)
    value: Mapped[int] = mapped_column(Integer, default=1)

    def __repr__(self) -> str:
        return f"<BallotChoice {self.ballot_id} {self.project_id}={self.value}>"


class CycleResult(db.Model):
    """A tally of one budget: a preview (officials only), the published result (frozen), or a later recount.

    Publishing turns the latest preview into the published result: `computed_at` stays when the
    count ran, `published_at` and `published_by_id` say when and by whom it was made public.
    """

    __tablename__ = "cycle_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("cycle_budgets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ResultKind] = mapped_column(_enum(ResultKind, "cycle_result_kind"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    rule: Mapped[str] = mapped_column(String(40))
    num_ballots: Mapped[int] = mapped_column(Integer)
    # The tally's outcome as JSON (selected ids, cost, explanations) plus votes and score per project.
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed: Mapped[Optional[bool]] = mapped_column(Boolean)  # a recount: did the selection differ?
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<CycleResult {self.id} {self.kind.value} budget={self.budget_id}>"


class ProgressUpdate(db.Model):
    __tablename__ = "cycle_progress_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("cycle_projects.id", ondelete="CASCADE"), index=True)
    status: Mapped[ProgressStatus] = mapped_column(_enum(ProgressStatus, "cycle_progress_status"))
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    happened_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[CycleProject] = relationship(back_populates="updates")
    photos: Mapped[list["ProgressPhoto"]] = relationship(cascade="all, delete-orphan", order_by="ProgressPhoto.id")

    def __repr__(self) -> str:
        return f"<ProgressUpdate {self.id} {self.status.value} {self.percent}%>"


class ProgressPhoto(db.Model):
    """A photo of a progress update, stored by app.media (served at /media/<filename>)."""

    __tablename__ = "cycle_progress_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("cycle_progress_updates.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<ProgressPhoto {self.id} {self.filename}>"
