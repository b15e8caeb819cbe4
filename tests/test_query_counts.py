"""Query counts of every list or tree page: the same with 10 and with 100 rows, as each role.

A page that runs one query per row (an N+1: `item.children`, `idea.author`,
`proposal.area` read in a loop) is fast with the ten rows of a test and slow
with the thousand of a real province (Decidim's proposal list took 7 s at 900
proposals). Each page is fetched with 10 rows of what it lists and again
with 100, as each kind of reader, and the number of SQL statements must not
grow. The statements are counted with SQLAlchemy's before_cursor_execute
event on the engine.
"""
from __future__ import annotations

from contextlib import contextmanager
from sqlalchemy import event

from app.accounts.models import Role
from app.audit.services import record
from app.core.timeutil import utcnow
from app.cycles import results as cycle_results
from app.cycles.models import PaperBatch, Phase
from app.cycles.voting import write_paper_ballots
from app.engagement.services import add_comment, set_support
from app.extensions import db
from app.moderation.services import report_idea
from app.plans.models import PlanItem
from app.proposals.models import ProposalState, proposal_ideas
from tests.cycles.factories import add_budget_with_projects, create_cycle
from tests.exports.factories import create_proposal
from tests.privacy.factories import add_photo
from tests.triage.factories import PASSWORD, area, create_idea, create_plan, create_user, official

LG = "3500102"
PROVINCE = "50"


@contextmanager
def counting():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


class Rows:
    """What the pages list, grown in steps: plan items, ideas (with supports, comments, reports,
    photos), proposals, cycles, a budget's projects and ballots, audit entries."""

    def __init__(self):
        self.lg_officer = official(LG)
        self.province_official = official(PROVINCE)
        self.admin = create_user(role=Role.ADMIN, name="ผู้ดูแล")
        self.resident = create_user(name="ผู้อยู่อาศัย")
        self.plan = create_plan(LG, start_year=2566)
        self.branch = next(i for i in self.plan.items if i.level == 2)
        self.results_cycle = None
        self.count = 0

    def grow(self, to: int) -> None:
        for n in range(self.count, to):
            author = create_user(name=f"ผู้เสนอ {n}")
            idea = create_idea(author, LG, title=f"ซ่อมถนนซอย {n}")
            add_photo(idea, f"{n:032d}.jpg")
            set_support(idea, self.resident, True)
            add_comment(idea, self.resident, f"เห็นด้วย {n}")
            report_idea(idea, create_user(name=f"ผู้แจ้ง {n}"), "spam")
            item = PlanItem(plan_id=self.plan.id, parent_id=self.branch.id, level=3, code=f"1.1.{n + 2}",
                            title=f"แผนงาน {n}", position=n + 1)
            db.session.add(item)
            db.session.flush()
            proposal = create_proposal(item, f"โครงการ {n}", area=area(LG), budget={2566: 500_000},
                                       state=ProposalState.SHORTLISTED, created_by_id=self.lg_officer.id)
            db.session.execute(proposal_ideas.insert().values(proposal_id=proposal.id, idea_id=idea.id))
            create_cycle(self.province_official, PROVINCE)
            record(self.lg_officer, "proposal.updated", proposal, area=area(LG), details={"changed": ["title"]})
        self.count = to
        db.session.flush()
        db.session.expire_all()

    def publish_results(self) -> None:
        """A cycle with as many projects and paper ballots as the other rows, and its results."""
        cycle = create_cycle(self.province_official, PROVINCE, total=10**11)
        budget = add_budget_with_projects(self.province_official, cycle, amount=10**11,
                                          costs=[100_000 + n for n in range(self.count)])
        projects = budget.projects
        batch = PaperBatch(budget_id=budget.id, forum_name="ประชาคม", forum_date=utcnow().date(),
                           ballot_count=len(projects), entered_by_id=self.province_official.id)
        cycle.phase_override = Phase.VOTING
        db.session.add(batch)
        db.session.flush()
        for project in projects:
            write_paper_ballots(budget.id, batch, {project.id: 1}, 1)
        cycle.phase_override = Phase.RESULTS
        db.session.flush()
        cycle_results.compute_results(self.province_official, cycle)
        db.session.flush()
        db.session.expire_all()
        self.results_cycle = cycle


def pages(rows: Rows) -> dict[str, str]:
    return {
        "plans": f"/lg/{LG}/plans",
        "plan tree": f"/plans/{rows.plan.id}",
        "ideas": f"/lg/{LG}/ideas",
        "ideas search": "/ideas/search?q=ซ่อมถนน",
        "proposals": f"/proposals?area={LG}",
        "proposals of every area": "/proposals",
        "triage": f"/triage?view=all&area={LG}",
        "moderation": "/moderation/",
        "cycles": "/cycles/",
        "manage cycles": "/cycles/manage",
        "results": f"/cycles/{rows.results_cycle.id}/results",
        "manage a cycle": f"/cycles/{rows.results_cycle.id}/manage",
        "audit log": "/admin/audit",
        "admin hub": "/admin/",
        "local government": f"/lg/{LG}",
    }


def signed_in(app, user):
    """A fresh client (its own cookies), signed in as `user` (None: anonymous)."""
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code in (302, 303)
    return client


def measure(client, rows: Rows, who) -> dict[str, tuple[int, int]]:
    found = {}
    for name, url in pages(rows).items():
        with counting() as statements:
            response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (name, url, response.status_code)
        found[name] = (len(statements), response.status_code)
    return found


def test_list_and_tree_pages_run_a_fixed_number_of_queries(app):
    rows = Rows()
    roles = {"anonymous": None, "resident": rows.resident, "local government officer": rows.lg_officer,
             "provincial official": rows.province_official, "administrator": rows.admin}
    rows.grow(10)
    rows.publish_results()
    small = {}
    for role, user in roles.items():
        small[role] = measure(signed_in(app, user), rows, user)
    rows.grow(100)
    rows.publish_results()
    grown = []
    for role, user in roles.items():
        large = measure(signed_in(app, user), rows, user)
        for page, (queries, status) in large.items():
            before, before_status = small[role][page]
            assert status == before_status, (role, page, before_status, status)
            if queries > before:
                grown.append(f"{page} as {role}: {before} queries with 10 rows, {queries} with 100")
    assert not grown, "\n".join(grown)
    # the pages were really served, with their rows, to those who may see them
    for role, page in (("administrator", "audit log"), ("administrator", "admin hub"), ("provincial official", "moderation"),
                       ("local government officer", "triage"), ("provincial official", "manage cycles"),
                       ("anonymous", "plan tree"), ("anonymous", "ideas"), ("anonymous", "results"),
                       ("resident", "proposals"), ("anonymous", "cycles")):
        assert small[role][page][1] == 200, (role, page, small[role][page])
