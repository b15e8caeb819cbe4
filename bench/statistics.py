#!/usr/bin/env python
"""Benchmark: the public statistics with a million ideas on PostgreSQL (issue 15.8: country page under 200 ms p95).

1. Fills a PostgreSQL database as bench/opendata.py does (default ruamkhit_bench_statistics, dropped and
   created unless --reuse finds it filled): 1,000,000 ideas, 300,000 supports, 100,000 comments.
2. Runs the refresh the hourly `opendata.statistics` job runs (app.opendata.statistics.refresh_statistics)
   and prints its seconds: that is how stale the figures can be at most, beyond the hour.
3. Starts gunicorn (--workers, default 2) with the real app on that database, the page cache off
   (PAGE_CACHE_SECONDS=0: every request renders the page) and rate limits off, and sends --requests
   requests (default 300, --concurrency as many as workers) to the country page, a province's and a
   local government's page and one chart's CSV; prints p50 and p95 latency and requests per second.

Usage: .venv/bin/python bench/statistics.py [--ideas 1000000] [--reuse] [--database-url URL]
The client runs on the same machine, so the latencies include its cost.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Python puts this script's folder first on the path, where bench/statistics.py would shadow the
# standard library's statistics module: the project root takes its place.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from bench.ideas import measure_python, start_gunicorn, stop
    from bench.opendata import count_ideas, fill, make_app, prepare, upgrade_schema

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--supports", type=int, default=300_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/ruamkhit_bench_statistics")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "ruamkhit-bench-statistics"))
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--port", type=int, default=5230)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=0)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    print(f"== {url.split('://')[0]} with {args.ideas:,} ideas", flush=True)
    if args.reuse and count_ideas(url, workdir) == args.ideas:
        print("  reusing the filled database (migrated to the current schema)", flush=True)
        upgrade_schema(url, workdir)
    else:
        step = time.perf_counter()
        prepare(url, workdir)
        print(f"  schema and area registry: {time.perf_counter() - step:.0f} s", flush=True)
        fill(url, workdir, args.ideas, args.supports, args.comments)

    from app.extensions import db
    from app.opendata.statistics import refresh_statistics

    with make_app(url, workdir).app_context():
        report = refresh_statistics()
        db.session.commit()
        lg = db.session.scalar(db.text(
            "SELECT scope FROM opendata_statistics WHERE length(scope) = 7 ORDER BY ideas DESC LIMIT 1"))
    print(f"  refresh (the hourly job): {report.seconds:.1f} s for {report.scopes:,} scopes", flush=True)

    env = {**os.environ, "DATABASE_URL": url, "RUAMKHIT_ENV": "development", "PAGE_CACHE_SECONDS": "0",
           "RATELIMIT_STORAGE_URI": "memory://", "JOBS_BACKEND": "sqlite",
           "JOBS_SQLITE_PATH": str(workdir / "queue.sqlite3"), "PYTHONWARNINGS": "ignore"}
    proc = start_gunicorn("wsgi:app", args.port, args.workers, env)
    concurrency = args.concurrency or args.workers
    try:
        print(f"  gunicorn {args.workers} workers, page cache off, python client, {concurrency} at a time, "
              f"{args.requests} requests a case", flush=True)
        for label, path in (("country page", "/statistics"), ("province page (Bangkok)", "/statistics/10"),
                            (f"local government page ({lg})", f"/statistics/{lg}"),
                            ("country ranking CSV", "/statistics/TH/ranking.csv")):
            p50, p95, rps = measure_python(args.port, path, args.requests, concurrency)
            verdict = " (target p95 < 200 ms: " + ("PASS" if p95 < 200 else "FAIL") + ")" if path == "/statistics" else ""
            print(f"  {label:40} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {rps:6.1f} req/s{verdict}", flush=True)
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
