"""The registry of audit actions: what each action code means, in the reader's language.

Every code that a service passes to `app.audit.services.record` has an entry
here: a short name (for the filter), a sentence that reads the entry aloud
("Hid the idea «…»"), and the detail fields it records with how to show each
value (money, dates in the reader's calendar, links to the objects named).
Every object type (the table name `record` stores) has a label and a way to
find its title and page. tests/audit/test_actions.py fails when a code used
in app/ is missing here.

The page renders a screenful of entries with a fixed number of queries: the
entries are read once to collect the objects they name (`_Refs`), those are
loaded one query per kind, then the sentences are built.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Optional

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from app.core.formatting import format_baht, format_date, format_fiscal_year

# --- how a detail value is shown --------------------------------------------------------
#
# A kind names a formatter below. Kinds that name other objects ("idea", "budget_map", ...)
# also say which ids to load first (see _Refs.collect).

TEXT, INT, BAHT, DATE, FISCAL_YEAR, BOOL = "text", "int", "baht", "date", "fiscal_year", "bool"
ROLE, AREA_CODE, SUBDISTRICTS = "role", "area_code", "subdistricts"
IDEA_STATUS, PROPOSAL_STATE, RECOMMENDATION = "idea_status", "proposal_state", "recommendation"
PHASE, PROGRESS_STATUS, BALLOT_KIND, RULE, COMPLETION, PLAN_KIND = (
    "phase", "progress_status", "ballot_kind", "rule", "completion", "plan_kind")
IDEA, IDEAS, PROPOSAL, USER, CYCLE, BUDGET, PROJECT, PLAN = (
    "idea", "ideas", "proposal", "user", "cycle", "budget", "project", "plan")
PROPOSAL_FIELDS = "proposal_fields"        # a list of proposal column names
CYCLE_CHANGES = "cycle_changes"            # {setting: [before, after]}
BEFORE_AFTER = "before_after"              # {"title": ..., ...} before and after (two keys)
PROJECT_COUNTS = "project_counts"          # {project id: ballots}
BUDGET_COUNTS = "budget_counts"            # {budget id: ballots}
BUDGET_PROJECTS = "budget_projects"        # {budget id: [project ids]}
BUDGET_RECOUNT = "budget_recount"          # {budget id: {"changed", "published", "recounted"}}
ASSIGNMENT = "assignment"                  # {proposal id: budget id or None}
PB_RULE, VOTE_TYPE = "pb_rule", "vote_type"
METHODS = "methods"                        # residency methods a cycle accepts: a list of values, or "all"
CLOSED_BY = "closed_by"                    # what closed a vote: by_hand, dates, results


@dataclass(frozen=True)
class Detail:
    key: str
    label: Any
    kind: str = TEXT


@dataclass(frozen=True)
class AuditAction:
    code: str
    name: Any          # short, for the filter: "Idea hidden"
    sentence: Any      # "Hid the idea %(object)s. Reason: %(reason)s" — %(object)s and detail keys
    details: tuple[Detail, ...] = ()

    def sentence_keys(self) -> set[str]:
        # Placeholders are the same in every language, so read them from the msgid.
        msgid = self.sentence._args[0] if hasattr(self.sentence, "_args") else str(self.sentence)
        return set(re.findall(r"%\((\w+)\)s", msgid))


@dataclass(frozen=True)
class ObjectType:
    table: str
    label: Any
    # ids -> {id: (title, url or None)}, one query
    load: Callable[[set[int]], dict[int, tuple[str, Optional[str]]]] = field(repr=False)


D = Detail
REASON = D("reason", _l("Reason"))
REPORTS = D("reports", _l("Reports closed"), INT)


def _actions() -> list[AuditAction]:
    return [
        # accounts and roles
        AuditAction("role.assign", _l("Role assigned"), _l("Gave %(object)s the role %(role)s"), (
            D("role", _l("Role"), ROLE), D("area", _l("Area"), AREA_CODE), D("via", _l("Through")))),
        AuditAction("role.remove", _l("Role removed"), _l("Removed the role %(role)s from %(object)s"), (
            D("role", _l("Role"), ROLE), D("area", _l("Area"), AREA_CODE))),
        AuditAction("resident.verify", _l("Residency verified"), _l("Verified that %(object)s lives in the area"), (
            D("subdistrict", _l("Subdistrict"), SUBDISTRICTS),)),
        AuditAction("resident.unverify", _l("Residency verification withdrawn"),
                    _l("Withdrew the residency verification of %(object)s")),
        AuditAction("area.subdistricts", _l("Subdistricts of a local government changed"),
                    _l("Changed which subdistricts %(object)s covers"), (
                        D("added", _l("Subdistricts added"), SUBDISTRICTS), D("removed", _l("Subdistricts removed"), SUBDISTRICTS),
                        D("restored", _l("Back to the registry's list"), BOOL))),
        AuditAction("resident_list.upload", _l("Resident list uploaded"),
                    _l("Uploaded the resident list of %(object)s"), (D("rows", _l("Rows"), INT),)),
        AuditAction("resident.self_verify", _l("Residency verified against the resident list"),
                    _l("%(object)s verified their residency against the resident list"), (
                        D("subdistrict", _l("Subdistrict"), SUBDISTRICTS),)),
        AuditAction("account.identity_link", _l("Sign-in service linked"),
                    _l("%(object)s linked their account to %(provider)s"), (D("provider", _l("Service")),)),
        AuditAction("account.identity_refused", _l("Sign-in with another person's national ID refused"),
                    _l("A sign-in with %(provider)s carried the national ID number of %(object)s and was refused"),
                    (D("provider", _l("Service")),)),
        AuditAction("resident.identity_verify", _l("Residency verified by ThaID"),
                    _l("%(provider)s verified the identity of %(object)s and their residency"), (
                        D("provider", _l("Service")), D("subdistrict", _l("Subdistrict"), SUBDISTRICTS))),
        AuditAction("resident.self_verify_failed", _l("Self-verification against the resident list failed"),
                    _l("%(object)s tried to verify their residency against the resident list, without a match")),
        # moderation
        AuditAction("moderation.auto_pending", _l("Hidden automatically after reports"),
                    _l("%(object)s was hidden pending review after %(reports)s reports"), (
                        D("reports", _l("Open reports"), INT), D("idea_id", _l("Idea"), IDEA))),
        AuditAction("moderation.hide_idea", _l("Idea hidden"), _l("Hid the idea %(object)s"), (REASON, REPORTS)),
        AuditAction("moderation.restore_idea", _l("Idea restored"), _l("Restored the idea %(object)s"), (REASON, REPORTS)),
        AuditAction("moderation.hide_comment", _l("Comment hidden"), _l("Hid %(object)s"), (
            REASON, REPORTS, D("idea_id", _l("Idea"), IDEA))),
        AuditAction("moderation.restore_comment", _l("Comment restored"), _l("Restored %(object)s"), (
            REASON, REPORTS, D("idea_id", _l("Idea"), IDEA))),
        AuditAction("moderation.block_user", _l("Account blocked"), _l("Blocked the account %(object)s"), (REASON,)),
        AuditAction("moderation.unblock_user", _l("Account unblocked"), _l("Unblocked the account %(object)s"), (REASON,)),
        # triage
        AuditAction("idea.status_changed", _l("Idea answered"),
                    _l("Changed the status of the idea %(object)s from %(from)s to %(to)s"), (
                        D("from", _l("From"), IDEA_STATUS), D("to", _l("To"), IDEA_STATUS),
                        D("from_area", _l("Referred from"), AREA_CODE), D("to_area", _l("Referred to"), AREA_CODE),
                        D("merged_into", _l("Merged into"), IDEA), D("supports_moved", _l("Supports moved"), INT),
                        D("proposal", _l("Proposal"), PROPOSAL))),
        # proposals
        AuditAction("proposal.created", _l("Proposal created"), _l("Created the proposal %(object)s"), (
            D("ideas", _l("From the ideas"), IDEAS),)),
        AuditAction("proposal.idea_added", _l("Idea added to a proposal"),
                    _l("Added the idea %(idea)s to the proposal %(object)s"), (D("idea", _l("Idea"), IDEA),)),
        AuditAction("proposal.updated", _l("Proposal edited"), _l("Edited the proposal %(object)s"), (
            D("changed", _l("Changed"), PROPOSAL_FIELDS),)),
        AuditAction("proposal.state_changed", _l("Proposal moved"),
                    _l("Moved the proposal %(object)s from %(from)s to %(to)s"), (
                        D("from", _l("From"), PROPOSAL_STATE), D("to", _l("To"), PROPOSAL_STATE),
                        D("by_assessment", _l("By the assessment"), BOOL), D("final_cost", _l("Final cost"), BAHT))),
        AuditAction("proposal.evaluator_assigned", _l("Evaluator assigned"),
                    _l("Asked %(evaluator)s to assess the proposal %(object)s"), (D("evaluator", _l("Evaluator"), USER),)),
        AuditAction("proposal.evaluator_unassigned", _l("Evaluator removed"),
                    _l("Took the proposal %(object)s away from the evaluator %(evaluator)s"), (
                        D("evaluator", _l("Evaluator"), USER),)),
        AuditAction("proposal.assessed", _l("Proposal assessed"),
                    _l("Assessed the proposal %(object)s: %(recommendation)s"), (
                        D("recommendation", _l("Recommendation"), RECOMMENDATION),
                        D("revised_cost", _l("Revised cost"), BAHT))),
        # plans
        AuditAction("plan.create", _l("Plan created"), _l("Created the plan %(object)s"), (
            D("kind", _l("Kind of plan"), PLAN_KIND), D("start_year", _l("First year"), FISCAL_YEAR),
            D("end_year", _l("Last year"), FISCAL_YEAR))),
        AuditAction("plan.update", _l("Plan edited"), _l("Edited the plan %(object)s"), (
            D("before", _l("Before")), D("after", _l("After"), BEFORE_AFTER))),
        AuditAction("plan.delete", _l("Plan deleted"), _l("Deleted the plan %(object)s"), (
            D("title", _l("Title")), D("items", _l("Items deleted with it"), INT))),
        AuditAction("plan.item_add", _l("Plan item added"), _l("Added the item %(object)s to the plan %(plan_id)s"), (
            D("plan_id", _l("Plan"), PLAN), D("level", _l("Level"), INT), D("code", _l("Code")), D("title", _l("Title")))),
        AuditAction("plan.item_update", _l("Plan item edited"), _l("Edited the item %(object)s of the plan %(plan_id)s"), (
            D("plan_id", _l("Plan"), PLAN), D("before", _l("Before")), D("after", _l("After"), BEFORE_AFTER))),
        AuditAction("plan.item_remove", _l("Plan item removed"),
                    _l("Removed the item %(object)s from the plan %(plan_id)s"), (
                        D("plan_id", _l("Plan"), PLAN), D("code", _l("Code")), D("title", _l("Title")),
                        D("removed", _l("Items removed with its sub-items"), INT))),
        AuditAction("plan.import", _l("Plan items imported"), _l("Imported items into the plan %(object)s"), (
            D("filename", _l("File")), D("rows", _l("Rows read"), INT), D("created", _l("Items added"), INT),
            D("updated", _l("Items updated"), INT))),
        # budgeting cycles
        AuditAction("cycles.create", _l("Cycle created"), _l("Created the budgeting cycle %(object)s"), (
            D("title", _l("Title")), D("fiscal_year", _l("Fiscal year"), FISCAL_YEAR),
            D("total_budget", _l("Total budget"), BAHT), D("ballot_kind", _l("Ballot"), BALLOT_KIND),
            D("rule", _l("Tally rule"), RULE), D("accepted_methods", _l("Residency verification accepted"), METHODS))),
        AuditAction("cycles.update", _l("Cycle edited"), _l("Edited the budgeting cycle %(object)s"), (
            D("changed", _l("Changed"), CYCLE_CHANGES),)),
        AuditAction("cycles.phase_override", _l("Phase set by hand"),
                    _l("Set the phase of the cycle %(object)s by hand: %(to)s"), (
                        D("from", _l("Phase before"), PHASE), D("to", _l("Phase set"), PHASE),
                        D("now", _l("Phase now"), PHASE), REASON)),
        AuditAction("cycles.budget_add", _l("Budget added"), _l("Added the budget %(object)s to the cycle %(cycle_id)s"), (
            D("cycle_id", _l("Cycle"), CYCLE), D("name", _l("Name")), D("amount", _l("Amount"), BAHT),
            D("subdistricts", _l("Voters from the subdistricts"), SUBDISTRICTS))),
        AuditAction("cycles.budget_update", _l("Budget edited"), _l("Edited the budget %(object)s of the cycle %(cycle_id)s"), (
            D("cycle_id", _l("Cycle"), CYCLE), D("before", _l("Before")), D("after", _l("After"), BEFORE_AFTER))),
        AuditAction("cycles.ballot_assign", _l("Ballot changed"),
                    _l("Changed which proposals are on the ballot of the cycle %(object)s"), (
                        D("assignment", _l("Proposals"), ASSIGNMENT),)),
        AuditAction("cycles.project_add", _l("Project added to a ballot"),
                    _l("Added the project %(object)s to the ballot of the budget %(budget_id)s"), (
                        D("budget_id", _l("Budget"), BUDGET), D("title", _l("Title")), D("cost", _l("Cost"), BAHT))),
        AuditAction("cycles.project_remove", _l("Project removed from a ballot"),
                    _l("Removed the project %(object)s from the ballot"), (D("title", _l("Title")),)),
        AuditAction("cycles.paper_ballots", _l("Paper ballots entered"),
                    _l("Entered %(count)s paper ballots from the forum %(object)s"), (
                        D("cycle_id", _l("Cycle"), CYCLE), D("budget_id", _l("Budget"), BUDGET),
                        D("forum", _l("Forum")), D("forum_date", _l("Date of the forum"), DATE),
                        D("count", _l("Ballots"), INT), D("choices", _l("Ballots per project"), PROJECT_COUNTS),
                        D("ids_checked", _l("ID cards checked"), BOOL))),
        AuditAction("cycles.paper_voter", _l("Paper voter recorded"),
                    _l("Recorded a voter (by national ID, kept as a keyed hash) at the forum %(forum)s for the budget %(object)s"), (
                        D("cycle_id", _l("Cycle"), CYCLE), D("budget_id", _l("Budget"), BUDGET),
                        D("forum", _l("Forum")), D("forum_date", _l("Date of the forum"), DATE))),
        AuditAction("cycles.paper_voter_removed", _l("Paper voter record removed"),
                    _l("Removed a paper voter record typed by mistake at the forum %(forum)s for the budget %(object)s"), (
                        D("cycle_id", _l("Cycle"), CYCLE), D("budget_id", _l("Budget"), BUDGET),
                        D("forum", _l("Forum")), D("forum_date", _l("Date of the forum"), DATE))),
        AuditAction("cycles.paper_ballots_removed", _l("Paper ballots removed"),
                    _l("Removed %(count)s paper ballots of the forum %(object)s"), (
                        D("cycle_id", _l("Cycle"), CYCLE), D("budget_id", _l("Budget"), BUDGET),
                        D("forum", _l("Forum")), D("count", _l("Ballots"), INT))),
        AuditAction("cycles.progress_update", _l("Progress reported"),
                    _l("Reported the progress of the project %(object)s: %(status)s, %(percent)s%%"), (
                        D("project_id", _l("Project"), PROJECT), D("status", _l("Status"), PROGRESS_STATUS),
                        D("percent", _l("Percent done"), INT), D("photos", _l("Photos"), INT))),
        AuditAction("cycles.recount", _l("Ballots recounted"), _l("Recounted the ballots of the cycle %(object)s"), (
            D("budgets", _l("Budgets"), BUDGET_RECOUNT),)),
        AuditAction("cycles.results_preview", _l("Results preview computed"),
                    _l("Computed a preview of the results of the cycle %(object)s (seen by officials only)"), (
                        D("rule", _l("Tally rule"), PB_RULE), D("again", _l("Computed again"), BOOL),
                        D("selected", _l("Projects selected"), BUDGET_PROJECTS), D("ballots", _l("Ballots counted"), BUDGET_COUNTS))),
        AuditAction("cycles.results_publish", _l("Results published"), _l("Published the results of the cycle %(object)s"), (
            D("rule", _l("Tally rule"), PB_RULE), D("selected", _l("Projects selected"), BUDGET_PROJECTS),
            D("ballots", _l("Ballots counted"), BUDGET_COUNTS))),
        AuditAction("cycles.voting_close", _l("Voting closed"),
                    _l("Closed the vote of the cycle %(object)s and destroyed %(links_destroyed)s links between voters and ballots"), (
                        D("how", _l("Closed by"), CLOSED_BY), D("ballots", _l("Ballots rewritten"), INT),
                        D("links_destroyed", _l("Links destroyed"), INT), D("dated_phase", _l("Phase by the dates"), PHASE))),
        AuditAction("cycles.import_pb", _l("Cycle imported from a .pb file"),
                    _l("Imported the cycle %(object)s from the file %(file)s"), (
                        D("file", _l("File")), D("projects", _l("Projects"), INT), D("ballots", _l("Ballots"), INT),
                        D("vote_type", _l("Ballot"), VOTE_TYPE))),
        AuditAction("job.retry", _l("Background job retried"), _l("Queued the background job %(object)s again")),
        AuditAction("api_key.create", _l("API key made"), _l("Made the API key %(object)s for %(name)s"), (
            D("name", _l("Holder")),)),
        AuditAction("api_key.revoke", _l("API key revoked"), _l("Revoked the API key %(object)s of %(name)s"), (
            D("name", _l("Holder")),)),
        AuditAction("opendata.publish", _l("Open data published to a catalog"),
                    _l("Published the open data to the catalog %(catalog)s for the organization %(organization)s"), (
                        D("catalog", _l("Catalog")), D("organization", _l("Organization")),
                        D("created", _l("Datasets created"), INT), D("updated", _l("Datasets updated"), INT),
                        D("files_added", _l("Files added"), INT), D("files_replaced", _l("Files replaced"), INT),
                        D("error", _l("Stopped by an error")))),
    ]


ACTIONS: dict[str, AuditAction] = {a.code: a for a in _actions()}

# The filter's groups: the start of the codes, what the group is called.
GROUPS = (
    ("role.", _l("Roles")),
    ("area.", _l("Areas")),
    ("resident.", _l("Residents")),
    ("moderation.", _l("Moderation")),
    ("idea.", _l("Triage of ideas")),
    ("proposal.", _l("Proposals")),
    ("plan.", _l("Plans")),
    ("cycles.", _l("Budgeting cycles")),
    ("job.", _l("Background jobs")),
    ("api_key.", _l("API keys")),
    ("opendata.", _l("Open data")),
)


def action_choices() -> list[tuple[str, str]]:
    """The action filter's options: every group, then its actions, in the reader's language."""
    choices: list[tuple[str, str]] = [("", str(_l("All actions")))]
    for prefix, group in GROUPS:
        choices.append((prefix, str(_l("%(group)s: every action", group=group))))
        choices.extend((a.code, f"— {a.name}") for a in ACTIONS.values() if a.code.startswith(prefix))
    return choices


# --- object types -----------------------------------------------------------------------

def _rows(stmt) -> list:
    from app.extensions import db

    return list(db.session.execute(stmt))


def _load_jobs(ids):
    from app.jobs.models import Job

    return {r.id: (f"#{r.id} ({r.kind})", url_for("jobs.admin_show", job_id=r.id))
            for r in _rows(select(Job.id, Job.kind).where(Job.id.in_(ids)))}


def _load_api_keys(ids):
    from app.api.models import ApiKey

    return {r.id: (f"#{r.id} ({r.prefix}...)", None) for r in _rows(select(ApiKey.id, ApiKey.prefix).where(ApiKey.id.in_(ids)))}


def _load_ideas(ids):
    from app.ideas.models import Idea

    return {r.id: (r.title, url_for("ideas.show_idea", idea_id=r.id)) for r in _rows(select(Idea.id, Idea.title).where(Idea.id.in_(ids)))}


def _load_comments(ids):
    from app.engagement.models import Comment

    return {r.id: (str(_l("the comment %(id)d on idea %(idea)d", id=r.id, idea=r.idea_id)),
                   url_for("ideas.show_idea", idea_id=r.idea_id, _anchor=f"comment-{r.id}"))
            for r in _rows(select(Comment.id, Comment.idea_id).where(Comment.id.in_(ids)))}


def _load_proposals(ids):
    from app.proposals.models import Proposal

    return {r.id: (r.title, url_for("proposals.show_proposal", proposal_id=r.id))
            for r in _rows(select(Proposal.id, Proposal.title).where(Proposal.id.in_(ids)))}


def _load_users(ids):
    from app.accounts.models import User

    users = _rows(select(User).where(User.id.in_(ids)))
    return {u.id: (f"{u.display_name} ({u.email})" if u.email else u.display_name, None) for (u,) in users}


def _load_cycles(ids):
    from app.cycles.models import Cycle

    return {r.id: (r.title, url_for("cycles.manage_cycle", cycle_id=r.id))
            for r in _rows(select(Cycle.id, Cycle.title).where(Cycle.id.in_(ids)))}


def _load_budgets(ids):
    from app.cycles.models import CycleBudget

    return {r.id: (r.name, url_for("cycles.manage_cycle", cycle_id=r.cycle_id))
            for r in _rows(select(CycleBudget.id, CycleBudget.name, CycleBudget.cycle_id).where(CycleBudget.id.in_(ids)))}


def _load_projects(ids):
    from app.cycles.models import CycleProject

    return {r.id: (r.title, url_for("cycles.show_cycle", cycle_id=r.cycle_id))
            for r in _rows(select(CycleProject.id, CycleProject.title, CycleProject.cycle_id).where(CycleProject.id.in_(ids)))}


def _load_batches(ids):
    from app.cycles.models import CycleBudget, PaperBatch

    stmt = select(PaperBatch.id, PaperBatch.forum_name, CycleBudget.cycle_id).join(
        CycleBudget, CycleBudget.id == PaperBatch.budget_id).where(PaperBatch.id.in_(ids))
    return {r.id: (r.forum_name, url_for("cycles.manage_cycle", cycle_id=r.cycle_id)) for r in _rows(stmt)}


def _load_progress(ids):
    from app.cycles.models import CycleProject, ProgressUpdate

    stmt = select(ProgressUpdate.id, CycleProject.title, CycleProject.cycle_id).join(
        CycleProject, CycleProject.id == ProgressUpdate.project_id).where(ProgressUpdate.id.in_(ids))
    return {r.id: (r.title, url_for("cycles.show_progress", cycle_id=r.cycle_id)) for r in _rows(stmt)}


def _load_plans(ids):
    from app.plans.models import Plan

    return {r.id: (r.title, url_for("plans.show_plan", plan_id=r.id))
            for r in _rows(select(Plan.id, Plan.title).where(Plan.id.in_(ids)))}


def _load_plan_items(ids):
    from app.plans.models import PlanItem

    stmt = select(PlanItem.id, PlanItem.code, PlanItem.title, PlanItem.plan_id).where(PlanItem.id.in_(ids))
    return {r.id: (f"{r.code} {r.title}".strip(), url_for("plans.show_plan", plan_id=r.plan_id)) for r in _rows(stmt)}


def _load_areas(ids):
    from app.areas.models import Area
    from app.core.locale import current_locale

    locale = current_locale()
    return {a.id: (a.name(locale), _area_url(a)) for (a,) in _rows(select(Area).where(Area.id.in_(ids)))}


def _area_url(area) -> str:
    if area.is_province:
        return url_for("areas.show_province", code=area.code)
    return url_for("areas.show_local_government", code=area.code)


OBJECT_TYPES: dict[str, ObjectType] = {t.table: t for t in (
    ObjectType("ideas", _l("Idea"), _load_ideas),
    ObjectType("comments", _l("Comment"), _load_comments),
    ObjectType("proposals", _l("Proposal"), _load_proposals),
    ObjectType("users", _l("Account"), _load_users),
    ObjectType("areas", _l("Area"), _load_areas),
    ObjectType("cycles", _l("Budgeting cycle"), _load_cycles),
    ObjectType("cycle_budgets", _l("Budget"), _load_budgets),
    ObjectType("cycle_projects", _l("Project on a ballot"), _load_projects),
    ObjectType("cycle_paper_batches", _l("Paper ballots of a forum"), _load_batches),
    ObjectType("cycle_progress_updates", _l("Progress update"), _load_progress),
    ObjectType("plans", _l("Plan"), _load_plans),
    ObjectType("plan_items", _l("Plan item"), _load_plan_items),
    ObjectType("jobs", _l("Background job"), _load_jobs),
    ObjectType("api_keys", _l("API key"), _load_api_keys),
)}

# Kinds of detail value that name an object of a type.
_REF_TABLE = {IDEA: "ideas", IDEAS: "ideas", PROPOSAL: "proposals", USER: "users", CYCLE: "cycles",
              BUDGET: "cycle_budgets", PROJECT: "cycle_projects", PLAN: "plans"}


def object_label(object_type: str | None) -> str:
    known = OBJECT_TYPES.get(object_type or "")
    return str(known.label) if known else (object_type or "")


# --- rendering a page of entries ----------------------------------------------------------

@dataclass
class RenderedEntry:
    entry: Any
    sentence: Markup
    details: list[tuple[str, Markup]]
    known: bool


def _ids(value: Any) -> Iterable[int]:
    if isinstance(value, (list, tuple, set)):
        for v in value:
            yield from _ids(v)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        yield int(value)


class _Refs:
    """The objects a page of entries names, loaded with one query per type."""

    def __init__(self) -> None:
        self.wanted: dict[str, set[int]] = defaultdict(set)
        self.area_codes: set[str] = set()
        self.subdistrict_codes: set[str] = set()
        self.objects: dict[str, dict[int, tuple[str, Optional[str]]]] = {}
        self.areas: dict[str, Any] = {}
        self.subdistricts: dict[str, Any] = {}

    def collect(self, entry: Any) -> None:
        if entry.object_type in OBJECT_TYPES and entry.object_id is not None:
            self.wanted[entry.object_type].add(entry.object_id)
        action = ACTIONS.get(entry.action)
        details = entry.details if isinstance(entry.details, dict) else {}
        for d in action.details if action else ():
            value = details.get(d.key)
            if value is None:
                continue
            if d.kind in _REF_TABLE:
                self.wanted[_REF_TABLE[d.kind]].update(_ids(value))
            elif d.kind == AREA_CODE and isinstance(value, str):
                self.area_codes.add(value)
            elif d.kind == SUBDISTRICTS:
                self.subdistrict_codes.update(str(v) for v in (value if isinstance(value, list) else [value]))
            elif d.kind == PROJECT_COUNTS and isinstance(value, dict):
                self.wanted["cycle_projects"].update(_ids(list(value)))
            elif d.kind in (BUDGET_COUNTS, BUDGET_RECOUNT) and isinstance(value, dict):
                self.wanted["cycle_budgets"].update(_ids(list(value)))
            elif d.kind == BUDGET_PROJECTS and isinstance(value, dict):
                self.wanted["cycle_budgets"].update(_ids(list(value)))
                self.wanted["cycle_projects"].update(_ids(list(value.values())))
            elif d.kind == ASSIGNMENT and isinstance(value, dict):
                self.wanted["proposals"].update(_ids(list(value)))
                self.wanted["cycle_budgets"].update(_ids(list(value.values())))

    def load(self) -> None:
        from app.areas.models import Area, Subdistrict

        for table, ids in self.wanted.items():
            self.objects[table] = OBJECT_TYPES[table].load(ids) if ids else {}
        if self.area_codes:
            self.areas = {a.code: a for (a,) in _rows(select(Area).where(Area.code.in_(self.area_codes)))}
        if self.subdistrict_codes:
            self.subdistricts = {s.code: s for (s,) in _rows(select(Subdistrict).where(Subdistrict.code.in_(self.subdistrict_codes)))}

    def link(self, table: str, object_id: Any, fallback: str | None = None) -> Markup:
        try:
            key = int(object_id)
        except (TypeError, ValueError):
            return escape(str(object_id))
        found = self.objects.get(table, {}).get(key)
        if found is None:
            # Deleted since: the title the entry kept, if any, and no link.
            name = fallback or f"#{key}"
            return Markup("«{}» {}").format(name, _l("(deleted)")) if fallback else Markup("{} {}").format(name, _l("(deleted)"))
        title, url = found
        text = Markup("«{}»").format(title) if table not in ("users", "comments") else escape(title)
        return Markup('<a href="{}">{}</a>').format(url, text) if url else text


def _label(mapping: dict, enum_cls: Any, value: Any) -> str:
    try:
        return str(mapping[enum_cls(value)])
    except (ValueError, KeyError):
        return str(value)


def _format(kind: str, value: Any, refs: _Refs, locale: str) -> Markup:  # noqa: C901 (one branch per kind)
    if value is None or value == "" or value == [] or value == {}:
        return Markup("-")
    if kind == BAHT and isinstance(value, int):
        return escape(format_baht(value, locale))
    if kind == INT and isinstance(value, int):
        return escape(f"{value:,}")
    if kind == DATE and isinstance(value, str):
        try:
            return escape(format_date(date.fromisoformat(value[:10]), locale))
        except ValueError:
            return escape(value)
    if kind == FISCAL_YEAR and isinstance(value, int):
        return escape(format_fiscal_year(value, locale))
    if kind == BOOL:
        return escape(_l("yes") if value else _l("no"))
    if kind == METHODS:
        from app.accounts.labels import RESIDENCY_METHOD_LABELS
        from app.accounts.models import ResidencyMethod

        if value == "all":
            return escape(_l("every method"))
        if isinstance(value, list):
            return escape(", ".join(_label(RESIDENCY_METHOD_LABELS, ResidencyMethod, v) for v in value))
    if kind == ROLE:
        from app.accounts.labels import ROLE_LABELS
        from app.accounts.models import Role

        return escape(_label(ROLE_LABELS, Role, value))
    if kind == AREA_CODE:
        area = refs.areas.get(str(value))
        return Markup('<a href="{}">{}</a> ({})').format(_area_url(area), area.name(locale), area.code) if area else escape(value)
    if kind == SUBDISTRICTS:
        codes = value if isinstance(value, list) else [value]
        return Markup(", ").join(escape(refs.subdistricts[c].name(locale)) if c in refs.subdistricts else escape(c) for c in map(str, codes))
    if kind == IDEA_STATUS:
        from app.ideas.models import STATUS_LABELS, IdeaStatus

        return escape(_label(STATUS_LABELS, IdeaStatus, value))
    if kind == PROPOSAL_STATE:
        from app.proposals.models import ProposalState
        from app.proposals.services import STATE_LABELS

        return escape(_label(STATE_LABELS, ProposalState, value))
    if kind == RECOMMENDATION:
        from app.proposals.models import Recommendation

        return escape(_label({Recommendation.FEASIBLE: _l("feasible"), Recommendation.NOT_FEASIBLE: _l("not feasible")},
                             Recommendation, value))
    if kind == PHASE:
        from app.cycles.models import Phase
        from app.cycles.phases import PHASE_LABELS

        return escape(_label(PHASE_LABELS, Phase, value))
    if kind == PROGRESS_STATUS:
        from app.cycles.models import ProgressStatus
        from app.cycles.progress import STATUS_LABELS as PROGRESS_LABELS

        return escape(_label(PROGRESS_LABELS, ProgressStatus, value))
    if kind in (BALLOT_KIND, VOTE_TYPE):  # a cycle's ballot kind, a .pb file's vote type: the same names
        from app.cycles.forms import BALLOT_KIND_LABELS
        from app.cycles.models import BallotKind

        return escape(_label(BALLOT_KIND_LABELS, BallotKind, value))
    if kind == RULE:
        from app.cycles.forms import RULE_LABELS
        from app.cycles.models import TallyRule

        return escape(_label(RULE_LABELS, TallyRule, value))
    if kind == COMPLETION:
        from app.cycles.forms import COMPLETION_LABELS
        from app.cycles.models import Completion

        return escape(_label(COMPLETION_LABELS, Completion, value))
    if kind == PLAN_KIND:
        from app.plans.models import PlanKind
        from app.plans.services import KIND_NAMES

        return escape(_label(KIND_NAMES, PlanKind, value))
    if kind == PB_RULE:
        return escape(_pb_rule(str(value)))
    if kind == CLOSED_BY:
        from app.cycles.closing import CLOSED_BY_LABELS

        return escape(str(CLOSED_BY_LABELS.get(str(value), value)))
    if kind in _REF_TABLE:
        ids = value if isinstance(value, list) else [value]
        return Markup(", ").join(refs.link(_REF_TABLE[kind], i) for i in ids)
    if kind == PROPOSAL_FIELDS and isinstance(value, list):
        return escape(", ".join(_proposal_field(str(v)) for v in value))
    if kind == CYCLE_CHANGES and isinstance(value, dict):
        return _items((_cycle_setting(k), _change(k, v, locale)) for k, v in value.items())
    if kind == PROJECT_COUNTS and isinstance(value, dict):
        return _items((refs.link("cycle_projects", k), _ballots(v)) for k, v in value.items())
    if kind == BUDGET_COUNTS and isinstance(value, dict):
        return _items((refs.link("cycle_budgets", k), _ballots(v)) for k, v in value.items())
    if kind == BUDGET_PROJECTS and isinstance(value, dict):
        return _items((refs.link("cycle_budgets", k), Markup(", ").join(refs.link("cycle_projects", p) for p in (v or [])) or Markup("-"))
                      for k, v in value.items())
    if kind == BUDGET_RECOUNT and isinstance(value, dict):
        return _items((refs.link("cycle_budgets", k), escape(_recount(v))) for k, v in value.items())
    if kind == ASSIGNMENT and isinstance(value, dict):
        return _items((refs.link("proposals", k),
                       Markup("{} {}").format(_l("on the ballot of"), refs.link("cycle_budgets", v)) if v is not None
                       else escape(_l("taken off the ballot"))) for k, v in value.items())
    return _plain(value, locale)


def _plain(value: Any, locale: str) -> Markup:
    """A value of a kind not declared: readable, never a Python repr."""
    if isinstance(value, bool):
        return escape(_l("yes") if value else _l("no"))
    if isinstance(value, int):
        return escape(f"{value:,}")
    if isinstance(value, list):
        return Markup(", ").join(_plain(v, locale) for v in value)
    if isinstance(value, dict):
        return _items((escape(k), _plain(v, locale)) for k, v in value.items())
    return escape(value)


def _items(pairs: Iterable[tuple[Any, Markup]]) -> Markup:
    return Markup("; ").join(Markup("{}: {}").format(k, v) for k, v in pairs)


def _ballots(n: Any) -> Markup:
    from flask_babel import ngettext

    return escape(ngettext("%(num)d ballot", "%(num)d ballots", n)) if isinstance(n, int) else escape(n)


def _recount(v: Any) -> str:
    if not isinstance(v, dict):
        return str(v)
    if v.get("changed"):
        return str(_l("the result changed"))
    return str(_l("the result is the same"))


def _pb_rule(value: str) -> str:
    from app.cycles.forms import COMPLETION_LABELS, RULE_LABELS
    from app.cycles.models import Completion, TallyRule

    if value.startswith("equalshares"):
        rule = str(RULE_LABELS[TallyRule.MES])
        completion = value.partition("/")[2] or Completion.NONE.value
        return f"{rule} ({_label(COMPLETION_LABELS, Completion, completion)})"
    return _label(RULE_LABELS, TallyRule, value)


_PROPOSAL_FIELDS = {
    "title": _l("title"), "objective": _l("objective"), "target_output": _l("target and output"),
    "location_text": _l("location"), "responsible_unit": _l("responsible unit"), "kpi": _l("indicators (KPI)"),
    "expected_result": _l("expected result"), "estimated_cost": _l("estimated cost"), "fiscal_year": _l("fiscal year"),
    "plan_item_id": _l("plan item"), "budget": _l("yearly budgets"),
}


def _proposal_field(name: str) -> str:
    return str(_PROPOSAL_FIELDS.get(name, name))


_CYCLE_SETTINGS: dict[str, tuple[Any, str]] = {
    "fiscal_year": (_l("Fiscal year"), FISCAL_YEAR), "title": (_l("Title"), TEXT),
    "description": (_l("Description"), TEXT), "total_budget": (_l("Total budget"), BAHT),
    "ballot_kind": (_l("Ballot"), BALLOT_KIND), "rule": (_l("Tally rule"), RULE),
    "completion": (_l("Completion"), COMPLETION),
    "ideas_from": (_l("Idea collection from"), DATE), "supports_from": (_l("Supporting ideas from"), DATE),
    "review_from": (_l("Review from"), DATE), "voting_from": (_l("Voting from"), DATE),
    "results_from": (_l("Results from"), DATE), "implementation_from": (_l("Implementation from"), DATE),
    "min_projects": (_l("Fewest projects"), INT), "max_projects": (_l("Most projects"), INT),
    "min_share_percent": (_l("Least share of the budget (%)"), INT), "points_total": (_l("Points per voter"), INT),
    "points_max": (_l("Most points on one project"), INT), "rank_k": (_l("Projects to rank"), INT),
    "threshold": (_l("Threshold of votes"), INT),
    "accepted_methods": (_l("Residency verification accepted"), METHODS),
}


def _cycle_setting(name: str) -> str:
    return str(_CYCLE_SETTINGS.get(name, (name, TEXT))[0])


def _change(name: str, pair: Any, locale: str) -> Markup:
    kind = _CYCLE_SETTINGS.get(name, (name, TEXT))[1]
    refs = _Refs()
    if isinstance(pair, (list, tuple)) and len(pair) == 2:
        return Markup("{} → {}").format(_format(kind, pair[0], refs, locale), _format(kind, pair[1], refs, locale))
    return _format(kind, pair, refs, locale)


_BEFORE_AFTER_FIELDS: dict[str, tuple[Any, str]] = {
    "title": (_l("Title"), TEXT), "start_year": (_l("First year"), FISCAL_YEAR), "code": (_l("Code"), TEXT),
    "name": (_l("Name"), TEXT), "amount": (_l("Amount"), BAHT),
    "subdistricts": (_l("Voters from the subdistricts"), SUBDISTRICTS),
}


def _before_after(before: Any, after: Any, refs: _Refs, locale: str) -> Markup:
    """What changed between two dicts of the same keys: "Title: A → B"."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return Markup("{} → {}").format(_plain(before, locale), _plain(after, locale))
    parts = []
    for key in after:
        if before.get(key) == after.get(key):
            continue
        label, kind = _BEFORE_AFTER_FIELDS.get(key, (key, TEXT))
        parts.append((escape(label), Markup("{} → {}").format(
            _format(kind, before.get(key), refs, locale), _format(kind, after.get(key), refs, locale))))
    return _items(parts) if parts else escape(_l("nothing"))


def _object(entry: Any, refs: _Refs, details: dict) -> Markup:
    if entry.object_type is None:
        return Markup("-")
    if entry.object_type not in OBJECT_TYPES:
        return Markup("{} #{}").format(entry.object_type, entry.object_id)
    fallback = details.get("title") or details.get("forum") or details.get("name")
    return refs.link(entry.object_type, entry.object_id, fallback if isinstance(fallback, str) else None)


def render_entries(entries: list[Any], locale: str) -> list[RenderedEntry]:
    refs = _Refs()
    for entry in entries:
        refs.collect(entry)
    refs.load()
    return [_render(entry, refs, locale) for entry in entries]


def _render(entry: Any, refs: _Refs, locale: str) -> RenderedEntry:
    details = entry.details if isinstance(entry.details, dict) else {}
    action = ACTIONS.get(entry.action)
    obj = _object(entry, refs, details)
    if action is None:
        # A code without an entry (only tests and old rows): say so, show the code and the object.
        sentence = Markup("<code>{}</code>").format(entry.action)
        if entry.object_type:
            sentence += Markup(" {} {}").format(object_label(entry.object_type), obj)
        rows = [(escape(k), _plain(v, locale)) for k, v in sorted(details.items())]
        return RenderedEntry(entry, sentence, rows, False)
    declared = {d.key: d for d in action.details}
    in_sentence = action.sentence_keys()
    values: dict[str, Markup] = {"object": obj}
    for key in in_sentence - {"object"}:
        d = declared.get(key)
        values[key] = _format(d.kind if d else TEXT, details.get(key), refs, locale)
    sentence = Markup(escape(str(action.sentence))) % values
    rows: list[tuple[str, Markup]] = []
    if "before" in declared and "after" in declared and ("before" in details or "after" in details):
        rows.append((str(_l("Changes")), _before_after(details.get("before"), details.get("after"), refs, locale)))
    for d in action.details:
        if d.key in in_sentence or d.key not in details or d.key in ("before", "after"):
            continue
        if d.kind == TEXT and d.key in ("title", "name", "forum") and entry.object_type in OBJECT_TYPES:
            continue  # the object shows it (its title now, or this one if it was deleted)
        rows.append((str(d.label), _format(d.kind, details[d.key], refs, locale)))
    for key in sorted(set(details) - set(declared)):
        rows.append((key, _plain(details[key], locale)))
    return RenderedEntry(entry, sentence, rows, True)
