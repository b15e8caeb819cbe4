#!/usr/bin/env python
"""Benchmark: build the open-data files with a million ideas (issue 15.5: under 60 s and 300 MB).

1. Makes a database (SQLite file by default, kept in --workdir for --reuse; or --database-url, e.g.
   postgresql+psycopg://postgres@127.0.0.1:5432/ruamkhit_bench_opendata, dropped and created), runs
   the migrations and loads the area registry.
2. Fills it with --ideas ideas (default 1,000,000) spread over the 77 provinces and 400 local
   governments (Bangkok 10 %, Chiang Mai 5 %), 3 years of dates, 60 % answered within 0-60 days,
   0.2 % hidden and 0.2 % waiting for review (neither is published), Thai titles and descriptions
   of 150-400 characters; plus --supports supports and --comments comments (for bench/statistics.py).
3. Runs the build (app.opendata.build.build, what `flask --app wsgi opendata build` runs) in a fresh
   child process and prints its seconds, its maximum resident set (getrusage of the child), the
   rows and packages written and the size of the output.

Usage: .venv/bin/python bench/opendata.py [--ideas 1000000] [--reuse] [--database-url URL]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Python puts this script's folder first on the path, where bench/statistics.py would shadow the
# standard library's statistics module: the project root takes its place.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

CATEGORIES = ["infrastructure", "water", "environment", "health", "education", "safety", "economy_jobs",
              "culture_tourism", "social_welfare", "other"]
STATUSES = ["under_review", "accepted", "not_possible", "already_done", "referred"]
ACTIONS = ["ซ่อม", "ติดตั้ง", "ปรับปรุง", "ขยาย", "สร้าง", "ขุดลอก", "เพิ่ม", "ทำความสะอาด", "ดูแล", "เปลี่ยน"]
SUBJECTS = ["ถนน", "ทางเท้า", "ไฟส่องสว่าง", "ท่อระบายน้ำ", "สะพาน", "ลานกีฬา", "สวนสาธารณะ", "ตลาด", "ศาลาประชาคม",
            "ประปาหมู่บ้าน", "คลอง", "ถังขยะ", "กล้องวงจรปิด", "ทางม้าลาย", "ศูนย์พัฒนาเด็กเล็ก", "ฝายชะลอน้ำ"]
PLACES = ["หน้าวัด", "หน้าโรงเรียน", "ในหมู่บ้าน", "ริมคลอง", "ใกล้ตลาด", "ซอยสาม", "หลังโรงพยาบาล", "ทางเข้าชุมชน"]
REASONS = ["ชาวบ้านเดือดร้อนมานาน", "เด็กนักเรียนใช้เส้นทางนี้ทุกวัน", "ผู้สูงอายุในชุมชนมีจำนวนมาก", "หน้าฝนสัญจรไม่ได้",
           "เคยแจ้งผู้ใหญ่บ้านแล้วแต่ยังไม่ได้รับการแก้ไข", "ประชาคมหมู่บ้านเห็นด้วย", "ช่วยให้ชุมชนปลอดภัยมากขึ้น"]
ANSWERS = ["ได้รับเรื่องแล้ว กำลังประสานหน่วยงานที่เกี่ยวข้อง", "บรรจุในแผนพัฒนาท้องถิ่นปีงบประมาณถัดไป",
           "อยู่นอกอำนาจหน้าที่ ส่งต่อหน่วยงานที่รับผิดชอบแล้ว", "ดำเนินการแล้วเสร็จเมื่อเดือนที่ผ่านมา"]


def make_app(url: str, workdir: Path, **extra):
    from app import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(workdir / "uploads"),
                      OUTBOX_DIR=str(workdir / "outbox"), OPENDATA_DIR=str(workdir / "opendata"), **extra)


def prepare(url: str, workdir: Path) -> None:
    if url.startswith("postgresql"):
        import psycopg

        dbname = url.rsplit("/", 1)[1]
        base = url.split("+psycopg")[0] + url.split("+psycopg")[1].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{dbname}"')
    else:
        db_file = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
    from flask_migrate import upgrade

    from app.areas.services import load_registry
    from app.extensions import db

    app = make_app(url, workdir)
    with app.app_context():
        upgrade()
        load_registry()
        db.session.commit()


def upgrade_schema(url: str, workdir: Path) -> None:
    from flask_migrate import upgrade

    with make_app(url, workdir).app_context():
        upgrade()


def _ts(value: datetime | None, pg: bool) -> str | None:
    if value is None:
        return None
    return value.isoformat() if pg else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def fill(url: str, workdir: Path, n_ideas: int, n_supports: int, n_comments: int, seed: int = 5) -> None:
    """Write the rows straight with COPY (PostgreSQL) or executemany (SQLite): the ORM would take an hour."""
    from sqlalchemy import text

    from app.extensions import db

    rng = random.Random(seed)
    pg = url.startswith("postgresql")
    app = make_app(url, workdir)
    started = time.perf_counter()
    with app.app_context():
        conn = db.engine.raw_connection()
        cur = conn.cursor()
        if pg:
            cur.execute("SET synchronous_commit = off")
        else:
            # The app's SQLite connections leave transactions to SQLAlchemy (isolation_level None): without
            # an explicit BEGIN every row would be its own transaction, and its own fsync.
            cur.execute("PRAGMA synchronous = OFF")
        provinces = {code: id_ for id_, code in db.session.execute(text("SELECT id, code FROM areas WHERE kind = 'province'"))}
        lgs = [r[0] for r in db.session.execute(text("SELECT id FROM areas WHERE kind = 'local_government' ORDER BY id"))]
        subs: dict[str, list[str]] = {}
        for code, province in db.session.execute(text("SELECT code, province_code FROM subdistricts")):
            subs.setdefault(province, []).append(code)
        area_province = {id_: code for code, id_ in provinces.items()}
        for id_, pc in db.session.execute(text("SELECT id, province_code FROM areas WHERE kind = 'local_government'")):
            area_province[id_] = pc
        db.session.remove()
        now = datetime.now(timezone.utc)
        n_users = 20_000
        users = [(f"bench{i}@bench.invalid", "!", f"ผู้ทดสอบ {i}", rng.choice(list(provinces)), _ts(now, pg), _ts(now, pg))
                 for i in range(n_users)]
        placeholder = "%s" if pg else "?"
        if not pg:
            cur.execute("BEGIN")
        cur.executemany("INSERT INTO users (email, password_hash, display_name, province_code, created_at, consent_at) "
                        f"VALUES ({', '.join([placeholder] * 6)})", users)
        cur.execute("SELECT id FROM users WHERE email LIKE 'bench%@bench.invalid'")
        author_ids = [r[0] for r in cur.fetchall()]
        conn.commit()
        if not pg:
            cur.execute("BEGIN")
        big = {"10": 0.10, "50": 0.05}
        areas = [provinces[c] for c in big] + [provinces[c] for c in provinces if c not in big] + rng.sample(lgs, 400)
        weights = list(big.values()) + [0.55 / 75] * 75 + [0.30 / 400] * 400
        choices = rng.choices(areas, weights=weights, k=n_ideas)
        start = now - timedelta(days=3 * 365)
        step = (now - start) / n_ideas
        cols = ("id", "area_id", "author_id", "title", "description", "category", "subdistrict_code", "status",
                "status_changed_at", "first_answered_at", "answer", "hidden_at", "pending_review", "support_count",
                "comment_count", "created_at", "updated_at")
        batch = 50_000
        copy = cur.copy(f"COPY ideas ({', '.join(cols)}) FROM STDIN") if pg else None
        writer = copy.__enter__() if copy else None
        for base in range(0, n_ideas, batch):
            rows = []
            for i in range(base, min(n_ideas, base + batch)):
                area_id = choices[i]
                created = start + step * i
                answered = created + timedelta(days=rng.uniform(0, 60)) if rng.random() < 0.6 else None
                if answered is not None and answered > now:
                    answered = None
                title = f"{rng.choice(ACTIONS)}{rng.choice(SUBJECTS)}{rng.choice(PLACES)} {i % 997}"
                description = " ".join(rng.sample(REASONS, rng.randint(3, 6)))
                sub_list = subs.get(area_province[area_id]) or [None]
                rows.append((
                    i + 1, area_id, rng.choice(author_ids), title, description, rng.choice(CATEGORIES),
                    rng.choice(sub_list) if rng.random() < 0.7 else None,
                    rng.choice(STATUSES) if answered else "received", _ts(answered, pg), _ts(answered, pg),
                    rng.choice(ANSWERS) if answered else None, _ts(created + timedelta(days=1), pg) if rng.random() < 0.002 else None,
                    rng.random() < 0.002, int(rng.paretovariate(1.3)) - 1, 0, _ts(created, pg), _ts(answered or created, pg),
                ))
            if pg:
                for row in rows:
                    writer.write_row(row)
            else:
                cur.executemany(f"INSERT INTO ideas ({', '.join(cols)}) VALUES ({', '.join(['?'] * len(cols))})", rows)
            done = min(n_ideas, base + batch)
            if done % 200_000 == 0 or done == n_ideas:
                print(f"  ideas {done:,}/{n_ideas:,} ({time.perf_counter() - started:.0f} s)", flush=True)
        if copy:
            copy.__exit__(None, None, None)
        conn.commit()
        if not pg:
            cur.execute("BEGIN")
        pairs = set()
        while len(pairs) < n_supports:
            pairs.add((rng.randint(1, n_ideas), rng.choice(author_ids)))
        rows = [(idea, user, _ts(now - timedelta(days=rng.uniform(0, 3 * 365)), pg)) for idea, user in pairs]
        cur.executemany(f"INSERT INTO supports (idea_id, user_id, created_at) VALUES ({', '.join([placeholder] * 3)})", rows)
        rows = [(rng.randint(1, n_ideas), rng.choice(author_ids), "เห็นด้วยครับ", _ts(now - timedelta(days=rng.uniform(0, 3 * 365)), pg), False)
                for _ in range(n_comments)]
        cur.executemany("INSERT INTO comments (idea_id, author_id, body, created_at, pending_review) "
                        f"VALUES ({', '.join([placeholder] * 5)})", rows)
        if pg:
            cur.execute("SELECT setval('ideas_id_seq', (SELECT max(id) FROM ideas))")
        conn.commit()
        conn.close()
        if pg:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as auto:
                for table in ("ideas", "supports", "comments", "users"):
                    auto.execute(text(f"VACUUM (ANALYZE) {table}"))
        else:
            with db.engine.begin() as c:
                c.execute(text("ANALYZE"))
    print(f"  filled {n_ideas:,} ideas, {n_supports:,} supports, {n_comments:,} comments in {time.perf_counter() - started:.0f} s", flush=True)


def count_ideas(url: str, workdir: Path) -> int:
    from sqlalchemy import text

    from app.extensions import db

    try:
        with make_app(url, workdir).app_context():
            return db.session.scalar(text("SELECT count(*) FROM ideas")) or 0
    except Exception:  # noqa: BLE001 - no database yet
        return -1


def child_build(url: str, workdir: Path) -> None:
    """Runs in the measured child process: the build exactly as the CLI runs it."""
    from app.opendata.build import build

    with make_app(url, workdir).app_context():
        report = build()
    size = sum(p.stat().st_size for p in report.folder.rglob("*") if p.is_file())
    files = sum(1 for p in report.folder.rglob("*") if p.is_file())
    print(json.dumps({"seconds": report.seconds, "rows": report.rows, "scopes": report.scopes, "bytes": size, "files": files}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--supports", type=int, default=300_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "ruamkhit-bench-opendata"))
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds --ideas ideas")
    parser.add_argument("--child-build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    if args.child_build:
        child_build(url, workdir)
        return
    print(f"== {url.split('://')[0]} with {args.ideas:,} ideas", flush=True)
    if args.reuse and count_ideas(url, workdir) == args.ideas:
        print("  reusing the filled database (migrated to the current schema)", flush=True)
        upgrade_schema(url, workdir)
    else:
        step = time.perf_counter()
        prepare(url, workdir)
        print(f"  schema and area registry: {time.perf_counter() - step:.0f} s", flush=True)
        fill(url, workdir, args.ideas, args.supports, args.comments)
    cmd = [sys.executable, __file__, "--child-build", "--workdir", str(workdir), "--database-url", url]
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    wall = time.perf_counter() - started
    if out.returncode:
        sys.stderr.write(out.stdout + out.stderr)
        raise SystemExit("the build failed")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    max_rss_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    load = os.getloadavg()[0]
    print(f"  build: {result['seconds']:.1f} s (process wall {wall:.1f} s, start-up included), "
          f"CPU {cpu:.1f} s of the child, max resident set {max_rss_mb:.0f} MB; load average {load:.1f} "
          f"on {os.cpu_count()} cores (a busy machine stretches the wall time, not the CPU time)", flush=True)
    print(f"  rows: " + ", ".join(f"{k} {v:,}" for k, v in result["rows"].items()), flush=True)
    print(f"  {result['scopes']:,} packages, {result['files']:,} files, {result['bytes'] / 1e6:.0f} MB written", flush=True)
    verdict = "PASS" if result["seconds"] < 60 and max_rss_mb < 300 else "FAIL"
    print(f"  target under 60 s and 300 MB: {verdict}", flush=True)


if __name__ == "__main__":
    main()
