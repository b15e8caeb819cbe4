"""The floor for bench/ballots.py: the least a durable vote can cost on this machine.

A WSGI app with no framework, no session, no checks: each POST is one
INSERT of its body into `bench_floor` and a COMMIT on a connection kept per
thread, answered 302 like a vote. bench/ballots.py serves it with the same
gunicorn settings and client as the real app, so the real vote can be
compared with it: whatever the app does beyond this (sessions, CSRF, who
may vote, the ballot rules, the separate voter and ballot tables) costs the
difference.
"""
from __future__ import annotations

import os
import threading

import psycopg

_local = threading.local()


def _connection() -> psycopg.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(os.environ["FLOOR_DSN"])
    return conn


def app(environ, start_response):
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if environ["REQUEST_METHOD"] == "POST":
        conn = _connection()
        with conn.transaction():
            conn.execute("INSERT INTO bench_floor (body) VALUES (%s)", (body.decode("utf-8", "replace"),))
        start_response("302 Found", [("Location", "/done"), ("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
