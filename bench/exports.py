#!/usr/bin/env python
"""Benchmark: the ผ.02 exports (Excel and CSV) of 10,000 proposals on PostgreSQL.

    .venv/bin/python bench/exports.py [--proposals 10000] [--small 1000] [--repeat 3] [--reuse]

1. Creates its own database (ruamkhit_bench_exports on the local PostgreSQL,
   dropped and recreated unless --reuse finds it filled), runs the migrations
   and loads the area registry.
2. Makes a five-year development plan for เทศบาลนครเชียงใหม่ (4 strategies,
   12 tactics, 24 programmes) with --proposals shortlisted proposals, and one
   for เทศบาลตำบลสุเทพ with --small proposals, each with Thai text of
   realistic length and a budget for each of the five years.
3. Times what the download routes do (the database query, grouping, totals
   and writing the file) for both plans: wall-clock and CPU seconds, the best
   of --repeat runs, without tracemalloc (which slows Python down).
4. Measures peak memory in separate runs with tracemalloc (Python
   allocations during one export), so the two sizes can be compared: the
   CSV streams, so its peak must not grow with the number of rows.
5. Checks the 10,000-proposal workbook with openpyxl: every proposal is
   there and the grand total equals the sum in the database.

Set BENCH_PG to point at another server (default postgresql+psycopg://postgres@127.0.0.1:5432).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DB_NAME = "ruamkhit_bench_exports"
YEARS = [2566, 2567, 2568, 2569, 2570]

OBJECTIVES = ["เพื่อให้ประชาชนสัญจรไปมาได้สะดวกและปลอดภัย", "เพื่อแก้ไขปัญหาน้ำท่วมขังในฤดูฝน",
              "เพื่อส่งเสริมสุขภาพของผู้สูงอายุในชุมชน", "เพื่อลดปริมาณขยะและส่งเสริมการคัดแยกขยะต้นทาง",
              "เพื่อเพิ่มพื้นที่สีเขียวและลดฝุ่นละออง PM2.5"]
TARGETS = ["ถนนคอนกรีตเสริมเหล็ก กว้าง 5 เมตร ยาว 250 เมตร หนา 0.15 เมตร", "รางระบายน้ำ คสล. ยาว 320 เมตร พร้อมบ่อพัก",
           "ผู้สูงอายุเข้าร่วมโครงการ 300 คน", "ครัวเรือนเข้าร่วมคัดแยกขยะ 1,200 ครัวเรือน", "ปลูกต้นไม้ 2,000 ต้น"]
KINDS = ["ก่อสร้างถนน คสล.", "ปรับปรุงรางระบายน้ำ", "ส่งเสริมสุขภาพผู้สูงอายุ", "ธนาคารขยะชุมชน", "สวนสาธารณะชุมชน"]
PLACES = ["ชุมชนวัดเกต", "ชุมชนช้างม่อย", "ชุมชนป่าพร้าวนอก", "ชุมชนหนองประทีป", "ชุมชนศรีปิงเมือง", "ชุมชนทิพย์เนตร"]


def log(message: str = "") -> None:
    print(message, flush=True)


def database_url() -> str:
    return f"{PG}/{DB_NAME}"


def recreate_database() -> None:
    import psycopg

    dsn = PG.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                     (DB_NAME,))
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def flask_cli(*args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(), "RUAMKHIT_ENV": "development", "PYTHONWARNINGS": "ignore"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def make_app():
    from app import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=database_url(), RATELIMIT_ENABLED=False)


def build_plan(official, area, n_proposals: int, seed: int):
    """A 4 × 3 × 2 development plan and n shortlisted proposals spread over its programmes and tactics."""
    from sqlalchemy import insert

    from app.core.timeutil import utcnow
    from app.extensions import db
    from app.plans import services as plans
    from app.proposals.models import Proposal, ProposalBudgetYear, ProposalState

    plan = plans.create_plan(official, area, YEARS[0])
    targets = []
    for s in range(1, 5):
        strategy = plans.add_item(official, plan, None, f"ยุทธศาสตร์การพัฒนาด้านที่ {s}")
        for t in range(1, 4):
            tactic = plans.add_item(official, plan, strategy, f"กลยุทธ์ที่ {s}.{t} พัฒนาและบำรุงรักษา")
            targets.append(tactic)
            for p in range(1, 3):
                targets.append(plans.add_item(official, plan, tactic, f"แผนงานที่ {s}.{t}.{p}"))
    rng = random.Random(seed)
    now = utcnow()
    batch = 2000
    for start in range(0, n_proposals, batch):
        rows = []
        for i in range(start, min(start + batch, n_proposals)):
            k = rng.randrange(len(KINDS))
            rows.append({
                "area_id": area.id, "title": f"{KINDS[k]} {PLACES[i % len(PLACES)]} ระยะที่ {i + 1}",
                "objective": OBJECTIVES[k], "target_output": TARGETS[k], "location_text": PLACES[i % len(PLACES)],
                "estimated_cost": rng.randrange(50_000, 5_000_000, 1_000), "revised_cost": None,
                "responsible_unit": "กองช่าง" if k < 2 else "กองสาธารณสุขและสิ่งแวดล้อม",
                "kpi": "ร้อยละ 80 ของผู้ได้รับประโยชน์พึงพอใจ", "expected_result": "ประชาชนมีคุณภาพชีวิตที่ดีขึ้น",
                "fiscal_year": rng.choice(YEARS), "plan_item_id": rng.choice(targets).id,
                "state": ProposalState.SHORTLISTED, "state_changed_at": now, "created_at": now, "updated_at": now,
            })
        ids = db.session.scalars(insert(Proposal).returning(Proposal.id), rows).all()
        budget_rows = [{"proposal_id": pid, "fiscal_year": year, "amount": rng.randrange(0, 2_000_000, 1_000)}
                       for pid in ids for year in YEARS]
        db.session.execute(insert(ProposalBudgetYear), budget_rows)
    db.session.flush()
    return plan


def prepare(app, n_large: int, n_small: int, reuse: bool) -> tuple[int, int]:
    from sqlalchemy import func, select, text

    from app.accounts import services as accounts
    from app.accounts.models import Role
    from app.areas.services import get_area_by_code
    from app.extensions import db
    from app.plans.models import Plan
    from app.proposals.models import Proposal

    with app.app_context():
        if reuse:
            plans = {p.area.code: p for p in db.session.scalars(select(Plan))}
            counts = dict(db.session.execute(select(Proposal.area_id, func.count()).group_by(Proposal.area_id)).all())
            if {"3500102", "5500107"} <= plans.keys() and counts.get(plans["3500102"].area_id) == n_large \
                    and counts.get(plans["5500107"].area_id) == n_small:
                return plans["3500102"].id, plans["5500107"].id
            raise SystemExit("--reuse: the database does not hold the same data set; run without --reuse")
        official = accounts.create_user("bench-official@example.com", "bench-password-1", "Bench official", "50",
                                        consent=True, email_verified=True)
        accounts.assign_role(None, official, Role.PROVINCIAL_OFFICIAL, get_area_by_code("50"))
        large = build_plan(official, get_area_by_code("3500102"), n_large, seed=1)
        small = build_plan(official, get_area_by_code("5500107"), n_small, seed=2)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return large.id, small.id


def export_xlsx(plan_id: int) -> int:
    from app.exports import p02, services
    from app.extensions import db
    from app.plans.models import Plan

    plan = db.session.get(Plan, plan_id)
    out = io.BytesIO()
    p02.write_xlsx(services.export_meta(plan, "shortlisted"), services.export_rows(plan, services.STATE_FILTERS["shortlisted"]), out)
    return len(out.getvalue())


def export_csv(plan_id: int) -> int:
    from app.exports import p02, services
    from app.extensions import db
    from app.plans.models import Plan

    plan = db.session.get(Plan, plan_id)
    size = 0
    for chunk in p02.csv_chunks(services.export_meta(plan, "shortlisted"),
                                services.export_rows(plan, services.STATE_FILTERS["shortlisted"])):
        size += len(chunk)  # what a streamed response sends, chunk by chunk
    return size


def timed(app, fn, plan_id: int, repeat: int) -> tuple[float, float, int]:
    from app.extensions import db

    best_wall = best_cpu = float("inf")
    size = 0
    for _ in range(repeat):
        with app.test_request_context():
            db.session.expire_all()
            wall, cpu = time.perf_counter(), time.process_time()
            size = fn(plan_id)
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
            db.session.remove()
    return best_wall, best_cpu, size


def peak_memory(app, fn, plan_id: int) -> int:
    from app.extensions import db

    with app.test_request_context():
        db.session.get  # noqa: B018 (the session exists before measuring)
        tracemalloc.start()
        tracemalloc.reset_peak()
        fn(plan_id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.session.remove()
    return peak


def through_the_app(app, plan_id: int) -> tuple[float, float]:
    client = app.test_client()
    wall = time.perf_counter()
    xlsx = client.get(f"/plans/{plan_id}/export.xlsx")
    xlsx_s = time.perf_counter() - wall
    assert xlsx.status_code == 200, xlsx.status_code
    wall = time.perf_counter()
    response = client.get(f"/plans/{plan_id}/export.csv")
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    assert size > 0
    return xlsx_s, time.perf_counter() - wall


def check_workbook(app, plan_id: int, expected: int) -> None:
    from openpyxl import load_workbook
    from sqlalchemy import func, select

    from app.exports import p02, services
    from app.extensions import db
    from app.plans.models import Plan, PlanItem
    from app.proposals.models import Proposal, ProposalBudgetYear

    with app.test_request_context():
        plan = db.session.get(Plan, plan_id)
        out = io.BytesIO()
        written = p02.write_xlsx(services.export_meta(plan, "shortlisted"),
                                 services.export_rows(plan, services.STATE_FILTERS["shortlisted"]), out)
        total = db.session.scalar(
            select(func.sum(ProposalBudgetYear.amount)).join(Proposal).join(PlanItem, PlanItem.id == Proposal.plan_item_id)
            .where(PlanItem.plan_id == plan.id))
        db.session.remove()
    out.seek(0)
    ws = load_workbook(out, read_only=True).worksheets[0]
    last = None
    for last in ws.iter_rows(values_only=True):
        pass
    grand = sum(v for v in last[4:9] if v)
    status = "ok" if written == expected and grand == int(total) else "MISMATCH"
    log(f"check: {written:,} proposals in the workbook, grand total {grand:,} baht = database {int(total):,} baht: {status}")
    if status != "ok":
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="reuse a database filled by an earlier run")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = database_url()
    started = time.perf_counter()
    if not args.reuse:
        log(f"preparing {DB_NAME}: migrations, area registry, plans and {args.proposals + args.small:,} proposals ...")
        recreate_database()
        flask_cli("db", "upgrade")
        flask_cli("areas", "load")
    app = make_app()
    large, small = prepare(app, args.proposals, args.small, args.reuse)
    log(f"ready in {time.perf_counter() - started:.1f} s (not timed below)")
    log()

    log(f"{'export':<8}{'proposals':>10}{'wall s':>9}{'CPU s':>8}{'size':>12}{'peak MiB':>10}")
    results = {}
    for name, fn in (("Excel", export_xlsx), ("CSV", export_csv)):
        for plan_id, n in ((small, args.small), (large, args.proposals)):
            wall, cpu, size = timed(app, fn, plan_id, args.repeat)
            peak = peak_memory(app, fn, plan_id)
            results[(name, n)] = (wall, cpu, peak)
            log(f"{name:<8}{n:>10,}{wall:>9.2f}{cpu:>8.2f}{size / 1024:>9,.0f} KiB{peak / 2**20:>10.1f}")
    log()
    xlsx_s, csv_s = through_the_app(app, large)
    log(f"through the app (test client, {args.proposals:,} proposals): Excel download {xlsx_s:.2f} s, CSV download {csv_s:.2f} s")
    check_workbook(app, large, args.proposals)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"process peak RSS (whole run, incl. set-up): {rss:,.0f} MiB")
    log()
    excel = results[("Excel", args.proposals)]
    csv_small, csv_large = results[("CSV", args.small)][2], results[("CSV", args.proposals)][2]
    log(f"goal: Excel for {args.proposals:,} proposals under 3 s: {excel[0]:.2f} s wall, {excel[1]:.2f} s CPU "
        f"-> {'met' if excel[0] < 3 else 'NOT met'}")
    log(f"goal: CSV memory flat: peak {csv_small / 2**20:.1f} MiB at {args.small:,} rows, "
        f"{csv_large / 2**20:.1f} MiB at {args.proposals:,} rows (x{csv_large / max(csv_small, 1):.2f} for x{args.proposals / args.small:.0f} rows)")
    try:
        load = os.getloadavg()[0]
        log(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} while running")
    except OSError:
        pass


if __name__ == "__main__":
    main()
