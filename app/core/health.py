"""Readiness checks for /readyz: can this process reach the database and Redis right now?"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from app.extensions import db

# A probe must answer quickly even when a server is gone (the kernel would wait much longer).
REDIS_TIMEOUT_SECONDS = 0.5


def database_state() -> str:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure is "not ready"; the reason goes to the log, not to the caller
        from flask import current_app

        current_app.logger.warning("Readiness: the database does not answer", exc_info=True)
        try:
            db.session.rollback()
        except Exception:
            pass
        return "unavailable"
    return "ok"


def redis_state(app: Flask) -> str:
    url = app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                      socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        try:
            client.ping()
        finally:
            client.close()
    except Exception:
        app.logger.warning("Readiness: Redis does not answer", exc_info=True)
        return "unavailable"
    return "ok"


def readiness(app: Flask) -> dict[str, str]:
    return {"database": database_state(), "redis": redis_state(app)}
