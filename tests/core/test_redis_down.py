"""Redis stopped mid-run: nobody gets a 500, limits still hold per process, and Redis is used again once back.

The test starts its own redis-server on a free port, points the rate limiter
and the page cache at it, hits every rate-limited route, kills the server,
hits them again, and starts it again.
"""
from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis

from app.core import pagecache
from app.extensions import db, limiter
from tests.ideas.factories import create_idea, create_user, sign_in

REDIS_SERVER = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server (apt-get install redis-server)")


def _free_port() -> int:
    for port in range(6390, 6490):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for redis-server")


class RedisProcess:
    """A throw-away redis-server (no persistence) that the test can kill and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def keys(self) -> list[bytes]:
        return redis.Redis.from_url(self.url, socket_timeout=0.5).keys("*")


@pytest.fixture
def redis_app(app):
    """The session app with its rate limits and page cache in a Redis of the test's own."""
    server = RedisProcess(_free_port())
    server.start()
    saved = {k: app.config[k] for k in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "PAGE_CACHE_SECONDS")}
    saved_cache = app.extensions[pagecache.EXTENSION]
    app.config.update(REDIS_URL=server.url, RATELIMIT_STORAGE_URI=server.url, PAGE_CACHE_SECONDS=30)
    limiter.init_app(app)
    app.extensions[pagecache.EXTENSION] = pagecache.PageCache(app)
    try:
        yield server
    finally:
        server.kill()
        app.config.update(saved)
        limiter.init_app(app)  # back to the in-memory storage of the other tests
        limiter._storage_dead = False
        app.extensions[pagecache.EXTENSION] = saved_cache


def _hit_every_limited_route(anonymous, member, idea) -> dict[str, int]:
    """One request to each rate-limited route (and the cached list); the status of each."""
    seen = {
        "login": anonymous.post("/login", data={"email": "nobody@example.com", "password": "wrong password"}),
        "register": anonymous.post("/register", data={"email": "not-an-email", "password": "x", "display_name": "x"}),
        "forgot password": anonymous.post("/forgot-password", data={"email": "nobody@example.com"}),
        "reset password": anonymous.post("/reset-password/bad-token", data={"password": "x"}),
        "search": anonymous.get("/ideas/search?q=ถนน"),
        "similar ideas": anonymous.get("/p/50/ideas/similar?q=ถนน"),
        "receipt check": anonymous.post("/cycles/receipt", data={"code": "ABCD-EFGH"}),
        "cached list": anonymous.get("/p/50/ideas"),
        "support": member.post(f"/ideas/{idea.id}/support", data={"want": "1"}),
        "follow idea": member.post(f"/ideas/{idea.id}/follow", data={"want": "1"}),
        "follow area": member.post("/areas/50/follow", data={"want": "1"}),
        "comment": member.post(f"/ideas/{idea.id}/comments/new", data={"body": "ไฟดับทั้งซอยเลย"}),
        "report": member.post(f"/ideas/{idea.id}/report", data={"reason": "spam"}),
        "new idea": member.post("/p/50/ideas/new", data={"title": "", "description": ""}),
        "edit idea": member.post(f"/ideas/{idea.id}/edit", data={"title": ""}),
        "resend confirmation": member.post("/profile/resend-confirmation"),
        "national id": member.post("/profile/national-id", data={"national_id": "123"}),
        "change password": member.post("/profile/password", data={"current_password": "wrong"}),
    }
    return {name: response.status_code for name, response in seen.items()}


def test_redis_killed_mid_run_gives_no_500_and_limits_still_hold(app, redis_app, caplog, monkeypatch):
    author = create_user()
    member = create_user()
    idea = create_idea(author, title="ถนนในหมู่บ้านเป็นหลุมเป็นบ่อ")
    db.session.commit()
    anonymous, signed_in = app.test_client(), app.test_client()
    sign_in(signed_in, member)
    before = _hit_every_limited_route(anonymous, signed_in, idea)
    assert not [name for name, status in before.items() if status >= 500], before
    assert any(key.startswith(b"LIMITS:") for key in redis_app.keys()), "the limits were not counted in Redis"
    assert anonymous.get("/p/50/ideas").headers.get(pagecache.HEADER) == "hit"

    redis_app.kill()
    caplog.set_level(logging.INFO)
    during = _hit_every_limited_route(anonymous, signed_in, idea)
    assert not [name for name, status in during.items() if status >= 500], during
    assert "falling back to in-memory storage" in caplog.text
    # The page cache renders instead.
    assert anonymous.get("/p/50/ideas").status_code == 200

    # Still enforced, now by this process alone: the sign-in limit of one address.
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_ADDRESS", "3 per minute")
    attempts = [
        anonymous.post("/login", data={"email": f"guess{n}@example.com", "password": "wrong"}).status_code
        for n in range(4)
    ]
    assert attempts[-1] == 429, attempts
    assert signed_in.get("/ideas/search?q=ไฟ").status_code == 200  # and it keeps serving

    redis_app.start()
    deadline = time.monotonic() + 40  # the limiter asks again after 1, 2, 4, 8 ... seconds
    while not redis_app.keys():
        assert time.monotonic() < deadline, "the limiter did not go back to Redis"
        assert anonymous.get("/ideas/search?q=ไฟ").status_code == 200
        time.sleep(0.25)
    assert "Rate limit storage recovered" in caplog.text
    after = _hit_every_limited_route(anonymous, signed_in, idea)
    assert not [name for name, status in after.items() if status >= 500], after
