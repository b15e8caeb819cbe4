"""A real worker killed in the middle of a data download: the next attempt still leaves exactly one file.

Same set-up as tests/jobs/test_worker.py (tests/jobs/worker_app.py, SQLite
files under tmp_path). The first worker is killed with SIGKILL either while
the ZIP is being written (a half `.part` file is left) or after the file is in
place and before the job is marked done (a whole file with no row); a second
worker takes the job over when the lease runs out.
"""
from __future__ import annotations

import io
import json
import signal
import zipfile

import pytest

from tests.jobs.test_worker import _query, _run, _wait_for, _worker


@pytest.mark.parametrize("pause", ["mid_write", "after_move"])
def test_a_worker_killed_mid_export_leaves_exactly_one_file(tmp_path, pause):
    root = tmp_path
    _run(root, "migrate")
    job_id = int(_run(root, "enqueue_export", pause))
    folder = root / "job-files"

    first = _worker(root, "first")
    try:
        _wait_for(lambda: (root / f"stopped-{pause}").exists(), "the first worker to reach the pause")
        left = sorted(p.name for p in folder.iterdir())
        assert left == ([f"job-{job_id}.zip"] if pause == "after_move" else left)
        assert all(name.endswith(".part") for name in left) or pause == "after_move"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert _query(root, "SELECT count(*) FROM job_files") == (0,)

    second = _worker(root, "second")
    try:
        _wait_for(lambda: _query(root, "SELECT state FROM jobs WHERE id = ?", job_id) == ("done",),
                  "the second worker to finish the export")
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=30) == 0
    finally:
        if second.poll() is None:
            second.kill()

    assert (root / "attempt-2").exists()
    assert sorted(p.name for p in folder.iterdir()) == [f"job-{job_id}.zip"]
    assert _query(root, "SELECT count(*), min(stored_name) FROM job_files WHERE job_id = ?", job_id) == (1, f"job-{job_id}.zip")
    owner, size = _query(root, "SELECT owner_id, size FROM job_files WHERE job_id = ?", job_id)
    assert owner == _query(root, "SELECT id FROM users WHERE email = 'owner@example.com'")[0]
    data = (folder / f"job-{job_id}.zip").read_bytes()
    assert len(data) == size
    assert json.loads(zipfile.ZipFile(io.BytesIO(data)).read("data.json"))["account_id"] == owner
    assert _query(root, "SELECT attempts, last_error FROM jobs WHERE id = ?", job_id) == (2, None)
