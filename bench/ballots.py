"""Benchmark: ballots cast per second through the real app under gunicorn on PostgreSQL.

    .venv/bin/python bench/ballots.py [--voters 3000] [--concurrency 50] [--same-voter 200]
                                      [--workers 3] [--threads 4] [--port 5198] [--keep-db]

It prepares its own database (ruamkhit_bench_ballots on the local
PostgreSQL: migrations, the area registry, a knapsack cycle of 50 projects
in voting and N distinct verified residents of Chiang Mai), starts gunicorn
on the loopback interface, gives every resident a signed-in session cookie
(made with the app's own session signer, so argon2 is not run N times) and
fetches each one's ballot form for its CSRF token (not timed). Then it times
only the vote POSTs of N residents sent by `--concurrency` simulated voters
at once, and checks in the database that every accepted vote is exactly one
counted ballot (0 lost, 0 duplicated). Finally one resident sends
`--same-voter` submissions at the same moment: exactly one ballot must stand.

Everything is bounded (N voters, one POST each) and talks to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
USER_AGENT = "ruamkhit-bench"
TOKEN_RE = re.compile(rb'name="csrf_token" value="([^"]+)"')


def log(message: str) -> None:
    print(message, flush=True)


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
            "email": f"bench-voter{i}@example.com", "password_hash": password_hash, "display_name": f"ผู้ลงคะแนน {i}",
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
        cookies = []
        for user_id, version in users:
            session = {"_user_id": f"{user_id}:{version}", "_fresh": True, "_id": identifier,
                       "csrf_token": secrets.token_hex(20)}
            cookies.append(serializer.dumps(session))
        return {"cycle": cycle.id, "budget": budget.id, "amount": budget.amount, "projects": projects,
                "users": [u for u, _ in users], "cookies": cookies, "cookie_name": app.config["SESSION_COOKIE_NAME"]}


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


def post_request(path: str, cookie: str, form: list[tuple[str, str]]) -> bytes:
    body = urlencode(form).encode()
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


# --- the benchmark ----------------------------------------------------------------------


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    args = [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", str(threads), "--worker-class", "gthread" if threads > 1 else "sync",
            "--keep-alive", "30", "--backlog", "2048", "--log-level", "warning", "wsgi:app"]
    server = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--same-voter", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=5198)
    parser.add_argument("--database", default="ruamkhit_bench_ballots")
    args = parser.parse_args()

    env = {
        **os.environ,
        "RUAMKHIT_ENV": "production",
        "DATABASE_URL": f"{PG}/{args.database}",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ID_HASH_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_STORAGE_URI": "memory://",
        "RUAMKHIT_INSTANCE": "/tmp/ruamkhit-bench-ballots",
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("REDIS_URL", None)
    log(f"Preparing {args.database}: migrations, area registry, a cycle of 50 projects, {args.voters + 1} residents...")
    started = time.time()
    recreate_database(args.database)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "areas", "load")
    data = prepare(env, args.voters)
    log(f"  ready in {time.time() - started:.0f} s")

    server = start_gunicorn(env, args.port, args.workers, args.threads)
    try:
        asyncio.run(bench(args, env, data))
    finally:
        stop(server)


async def bench(args, env: dict, data: dict) -> None:
    vote_path = f"/cycles/{data['cycle']}/budgets/{data['budget']}/vote"
    name = data["cookie_name"]
    cookies = data["cookies"]
    rng = random.Random(11)

    async def fetch_token(conn: Connection, index: int):
        status, body = await conn.request(get_request(vote_path, f"{name}={cookies[index]}"))
        match = TOKEN_RE.search(body)
        if status != 200 or not match:
            raise RuntimeError(f"ballot form for voter {index}: HTTP {status}")
        return index, match.group(1).decode()

    log(f"Fetching {args.voters} ballot forms (CSRF tokens; not timed)...")
    tokens = dict(await run_pool(list(range(args.voters + 1)), args.concurrency, args.port, fetch_token))

    requests = {i: post_request(vote_path, f"{name}={cookies[i]}",
                                [("csrf_token", tokens[i])] + random_ballot(rng, data["projects"], data["amount"]))
                for i in range(args.voters)}

    async def vote(conn: Connection, index: int):
        t0 = time.perf_counter()
        status, _ = await conn.request(requests[index])
        return status, time.perf_counter() - t0

    log(f"Timing {args.voters} vote POSTs by {args.concurrency} concurrent voters "
        f"(gunicorn {args.workers} workers x {args.threads} threads)...")
    t0 = time.perf_counter()
    results = await run_pool(list(range(args.voters)), args.concurrency, args.port, vote)
    elapsed = time.perf_counter() - t0
    accepted = sum(1 for status, _ in results if status == 302)
    latencies = sorted(latency for _, latency in results)
    budget = data["budget"]
    live = count(env, "SELECT count(*) FROM cycle_ballots WHERE budget_id = %(b)s AND NOT replaced", b=budget)
    voters = count(env, "SELECT count(*) FROM cycle_voters WHERE budget_id = %(b)s", b=budget)
    linked = count(env, "SELECT count(DISTINCT voter_hash) FROM cycle_ballots WHERE budget_id = %(b)s AND NOT replaced", b=budget)
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    log("")
    log(f"ballots cast:        {accepted} of {args.voters} in {elapsed:.2f} s  ->  {accepted / elapsed:,.0f} ballots/s")
    log(f"latency (ms):        p50 {1000 * statistics.median(latencies):.1f}  p95 {1000 * latencies[int(0.95 * len(latencies)) - 1]:.1f}"
        f"  max {1000 * latencies[-1]:.1f}")
    log(f"HTTP statuses:       {statuses}")
    log(f"lost:                {max(accepted - live, 0)}  (accepted votes without a counted ballot)")
    log(f"duplicated:          {max(live - voters, 0) + (live - linked)}  (counted ballots beyond one per voter)")

    # What the same server does with the least possible request (one SELECT 1, no session):
    # the ceiling this machine allows, for comparison.
    health = get_request("/healthz", "x=1")

    async def ping(conn: Connection, _):
        status, _ = await conn.request(health)
        return status

    t0 = time.perf_counter()
    pings = await run_pool(list(range(args.voters)), args.concurrency, args.port, ping)
    ping_elapsed = time.perf_counter() - t0
    log(f"for comparison:      GET /healthz (one SELECT 1) {len(pings) / ping_elapsed:,.0f} requests/s on the same server")

    # One voter, many simultaneous submissions.
    same = args.voters  # the extra resident, who has not voted yet
    user_id = data["users"][same]
    burst = [post_request(vote_path, f"{name}={cookies[same]}",
                          [("csrf_token", tokens[same])] + random_ballot(rng, data["projects"], data["amount"]))
             for _ in range(args.same_voter)]

    async def one(conn: Connection, raw: bytes):
        status, _ = await conn.request(raw)
        return status

    log("")
    log(f"{args.same_voter} simultaneous submissions from one voter...")
    t0 = time.perf_counter()
    burst_statuses = await run_pool(burst, args.same_voter, args.port, one)
    elapsed = time.perf_counter() - t0
    live_after = count(env, "SELECT count(*) FROM cycle_ballots WHERE budget_id = %(b)s AND NOT replaced", b=budget)
    changed = count(env, "SELECT changed_count FROM cycle_voters WHERE budget_id = %(b)s AND user_id = %(u)s", b=budget, u=user_id)
    ok = sum(1 for s in burst_statuses if s == 302)
    log(f"accepted:            {ok} of {args.same_voter} in {elapsed:.2f} s (each replaced the one before)")
    log(f"ballots standing:    {live_after - live} for that voter (must be 1); vote changes recorded: {changed}")
    log(f"verdict:             {'OK' if live_after - live == 1 and changed == ok - 1 and accepted == live else 'FAILED'}")


if __name__ == "__main__":
    main()
