"""A short-lived whole-page cache for readers who are not signed in.

At a peak (a province shares the link to its ideas, a cycle opens for
voting) most readers are not signed in and ask for the same few pages. For
them such a page is the same for everyone who reads it in the same language,
so it is rendered once and then served from the cache for up to
PAGE_CACHE_SECONDS (30 by default; 0 turns the cache off).

Two parts work together:

- `cached_page` marks a view whose page may be cached and names the scopes
  it shows, e.g. ``ideas:50`` for the ideas of Chiang Mai province.
- `PageCacheMiddleware` sits in front of Flask. For a GET from a reader who
  is not signed in (no user in the session, no remember-me cookie) with no
  flashed message waiting, it looks the page up by host, address and
  language; a current copy is sent as it was first sent, headers included,
  without Flask running at all. Otherwise the request goes to Flask, and a
  marked page answered 200 without setting a cookie is kept.

Signed-in readers always get a freshly rendered page, so whoever has just
acted sees the effect at once.

Going stale: domains say which changed rows touch which scopes
(`register_scopes`). When a transaction that changed such a row commits,
the scopes' generation goes up, and a page kept under an older generation is
not served again. So a new, edited, withdrawn, answered, hidden or restored
idea shows at once (with Redis, within a second in other processes: see
Storage). Counters changed by a single SQL UPDATE (supports,
comments) are not seen by the ORM and may lag by up to PAGE_CACHE_SECONDS.

Storage: Redis when REDIS_URL is set, shared by every worker (a lookup is
one round trip: a small Lua script returns the page and its scopes' current
generations; so not for Redis Cluster). A page found current is then kept
in the process for PAGE_CACHE_LOCAL_SECONDS (1 by default), since asking
Redis costs more than the rest of a hit: a change made by another process
reaches this one's readers within that second; the process that made the
change drops its own copies at once. Without Redis, a bounded store inside
the process, where a generation bump reaches only the process that made it
and the others catch up within PAGE_CACHE_SECONDS. If Redis fails, pages
are rendered as if there were no cache.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol

from flask import Flask, current_app, has_app_context, make_response, request
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

from app.core.locale import LANG_COOKIE, choose_locale

log = logging.getLogger(__name__)

EXTENSION = "ruamkhit_page_cache"
SCOPES_EXTENSION = "ruamkhit_page_scopes"
PENDING = "ruamkhit_page_scopes_pending"
HEADER = "X-Page-Cache"
MARK = "X-Ruamkhit-Page-Scopes"  # from the view to the middleware; never sent
ENVIRON_KEY = "ruamkhit.page_cache_key"
LOCAL_MAX_PAGES = 2000
GENERATION_PREFIX = "rk:gen:"


@dataclass(frozen=True)
class CachedPage:
    """A page as first sent, with the scopes it shows and their generations then."""

    scopes: tuple[str, ...]
    generations: str
    headers: list[tuple[str, str]]
    body: bytes

    def encode(self) -> bytes:
        head = [",".join(self.scopes).encode(), self.generations.encode(), json.dumps(self.headers).encode()]
        return b"\n".join([*head, self.body])

    @classmethod
    def decode(cls, raw: bytes) -> CachedPage | None:
        parts = raw.split(b"\n", 3)
        if len(parts) != 4:
            return None
        try:
            headers = [(str(k), str(v)) for k, v in json.loads(parts[2])]
        except (ValueError, TypeError):
            return None
        scopes = tuple(s for s in parts[0].decode().split(",") if s)
        return cls(scopes, parts[1].decode(), headers, parts[3])


def scopes_of(raw: bytes) -> list[str]:
    return [s for s in raw.split(b"\n", 1)[0].decode().split(",") if s]


class Store(Protocol):
    def fetch(self, key: str) -> tuple[bytes | None, str]: ...
    def generations(self, scopes: list[str]) -> str: ...
    def put(self, key: str, value: bytes, ttl: int) -> None: ...
    def bump(self, scopes: Iterable[str]) -> None: ...


class ExpiringMap:
    """A map whose entries expire after their own seconds, holding at most `max_items` (oldest dropped first)."""

    def __init__(self, max_items: int = LOCAL_MAX_PAGES) -> None:
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_items

    def get(self, key: str) -> Any | None:
        with self._lock:
            kept = self._items.get(key)
        return kept[1] if kept is not None and kept[0] > time.monotonic() else None

    def put(self, key: str, value: Any, seconds: float) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class LocalStore:
    """Pages and generations in this process, at most LOCAL_MAX_PAGES pages, oldest dropped first."""

    def __init__(self, max_pages: int = LOCAL_MAX_PAGES) -> None:
        self._pages = ExpiringMap(max_pages)
        self._generations: dict[str, int] = {}
        self._lock = threading.Lock()

    def fetch(self, key: str) -> tuple[bytes | None, str]:
        """The stored page and the current generations of the scopes it names."""
        raw = self._pages.get(key)
        if raw is None:
            return None, ""
        return raw, self.generations(scopes_of(raw))

    def generations(self, scopes: list[str]) -> str:
        with self._lock:
            return ",".join(str(self._generations.get(s, 0)) for s in scopes)

    def put(self, key: str, value: bytes, ttl: int) -> None:
        self._pages.put(key, value, ttl)

    def bump(self, scopes: Iterable[str]) -> None:
        with self._lock:
            for scope in scopes:
                self._generations[scope] = self._generations.get(scope, 0) + 1


# The page and the generations of the scopes on its first line, in one round trip.
FETCH_SCRIPT = """
local page = redis.call('GET', KEYS[1])
if not page then return false end
local first = string.find(page, '\\n', 1, true)
if not first then return false end
local generations = {}
for scope in string.gmatch(string.sub(page, 1, first - 1), '[^,]+') do
  generations[#generations + 1] = redis.call('GET', ARGV[1] .. scope) or '0'
end
return {page, table.concat(generations, ',')}
"""


class RedisStore:
    """Pages and generations in Redis, shared by every worker process."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._fetch = self._redis.register_script(FETCH_SCRIPT)

    def fetch(self, key: str) -> tuple[bytes | None, str]:
        found = self._fetch(keys=[key], args=[GENERATION_PREFIX])
        if not found:
            return None, ""
        return found[0], found[1].decode()

    def generations(self, scopes: list[str]) -> str:
        if not scopes:
            return ""
        values = self._redis.mget([GENERATION_PREFIX + s for s in scopes])
        return ",".join((v or b"0").decode() for v in values)

    def put(self, key: str, value: bytes, ttl: int) -> None:
        self._redis.set(key, value, ex=ttl)

    def bump(self, scopes: Iterable[str]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for scope in scopes:
            pipe.incr(GENERATION_PREFIX + scope)
        pipe.execute()


class PageCache:
    def __init__(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        self.store: Store = RedisStore(url) if url else LocalStore()
        # With Redis, a page found current is also kept in this process for
        # PAGE_CACHE_LOCAL_SECONDS: asking Redis costs more than the rest of a hit.
        self.local_seconds = float(app.config.get("PAGE_CACHE_LOCAL_SECONDS", 1.0)) if url else 0.0
        self._local = ExpiringMap()

    def fetch(self, key: str) -> CachedPage | None:
        """The stored page if it is still current."""
        if self.local_seconds > 0:
            kept = self._local.get(key)
            if kept is not None:
                return kept
        try:
            raw, generations = self.store.fetch(key)
        except Exception:  # noqa: BLE001 - a cache outage must not break the page
            log.warning("page cache unavailable", exc_info=True)
            return None
        page = CachedPage.decode(raw) if raw else None
        if page is None or page.generations != generations:
            return None
        self._keep(key, page)
        return page

    def _keep(self, key: str, page: CachedPage) -> None:
        if self.local_seconds > 0:
            self._local.put(key, page, self.local_seconds)

    def generations(self, scopes: list[str]) -> str | None:
        try:
            return self.store.generations(scopes)
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable", exc_info=True)
            return None

    def put(self, key: str, page: CachedPage, seconds: int) -> None:
        try:
            self.store.put(key, page.encode(), seconds)
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable", exc_info=True)
            return
        self._keep(key, page)

    def bump(self, scopes: Iterable[str]) -> None:
        scopes = sorted(set(scopes))
        if not scopes:
            return
        self._local.clear()  # this process sees its own changes at once
        try:
            self.store.bump(scopes)
        except Exception:  # noqa: BLE001 - PAGE_CACHE_SECONDS still bounds how stale a page can be
            log.warning("page cache unavailable: pages may stay stale for PAGE_CACHE_SECONDS", exc_info=True)


class PageCacheMiddleware:
    """Answers cached pages before Flask runs, and keeps the pages that views mark."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable):
        seconds = int(self.app.config.get("PAGE_CACHE_SECONDS") or 0)
        key = self._key(environ) if seconds > 0 and environ.get("REQUEST_METHOD") == "GET" else None
        if key is None:
            return self.wsgi_app(environ, start_response)
        cache: PageCache = self.app.extensions[EXTENSION]
        page = cache.fetch(key)
        if page is not None:
            start_response("200 OK", [*page.headers, (HEADER, "hit")])
            return [page.body]
        environ[ENVIRON_KEY] = key
        captured: dict[str, Any] = {}
        written: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            mark = next((v for k, v in headers if k == MARK), None)
            if mark is None or exc_info is not None:
                return start_response(status, headers, exc_info)
            captured.update(status=status, headers=[(k, v) for k, v in headers if k != MARK], mark=mark)
            return written.append

        body_iter = self.wsgi_app(environ, capture)
        if not captured:
            return body_iter
        try:
            body = b"".join([*written, *body_iter])
        finally:
            if hasattr(body_iter, "close"):
                body_iter.close()
        headers = captured["headers"]
        if captured["status"].startswith("200 ") and not any(k.lower() == "set-cookie" for k, _ in headers):
            names, _, generations = captured["mark"].partition(";")
            scopes = tuple(s for s in names.split(",") if s)
            cache.put(key, CachedPage(scopes, generations, headers, body), seconds)
            headers = [*headers, (HEADER, "miss")]
        start_response(captured["status"], headers)
        return [body]

    def _key(self, environ: dict) -> str | None:
        """The cache key of this request, or None when the reader may be signed in or has a message waiting."""
        config = self.app.config
        cookies = parse_cookie(environ)
        if cookies.get(config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            return None
        raw_session = cookies.get(config["SESSION_COOKIE_NAME"])
        if raw_session:
            serializer = self.app.session_interface.get_signing_serializer(self.app)
            try:
                data = serializer.loads(raw_session, max_age=int(config["PERMANENT_SESSION_LIFETIME"].total_seconds()))
            except Exception:  # noqa: BLE001 - Flask treats a bad session cookie as an empty session
                data = {}
            if "_user_id" in data or "_flashes" in data:
                return None
        accept = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        locale = choose_locale(config, cookies.get(LANG_COOKIE), None, accept)
        address = "\n".join([
            environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
        ])
        return f"rk:page:{locale}:{hashlib.sha256(address.encode('utf-8', 'surrogateescape')).hexdigest()}"


def init_page_cache(app: Flask) -> None:
    app.extensions[EXTENSION] = PageCache(app)
    app.extensions.setdefault(SCOPES_EXTENSION, [])
    app.wsgi_app = PageCacheMiddleware(app, app.wsgi_app)


def register_scopes(app: Flask, model: type, scopes_of: Callable[[Any], Iterable[str]]) -> None:
    """When a row of `model` is added, changed or deleted, the scopes `scopes_of(row)` go stale."""
    app.extensions.setdefault(SCOPES_EXTENSION, []).append((model, scopes_of))


def cached_page(scopes: Callable[..., Iterable[str]]):
    """Let the page cache keep this view's page; `scopes` gets the view's arguments and names what it shows."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if ENVIRON_KEY not in request.environ:  # the middleware did not offer to cache this request
                return view(*args, **kwargs)
            names = sorted(set(scopes(*args, **kwargs)))
            # Taken before rendering: a change committed meanwhile leaves this page stale at once.
            generations = current_app.extensions[EXTENSION].generations(names)
            response = make_response(view(*args, **kwargs))
            if generations is not None and response.status_code == 200 and not response.direct_passthrough:
                response.headers[MARK] = ",".join(names) + ";" + generations
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
            for model, scopes_for in sources:
                if isinstance(obj, model):
                    pending.update(scopes_for(obj))


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
