"""A real worker process, killed in the middle of a job: the job still runs, and the person gets one email.

The worker runs tests/jobs/worker_app.py on a SQLite database file and the
SQLite queue file of `make run` (files of its own under tmp_path, so that
parallel runs do not meet). It is killed with SIGKILL (no chance to clean up)
either before the email is written or after it is written and before the job
is marked done; a second worker takes the job over when the first one's lease
runs out.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("worker_app.py")


def _env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["JOBS_TEST_ROOT"] = str(root)
    env["PYTHONPATH"] = str(REPO)
    env.pop("TEST_DATABASE_URL", None)
    return env


def _run(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], cwd=REPO, env=_env(root),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def _worker(root: Path, name: str) -> subprocess.Popen:
    with open(root / f"{name}.log", "w") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, str(SCRIPT), "worker"], cwd=REPO, env=_env(root),
                                stdout=log, stderr=subprocess.STDOUT)


def _wait_for(condition, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _query(root: Path, sql: str, *params):
    conn = sqlite3.connect(root / "app.db", timeout=10)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


def _emails(root: Path) -> list[Path]:
    return sorted((root / "outbox").glob("*.eml")) if (root / "outbox").is_dir() else []


@pytest.mark.parametrize("pause", ["before_send", "after_send"])
def test_a_worker_killed_mid_job_leaves_one_email_and_one_effect(tmp_path, pause):
    root = tmp_path
    _run(root, "migrate")
    job_id = int(_run(root, "enqueue", pause))
    assert _query(root, "SELECT state FROM jobs WHERE id = ?", job_id) == ("queued",)

    first = _worker(root, "first")
    try:
        _wait_for(lambda: (root / f"stopped-{pause}").exists(), "the first worker to reach the pause")
        assert _query(root, "SELECT state, attempts FROM jobs WHERE id = ?", job_id) == ("running", 1)
        assert len(_emails(root)) == (1 if pause == "after_send" else 0)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()

    second = _worker(root, "second")
    try:
        _wait_for(lambda: _query(root, "SELECT state FROM jobs WHERE id = ?", job_id) == ("done",),
                  "the second worker to finish the job")
        second.send_signal(signal.SIGINT)  # a graceful stop, as Ctrl-C in `make run`
        assert second.wait(timeout=30) == 0
    finally:
        if second.poll() is None:
            second.kill()

    assert (root / "attempt-2").exists()  # it did run again
    emails = _emails(root)
    assert len(emails) == 1, [p.name for p in emails]
    assert "resident@example.com" in emails[0].read_text()
    assert _query(root, "SELECT count(*) FROM audit_log WHERE action = 'test.effect'") == (1,)
    state, attempts, error = _query(root, "SELECT state, attempts, last_error FROM jobs WHERE id = ?", job_id)
    assert (state, attempts, error) == ("done", 2, None)


def test_queued_jobs_survive_a_stopped_worker(tmp_path):
    """Nothing is lost when the worker is not running: the queue is a file, and so is the jobs table."""
    root = tmp_path
    _run(root, "migrate")
    job_id = int(_run(root, "enqueue", "none"))
    worker = _worker(root, "late")
    try:
        _wait_for(lambda: _query(root, "SELECT state FROM jobs WHERE id = ?", job_id) == ("done",), "the job")
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert len(_emails(root)) == 1
