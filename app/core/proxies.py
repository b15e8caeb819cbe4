"""The client's address and scheme as the trusted reverse proxies saw them.

Behind nginx every request comes from 127.0.0.1: rate limits per address and
the audit log's IP would then see one visitor. With `TRUSTED_PROXY_COUNT=N`
(the number of proxies in front of the app, usually 1), werkzeug's ProxyFix
takes the address and scheme from the last N entries of `X-Forwarded-For`
and `X-Forwarded-Proto`, which those proxies wrote. With 0 (the default) the
headers are ignored: anyone can send them, so trusting them without a proxy
that overwrites them would let each request pick its own address.

The Host header is not taken from `X-Forwarded-Host`: the proxy passes the
original Host (see the README), which `TRUSTED_HOSTS` then checks.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trusted_proxy_count(app: Flask) -> int:
    raw = app.config.get("TRUSTED_PROXY_COUNT")
    if raw is None:
        raw = os.environ.get("TRUSTED_PROXY_COUNT", "0")
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > 10:
        raise RuntimeError(f"TRUSTED_PROXY_COUNT={raw!r}: give the number of reverse proxies in front (0 to 10)")
    return int(text)


class TrustedProxies:
    """ProxyFix for as many proxies as configured now (read at each request, so a test can change it)."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._fixes: dict[int, ProxyFix] = {}

    def __call__(self, environ: dict, start_response: Callable):
        count = int(self.app.config.get("TRUSTED_PROXY_COUNT") or 0)
        if count <= 0:
            return self.wsgi_app(environ, start_response)
        fix = self._fixes.get(count)
        if fix is None:
            fix = self._fixes[count] = ProxyFix(self.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0, x_prefix=0)
        return fix(environ, start_response)


def init_trusted_proxies(app: Flask) -> None:
    """Wrap the whole app (outermost, so the page cache and the host check see the client's scheme)."""
    app.config["TRUSTED_PROXY_COUNT"] = trusted_proxy_count(app)
    app.wsgi_app = TrustedProxies(app, app.wsgi_app)
