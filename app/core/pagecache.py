"""A short-lived whole-page cache for readers who are not signed in.

At a peak (a province shares the link to its ideas, a cycle opens for
voting) most readers are not signed in and ask for the same few pages. For
them such a page is the same for everyone who reads it in the same language,
so it is rendered once and then served from the cache for up to
PAGE_CACHE_SECONDS (30 by default; 0 turns the cache off).

A page is cached only when nothing in it can be personal: a GET from a reader
who is not signed in (no user in the session, no remember-me cookie) with no
flashed message waiting, answered 200 without writing the session or setting
a cookie. Signed-in readers always get a freshly rendered page, so whoever
has just acted sees the effect at once.

Each cached page belongs to named scopes, e.g. ``ideas:50`` for the ideas of
Chiang Mai province. Domains say which changed rows touch which scopes
(`register_scopes`); when a transaction that changed such a row commits, the
scopes' generation goes up, and a page stored under an older generation is
not served again. So a new, edited, withdrawn, answered, hidden or restored
idea shows at once. Counters changed by a single SQL UPDATE (supports,
comments) are not seen by the ORM and may lag by up to PAGE_CACHE_SECONDS.

Storage: Redis when REDIS_URL is set, shared by every worker (a hit is one
MGET); otherwise a bounded store inside the process, where a generation bump
reaches only the process that made it and the others catch up within
PAGE_CACHE_SECONDS. If Redis fails, pages are rendered as if there were no
cache.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol

from flask import Flask, current_app, has_app_context, make_response, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.locale import current_locale

log = logging.getLogger(__name__)

EXTENSION = "ruamkhit_page_cache"
SCOPES_EXTENSION = "ruamkhit_page_scopes"
PENDING = "ruamkhit_page_scopes_pending"
HEADER = "X-Page-Cache"
LOCAL_MAX_PAGES = 2000


@dataclass(frozen=True)
class CachedPage:
    generations: str
    mimetype: str
    body: bytes

    def encode(self) -> bytes:
        return b"\x00".join([self.generations.encode(), self.mimetype.encode(), self.body])

    @classmethod
    def decode(cls, raw: bytes) -> CachedPage | None:
        parts = raw.split(b"\x00", 2)
        if len(parts) != 3:
            return None
        return cls(parts[0].decode(), parts[1].decode(), parts[2])


class Store(Protocol):
    def fetch(self, key: str, scopes: list[str]) -> tuple[bytes | None, str]: ...
    def put(self, key: str, value: bytes, ttl: int) -> None: ...
    def bump(self, scopes: Iterable[str]) -> None: ...


class LocalStore:
    """Pages and generations in this process, at most LOCAL_MAX_PAGES pages, oldest dropped first."""

    def __init__(self, max_pages: int = LOCAL_MAX_PAGES) -> None:
        self._pages: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._generations: dict[str, int] = {}
        self._lock = threading.Lock()
        self._max = max_pages

    def fetch(self, key: str, scopes: list[str]) -> tuple[bytes | None, str]:
        now = time.monotonic()
        with self._lock:
            generations = ",".join(str(self._generations.get(s, 0)) for s in scopes)
            stored = self._pages.get(key)
            if stored is None or stored[0] <= now:
                return None, generations
            return stored[1], generations

    def put(self, key: str, value: bytes, ttl: int) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + ttl, value)
            self._pages.move_to_end(key)
            while len(self._pages) > self._max:
                self._pages.popitem(last=False)

    def bump(self, scopes: Iterable[str]) -> None:
        with self._lock:
            for scope in scopes:
                self._generations[scope] = self._generations.get(scope, 0) + 1


class RedisStore:
    """Pages and generations in Redis, shared by every worker process."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def fetch(self, key: str, scopes: list[str]) -> tuple[bytes | None, str]:
        values = self._redis.mget([key, *(f"rk:gen:{s}" for s in scopes)])
        generations = ",".join((v or b"0").decode() for v in values[1:])
        return values[0], generations

    def put(self, key: str, value: bytes, ttl: int) -> None:
        self._redis.set(key, value, ex=ttl)

    def bump(self, scopes: Iterable[str]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for scope in scopes:
            pipe.incr(f"rk:gen:{scope}")
        pipe.execute()


class PageCache:
    def __init__(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        self.store: Store = RedisStore(url) if url else LocalStore()

    @staticmethod
    def seconds() -> int:
        return int(current_app.config.get("PAGE_CACHE_SECONDS", 0) or 0)

    def fetch(self, key: str, scopes: list[str]) -> tuple[CachedPage | None, str | None]:
        """The stored page if it is still current, and the generations to store a new one under."""
        try:
            raw, generations = self.store.fetch(key, scopes)
        except Exception:  # noqa: BLE001 - a cache outage must not break the page
            log.warning("page cache unavailable", exc_info=True)
            return None, None
        page = CachedPage.decode(raw) if raw else None
        if page is not None and page.generations == generations:
            return page, generations
        return None, generations

    def put(self, key: str, page: CachedPage) -> None:
        try:
            self.store.put(key, page.encode(), self.seconds())
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable", exc_info=True)

    def bump(self, scopes: Iterable[str]) -> None:
        scopes = sorted(set(scopes))
        if not scopes:
            return
        try:
            self.store.bump(scopes)
        except Exception:  # noqa: BLE001 - the TTL still bounds how stale a page can be
            log.warning("page cache unavailable: pages may stay stale for PAGE_CACHE_SECONDS", exc_info=True)


def init_page_cache(app: Flask) -> None:
    app.extensions[EXTENSION] = PageCache(app)
    app.extensions.setdefault(SCOPES_EXTENSION, [])


def register_scopes(app: Flask, model: type, scopes_of: Callable[[Any], Iterable[str]]) -> None:
    """When a row of `model` is added, changed or deleted, the scopes `scopes_of(row)` go stale."""
    app.extensions.setdefault(SCOPES_EXTENSION, []).append((model, scopes_of))


def _reader_is_anonymous() -> bool:
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return False
    return "_user_id" not in session and "_flashes" not in session


def cached_page(scopes: Callable[..., Iterable[str]]):
    """Serve the view from the page cache to readers who are not signed in.

    `scopes` receives the view's arguments and names the scopes the page shows.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            cache: PageCache | None = current_app.extensions.get(EXTENSION)
            if cache is None or cache.seconds() <= 0 or request.method != "GET" or not _reader_is_anonymous():
                return view(*args, **kwargs)
            names = sorted(set(scopes(*args, **kwargs)))
            digest = hashlib.sha256(request.full_path.encode("utf-8", "surrogateescape")).hexdigest()
            key = f"rk:page:{current_locale()}:{digest}"
            page, generations = cache.fetch(key, names)
            if page is not None:
                response = current_app.response_class(page.body, mimetype=page.mimetype)
                response.headers[HEADER] = "hit"
                response.vary.update(("Cookie", "Accept-Language"))
                return response
            response = make_response(view(*args, **kwargs))
            storable = (
                generations is not None
                and response.status_code == 200
                and not response.direct_passthrough
                and not response.headers.get("Set-Cookie")
                and not session.modified
            )
            if storable:
                cache.put(key, CachedPage(generations, response.mimetype or "text/html", response.get_data()))
                response.headers[HEADER] = "miss"
            response.vary.update(("Cookie", "Accept-Language"))
            return response

        return wrapper

    return decorator


# --- knowing what went stale ----------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _collect_scopes(session: Session, flush_context) -> None:
    if not has_app_context():
        return
    sources = current_app.extensions.get(SCOPES_EXTENSION)
    if not sources:
        return
    changed = list(session.new) + list(session.deleted)
    changed += [obj for obj in session.dirty if session.is_modified(obj, include_collections=False)]
    pending: set[str] = session.info.setdefault(PENDING, set())
    with session.no_autoflush:
        for obj in changed:
            for model, scopes_of in sources:
                if isinstance(obj, model):
                    pending.update(scopes_of(obj))


@event.listens_for(Session, "after_commit")
def _bump_scopes(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if not pending or not has_app_context():
        return
    cache: PageCache | None = current_app.extensions.get(EXTENSION)
    if cache is not None:
        cache.bump(pending)


@event.listens_for(Session, "after_rollback")
def _forget_scopes(session: Session) -> None:
    session.info.pop(PENDING, None)
