"""The registry of audit actions: every code used in app/ has a name and a sentence, and the
audit page reads each action as a sentence in the reader's language, with links and dates
in the reader's calendar."""
from __future__ import annotations

import ast
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete

from app.accounts.models import Role
from app.audit.actions import ACTIONS, OBJECT_TYPES
from app.audit.models import AuditEntry
from app.audit.services import record
from app.areas.services import get_area_by_code
from app.cycles.models import CycleProject, PaperBatch, ProgressStatus, ProgressUpdate
from app.engagement.models import Comment
from app.extensions import db
from app.plans.models import PlanItem
from tests.accounts.factories import create_admin, create_official, create_user, sign_in
from tests.cycles.factories import add_budget_with_projects, create_cycle
from tests.engagement.factories import create_idea
from tests.exports.factories import create_proposal
from tests.plans.factories import create_plan

APP = Path(__file__).resolve().parents[2] / "app"


def _audit_codes_in_app() -> dict[str, list[str]]:
    """Every action code passed to app.audit.services.record anywhere in app/, with where."""
    found: dict[str, list[str]] = {}
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module == "app.audit.services" for alias in node.names if alias.name == "record"}
        modules = {alias.asname or "services" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and node.module == "app.audit" for alias in node.names if alias.name == "services"}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            is_record = (isinstance(func, ast.Name) and func.id in names) or (
                isinstance(func, ast.Attribute) and func.attr == "record" and isinstance(func.value, ast.Name)
                and func.value.id in modules)
            if not is_record:
                continue
            where = f"{path.relative_to(APP.parent)}:{node.lineno}"
            code = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "action"), None)
            assert isinstance(code, ast.Constant) and isinstance(code.value, str), (
                f"{where}: the audit action must be a literal string so that its label can be checked")
            found.setdefault(code.value, []).append(where)
    return found


def test_the_scan_finds_the_audit_calls():
    codes = _audit_codes_in_app()
    # A scan that finds nothing would pass the next test whatever the registry holds.
    assert {"resident.verify", "proposal.state_changed", "cycles.paper_ballots", "plan.import"} <= set(codes)


def test_every_audit_action_used_in_app_has_a_label():
    missing = {code: where for code, where in _audit_codes_in_app().items() if code not in ACTIONS}
    assert not missing, f"audit actions without an entry in app/audit/actions.py: {missing}"


def test_every_registered_action_is_used_and_its_sentence_names_only_its_details():
    used = set(_audit_codes_in_app())
    assert set(ACTIONS) <= used, f"registered but never recorded: {set(ACTIONS) - used}"
    for action in ACTIONS.values():
        declared = {d.key for d in action.details} | {"object"}
        assert action.sentence_keys() <= declared, action.code


# --- one sample record of every action, rendered -------------------------------------------

@pytest.fixture
def world(app):
    province = get_area_by_code("50")
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50", email="somchai@example.com", display_name="สมชาย ใจดี")
    resident = create_user("resident@example.com", display_name="สมหญิง รักถิ่น")
    idea = create_idea(title="ติดตั้งไฟส่องสว่างถนนหน้าโรงเรียน")
    other_idea = create_idea(title="ซ่อมถนนหน้าวัด")
    comment = Comment(idea_id=idea.id, author_id=resident.id, body="เห็นด้วย")
    db.session.add(comment)
    proposal = create_proposal(None, title="ก่อสร้างถนน คสล. หมู่ 3", area=province)
    cycle = create_cycle(official, total=5_000_000)
    budget = add_budget_with_projects(official, cycle, name="งบอำเภอเมือง", costs=(400_000, 300_000))
    project = db.session.scalars(db.select(CycleProject).where(CycleProject.budget_id == budget.id)).first()
    batch = PaperBatch(budget_id=budget.id, forum_name="ประชาคมบ้านป่าแดด", forum_date=date(2026, 11, 15), ballot_count=12)
    db.session.add(batch)
    db.session.flush()
    update = ProgressUpdate(project_id=project.id, status=ProgressStatus.IN_PROGRESS, percent=40, note="", happened_on=date(2026, 12, 1))
    db.session.add(update)
    plan = create_plan(get_area_by_code("3500102"))
    item = db.session.scalars(db.select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.code == "1.1")).one()
    db.session.flush()
    from app.jobs.models import Job

    job = Job(kind="mail.send", payload={}, max_attempts=8)
    db.session.add(job)
    db.session.flush()
    admin = create_admin("auditor@example.com")
    from app.api.models import ApiKey

    api_key = ApiKey(name="ศูนย์ข้อมูลเปิด มหาวิทยาลัยเชียงใหม่", prefix="rk_AbC123", key_hash="0" * 64)
    db.session.add(api_key)
    db.session.flush()
    db.session.execute(delete(AuditEntry))  # only the samples below
    gone_plan = SimpleNamespace(__tablename__="plans", id=plan.id + 1000)
    return SimpleNamespace(**locals())


def _samples(w) -> dict[str, tuple[object, dict]]:
    return {
        "role.assign": (w.official, {"role": "provincial_official", "area": "50"}),
        "role.remove": (w.official, {"role": "evaluator", "area": "50"}),
        "resident.verify": (w.resident, {"subdistrict": "500101"}),
        "area.subdistricts": (get_area_by_code("3500102"), {"added": ["500101"], "removed": ["500102"], "restored": False}),
        "resident.unverify": (w.resident, None),
        "resident_list.upload": (get_area_by_code("3500102"), {"rows": 1200}),
        "resident.self_verify": (w.resident, {"subdistrict": "500101"}),
        "resident.self_verify_failed": (w.resident, None),
        "account.identity_link": (w.resident, {"provider": "ThaID"}),
        "account.identity_refused": (w.resident, {"provider": "ThaID"}),
        "resident.identity_verify": (w.resident, {"provider": "ThaID", "subdistrict": "500101"}),
        "moderation.auto_pending": (w.comment, {"reports": 3, "idea_id": w.idea.id}),
        "moderation.hide_idea": (w.idea, {"reason": "ข้อความไม่สุภาพ", "reports": 2}),
        "moderation.restore_idea": (w.idea, {"reason": "แก้ไขแล้ว", "reports": 0}),
        "moderation.hide_comment": (w.comment, {"reason": "สแปม", "reports": 1, "idea_id": w.idea.id}),
        "moderation.restore_comment": (w.comment, {"reason": "ไม่ใช่สแปม", "reports": 0, "idea_id": w.idea.id}),
        "moderation.block_user": (w.resident, {"reason": "ส่งสแปมซ้ำ"}),
        "moderation.unblock_user": (w.resident, {"reason": "ครบกำหนด"}),
        "idea.status_changed": (w.idea, {"from": "received", "to": "merged", "merged_into": w.other_idea.id, "supports_moved": 4}),
        "proposal.created": (w.proposal, {"ideas": [w.idea.id, w.other_idea.id]}),
        "proposal.idea_added": (w.proposal, {"idea": w.idea.id}),
        "proposal.updated": (w.proposal, {"changed": ["estimated_cost", "kpi"]}),
        "proposal.state_changed": (w.proposal, {"from": "under_assessment", "to": "feasible", "by_assessment": True,
                                                "final_cost": 1_180_000}),
        "proposal.evaluator_assigned": (w.proposal, {"evaluator": w.official.id}),
        "proposal.evaluator_unassigned": (w.proposal, {"evaluator": w.official.id}),
        "proposal.assessed": (w.proposal, {"recommendation": "feasible", "revised_cost": 1_180_000}),
        "plan.create": (w.plan, {"kind": "local_development", "start_year": 2566, "end_year": 2570}),
        "plan.update": (w.plan, {"before": {"title": "แผนเก่า", "start_year": 2566},
                                 "after": {"title": "แผนพัฒนาท้องถิ่น", "start_year": 2566}}),
        "plan.delete": (w.gone_plan, {"title": "แผนที่ลบไปแล้ว", "items": 7}),
        "plan.item_add": (w.item, {"plan_id": w.plan.id, "level": 2, "code": "1.1", "title": "ก่อสร้างและปรับปรุงถนน"}),
        "plan.item_update": (w.item, {"plan_id": w.plan.id, "before": {"code": "1.1", "title": "ถนน"},
                                      "after": {"code": "1.1", "title": "ก่อสร้างและปรับปรุงถนน"}}),
        "plan.item_remove": (w.item, {"plan_id": w.plan.id, "code": "1.1", "title": "ถนน", "removed": 2}),
        "plan.import": (w.plan, {"filename": "แผน.csv", "rows": 22, "created": 20, "updated": 2}),
        "cycles.create": (w.cycle, {"title": "งบประมาณแบบมีส่วนร่วม", "fiscal_year": 2570, "total_budget": 5_000_000,
                                    "ballot_kind": "knapsack", "rule": "greedy", "accepted_methods": ["in_person", "thaid"]}),
        "cycles.update": (w.cycle, {"changed": {"voting_from": ["2026-11-01", "2026-11-08"], "total_budget": [5_000_000, 6_000_000]}}),
        "cycles.phase_override": (w.cycle, {"from": "review", "to": "voting", "now": "voting", "reason": "เลื่อนตามมติ"}),
        "cycles.budget_add": (w.budget, {"cycle_id": w.cycle.id, "name": "งบอำเภอเมือง", "amount": 1_000_000,
                                         "subdistricts": ["500101"]}),
        "cycles.budget_update": (w.budget, {"cycle_id": w.cycle.id, "before": {"name": "งบอำเภอเมือง", "amount": 900_000, "subdistricts": []},
                                            "after": {"name": "งบอำเภอเมือง", "amount": 1_000_000, "subdistricts": ["500101"]}}),
        "cycles.ballot_assign": (w.cycle, {"assignment": {str(w.proposal.id): w.budget.id}}),
        "cycles.project_add": (w.project, {"budget_id": w.budget.id, "title": w.project.title, "cost": 400_000}),
        "cycles.project_remove": (w.project, {"title": w.project.title}),
        "cycles.paper_ballots": (w.batch, {"cycle_id": w.cycle.id, "budget_id": w.budget.id, "forum": "ประชาคมบ้านป่าแดด",
                                           "forum_date": "2026-11-15", "count": 12, "choices": {str(w.project.id): 9},
                                           "ids_checked": True}),
        "cycles.paper_voter": (w.budget, {"cycle_id": w.cycle.id, "budget_id": w.budget.id, "forum": "ประชาคมบ้านป่าแดด",
                                          "forum_date": "2026-11-15"}),
        "cycles.paper_voter_removed": (w.budget, {"cycle_id": w.cycle.id, "budget_id": w.budget.id, "forum": "ประชาคมบ้านดอน",
                                                  "forum_date": "2026-11-16"}),
        "cycles.paper_ballots_removed": (SimpleNamespace(__tablename__="cycle_paper_batches", id=w.batch.id + 1000),
                                         {"cycle_id": w.cycle.id, "budget_id": w.budget.id, "forum": "ประชาคมบ้านดอน", "count": 5}),
        "cycles.progress_update": (w.update, {"project_id": w.project.id, "status": "in_progress", "percent": 40, "photos": 1}),
        "cycles.recount": (w.cycle, {"budgets": {str(w.budget.id): {"changed": False, "published": True, "recounted": True}}}),
        "cycles.results_preview": (w.cycle, {"rule": "equalshares/add1", "again": True, "selected": {str(w.budget.id): [w.project.id]},
                                             "ballots": {str(w.budget.id): 31}}),
        "cycles.results_publish": (w.cycle, {"rule": "equalshares/add1", "selected": {str(w.budget.id): [w.project.id]},
                                             "ballots": {str(w.budget.id): 32}}),
        "cycles.import_pb": (w.cycle, {"file": "poland_warszawa.pb", "projects": 2, "ballots": 32, "vote_type": "approval"}),
        "cycles.voting_close": (w.cycle, {"how": "dates", "ballots": 32, "links_destroyed": 30, "dated_phase": "results"}),
        "job.retry": (w.job, None),
        "api_key.create": (w.api_key, {"name": w.api_key.name}),
        "api_key.revoke": (w.api_key, {"name": w.api_key.name}),
        "opendata.publish": (None, {"catalog": "https://catalog.chiangmai.go.th", "organization": "chiangmai",
                                    "created": 3, "updated": 1, "files_added": 6, "files_replaced": 2}),
    }


class _Rows(HTMLParser):
    """The text and links of each cell of the audit table's body."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[dict]] = []
        self._cell = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag == "td" and self._in_body:
            self._cell = {"text": "", "links": []}
            self.rows[-1].append(self._cell)
        elif tag == "a" and self._cell is not None:
            self._cell["links"].append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None
        elif tag == "tbody":
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def _all_audit_pages(client) -> str:
    """Every page of the audit log (50 rows a page: the registry has more actions than that)."""
    pages, number = [], 1
    while True:
        html = client.get(f"/admin/audit?page={number}").get_data(as_text=True)
        pages.append(html)
        if f"page={number + 1}" not in html or number >= 5:
            return "".join(pages)
        number += 1


def _what_cells(page: str) -> dict[str, dict]:
    parser = _Rows()
    parser.feed(page)
    # Rows are newest first and the samples are recorded in registry order.
    cells = [row[2] for row in parser.rows]
    codes = list(ACTIONS)
    assert len(cells) == len(codes)
    return {code: cell for code, cell in zip(reversed(codes), cells)}


@pytest.fixture
def sampled(client, world, monkeypatch):
    # One sample of every action on one page: there are more actions than the log's 50 a page.
    monkeypatch.setattr("app.admin.routes.PER_PAGE", 500)
    samples = _samples(world)
    assert set(samples) == set(ACTIONS), "write a sample record for every action in the registry"
    for code in ACTIONS:
        obj, details = samples[code]
        assert obj is None or obj.__tablename__ in OBJECT_TYPES  # None: an action on no object (run from the command line)
        record(world.official, code, obj, area=world.province, details=details)
    db.session.commit()
    sign_in(client, world.admin)
    return world


# Latin words allowed in a Thai sentence: names a person typed, file names, KPI, technical names in brackets.
_LATIN_OK = {"csv", "pb", "poland", "warszawa", "example", "com", "somchai", "resident", "KPI", "add1", "ThaID", "API",  # ThaID: the DOPA app's name
             "https", "catalog", "chiangmai", "go", "th"}  # the CKAN catalog's address and organization


def test_every_action_reads_as_a_thai_sentence(client, sampled):
    w = sampled
    page = _all_audit_pages(client)
    cells = _what_cells(page)
    for code, cell in cells.items():
        text = " ".join(cell["text"].split())
        assert code not in text, f"{code} shows its code: {text}"
        assert not re.search(r"[{}\[\]]|'\w+':", text), f"{code} shows a Python value: {text}"
        # A technical name may follow in brackets: "วิธีแบ่งส่วนเท่ากัน (Method of Equal Shares)".
        thai_text = re.sub(r"\([ -~]+\)", "", text)
        latin = {word for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", thai_text) if word not in _LATIN_OK}
        assert not latin, f"{code} has English in Thai: {latin} in {text}"
        assert re.search(r"[\u0e00-\u0e7f]", text), code
    assert f"/ideas/{w.idea.id}" in cells["moderation.hide_idea"]["links"]
    assert f"/ideas/{w.idea.id}#comment-{w.comment.id}" in cells["moderation.hide_comment"]["links"]
    assert f"/proposals/{w.proposal.id}" in cells["proposal.state_changed"]["links"]
    assert f"/cycles/{w.cycle.id}/manage" in cells["cycles.phase_override"]["links"]
    assert f"/plans/{w.plan.id}" in cells["plan.item_add"]["links"]
    assert f"/cycles/{w.cycle.id}/progress" in cells["cycles.progress_update"]["links"]
    assert "/p/50" in cells["role.assign"]["links"]
    state = " ".join(cells["proposal.state_changed"]["text"].split())
    assert "«ก่อสร้างถนน คสล. หมู่ 3»" in state and "อยู่ระหว่างการประเมิน" in state and "฿1,180,000" in state
    paper = " ".join(cells["cycles.paper_ballots"]["text"].split())
    assert "15 พฤศจิกายน 2569" in paper and "«ประชาคมบ้านป่าแดด»" in paper
    update = " ".join(cells["cycles.update"]["text"].split())
    assert "1 พฤศจิกายน 2569 → 8 พฤศจิกายน 2569" in update and "฿5,000,000 → ฿6,000,000" in update
    deleted = " ".join(cells["plan.delete"]["text"].split())
    assert "«แผนที่ลบไปแล้ว»" in deleted and not cells["plan.delete"]["links"]
    results = " ".join(cells["cycles.results_publish"]["text"].split())
    assert "งบอำเภอเมือง" in results and "32 บัตร" in results


def test_every_action_reads_as_an_english_sentence(client, sampled):
    w = sampled
    client.set_cookie("lang", "en")
    page = _all_audit_pages(client)
    cells = _what_cells(page)
    for code, cell in cells.items():
        text = " ".join(cell["text"].split())
        assert code not in text and not re.search(r"[{}\[\]]", text), text
    state = " ".join(cells["proposal.state_changed"]["text"].split())
    assert "Moved the proposal «ก่อสร้างถนน คสล. หมู่ 3» from Under assessment to Feasible" in state
    paper = " ".join(cells["cycles.paper_ballots"]["text"].split())
    assert "15 November 2026" in paper and "Entered 12 paper ballots from the forum" in paper
    assert "32 ballots" in " ".join(cells["cycles.results_publish"]["text"].split())
    preview = " ".join(cells["cycles.results_preview"]["text"].split())
    assert "Computed a preview of the results" in preview and "31 ballots" in preview


def test_the_action_filter_offers_the_registry_in_thai_and_keeps_working(client, sampled):
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="moderation.hide_idea">' in page and "ซ่อนไอเดีย" in page
    one = client.get("/admin/audit?action=moderation.hide_idea").get_data(as_text=True)
    assert len(_Rows_of(one)) == 1 and 'selected value="moderation.hide_idea"' in one
    group = client.get("/admin/audit?action=proposal.").get_data(as_text=True)
    assert len(_Rows_of(group)) == sum(code.startswith("proposal.") for code in ACTIONS)


def _Rows_of(page: str) -> list:
    parser = _Rows()
    parser.feed(page)
    return parser.rows


def test_the_table_scroll_region_is_focusable_and_named(client, sampled):
    page = client.get("/admin/audit").get_data(as_text=True)
    region = re.search(r'<div class="table-scroll"([^>]*)>', page).group(1)
    assert 'tabindex="0"' in region and 'role="region"' in region and re.search(r'aria-label="[^"]+"', region)
