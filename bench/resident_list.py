"""Time the upload of a resident list of 100,000 rows (issue 14.3: under 30 s and 200 MB).

Builds a throw-away SQLite database (or uses DATABASE_URL), makes a CSV (and,
with --xlsx, an Excel file) of `--rows` residents of เทศบาลนครเชียงใหม่ with
valid national ID numbers, Buddhist-Era birth dates and the City's
subdistricts, uploads it through the test client as the City's officer (the
request keeps the file and queues a job on a throw-away SQLite queue), runs
the job as the worker would (`execute`: claim, lease, commit) and prints the
seconds of each, the rows stored, the job's progress and the process's
maximum resident set (and, with --trace, the peak of Python allocations).
With --worker-process the job runs in a process of its own (as `flask jobs worker`
runs it), whose peak resident set is read from /proc (VmHWM), not inherited.
    .venv/bin/python bench/resident_list.py [--rows 100000] [--xlsx] [--worker-process] [--trace]
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _id(n: int) -> str:
    stem = f"1{n + 10_000_000_000:011d}"[:12]
    total = sum(int(stem[i]) * (13 - i) for i in range(12))
    return stem + str((11 - total % 11) % 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true")
    parser.add_argument("--trace", action="store_true", help="also trace Python allocations (slows the upload 2-3 times)")
    parser.add_argument("--worker-process", action="store_true", help="run the job in a process of its own, as the worker does")
    parser.add_argument("--run-job", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_job:
        run_job(args.run_job, args.url, Path(args.workdir))
        return
    workdir = Path(tempfile.mkdtemp(prefix="ruamkhit-bench-list-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app.accounts import services as accounts
    from app.accounts.models import ResidentListEntry, Role
    from app.areas.services import get_area_by_code, load_registry
    from app.extensions import db

    app = _app(url, workdir)
    subs = ["500101", "500102", "500103", "500104", "500105", "500106", "500115"]
    lines = ["national_id,birth_date,subdistrict,house_number"]
    lines += [f"{_id(n)},{1 + n % 28}/{1 + n % 12}/{2480 + n % 80},{subs[n % len(subs)]},{n % 300}/{n % 9}" for n in range(args.rows)]
    if args.xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        for line in lines:
            sheet.append(line.split(","))
        out = io.BytesIO()
        book.save(out)
        data, name = out.getvalue(), "list.xlsx"
    else:
        data, name = ("\n".join(lines) + "\n").encode("utf-8"), "list.csv"
    del lines
    with app.app_context():
        upgrade()
        load_registry()
        officer = accounts.create_user("bench.officer@example.com", "correct horse battery", "เจ้าหน้าที่", "50",
                                       consent=True, email_verified=True)
        accounts.assign_role(None, officer, Role.LG_OFFICER, get_area_by_code("3500102"))
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": officer.email, "password": "correct horse battery"})
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.trace:
            tracemalloc.start()
        started = time.perf_counter()
        response = client.post("/admin/areas/3500102/resident-list", data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        request_seconds = time.perf_counter() - started
        from app.jobs.models import Job
        from app.jobs.services import execute

        job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        if args.worker_process:
            # As the worker runs it: a process of its own that loads the app and runs the one job.
            import subprocess

            db.session.remove()
            child = subprocess.run([sys.executable, __file__, "--run-job", str(job_id), "--url", url, "--workdir", str(workdir)],
                                   capture_output=True, text=True, check=True)
            outcome, seconds, worker_rss, worker_base = child.stdout.strip().splitlines()[-1].split()
            seconds = float(seconds)
        else:
            started = time.perf_counter()
            outcome = execute(job_id)
            seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if args.trace else 0
        tracemalloc.stop()
        db.session.remove()
        job = db.session.get(Job, job_id)
        stored = db.session.scalar(select(func.count()).select_from(ResidentListEntry))
        progress = f"{job.progress_done:,}/{job.progress_total:,}"
        message = (job.result or {}).get("message")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name}: {len(data) / 1e6:.1f} MB, {args.rows:,} rows -> HTTP {response.status_code} in {request_seconds:.2f} s "
          f"(file kept, job {job_id} queued)")
    print(f"job: {outcome} in {seconds:.1f} s, progress {progress}, {stored:,} stored: {message}")
    traced = f"; peak traced memory {peak / 1e6:.0f} MB" if args.trace else ""
    print(f"process max RSS {rss:.0f} MB{traced} (before the upload {rss_before:.0f} MB: "
          "the registry load and the generated file)")
    if args.worker_process:
        print(f"worker process: max RSS {float(worker_rss):.0f} MB (the app loaded, before the job: {float(worker_base):.0f} MB)")


def _app(url: str, workdir: Path):
    from app import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(workdir / "uploads"),
                      OUTBOX_DIR=str(workdir / "outbox"), WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                      JOBS_BACKEND="sqlite", JOBS_SQLITE_PATH=str(workdir / "queue.sqlite3"),
                      # SQLite: a lease renewed on another connection would spoil the job's first write (--trace is slow).
                      JOBS_LEASE_SECONDS=3600)


def _peak_mb() -> float:
    """This process's peak resident set (VmHWM): ru_maxrss would carry the parent's over fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_job(job_id: int, url: str, workdir: Path) -> None:
    from app.jobs.services import execute

    app = _app(url, workdir)
    with app.app_context():
        base = _peak_mb()
        started = time.perf_counter()
        outcome = execute(job_id)
        seconds = time.perf_counter() - started
    print(outcome, f"{seconds:.2f}", _peak_mb(), base)


if __name__ == "__main__":
    main()
