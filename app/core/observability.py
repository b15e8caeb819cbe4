"""Request ids, structured logs and Prometheus metrics.

Request id: every request gets one, the caller's `X-Request-ID` when it is
sane (1-64 letters, digits and `-_.:`, as nginx's `$request_id` or a load
balancer sends) or a new random one. It is sent back in `X-Request-ID`,
shown on error pages (a resident quotes it to the help desk) and written in
every log line of the request, so one id finds what happened.

Logs: `LOG_FORMAT=json` (the default in production) writes one JSON object a
line on stderr (time, level, logger, message, request_id, and for the line
each request ends with: method, path, endpoint, status, duration_ms);
`text` is for people reading a terminal. `LOG_LEVEL` (INFO).

Metrics, at `/metrics` in the Prometheus text format, only for addresses in
`METRICS_ALLOWED_IPS` (addresses or networks, default 127.0.0.1 and ::1;
anyone else gets 404, as if there were nothing there):
`ruamkhit_http_requests_total{endpoint,method,status}`,
`ruamkhit_http_request_duration_seconds{endpoint}` (a histogram),
`ruamkhit_votes_cast_total{source}` (online ballots, paper ballots entered),
`ruamkhit_jobs{state}` (the job queue's depth, running, done and failed jobs)
and `ruamkhit_jobs_oldest_queued_seconds`, read from the jobs table at each scrape.
Pages answered by the page cache count under the endpoint `pagecache`.

With several gunicorn processes each one counts its own; set
`PROMETHEUS_MULTIPROC_DIR` to an empty directory (wiped at each start) and
the processes write their counts there and `/metrics` adds them up
(prometheus_client's multiprocess mode; gunicorn.conf.py tells it when a
worker exits).

The middleware is the outermost layer but ProxyFix, so it also sees pages
served by the page cache and requests refused at the edge.
"""
from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

from flask import Flask, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from werkzeug.wsgi import ClosingIterator

REQUEST_ID_HEADER = "X-Request-ID"
ENVIRON_KEY = "ruamkhit.request_id"
ENDPOINT_KEY = "ruamkhit.endpoint"
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("ruamkhit_request_id", default=None)

REQUESTS = Counter(
    "ruamkhit_http_requests_total", "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "ruamkhit_http_request_duration_seconds", "Time to answer a request, by endpoint.", ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
VOTES = Counter("ruamkhit_votes_cast_total", "Ballots cast and stored, by source (online, paper).", ["source"])


def current_request_id() -> str | None:
    """The id of the request being answered (None outside a request)."""
    return _request_id.get()


def count_votes(source: str, amount: int = 1) -> None:
    """Count ballots once they are committed."""
    VOTES.labels(source=source).inc(amount)


# --- the middleware ---------------------------------------------------------------------


class ObservabilityMiddleware:
    """Gives each request its id, sends it back, logs the request's end and counts it."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.log = logging.getLogger("ruamkhit.request")

    def __call__(self, environ: dict, start_response: Callable):
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        environ[ENVIRON_KEY] = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        seen: dict[str, str] = {}

        def respond(status: str, headers: list[tuple[str, str]], exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        def finished() -> None:
            duration = time.perf_counter() - started
            endpoint = environ.get(ENDPOINT_KEY) or ("pagecache" if seen.get("status") == "200" else "none")
            status = seen.get("status", "500")
            method = environ.get("REQUEST_METHOD", "")
            REQUESTS.labels(endpoint=endpoint, method=method, status=status).inc()
            LATENCY.labels(endpoint=endpoint).observe(duration)
            self.log.info(
                "%s %s %s", method, environ.get("PATH_INFO", ""), status,
                extra={"method": method, "path": environ.get("PATH_INFO", ""), "endpoint": endpoint,
                       "status": int(status) if status.isdigit() else status,
                       "duration_ms": round(duration * 1000, 1), "request_id": request_id},
            )

        try:
            body = self.wsgi_app(environ, respond)
        except BaseException:
            seen.setdefault("status", "500")
            finished()
            _request_id.reset(token)
            raise
        _request_id.reset(token)
        return ClosingIterator(body, [finished])


def _mark_endpoint(response: Response) -> Response:
    # Flask's endpoint name (a bounded set) labels the metrics, never the raw path. After the
    # request, so that refusals by earlier hooks (rate limits, the edge) are named too.
    request.environ[ENDPOINT_KEY] = request.endpoint or "none"
    return response


# --- logs -----------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Adds the request id (or "-") to every record, for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: what a log collector (journald, Loki, CloudWatch) indexes without parsing."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
_HANDLER_NAME = "ruamkhit"


def configure_logging(app: Flask) -> None:
    """One handler on the root logger, in the configured format (tests keep pytest's own)."""
    fmt = (app.config.get("LOG_FORMAT") or "text").lower()
    if fmt not in {"json", "text"}:
        raise RuntimeError(f"LOG_FORMAT={fmt!r}: use json or text")
    if app.testing:
        return
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL") or "INFO")
    # Flask's own handler would print every app.logger line a second time, without the id.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)


# --- /metrics ---------------------------------------------------------------------------------


def allowed_networks(app: Flask) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = app.config.get("METRICS_ALLOWED_IPS")
    if raw is None:
        raw = "127.0.0.1,::1"
    parts = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    networks = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise RuntimeError(f"METRICS_ALLOWED_IPS: {part!r} is not an address or a network") from error
    return networks


def _may_read_metrics() -> bool:
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    return any(address in network for network in current_app.config["METRICS_NETWORKS"])


def metrics_registry() -> CollectorRegistry:
    """The registry to read: this process's, or every process's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


class JobsCollector:
    """The job queue as the database holds it, read at each scrape (the same in every process)."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily
        from sqlalchemy import func, select

        from app.extensions import db
        from app.jobs.models import Job, JobState

        try:
            counts = dict(db.session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
            oldest = db.session.scalar(select(func.min(Job.created_at)).where(Job.state == JobState.QUEUED))
        except Exception:  # noqa: BLE001 - the database down must not take /metrics with it
            db.session.rollback()
            logging.getLogger(__name__).warning("job metrics unavailable", exc_info=True)
            return
        jobs = GaugeMetricFamily("ruamkhit_jobs", "Background jobs by state (queued = the queue's depth; "
                                 "failed = failed every attempt, waiting for an administrator).", labels=["state"])
        for state in JobState:
            jobs.add_metric([state.value], counts.get(state, 0))
        yield jobs
        age = GaugeMetricFamily("ruamkhit_jobs_oldest_queued_seconds", "Age of the oldest queued job (0: none).")
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=timezone.utc)
        age.add_metric([], (datetime.now(timezone.utc) - oldest).total_seconds() if oldest else 0.0)
        yield age


def metrics_view():
    if not _may_read_metrics():
        abort(404)
    per_scrape = CollectorRegistry(auto_describe=False)
    per_scrape.register(JobsCollector())
    body = generate_latest(metrics_registry()) + generate_latest(per_scrape)
    return Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0], headers={"Cache-Control": "no-store"})


def init_observability(app: Flask) -> None:
    app.config["METRICS_NETWORKS"] = allowed_networks(app)
    configure_logging(app)
    app.after_request(_mark_endpoint)
    app.add_url_rule("/metrics", "core.metrics", metrics_view, methods=["GET"])
    app.wsgi_app = ObservabilityMiddleware(app, app.wsgi_app)

    @app.context_processor
    def _request_id_in_templates() -> dict:
        return {"request_id": current_request_id()}
