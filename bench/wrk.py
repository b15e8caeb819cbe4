"""Timing a GET with wrk, the C load generator the benchmarks use (`apt-get install wrk`)."""
from __future__ import annotations

import os
import subprocess
import tempfile

REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.3f %.3f\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def wrk_get(url: str, *, seconds: int, connections: int, threads: int = 1, headers: tuple[str, ...] = (),
            warmup_seconds: int = 0) -> tuple[float, float, float]:
    """p50 ms, p95 ms and requests per second of GET `url` for `seconds`; any failed or non-2xx answer is an error."""
    base = ["wrk", "-t", str(threads), "-c", str(connections), "--timeout", "10s"]
    for header in headers:
        base += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(REPORT)
    try:
        if warmup_seconds:  # connections, caches, PostgreSQL's buffers
            subprocess.run([*base, "-d", f"{warmup_seconds}s", url], check=True, capture_output=True)
        out = subprocess.run([*base, "-d", f"{seconds}s", "-s", script.name, url],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(script.name)
    line = next((line for line in out.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result for {url}:\n{out}")
    count, duration_us, errors, p50, p95 = line.split()[1:]
    if int(errors):
        raise RuntimeError(f"{url}: {errors} of {count} requests failed or were not 2xx:\n{out}")
    return float(p50), float(p95), int(count) / (int(duration_us) / 1e6)
