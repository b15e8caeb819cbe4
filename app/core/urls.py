"""Absolute URLs on the site's configured public address, and the hosts the site answers for.

A link in an email or a feed is read far from the request that made it, so it
must never come from that request's Host header: anyone can send
`Host: evil.example` to /forgot-password and have the victim mailed a real
reset link to the attacker's server. Every absolute URL is built here from
PUBLIC_BASE_URL (or SERVER_NAME + PREFERRED_URL_SCHEME), in a request or
outside one (CLI, background jobs) alike.

The same address decides which hosts are served: TRUSTED_HOSTS is the base
URL's host plus the configured extra names (loopback names in development),
and a request for any other host is refused with 400 (app/core/edge.py).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

from flask import Flask, current_app, g, has_app_context, has_request_context, request

PUBLIC_BASE_URL = "PUBLIC_BASE_URL"
PUBLIC_HOST = "RUAMKHIT_PUBLIC_HOST"  # host[:port] of PUBLIC_BASE_URL, set by init_public_urls


def normalise_base_url(raw: str) -> str:
    """`raw` as "scheme://host[:port][/path]" without a trailing slash; ValueError when it is not one."""
    parts = urlsplit((raw or "").strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"{raw!r} is not an http:// or https:// address with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{raw!r} must not carry a query, a fragment or a user name")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        raise ValueError(f"{raw!r} has an invalid port") from error
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def init_public_urls(app: Flask) -> None:
    """Settle PUBLIC_BASE_URL and TRUSTED_HOSTS from the configuration; refuse to start without an address."""
    config = app.config
    raw = config.get(PUBLIC_BASE_URL) or ""
    if not raw and config.get("SERVER_NAME"):
        root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
        raw = f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}{root}"
    if not raw:
        raise RuntimeError(
            "Refusing to start without the site's public address: set PUBLIC_BASE_URL "
            "(e.g. https://ruamkhit.example.go.th) or SERVER_NAME"
        )
    try:
        base = normalise_base_url(raw)
    except ValueError as error:
        raise RuntimeError(f"PUBLIC_BASE_URL: {error}") from error
    config[PUBLIC_BASE_URL] = base
    parts = urlsplit(base)
    config[PUBLIC_HOST] = parts.netloc
    extra = config.get("TRUSTED_HOSTS") or []
    if isinstance(extra, str):
        extra = [extra]
    hosts = [parts.hostname or ""] + [h.strip().lower() for h in extra if h and h.strip()]
    # Flask itself also checks this list (and werkzeug's check is what app/core/edge.py uses).
    config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))


def public_base_url() -> str:
    override = g.get(_OVERRIDE) if has_app_context() else None
    return override or current_app.config[PUBLIC_BASE_URL]


_OVERRIDE = "ruamkhit_public_base_url"


@contextmanager
def base_url_override(raw: str) -> Iterator[str]:
    """Build links on another public address for a while (a CLI command's --base-url); ValueError if invalid."""
    base = normalise_base_url(raw)
    previous = g.get(_OVERRIDE)
    setattr(g, _OVERRIDE, base)
    try:
        yield base
    finally:
        setattr(g, _OVERRIDE, previous)


def absolute_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` as an absolute URL on the public address, whatever the request's host.

    Works outside a request too (CLI commands, jobs). `_anchor` is kept;
    a relative endpoint (".show") is taken from the current blueprint.
    """
    app = current_app
    if endpoint.startswith(".") and has_request_context() and request.blueprint:
        endpoint = request.blueprint + endpoint
    anchor = values.pop("_anchor", None)
    values.pop("_external", None)
    values.pop("_scheme", None)
    app.inject_url_defaults(endpoint, values)
    parts = urlsplit(public_base_url())
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="%!#$&'()*+,/:;=?@")
    return url


def absolute_link(link: str) -> str:
    """A site path ("/ideas/5#c3", as stored in notifications) on the public address; other links unchanged."""
    if not link.startswith("/") or link.startswith("//"):
        return link
    base = public_base_url()
    path = urlsplit(base).path
    if path and (link == path or link.startswith(path + "/")):
        base = base[: -len(path)]  # the link already carries the prefix the site is mounted under
    return base + link
