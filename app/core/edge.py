"""What every request is checked for once, before any view or database query runs.

- The Host: only the hosts in TRUSTED_HOSTS (the public base URL's host and
  the configured extras, app/core/urls.py) are served. Werkzeug's own check
  (`get_host`) decides; a request for another host gets 400 with the error
  page. The middleware puts the public host in its place first, so that the
  error page (its links, the language switch) is built as for the real site
  and nothing of the foreign host is used anywhere.
- NUL bytes: no path, query string or form value holds one. PostgreSQL
  refuses NUL in text (a 500 from every route that looks a code up), and no
  person types one; the request is refused with 400 in the reader's language.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_host

from app.core.errors import Refused
from app.core.urls import PUBLIC_BASE_URL, PUBLIC_HOST

UNTRUSTED_HOST = "ruamkhit.untrusted_host"
NUL = "\x00"


class TrustedHostMiddleware:
    """Marks requests for a host the site does not serve, and gives them the public host instead."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable):
        trusted = self.app.config.get("TRUSTED_HOSTS")
        if trusted and not host_is_served(environ, trusted):
            environ = {**environ, UNTRUSTED_HOST: environ.get("HTTP_HOST", ""), "HTTP_HOST": self.app.config[PUBLIC_HOST]}
        return self.wsgi_app(environ, start_response)


def host_is_served(environ: dict, trusted: list[str]) -> bool:
    port = str(environ.get("SERVER_PORT", ""))
    server = (environ.get("SERVER_NAME", ""), int(port) if port.isascii() and port.isdecimal() else None)
    try:
        host = get_host(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST"), server, trusted)
    except SecurityError:
        return False
    return bool(host)


def has_nul(values) -> bool:
    return any(NUL in key or NUL in value for key, value in values)


def refuse_bad_input() -> None:
    """The first before_request hook: refuse foreign hosts and NUL bytes before anything reads them."""
    if UNTRUSTED_HOST in request.environ:
        raise Refused(_("This site does not answer for the address you used. Ruamkhit is at %(url)s",
                        url=current_app.config[PUBLIC_BASE_URL]))
    if (
        NUL in request.path
        or has_nul(request.args.items(multi=True))
        or (request.method in {"POST", "PUT", "PATCH", "DELETE"} and (
            has_nul(request.form.items(multi=True))
            or any(NUL in (f.filename or "") or NUL in key for key, f in request.files.items(multi=True))
        ))
    ):
        raise Refused(_("The address or the form contains a character that is not allowed. "
                        "Please check what you entered and try again."))


def init_edge(app: Flask) -> None:
    """Call before other middleware wraps the app: the page cache sits in front and sees the original host."""
    app.wsgi_app = TrustedHostMiddleware(app, app.wsgi_app)
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_bad_input)
