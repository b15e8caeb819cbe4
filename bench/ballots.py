"""Benchmark: ballots cast per second through the real app under gunicorn on PostgreSQL.

    flock /tmp/ruamkhit-bench.lock .venv/bin/python bench/ballots.py
        [--voters 6000] [--warmup 300] [--concurrency 50] [--same-voter 200]
        [--workers N] [--threads N] [--client wrk|python] [--port 5198]

It prepares its own database (ruamkhit_bench_ballots on the local
PostgreSQL: migrations, the area registry, a knapsack cycle of 50 projects
in voting and N distinct verified residents of Chiang Mai), starts gunicorn
with the production settings of gunicorn.conf.py (--workers/--threads
override them) on the loopback interface, and gives every resident a
signed-in session cookie and the CSRF token of its ballot form, both made
with the app's own signers (so argon2 and N page loads are not run; one
ballot form is fetched to check the server). A warm-up of --warmup other
residents votes first (not timed).

Then it times the vote POSTs of N residents, one each, sent by
--concurrency simulated voters at once. The client is wrk (a C load
generator, `apt-get install wrk`) with bench/ballots.lua, one connection
per wrk thread, so the server and not the client is what is measured;
without wrk (or with --client python) a Python asyncio client is used,
which itself takes a good share of the two cores. It checks in the
database that every accepted vote is exactly one counted ballot (0 lost,
0 duplicated), then measures GET /healthz (one SELECT 1) with the same
client and concurrency: the ceiling of this server on this machine. Finally
one resident sends --same-voter submissions at the same moment: exactly
one ballot must stand. Last, the floor: the same vote requests, sent the
same way, to bench/floor_app.py under the same gunicorn settings, an app
with no framework that only INSERTs each request body and COMMITs: no vote
can be cheaper than that on this machine.

Everything is bounded (N voters, one POST each; a few seconds of
/healthz) and talks to 127.0.0.1 only. Run it under flock when other
benchmarks share the machine.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.wrk import wrk_get  # noqa: E402 - after the path is set

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
USER_AGENT = "ruamkhit-bench"
TOKEN_RE = re.compile(rb'name="csrf_token" value="([^"]+)"')


T0 = time.time()


def log(message: str) -> None:
    print(f"[{time.time() - T0:6.1f}s] {message}" if message else "", flush=True)


# --- preparing the database -----------------------------------------------------------


def recreate_database(name: str) -> None:
    import psycopg

    dsn = PG.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def flask_cli(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare(env: dict, voters: int) -> dict:
    """Create the cycle and the residents; return ids and the session cookies."""
    os.environ.update(env)
    from datetime import timedelta

    from sqlalchemy import insert, select

    from app import create_app
    from app.accounts import services as accounts
    from app.accounts.models import Role, User
    from app.areas.services import get_area_by_code
    from app.core.timeutil import utcnow
    from app.cycles import services
    from app.cycles.models import BallotKind, Completion, Phase, TallyRule
    from app.cycles.phases import bangkok_today
    from app.extensions import db

    app = create_app("production")
    with app.app_context():
        province = get_area_by_code("50")
        official = accounts.create_user("bench-official@example.com", "bench-password-1", "Bench official", "50",
                                        consent=True, email_verified=True)
        accounts.assign_role(None, official, Role.PROVINCIAL_OFFICIAL, province)
        today = bangkok_today()
        cycle = services.create_cycle(official, province, services.CycleSettings(
            fiscal_year=2570, title="Bench cycle", description="", total_budget=50_000_000,
            ballot_kind=BallotKind.KNAPSACK, rule=TallyRule.GREEDY, completion=Completion.ADD1,
            ideas_from=today - timedelta(days=30), supports_from=today - timedelta(days=20),
            review_from=today - timedelta(days=10), voting_from=today - timedelta(days=1),
            results_from=today + timedelta(days=10), implementation_from=today + timedelta(days=30),
        ))
        cycle.phase_override = Phase.REVIEW
        budget = services.add_budget(official, cycle, "ทั้งจังหวัด", 50_000_000)
        rng = random.Random(7)
        for i in range(50):
            services.add_project(official, budget, f"โครงการทดสอบที่ {i + 1}", rng.randrange(500_000, 3_000_001, 50_000))
        cycle.phase_override = None
        db.session.flush()
        password_hash = accounts.hash_password(secrets.token_urlsafe(16))  # never used: sessions are pre-made
        now = utcnow()
        rows = [{
            "email": f"bench-voter{i}@example.com", "password_hash": password_hash, "stored_name": f"ผู้ลงคะแนน {i}",
            "province_code": "50", "subdistrict_code": "500101", "created_at": now, "email_verified_at": now,
            "consent_at": now, "consent_version": "2569-1", "residency_verified_at": now, "session_version": 1,
            "is_blocked": False, "email_notifications": False,
        } for i in range(voters + 1)]
        db.session.execute(insert(User), rows)
        db.session.commit()
        users = list(db.session.execute(
            select(User.id, User.session_version).where(User.email.like("bench-voter%")).order_by(User.id)
        ))
        projects = [(p.id, p.cost) for p in budget.projects]
        serializer = app.session_interface.get_signing_serializer(app)
        with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
            from flask_login.utils import _create_identifier

            identifier = _create_identifier()
        from flask import g
        from flask import session as flask_session
        from flask_wtf.csrf import generate_csrf

        cookies, tokens = [], []
        for user_id, version in users:
            session = {"_user_id": f"{user_id}:{version}", "_fresh": True, "_id": identifier,
                       "csrf_token": secrets.token_hex(20)}
            cookies.append(serializer.dumps(session))
            # The token the ballot form would carry, made by Flask-WTF itself.
            with app.test_request_context():
                flask_session["csrf_token"] = session["csrf_token"]
                g.pop("csrf_token", None)
                tokens.append(generate_csrf())
        return {"cycle": cycle.id, "budget": budget.id, "amount": budget.amount, "projects": projects,
                "users": [u for u, _ in users], "cookies": cookies, "tokens": tokens,
                "cookie_name": app.config["SESSION_COOKIE_NAME"]}


# --- a tiny HTTP/1.1 client over asyncio (keep-alive, no redirects) --------------------------------


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in range(3):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(raw)
                await self.writer.drain()
                head = await self.reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                close = False
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                body = await self.reader.readexactly(length) if length else b""
                if close:
                    await self.close()
                return status, body
            except (asyncio.IncompleteReadError, ConnectionError):
                await self.close()
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass
        self.reader = self.writer = None


def get_request(path: str, cookie: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {USER_AGENT}\r\n"
            f"Cookie: {cookie}\r\nAccept-Language: th\r\n\r\n").encode()


def post_request(path: str, cookie: str, body: str) -> bytes:
    body = body.encode()
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {USER_AGENT}\r\nCookie: {cookie}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"Referer: http://127.0.0.1/\r\n\r\n").encode() + body


def random_ballot(rng: random.Random, projects: list[tuple[int, int]], amount: int) -> list[tuple[str, str]]:
    chosen, total = [], 0
    for project_id, cost in rng.sample(projects, k=rng.randint(3, 12)):
        if total + cost <= amount:
            chosen.append(("project", str(project_id)))
            total += cost
    return chosen


async def run_pool(jobs: list, concurrency: int, port: int, work) -> list:
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    results: list = []

    async def worker() -> None:
        conn = Connection(port)
        try:
            while True:
                try:
                    job = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                results.append(await work(conn, job))
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


def python_votes(port: int, votes: list[tuple[str, str, str]], concurrency: int) -> Timing:
    """The same run with the asyncio client (slower: it competes with the server for the cores)."""

    async def run() -> Timing:
        async def one(conn: Connection, vote: tuple[str, str, str]):
            path, cookie, body = vote
            t0 = time.perf_counter()
            status, _ = await conn.request(post_request(path, cookie, body))
            return status, time.perf_counter() - t0

        t0 = time.perf_counter()
        results = await run_pool(votes, concurrency, port, one)
        elapsed = time.perf_counter() - t0
        statuses: dict[int, int] = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        lat = sorted(1000 * latency for _, latency in results)
        return Timing(statuses, elapsed, statistics.median(lat), lat[int(0.95 * len(lat)) - 1],
                      lat[int(0.99 * len(lat)) - 1], lat[-1])

    return asyncio.run(run())


def python_get(port: int, path: str, concurrency: int, requests: int) -> tuple[float, float, float]:
    raw = get_request(path, "x=1")

    async def run():
        async def one(conn: Connection, _):
            t0 = time.perf_counter()
            await conn.request(raw)
            return time.perf_counter() - t0

        t0 = time.perf_counter()
        lat = sorted(await run_pool(list(range(requests)), concurrency, port, one))
        return requests / (time.perf_counter() - t0), 1000 * statistics.median(lat), 1000 * lat[int(0.95 * len(lat)) - 1]

    return asyncio.run(run())


# --- the benchmark ----------------------------------------------------------------------


def start_gunicorn(env: dict, port: int, workers: int | None, threads: int | None,
                   target: str = "wsgi:app") -> subprocess.Popen:
    args = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
            "--log-level", os.environ.get("BENCH_GUNICORN_LOG", "warning")]
    if workers:
        args += ["--workers", str(workers)]
    if threads:
        args += ["--threads", str(threads)]
    server = subprocess.Popen([*args, target], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
    stop(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def count(env: dict, sql: str, **params) -> int:
    import psycopg

    dsn = env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params).fetchone()[0]


class Timing:
    """What one timed run gives: answers by HTTP status, seconds, latency percentiles (ms)."""

    def __init__(self, statuses: dict[int, int], seconds: float, p50: float, p95: float, p99: float, peak: float,
                 errors: str = "") -> None:
        self.statuses, self.seconds, self.p50, self.p95, self.p99, self.peak = statuses, seconds, p50, p95, p99, peak
        self.errors = errors

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())


# --- wrk ----------------------------------------------------------------------------------


def wrk_votes(port: int, votes: list[tuple[str, str, str]], concurrency: int) -> Timing:
    """Send each (path, cookie, body) once, `concurrency` at a time, with wrk and bench/ballots.lua."""
    concurrency = min(concurrency, len(votes))
    with tempfile.TemporaryDirectory(prefix="ruamkhit-bench-") as tmp:
        for i in range(concurrency):
            (Path(tmp) / f"votes-{i}.tsv").write_text(
                "".join(f"{path}\t{cookie}\t{body}\n" for path, cookie, body in votes[i::concurrency]))
        limit = max(60, len(votes) // 50)  # wrk's own timer only bounds the run; the threads stop by themselves
        proc = subprocess.Popen(
            ["wrk", "-t", str(concurrency), "-c", str(concurrency), "-d", f"{limit}s", "--timeout", "30s",
             "-s", str(ROOT / "bench/ballots.lua"), f"http://127.0.0.1:{port}/", "--", tmp],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        # Every wrk thread marks its end; then end wrk's timer (SIGINT) so it reports at once.
        while proc.poll() is None and len(list(Path(tmp).glob("done-*"))) < concurrency:
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    match = re.search(r"^RESULT (.*)$", out, re.M)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    fields = dict(part.split("=", 1) for part in match.group(1).split())
    # "none": the connection broke before the answer (the vote was sent once and not again).
    statuses = {(int(k) if k.isdigit() else k): int(v) for k, v in (p.split("=") for p in fields["statuses"].split(",") if p)}
    errors = ", ".join(f"{k[7:]} {v}" for k, v in fields.items() if k.startswith("errors_") and v != "0")
    return Timing(statuses, float(fields["seconds"]), float(fields["p50_ms"]), float(fields["p95_ms"]),
                  float(fields["p99_ms"]), float(fields["max_ms"]), errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=6000, help="timed votes, one per resident")
    parser.add_argument("--warmup", type=int, default=300, help="votes by other residents before timing")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--same-voter", type=int, default=200)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: gunicorn.conf.py)")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk")
    parser.add_argument("--ceiling-seconds", type=int, default=5)
    parser.add_argument("--port", type=int, default=5198)
    parser.add_argument("--database", default="ruamkhit_bench_ballots")
    args = parser.parse_args()
    if args.client == "wrk" and shutil.which("wrk") is None:
        log("wrk is not installed (apt-get install wrk): falling back to the Python client, which shares the cores "
            "with the server, so the figures below are lower than the server can do.")
        args.client = "python"

    env = {
        **os.environ,
        "RUAMKHIT_ENV": "production",
        "DATABASE_URL": f"{PG}/{args.database}",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ID_HASH_KEY": secrets.token_urlsafe(48),
        "BALLOT_HASH_KEY": secrets.token_urlsafe(48),
        "PUBLIC_BASE_URL": "http://127.0.0.1",  # the address wrk sends to (any port)
        "RATELIMIT_STORAGE_URI": "memory://",
        "RUAMKHIT_INSTANCE": "/tmp/ruamkhit-bench-ballots",
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("REDIS_URL", None)
    residents = args.warmup + args.voters + 1
    log(f"Preparing {args.database}: migrations, area registry, a cycle of 50 projects, {residents} residents...")
    started = time.time()
    recreate_database(args.database)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "areas", "load")
    data = prepare(env, residents - 1)
    log(f"  ready in {time.time() - started:.0f} s")

    server = start_gunicorn(env, args.port, args.workers, args.threads)
    try:
        timed, ok = run(args, env, data)
    finally:
        stop(server)
    floor(args, env, timed)
    if not ok:
        sys.exit(1)


def floor(args, env: dict, votes: list[tuple[str, str, str]]) -> None:
    """The same votes sent the same way to bench/floor_app.py: one INSERT and COMMIT each, nothing else."""
    import psycopg

    dsn = env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_floor")
        conn.execute("CREATE TABLE bench_floor (id bigserial PRIMARY KEY, body text NOT NULL)")
    log("Floor: the same votes to a framework-free app that only INSERTs each body and COMMITs...")
    server = start_gunicorn({**env, "FLOOR_DSN": dsn}, args.port, args.workers, args.threads, "bench.floor_app:app")
    try:
        send = wrk_votes if args.client == "wrk" else python_votes
        timing = send(args.port, votes, args.concurrency)
    finally:
        stop(server)
    rate = timing.statuses.get(302, 0) / timing.seconds
    print(f"floor:               {rate:,.0f} durable one-row INSERTs/s (p50 {timing.p50:.1f} ms) by the same client and "
          "gunicorn settings, with no framework, session, CSRF or rule: no vote can be cheaper on this machine")


def run(args, env: dict, data: dict) -> tuple[list[tuple[str, str, str]], bool]:
    vote_path = f"/cycles/{data['cycle']}/budgets/{data['budget']}/vote"
    name = data["cookie_name"]
    rng = random.Random(11)

    def vote(index: int) -> tuple[str, str, str]:
        form = [("csrf_token", data["tokens"][index])] + random_ballot(rng, data["projects"], data["amount"])
        return vote_path, f"{name}={data['cookies'][index]}", urlencode(form)

    # The server answers the ballot form of a resident with a form that has a CSRF token.
    page = urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{args.port}{vote_path}", headers={"Cookie": f"{name}={data['cookies'][0]}", "User-Agent": USER_AGENT},
    ), timeout=10).read()
    if not TOKEN_RE.search(page):
        raise RuntimeError("the ballot form has no CSRF token")

    send = wrk_votes if args.client == "wrk" else python_votes
    warmup = [vote(i) for i in range(args.warmup)]
    timed = [vote(i) for i in range(args.warmup, args.warmup + args.voters)]
    import runpy

    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    workers = f"{args.workers} workers" if args.workers else f"{conf['workers']} workers (gunicorn.conf.py)"
    threads = f"{args.threads} threads" if args.threads else f"{conf['threads']} threads each (gunicorn.conf.py)"
    log(f"Warm-up: {len(warmup)} votes (not timed)...")
    warm = send(args.port, warmup, args.concurrency) if warmup else None
    log(f"Timing {len(timed)} vote POSTs by {args.concurrency} concurrent voters, client {args.client} "
        f"(gunicorn: {workers}, {threads})...")
    timing = send(args.port, timed, args.concurrency)

    accepted = timing.statuses.get(302, 0) + (warm.statuses.get(302, 0) if warm else 0)
    budget = data["budget"]
    live = count(env, "SELECT count(*) FROM cycle_ballots WHERE budget_id = %(b)s AND NOT replaced", b=budget)
    voters = count(env, "SELECT count(*) FROM cycle_voters WHERE budget_id = %(b)s", b=budget)
    linked = count(env, "SELECT count(DISTINCT voter_hash) FROM cycle_ballots WHERE budget_id = %(b)s AND NOT replaced", b=budget)
    # The client must send each vote once: a vote received twice would show as a change.
    resent = count(env, "SELECT count(*) FROM cycle_voters WHERE budget_id = %(b)s AND changed_count > 0", b=budget)
    unanswered = timing.statuses.get("none", 0) + (warm.statuses.get("none", 0) if warm else 0)
    lost = max(accepted - live, 0)
    duplicated = max(live - voters, 0) + (live - linked) + max(live - accepted - unanswered, 0)

    log("Ceiling: GET /healthz (one SELECT 1, no session), same client and concurrency"
        + (f", for {args.ceiling_seconds} s..." if args.client == "wrk" else ", 3000 requests..."))
    if args.client == "wrk":
        # One connection per wrk thread, as the votes are sent.
        ceiling_p50, ceiling_p95, ceiling = wrk_get(f"http://127.0.0.1:{args.port}/healthz", seconds=args.ceiling_seconds,
                                                    connections=args.concurrency, threads=args.concurrency)
    else:
        ceiling, ceiling_p50, ceiling_p95 = python_get(args.port, "/healthz", args.concurrency, 3000)

    same = args.warmup + args.voters  # the extra resident, who has not voted yet
    user_id = data["users"][same]
    log(f"{args.same_voter} simultaneous submissions from one voter...")
    burst = [vote(same) for _ in range(args.same_voter)]

    async def fire():
        async def one(conn: Connection, item):
            status, _ = await conn.request(post_request(*item))
            return status

        t0 = time.perf_counter()
        statuses = await run_pool(burst, args.same_voter, args.port, one)
        return statuses, time.perf_counter() - t0

    burst_statuses, burst_seconds = asyncio.run(fire())
    live_after = count(env, "SELECT count(*) FROM cycle_ballots WHERE budget_id = %(b)s AND NOT replaced", b=budget)
    changed = count(env, "SELECT changed_count FROM cycle_voters WHERE budget_id = %(b)s AND user_id = %(u)s",
                    b=budget, u=user_id)
    burst_ok = sum(1 for s in burst_statuses if s == 302)
    standing = live_after - live

    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(timing.statuses.items(), key=str))
    ok = (lost == 0 and duplicated == 0 and resent == 0 and timing.statuses.get(302, 0) == len(timed)
          and standing == 1 and changed == burst_ok - 1)
    print("")
    print(f"client:              {args.client}, {args.concurrency} concurrent voters; gunicorn {workers}, {threads}")
    print(f"ballots cast:        {timing.statuses.get(302, 0)} of {len(timed)} in {timing.seconds:.2f} s  ->  "
        f"{timing.statuses.get(302, 0) / timing.seconds:,.0f} ballots/s")
    print(f"latency (ms):        p50 {timing.p50:.1f}  p95 {timing.p95:.1f}  p99 {timing.p99:.1f}  max {timing.peak:.1f}")
    print(f"HTTP statuses:       {statuses}" + (f"  (socket errors: {timing.errors})" if timing.errors else ""))
    print(f"lost:                {lost}  (accepted votes without a counted ballot)")
    print(f"duplicated:          {duplicated}  (counted ballots beyond one per accepted voter)")
    print(f"sent twice:          {resent}  (votes the server received more than once; the client must send each once)")
    print(f"ceiling:             GET /healthz {ceiling:,.0f} requests/s (p50 {ceiling_p50:.1f} ms, p95 {ceiling_p95:.1f} ms)"
        " on the same server with the same client")
    print(f"same voter:          {burst_ok} of {args.same_voter} accepted in {burst_seconds:.2f} s; "
        f"ballots standing {standing} (must be 1); vote changes recorded {changed}")
    print(f"verdict:             {'OK' if ok else 'FAILED'}")
    return timed, ok


if __name__ == "__main__":
    main()
