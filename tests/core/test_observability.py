"""Request ids (header, error pages, logs), JSON logs and the Prometheus metrics at /metrics."""
from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from app.core import observability, pagecache
from app.core.observability import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]


def health_endpoint(app) -> str:
    return app.url_map.bind("localhost").match("/healthz")[0]


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- request ids ---------------------------------------------------------------------------


def test_every_answer_carries_a_fresh_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept_and_others_are_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.17:9"}).headers["X-Request-ID"] == "nginx-4f2a.17:9"
    for bad in ("x" * 65, "two words", "<script>", "ข้อความ", ""):
        got = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert got != bad and re.fullmatch(r"[0-9a-f]{32}", got)


def test_error_pages_show_the_request_id_to_quote(client):
    response = client.get("/no-such-page", headers={"X-Request-ID": "help-desk-42"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "help-desk-42"
    assert "help-desk-42" in response.get_data(as_text=True)


def test_pages_from_the_page_cache_get_their_own_request_id(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 30)
    monkeypatch.setitem(app.extensions, pagecache.EXTENSION, pagecache.PageCache(app))
    first = client.get("/p/50/ideas", headers={"X-Request-ID": "first-read"})
    second = client.get("/p/50/ideas", headers={"X-Request-ID": "second-read"})
    assert second.headers[pagecache.HEADER] == "hit"
    assert first.headers.getlist("X-Request-ID") == ["first-read"]
    assert second.headers.getlist("X-Request-ID") == ["second-read"]


# --- logs ------------------------------------------------------------------------------------


@pytest.fixture
def json_log():
    """What the app logs during the test, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(saved)


def test_each_request_ends_with_one_json_line_carrying_its_id(app, client, json_log):
    # Logged when the server has sent the whole body (a streamed export too): here, buffered.
    client.get("/healthz", headers={"X-Request-ID": "trace-me-1"}, buffered=True)
    lines = [line for line in json_log() if line["logger"] == "ruamkhit.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "trace-me-1" and line["path"] == "/healthz" and line["status"] == 200
    assert line["method"] == "GET" and line["endpoint"] == health_endpoint(app) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


def test_log_lines_inside_a_request_carry_its_id_and_exceptions_are_kept(app, json_log):
    with app.test_request_context("/"):
        token = observability._request_id.set("inside-42")
        try:
            try:
                raise ValueError("บางอย่างผิดพลาด")
            except ValueError:
                logging.getLogger("ruamkhit.test").exception("it failed", extra={"idea_id": 7})
        finally:
            observability._request_id.reset(token)
    line = json_log()[-1]
    assert line["request_id"] == "inside-42" and line["message"] == "it failed" and line["idea_id"] == 7
    assert "ValueError: บางอย่างผิดพลาด" in line["exception"]


def test_production_logs_json_and_a_bad_format_is_refused():
    from config import DevelopmentConfig, ProductionConfig

    assert ProductionConfig.LOG_FORMAT == "json" and DevelopmentConfig.LOG_FORMAT == "text"
    from app import create_app

    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app("testing", LOG_FORMAT="xml")


def test_configured_logging_writes_json_with_the_request_id(tmp_path):
    """A development app (not testing) really installs the handler: run in its own process."""
    script = textwrap.dedent("""
        import logging
        from app import create_app
        app = create_app("development", LOG_FORMAT="json", SQLALCHEMY_DATABASE_URI="sqlite://")
        with app.test_client() as client:
            client.get("/healthz", headers={"X-Request-ID": "from-the-proxy"}, buffered=True)
    """)
    env = {**os.environ, "RUAMKHIT_INSTANCE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert any(line["request_id"] == "from-the-proxy" and line["path"] == "/healthz" for line in lines), done.stderr


# --- metrics -----------------------------------------------------------------------------------


def test_metrics_count_requests_by_endpoint_and_status_with_latency(app, client):
    health = health_endpoint(app)
    before = sample("ruamkhit_http_requests_total", endpoint=health, method="GET", status="200")
    latency = sample("ruamkhit_http_request_duration_seconds_count", endpoint=health)
    missing = sample("ruamkhit_http_requests_total", endpoint="none", method="GET", status="404")
    client.get("/healthz", buffered=True)
    client.get("/healthz", buffered=True)
    client.get("/no-such-page", buffered=True)
    assert sample("ruamkhit_http_requests_total", endpoint=health, method="GET", status="200") == before + 2
    assert sample("ruamkhit_http_request_duration_seconds_count", endpoint=health) == latency + 2
    assert sample("ruamkhit_http_requests_total", endpoint="none", method="GET", status="404") == missing + 1
    page = client.get("/metrics")
    assert page.status_code == 200 and page.mimetype == "text/plain"
    text = page.get_data(as_text=True)
    assert f'ruamkhit_http_requests_total{{endpoint="{health}",method="GET",status="200"}}' in text
    assert f'ruamkhit_http_request_duration_seconds_bucket{{endpoint="{health}",le="0.1"}}' in text
    assert "ruamkhit_votes_cast_total" in text


def test_rate_limited_answers_are_counted_under_their_endpoint(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_SEARCH", "1 per minute")
    before = sample("ruamkhit_http_requests_total", endpoint="ideas.search", method="GET", status="429")
    client.get("/ideas/search?q=ถนน", buffered=True)
    assert client.get("/ideas/search?q=ถนน", buffered=True).status_code == 429
    assert sample("ruamkhit_http_requests_total", endpoint="ideas.search", method="GET", status="429") == before + 1


def test_metrics_only_for_the_configured_addresses(app, client, monkeypatch):
    outside = {"REMOTE_ADDR": "203.0.113.8"}
    assert client.get("/metrics", environ_base=outside).status_code == 404
    # A forged X-Forwarded-For does not help while no proxy is trusted.
    assert client.get("/metrics", environ_base=outside, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
    monkeypatch.setitem(app.config, "METRICS_NETWORKS", observability.allowed_networks(app) + [
        __import__("ipaddress").ip_network("203.0.113.0/24")])
    assert client.get("/metrics", environ_base=outside).status_code == 200


@pytest.mark.parametrize("value", ["127.0.0.1,not-an-ip", "10.0.0.0/33"])
def test_a_bad_metrics_address_stops_the_app(app, monkeypatch, value):
    monkeypatch.setitem(app.config, "METRICS_ALLOWED_IPS", value)
    with pytest.raises(RuntimeError, match="METRICS_ALLOWED_IPS"):
        observability.allowed_networks(app)


def test_multiprocess_mode_adds_up_every_process(tmp_path):
    """Two 'workers' count requests in their own processes; /metrics in a third reads the sum."""
    folder = tmp_path / "prom"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "RUAMKHIT_INSTANCE": str(tmp_path)}
    worker = textwrap.dedent("""
        import sys
        from app import create_app
        app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
        with app.test_client() as client:
            for _ in range(int(sys.argv[1])):
                assert client.get("/healthz", buffered=True).status_code == 200
            if len(sys.argv) > 2:
                print(client.get("/metrics").get_data(as_text=True))
    """)
    for count in ("3", "4"):
        done = subprocess.run([sys.executable, "-c", worker, count], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-c", worker, "0", "read"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = re.search(r'ruamkhit_http_requests_total\{endpoint="core\.health\w*",method="GET",status="200"\} (\S+)', done.stdout)
    assert found and float(found.group(1)) == 7.0, done.stdout[:2000]


def test_job_queue_depth_and_failures_are_read_from_the_jobs_table(client, db):
    from datetime import timedelta

    from app.core.timeutil import utcnow
    from app.jobs.models import Job, JobState

    def value(text: str, series: str) -> float:
        return next(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(series + " "))

    queued, failed = 'ruamkhit_jobs{state="queued"}', 'ruamkhit_jobs{state="failed"}'
    before = client.get("/metrics").get_data(as_text=True)
    db.session.add_all([
        Job(kind="test.metrics", state=JobState.QUEUED, created_at=utcnow() - timedelta(minutes=10)),
        Job(kind="test.metrics", state=JobState.QUEUED),
        Job(kind="test.metrics", state=JobState.FAILED, last_error="SMTP refused"),
    ])
    db.session.commit()
    text = client.get("/metrics").get_data(as_text=True)
    assert value(text, queued) == value(before, queued) + 2
    assert value(text, failed) == value(before, failed) + 1
    assert value(text, "ruamkhit_jobs_oldest_queued_seconds") >= 599
