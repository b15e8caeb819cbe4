"""Demo budgeting cycles (idempotent, runs after every other loader).

1. A finished cycle of เทศบาลนครเชียงใหม่ for fiscal year 2569, counted by the
   Method of Equal Shares: its ballot lines are the demo's own projects
   (proposal_id NULL: the proposals demo's 2569 proposals already went
   through their own selection), with paper ballots from four village forums
   so that the equal-shares result differs from plain greedy, and progress
   updates on what was funded.
2. A cycle of Chiang Mai province for fiscal year 2570 with voting open
   around today (knapsack ballot), built from the province's shortlisted
   proposals when the proposals demo provides them (else from the demo's own
   projects), so that resident1..4@demo.ruamkhit.th can vote.

Cycles are matched by area and title.
"""
from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime, timedelta, timezone

from flask import current_app, has_request_context
from sqlalchemy import select

from app.areas.services import get_area_by_code
from app.cycles import results, services
from app.cycles.models import (
    BallotKind,
    Completion,
    Cycle,
    CycleResult,
    PaperBatch,
    Phase,
    ProgressStatus,
    ProgressUpdate,
    TallyRule,
)
from app.cycles.phases import bangkok_today
from app.cycles.voting import write_paper_ballots
from app.demo.base import demo_user
from app.demo.registry import recall, remember
from app.extensions import db

FINISHED_TITLE = "งบประมาณแบบมีส่วนร่วม เทศบาลนครเชียงใหม่ ปีงบประมาณ 2569"
OPEN_TITLE = "งบประมาณแบบมีส่วนร่วม จังหวัดเชียงใหม่ ปีงบประมาณ 2570"

# The finished cycle's projects (title, cost in baht, description).
FINISHED_PROJECTS = [
    ("ซ่อมแซมถนนและไฟส่องสว่างซอยวัดพระสิงห์", 900_000, "ปรับผิวถนน 400 เมตร และเปลี่ยนโคมไฟ LED 20 ชุด"),
    ("ลานกีฬาและเครื่องออกกำลังกายชุมชนช้างม่อย", 700_000, "ลานกีฬาอเนกประสงค์ 1 แห่ง พร้อมเครื่องออกกำลังกาย 8 ชุด"),
    ("ตลาดสีเขียวผักปลอดสารพิษ ข่วงประตูท่าแพ", 450_000, "แผงค้าและระบบจัดการขยะสำหรับตลาดนัดทุกวันอาทิตย์"),
    ("ศูนย์ดูแลผู้สูงอายุกลางวัน ชุมชนศรีภูมิ", 650_000, "ปรับปรุงอาคารและจ้างผู้ดูแล 4 คน เป็นเวลา 1 ปี"),
    ("ถังดักไขมันและบ่อบำบัดน้ำเสียครัวเรือนริมคลองแม่ข่า", 550_000, "ถังดักไขมัน 300 ครัวเรือน"),
    ("ห้องเรียนดนตรีพื้นเมืองล้านนาสำหรับเยาวชน", 250_000, "ครูภูมิปัญญา เครื่องดนตรี และการแสดงปลายปี"),
    ("ป้ายบอกทางและแผนที่ท่องเที่ยวเมืองเก่าสองภาษา", 300_000, "ป้าย 40 จุด ภาษาไทยและอังกฤษ"),
    ("จุดจอดจักรยานและจักรยานสาธารณะรอบคูเมือง", 800_000, "จุดจอด 10 แห่ง จักรยาน 60 คัน"),
]
# Paper ballots (approval, at most 3 projects) from village forums: (forum, day, {indexes: count}).
# A large group backs the roads and sports ground; smaller groups back care for the elderly,
# the canal and culture. Greedy gives the big group nearly everything; equal shares does not.
FORUMS = [
    ("ประชาคมชุมชนวัดพระสิงห์", date(2026, 5, 9), {(0, 1, 7): 120, (0, 1): 40, (0, 7): 20}),
    ("ประชาคมชุมชนศรีภูมิ", date(2026, 5, 16), {(3, 4): 70, (3,): 25, (3, 5): 15}),
    ("ประชาคมชุมชนกำแพงงาม ริมคลองแม่ข่า", date(2026, 5, 23), {(4, 2): 45, (4,): 20, (2, 6): 10}),
    ("ประชาคมชุมชนวัวลาย", date(2026, 5, 30), {(5, 6): 35, (5, 2): 15, (1,): 10}),
]
PROGRESS = {
    # index: [(days after results, status, percent, note)]
    0: [(20, ProgressStatus.IN_PROGRESS, 30, "ทำสัญญาจ้างแล้ว เริ่มปรับผิวถนนช่วงแรก 150 เมตร"),
        (75, ProgressStatus.IN_PROGRESS, 70, "ปรับผิวถนนครบ 400 เมตร กำลังติดตั้งโคมไฟ"),
        (120, ProgressStatus.COMPLETED, 100, "ติดตั้งโคมไฟครบ 20 ชุด ตรวจรับงานเรียบร้อย")],
    3: [(30, ProgressStatus.IN_PROGRESS, 40, "ปรับปรุงอาคารเสร็จ กำลังคัดเลือกผู้ดูแล"),
        (110, ProgressStatus.IN_PROGRESS, 80, "เปิดบริการแล้ว ผู้สูงอายุมาใช้บริการวันละ 25 คน")],
    4: [(45, ProgressStatus.DELAYED, 20, "ผู้รับจ้างส่งถังดักไขมันล่าช้า คาดว่าจะติดตั้งครบภายในเดือนหน้า")],
    5: [(40, ProgressStatus.IN_PROGRESS, 50, "เปิดเรียนแล้ว 2 รุ่น นักเรียน 48 คน")],
}
OPEN_FALLBACK_PROJECTS = [
    ("อบรมเครือข่ายอาสาสมัครเฝ้าระวังไฟป่า 200 หมู่บ้าน", 3_200_000),
    ("ฝายชะลอน้ำแบบมีส่วนร่วม 30 แห่ง ลุ่มน้ำแม่แตง", 4_500_000),
    ("เครื่องอัดฟางและเศษวัสดุเกษตรแทนการเผา 25 ตำบล", 5_200_000),
    ("พัฒนาผู้ประกอบการผลิตภัณฑ์ชุมชนสู่ตลาดออนไลน์ 300 ราย", 2_100_000),
]


def _existing(area, title: str):
    """The cycle an earlier load made under this title (even renamed since), FORGOTTEN if deleted, or None."""
    return recall("cycle", title, Cycle,
                  lambda: db.session.scalar(select(Cycle).where(Cycle.area_id == area.id, Cycle.title == title)))


def _finished_cycle() -> Cycle | None:
    area = get_area_by_code("3500102")
    if area is None or _existing(area, FINISHED_TITLE):
        return None
    officer = demo_user("officer@demo.ruamkhit.th")
    cycle = services.create_cycle(officer, area, services.CycleSettings(
        fiscal_year=2569, title=FINISHED_TITLE,
        description="เทศบาลนครเชียงใหม่จัดสรรงบประมาณ 3 ล้านบาทให้ประชาชนเลือกโครงการ ลงคะแนนได้ไม่เกิน 3 โครงการ "
                    "และนับผลด้วยวิธีแบ่งส่วนเท่ากัน (Method of Equal Shares) เพื่อให้ทุกกลุ่มได้โครงการตามสัดส่วน",
        total_budget=3_000_000, ballot_kind=BallotKind.APPROVAL, rule=TallyRule.MES, completion=Completion.ADD1,
        ideas_from=date(2025, 11, 1), supports_from=date(2026, 1, 15), review_from=date(2026, 3, 1),
        voting_from=date(2026, 5, 1), results_from=date(2026, 6, 1), implementation_from=date(2026, 7, 1),
        min_projects=1, max_projects=3,
    ))
    remember("cycle", FINISHED_TITLE, cycle)
    cycle.phase_override = Phase.REVIEW  # to build the ballot; cleared below
    budget = services.add_budget(officer, cycle, "ทั้งเขตเทศบาล", 3_000_000)
    for title, cost, description in FINISHED_PROJECTS:
        services.add_project(officer, budget, title, cost, description)
    db.session.refresh(budget)
    projects = budget.projects
    for forum, day, groups in FORUMS:
        total = sum(groups.values())
        batch = PaperBatch(budget_id=budget.id, forum_name=forum, forum_date=day, ballot_count=total, entered_by_id=officer.id)
        db.session.add(batch)
        db.session.flush()
        for picks, count in groups.items():
            write_paper_ballots(budget.id, batch, {projects[i].id: 1 for i in picks}, count)
    cycle.phase_override = None
    db.session.flush()
    results.compute_results(officer, cycle)
    # Back-date the publication to the first day of the results phase, as it happened.
    published = datetime(2026, 6, 1, 3, 0, tzinfo=timezone.utc)
    cycle.results_published_at = published
    for result in db.session.scalars(select(CycleResult).where(CycleResult.budget_id == budget.id)):
        result.computed_at = result.published_at = published
    for index, updates in PROGRESS.items():
        project = projects[index]
        if not project.selected:
            continue
        for days, status, percent, note in updates:
            db.session.add(ProgressUpdate(project_id=project.id, status=status, percent=percent, note=note,
                                          happened_on=date(2026, 6, 1) + timedelta(days=days), author_id=officer.id,
                                          created_at=published))
    db.session.flush()
    return cycle


def _open_cycle() -> Cycle | None:
    province = get_area_by_code("50")
    if province is None or _existing(province, OPEN_TITLE):
        return None
    official = demo_user("official@demo.ruamkhit.th")
    today = bangkok_today()
    cycle = services.create_cycle(official, province, services.CycleSettings(
        fiscal_year=2570, title=OPEN_TITLE,
        description="จังหวัดเชียงใหม่ให้ประชาชนที่ยืนยันถิ่นที่อยู่แล้วเลือกโครงการที่ผ่านการคัดเลือก "
                    "ภายในงบประมาณ 10 ล้านบาท ผลนับด้วยวิธีแบ่งส่วนเท่ากัน",
        total_budget=10_000_000, ballot_kind=BallotKind.KNAPSACK, rule=TallyRule.MES, completion=Completion.GREEDY,
        ideas_from=today - timedelta(days=90), supports_from=today - timedelta(days=60), review_from=today - timedelta(days=30),
        voting_from=today - timedelta(days=5), results_from=today + timedelta(days=20),
        implementation_from=today + timedelta(days=45),
    ))
    remember("cycle", OPEN_TITLE, cycle)
    cycle.phase_override = Phase.REVIEW  # to build the ballot; cleared below
    budget = services.add_budget(official, cycle, "ทั้งจังหวัดเชียงใหม่", 10_000_000)
    proposals = services.shortlisted_proposals(cycle)
    if len(proposals) >= 3:
        services.assign_proposals(official, cycle, {p.id: budget.id for p in proposals})
    else:
        for title, cost in OPEN_FALLBACK_PROJECTS:
            services.add_project(official, budget, title, cost)
    cycle.phase_override = None
    db.session.flush()
    return cycle


def load() -> list[Cycle]:
    ctx = nullcontext() if has_request_context() else current_app.test_request_context("/")
    with ctx:
        made = [c for c in (_finished_cycle(), _open_cycle()) if c is not None]
        db.session.flush()
    return made
