#!/usr/bin/env python
"""Benchmark: an area's idea list and the Thai-aware search at a million ideas.

What it does, in one run (see issue 3, "Speed"):

1. Creates its own PostgreSQL database (default ruamkhit_bench_ideas; dropped
   and recreated unless --reuse finds it already filled), runs the
   migrations and loads the area registry.
2. Fills it with N ideas (default 1,000,000) over all 77 provinces and a
   sample of 400 local governments; Bangkok (10) and Chiang Mai (50) get the
   most, 100,000 and 50,000, so that their lists are the hard cases. Thai
   text comes from a phrase generator (each phrase segmented once with
   PyThaiNLP newmm, so the search index holds exactly what
   app.ideas.search.tokenize would produce); 5 % of ideas are in English.
   Rows are written with COPY, indexes and foreign keys are built after the
   load, then VACUUM ANALYZE. Before measuring, the tables and indexes are
   read into the OS page cache (pg_prewarm), as a running server has them.
3. Starts gunicorn (--workers, default 2, sync) on --port (default 5204)
   with the real app against that database, and a bare Flask "hello" app
   with the same settings on port+1 as the ceiling. The app runs as in
   production: with REDIS_URL set (default redis://127.0.0.1:6379/14,
   flushed first) so the workers share the page cache and rate-limit store.
4. Loads each case for --seconds with wrk (a C load generator; install it
   with `apt-get install wrk`; --client python uses Python threads
   instead): the list of a province, page 1 and a deep page (keyset cursor
   at --deep-offset), for each sort; the search page for 3 Thai queries
   and 1 English query (all areas) and one area search. Every list case
   is measured twice: as served to readers who are not signed in (the page
   cache on, PAGE_CACHE_SECONDS=30, so after the first request the page
   comes from the cache) and rendered afresh on every request (the cache
   off, as signed-in readers always get it). It prints p50/p95 latency,
   requests per second and the ratio to the ceiling.

Usage: .venv/bin/python bench/ideas.py [--ideas 1000000] [--reuse] [--workers 2] [--client wrk|python]
The load generator runs on the same machine, so absolute figures include its cost.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG = "postgres@127.0.0.1:5432"


# --- the two apps gunicorn serves -------------------------------------------------

def make_app():
    """The real application on the bench database (rate limits off: one client sends everything).

    The Thai dictionary is loaded before requests, as gunicorn.conf.py's post_worker_init does in production.
    """
    from app import create_app
    from app.ideas.search import warm_up

    warm_up()
    return create_app(
        "development", SQLALCHEMY_DATABASE_URI=os.environ["BENCH_DATABASE_URL"], RATELIMIT_ENABLED=False,
    )


def make_hello():
    """The ceiling: a bare Flask app answering "hello"."""
    from flask import Flask

    hello = Flask("hello")

    @hello.get("/hello")
    def say_hello():
        return "hello"

    return hello


# --- text generator -------------------------------------------------------------------

ACTIONS = ["ซ่อม", "ติดตั้ง", "ปรับปรุง", "ขยาย", "สร้าง", "ขุดลอก", "เพิ่ม", "ทำความสะอาด", "ดูแล", "ตรวจสอบ",
           "ปลูก", "ย้าย", "ทาสี", "เปลี่ยน", "จัดระเบียบ"]
SUBJECTS = ["ถนน", "ทางเท้า", "ไฟส่องสว่าง", "ไฟฟ้าส่องสว่าง", "ท่อระบายน้ำ", "สะพาน", "ลานกีฬา", "สวนสาธารณะ",
            "ตลาด", "โรงเรียน", "ศาลาประชาคม", "ป้ายรถเมล์", "ห้องน้ำสาธารณะ", "ประปาหมู่บ้าน", "คลอง",
            "ลำเหมือง", "ถังขยะ", "กล้องวงจรปิด", "ทางม้าลาย", "ศูนย์พัฒนาเด็กเล็ก", "ห้องสมุด", "สถานีอนามัย",
            "ลานจอดรถ", "ฝายชะลอน้ำ", "แนวกันไฟ", "ถนนลูกรัง", "สัญญาณไฟจราจร", "ต้นไม้ริมทาง", "เครื่องออกกำลังกาย",
            "จุดเติมน้ำดื่ม", "ระบบกรองน้ำ", "หอกระจายข่าว", "สนามเด็กเล่น", "ลานจอดรถจักรยาน", "ทางลาดสำหรับรถเข็น"]
PROBLEMS = ["ชำรุดมาก", "เป็นหลุมเป็นบ่อ", "น้ำท่วมขังทุกปี", "มืดมากตอนกลางคืน", "ไม่ปลอดภัยสำหรับเด็ก",
            "ผู้สูงอายุใช้งานลำบาก", "มีกลิ่นเหม็น", "ขยะล้นทุกวัน", "รถติดช่วงเช้า", "ฝุ่นควันมาก", "ไม่มีร่มเงา",
            "น้ำประปาไหลอ่อน", "ใช้งานไม่ได้มานาน", "คับแคบเกินไป", "เกิดอุบัติเหตุบ่อย", "ไม่มีป้ายบอกทาง",
            "น้ำขุ่นในหน้าฝน", "หญ้าขึ้นรก", "ท่ออุดตัน", "ไฟดับบ่อย"]
REASONS = ["ชาวบ้านเดือดร้อนมานาน", "เด็กนักเรียนใช้เส้นทางนี้ทุกวัน", "ผู้สูงอายุในชุมชนมีจำนวนมาก",
           "นักท่องเที่ยวผ่านเส้นทางนี้เป็นประจำ", "เกษตรกรต้องใช้ขนผลผลิต", "หน้าฝนสัญจรไม่ได้",
           "เคยแจ้งผู้ใหญ่บ้านแล้วแต่ยังไม่ได้รับการแก้ไข", "ประชาคมหมู่บ้านเห็นด้วย", "ช่วยลดค่าใช้จ่ายของครัวเรือน",
           "ช่วยให้ชุมชนปลอดภัยมากขึ้น", "ผู้พิการใช้งานได้สะดวก", "ลดปัญหาหมอกควันในหน้าแล้ง"]
PREFIXES = ["บ้าน", "ชุมชน", "ซอย", "หมู่บ้าน", "วัด", "ตลาด", "ถนน", "ห้วย"]
SYLLABLES = ["ป่า", "ดอน", "หนอง", "ทุ่ง", "สัน", "แม่", "โป่ง", "ต้น", "ยาง", "ขาม", "แดง", "ใหม่", "หลวง", "เหนือ",
             "ใต้", "กลาง", "ทอง", "ดอก", "คำ", "เงิน", "นา", "ไร่", "เปา", "ริน", "แก้ว", "ผึ้ง", "จำปา", "มะขาม",
             "เวียง", "กาด", "ปง", "หาร", "ตาล", "ขัว", "เด่น", "ศรี", "สุข", "บุญ", "สว่าง", "เจริญ"]
EN_ACTIONS = ["Repair", "Install", "Improve", "Widen", "Build", "Clean", "Add more", "Replace"]
EN_SUBJECTS = ["the road", "street lights", "the footpath", "the drains", "the bridge", "the playground",
               "the market", "bus stops", "public toilets", "the canal", "rubbish bins", "CCTV cameras",
               "pedestrian crossings", "the library", "bicycle lanes", "water fountains"]
EN_PLACES = ["near the school", "in the old town", "by the temple", "on the main road", "near the market",
             "in our village", "behind the hospital", "along the river"]
EN_REASONS = ["It is dangerous at night.", "Children walk here every day.", "The elderly cannot use it.",
              "It floods every rainy season.", "Tourists get lost here.", "It has been broken for months."]
ANSWERS = ["ได้รับเรื่องแล้ว กำลังประสานหน่วยงานที่เกี่ยวข้อง", "บรรจุในแผนพัฒนาท้องถิ่นปีงบประมาณถัดไป",
           "อยู่นอกอำนาจหน้าที่ ส่งต่อหน่วยงานที่รับผิดชอบแล้ว", "ดำเนินการแล้วเสร็จเมื่อเดือนที่ผ่านมา"]
CATEGORIES = ["infrastructure", "water", "environment", "health", "education", "safety", "economy_jobs",
              "culture_tourism", "social_welfare", "other"]
STATUSES = ["received"] * 12 + ["under_review"] * 3 + ["accepted", "merged", "referred", "not_possible", "already_done"]


def _tokenize_all(phrases: list[str]) -> list[list[str]]:
    from app.ideas.search import tokenize

    return [tokenize(p) for p in phrases]


def build_phrases(rng: random.Random, n_places: int, n_titles: int, n_sentences: int):
    # Words from PyThaiNLP's dictionary give the vocabulary a realistic size (tens of thousands of words).
    from pythainlp.corpus import thai_words

    dictionary = sorted(w for w in thai_words() if " " not in w and 2 <= len(w) <= 12)
    places = list({rng.choice(PREFIXES) + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(n_places * 2)})[:n_places]
    titles = [rng.choice(ACTIONS) + rng.choice(SUBJECTS) + rng.choice(places) for _ in range(n_titles)]
    sentences = []
    for _ in range(n_sentences):
        kind = rng.random()
        if kind < 0.45:
            sentences.append(rng.choice(SUBJECTS) + rng.choice(places) + rng.choice(PROBLEMS))
        elif kind < 0.7:
            sentences.append(rng.choice(REASONS))
        elif kind < 0.9:
            sentences.append("ขอให้" + rng.choice(ACTIONS) + rng.choice(SUBJECTS) + "โดยเร็ว")
        else:
            sentences.append(f"หมู่ {rng.randint(1, 20)} " + rng.choice(places))
        if rng.random() < 0.5:
            sentences[-1] += " " + rng.choice(["เรื่อง", "เช่น", "คือ", "ด้วย", "ใกล้"]) + rng.choice(dictionary)
    en_titles = [f"{a} {s} {p}" for a in EN_ACTIONS for s in EN_SUBJECTS for p in EN_PLACES]
    return titles, sentences, en_titles


def segment_phrases(phrases: list[str]) -> dict[str, list[str]]:
    """Segment each distinct phrase once (two processes)."""
    from multiprocessing import get_context

    unique = sorted(set(phrases))
    chunks = [unique[i::2] for i in range(2)]
    with get_context("fork").Pool(2) as pool:
        results = pool.map(_tokenize_all, chunks)
    out: dict[str, list[str]] = {}
    for chunk, tokens in zip(chunks, results):
        out.update(zip(chunk, tokens))
    return out


def _esc(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- database ---------------------------------------------------------------------------

def run(cmd: list[str], env: dict, quiet: bool = True) -> None:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=quiet, text=True)
    if result.returncode:
        sys.stderr.write((result.stdout or "") + (result.stderr or ""))
        raise SystemExit(f"failed: {' '.join(cmd)}")


def connect(dbname: str, autocommit: bool = False):
    import psycopg

    return psycopg.connect(f"postgresql://{PG}/{dbname}", autocommit=autocommit)


def prepare_database(dbname: str, env: dict) -> None:
    with connect("postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
    step = time.perf_counter()
    run(flask + ["db", "upgrade"], env)
    run(flask + ["areas", "load"], env)
    print(f"  schema and area registry: {time.perf_counter() - step:.0f} s", flush=True)


def existing_count(dbname: str) -> int:
    try:
        with connect(dbname) as conn:
            return conn.execute("SELECT count(*) FROM ideas").fetchone()[0]
    except Exception:
        return -1


def fill(dbname: str, n_ideas: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    t0 = time.perf_counter()
    titles, sentences, en_titles = build_phrases(rng, 4000, 30000, 80000)
    tokens = segment_phrases(titles + sentences + en_titles + EN_REASONS)
    print(f"  segmented {len(tokens):,} distinct phrases with newmm: {time.perf_counter() - t0:.0f} s", flush=True)

    conn = connect(dbname)
    cur = conn.cursor()
    cur.execute("SET synchronous_commit = off")
    provinces = dict(cur.execute("SELECT code, id FROM areas WHERE kind = 'province'").fetchall())
    lgs = cur.execute("SELECT id, province_code, district_code FROM areas WHERE kind = 'local_government' ORDER BY id").fetchall()
    lg_sample = rng.sample(lgs, 400)
    subs_by_province: dict[str, list[str]] = {}
    subs_by_district: dict[str, list[str]] = {}
    for code, province_code, district_code in cur.execute("SELECT code, province_code, district_code FROM subdistricts"):
        subs_by_province.setdefault(province_code, []).append(code)
        subs_by_district.setdefault(district_code, []).append(code)

    # Areas and their share: Bangkok 10 %, Chiang Mai 5 %, other provinces 55 %, local governments 30 %.
    big = {"10": 0.10, "50": 0.05}
    other = [c for c in provinces if c not in big]
    areas: list[tuple[int, list[str]]] = []
    weights: list[float] = []
    for code, share in big.items():
        areas.append((provinces[code], subs_by_province[code]))
        weights.append(share)
    for code in other:
        areas.append((provinces[code], subs_by_province[code]))
        weights.append(0.55 / len(other))
    for lg_id, province_code, district_code in lg_sample:
        areas.append((lg_id, subs_by_district.get(district_code) or subs_by_province[province_code]))
        weights.append(0.30 / len(lg_sample))

    # Authors: plain rows, no password anyone could use.
    n_users = 5000
    now = datetime.now(timezone.utc)
    with cur.copy("COPY users (email, password_hash, display_name, province_code, created_at, consent_at) FROM STDIN") as copy:
        for i in range(n_users):
            copy.write(f"bench{i}@bench.invalid\t!\tผู้ทดสอบ {i}\t{rng.choice(list(provinces))}\t{now.isoformat()}\t{now.isoformat()}\n")
    author_ids = [r[0] for r in cur.execute("SELECT id FROM users WHERE email LIKE 'bench%@bench.invalid'")]
    conn.commit()

    # Drop secondary indexes and foreign keys of the two big tables; rebuilt after the load.
    saved = cur.execute("""
        SELECT 'index', indexname, indexdef FROM pg_indexes
         WHERE tablename IN ('ideas', 'idea_search_terms') AND indexname NOT IN ('pk_ideas')
           AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))
        UNION ALL
        SELECT 'constraint', c.conname, format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, c.conname, pg_get_constraintdef(c.oid))
          FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         WHERE t.relname IN ('ideas', 'idea_search_terms') AND (c.contype = 'f' OR (c.contype = 'p' AND t.relname = 'idea_search_terms'))
    """).fetchall()
    for kind, name, _ in saved:
        if kind == "constraint":
            table = "idea_search_terms" if "idea_search_terms" in name else "ideas"
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for kind, name, _ in saved:
        if kind == "index":
            cur.execute(f'DROP INDEX "{name}"')
    conn.commit()

    t1 = time.perf_counter()
    start = now - timedelta(days=3 * 365)
    step = (now - start) / n_ideas
    idea_cols = ("id, area_id, author_id, title, description, category, subdistrict_code, status, status_changed_at, "
                 "first_answered_at, answer, withdrawn_at, hidden_at, hidden_reason, pending_review, support_count, "
                 "comment_count, created_at, updated_at")
    vocabulary: set[str] = set()
    batch = 50_000
    area_choices = rng.choices(range(len(areas)), weights=weights, k=n_ideas)
    # The search rows go through a second connection, in the same pass (no foreign key during the load).
    conn_terms = connect(dbname)
    cur_terms = conn_terms.cursor()
    cur_terms.execute("SET synchronous_commit = off")
    with cur.copy(f"COPY ideas ({idea_cols}) FROM STDIN") as copy_ideas, \
            cur_terms.copy("COPY idea_search_terms (term, idea_id, area_id, in_title) FROM STDIN") as copy_terms:
        for base in range(0, n_ideas, batch):
            idea_lines: list[str] = []
            term_lines: list[str] = []
            for i in range(base, min(n_ideas, base + batch)):
                idea_id = i + 1
                area_id, subs = areas[area_choices[i]]
                if rng.random() < 0.05:
                    title = rng.choice(en_titles)
                    parts = rng.sample(EN_REASONS, 2)
                else:
                    title = rng.choice(titles)
                    parts = rng.sample(sentences, rng.randint(4, 7))
                description = " ".join(parts[:2]) + "\n\n" + " ".join(parts[2:]) if len(parts) > 2 else " ".join(parts)
                created = start + step * i + timedelta(seconds=rng.randint(0, 60))
                status = rng.choice(STATUSES)
                changed = created + timedelta(days=rng.randint(1, 60)) if status != "received" else None
                support = int(rng.paretovariate(1.3)) - 1 if rng.random() < 0.6 else 0
                comments = min(400, int(rng.paretovariate(1.6)) - 1) if rng.random() < 0.4 else 0
                hidden = created + timedelta(days=2) if rng.random() < 0.002 else None
                idea_lines.append("\t".join(_esc(v) for v in (
                    idea_id, area_id, rng.choice(author_ids), title, description, rng.choice(CATEGORIES),
                    rng.choice(subs) if subs and rng.random() < 0.7 else None, status, changed, changed,
                    rng.choice(ANSWERS) if changed else None, None, hidden, "ข้อมูลส่วนบุคคล" if hidden else None,
                    rng.random() < 0.002, min(support, 5000), comments, created, changed or created,
                )) + "\n")
                words = dict.fromkeys(tokens[title])
                in_title = set(words)
                for part in parts:
                    words.update(dict.fromkeys(tokens[part]))
                vocabulary.update(words)
                term_lines.append("".join(
                    f"{w}\t{idea_id}\t{area_id}\t{'t' if w in in_title else 'f'}\n" for w in words
                ))
            copy_ideas.write("".join(idea_lines))
            copy_terms.write("".join(term_lines))
            done = min(n_ideas, base + batch)
            if done % 200_000 == 0 or done == n_ideas:
                print(f"  ideas {done:,}/{n_ideas:,} ({time.perf_counter() - t1:.0f} s)", flush=True)
    conn.commit()
    conn_terms.commit()
    conn_terms.close()
    t2 = time.perf_counter()
    with cur.copy("COPY idea_search_vocabulary (term) FROM STDIN") as copy_vocab:
        copy_vocab.write("".join(f"{w}\n" for w in vocabulary))
    cur.execute("SELECT setval('ideas_id_seq', (SELECT max(id) FROM ideas))")
    conn.commit()
    n_terms = cur.execute("SELECT count(*) FROM idea_search_terms").fetchone()[0]
    print(f"  search index: {n_terms:,} rows, vocabulary {len(vocabulary):,} words ({time.perf_counter() - t2:.0f} s)", flush=True)

    t3 = time.perf_counter()
    cur.execute("SET maintenance_work_mem = '1GB'")
    cur.execute("SET max_parallel_maintenance_workers = 2")
    for kind, name, ddl in saved:
        if kind == "constraint" and "PRIMARY KEY" in ddl:
            cur.execute(ddl)
            conn.commit()
    for kind, name, ddl in saved:
        if kind == "index":
            cur.execute(ddl)
            conn.commit()
    for kind, name, ddl in saved:
        if kind == "constraint" and "PRIMARY KEY" not in ddl:
            cur.execute(ddl)
            conn.commit()
    print(f"  indexes and foreign keys rebuilt: {time.perf_counter() - t3:.0f} s", flush=True)
    conn.close()
    t4 = time.perf_counter()
    with connect(dbname, autocommit=True) as auto:
        for table in ("ideas", "idea_search_terms", "idea_search_vocabulary", "users"):
            auto.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  vacuum analyze: {time.perf_counter() - t4:.0f} s; fill total {time.perf_counter() - t0:.0f} s", flush=True)


# --- serving and measuring -----------------------------------------------------------------

def start_gunicorn(target: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
           "--chdir", str(ROOT), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/hello" if "hello" in target else "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn {target} exited")
            time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"gunicorn {target} did not start")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def measure_wrk(port: int, path: str, seconds: int, concurrency: int):
    """p50 ms, p95 ms and requests per second of `path` under wrk for `seconds`, after a 1 s warm-up."""
    from bench.wrk import wrk_get

    return wrk_get(f"http://127.0.0.1:{port}{path}", seconds=seconds, connections=concurrency,
                   headers=("Accept-Language: th",), warmup_seconds=1)


def measure_python(port: int, path: str, requests: int, concurrency: int, warmup: int = 20):
    def one() -> float:
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path, headers={"Accept-Language": "th"})
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return time.perf_counter() - started

    for _ in range(warmup):
        one()
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [requests]
    errors: list[Exception] = []

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                elapsed = one()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                return
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
    return p50, p95, len(latencies) / wall


def deep_cursor(dbname: str, area_code: str, sort: str, offset: int) -> str | None:
    column = {"newest": "created_at", "supported": "support_count", "discussed": "comment_count",
              "answered": "status_changed_at"}[sort]
    extra = " AND status_changed_at IS NOT NULL" if sort == "answered" else ""
    with connect(dbname) as conn:
        row = conn.execute(
            f"SELECT {column}, i.id FROM ideas i JOIN areas a ON a.id = i.area_id WHERE a.code = %s "
            f"AND i.hidden_at IS NULL AND NOT i.pending_review{extra} ORDER BY {column} DESC, i.id DESC OFFSET %s LIMIT 1",
            (area_code, offset),
        ).fetchone()
    if row is None:
        return None
    key = row[0].astimezone(timezone.utc).isoformat() if isinstance(row[0], datetime) else str(row[0])
    return f"{key}~{row[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--db", default="ruamkhit_bench_ideas")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds --ideas ideas")
    parser.add_argument("--port", type=int, default=5204)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--seconds", type=int, default=5, help="wrk: seconds per case")
    parser.add_argument("--requests", type=int, default=300, help="python client: requests per case")
    parser.add_argument("--concurrency", type=int, default=0,
                        help="concurrent connections (default: twice the workers for wrk, as many as workers for python)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="Redis the app uses (flushed first)")
    parser.add_argument("--deep-offset", type=int, default=2000, help="position of the deep page (ideas skipped)")
    parser.add_argument("--only", default="", help="measure only the cases whose label contains this text")
    args = parser.parse_args()
    args.concurrency = args.concurrency or (args.workers * 2 if args.client == "wrk" else args.workers)

    url = f"postgresql+psycopg://{PG}/{args.db}"
    env = {**os.environ, "DATABASE_URL": url, "BENCH_DATABASE_URL": url, "RUAMKHIT_ENV": "development",
           "PYTHONWARNINGS": "ignore", "REDIS_URL": args.redis, "RATELIMIT_STORAGE_URI": args.redis}
    total = time.perf_counter()
    print(f"== database {args.db} with {args.ideas:,} ideas", flush=True)
    if args.reuse and existing_count(args.db) == args.ideas:
        print("  reusing the filled database", flush=True)
    else:
        prepare_database(args.db, env)
        fill(args.db, args.ideas)
    with connect(args.db) as conn:
        sizes = conn.execute("""SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class
                                WHERE relname IN ('ideas', 'idea_search_terms', 'idea_search_vocabulary')""").fetchall()
        per_area = conn.execute("""SELECT a.code, count(*) FROM ideas i JOIN areas a ON a.id = i.area_id
                                   WHERE a.code IN ('10', '50') GROUP BY a.code ORDER BY a.code""").fetchall()
    print("  sizes: " + ", ".join(f"{n} {s}" for n, s in sizes), flush=True)
    step = time.perf_counter()
    with connect(args.db, autocommit=True) as conn:
        # Read the measured tables and their indexes into the OS page cache, as a running server would have them:
        # the kernel may have dropped them since the fill, and a cold disk read is not what this measures.
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        conn.execute("""SELECT pg_prewarm(c.oid, 'read') FROM pg_class c
                        WHERE c.relname IN ('ideas', 'idea_search_terms', 'idea_search_vocabulary', 'areas', 'subdistricts')
                           OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN
                                        ('ideas'::regclass, 'idea_search_terms'::regclass, 'idea_search_vocabulary'::regclass))""")
    print(f"  tables and indexes read into the page cache: {time.perf_counter() - step:.0f} s", flush=True)
    print("  ideas per measured area: " + ", ".join(f"{c}: {n:,}" for c, n in per_area), flush=True)

    lists: list[tuple[str, str]] = []  # (label, path)
    for code, name in (("50", "Chiang Mai"), ("10", "Bangkok")):
        for sort in ("newest", "supported", "discussed", "answered"):
            query = "" if sort == "newest" else f"?sort={sort}"
            lists.append((f"list {name} {sort} p1", f"/p/{code}/ideas{query}"))
            cursor = deep_cursor(args.db, code, sort, args.deep_offset)
            if cursor:
                sep = "&" if query else "?"
                lists.append((f"list {name} {sort} deep", f"/p/{code}/ideas{query}{sep}after={urllib.parse.quote(cursor)}"))
    searches: list[tuple[str, str]] = []
    for q in ("ไฟฟ้าส่องสว่าง", "ถนนชำรุด", "น้ำท่วมขัง", "street lights"):
        searches.append((f"search {q}", "/ideas/search?q=" + urllib.parse.quote(q)))
    searches.append(("search ถนน in Chiang Mai", "/ideas/search?area=50&q=" + urllib.parse.quote("ถนน")))

    lists = [c for c in lists if args.only in c[0]]
    searches = [c for c in searches if args.only in c[0]]
    if args.client == "wrk":
        client = f"wrk, {args.concurrency} connections, {args.seconds} s per case"
        def measure(port, path):
            return measure_wrk(port, path, args.seconds, args.concurrency)
    else:
        client = f"Python threads, {args.concurrency} concurrent, {args.requests} requests per case"
        def measure(port, path):
            return measure_python(port, path, args.requests, args.concurrency)
    print(f"== gunicorn: {args.workers} sync workers; client: {client} (on the same machine)", flush=True)
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    hello = start_gunicorn("bench.ideas:make_hello()", args.port + 1, args.workers, env)
    try:
        ceiling = measure(args.port + 1, "/hello")
    finally:
        stop(hello)
    results = []  # (group, label, p50, p95, rps)
    for cache_seconds, suffix in (("30", "not signed in (page cache)"), ("0", "rendered every time")):
        server = start_gunicorn("bench.ideas:make_app()", args.port, args.workers,
                                {**env, "PAGE_CACHE_SECONDS": cache_seconds})
        try:
            for label, path in lists:
                results.append(("list", f"{label}, {suffix}", *measure(args.port, path)))
            if cache_seconds == "0":
                for label, path in searches:
                    results.append(("search", label, *measure(args.port, path)))
        finally:
            stop(server)

    width = max(len(r[1]) for r in results) + 2
    print()
    print(f"{'case':<{width}} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'of ceiling':>10}  goal")
    print(f"{'hello (ceiling)':<{width}} {ceiling[0]:>8.1f} {ceiling[1]:>8.1f} {ceiling[2]:>8.0f} {'100%':>10}")
    for group, label, p50, p95, rps in results:
        if group == "list":
            goal = ("p95<50: " + ("met" if p95 < 50 else "NOT met") + "; >=50% of ceiling: "
                    + ("met" if rps >= ceiling[2] / 2 else "NOT met"))
        else:
            goal = "p95<100: " + ("met" if p95 < 100 else "NOT met")
        print(f"{label:<{width}} {p50:>8.1f} {p95:>8.1f} {rps:>8.0f} {rps / ceiling[2]:>9.0%}  {goal}")
    print(f"\ntotal run time {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
