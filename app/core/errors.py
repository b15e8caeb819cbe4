"""Error pages in the user's language, and the CSRF failure message.

Every error page renders without the database: while PostgreSQL is unreachable a
request gets 503 with a Retry-After and the page in the reader's language (the
language switch's cookie or Accept-Language, since the account cannot be read),
rendered as for an anonymous reader. If even that template fails, a small page
in both languages is sent, never a bare "Internal Server Error".
"""
from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import BadRequest, HTTPException

from app.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you entered and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this here.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have moved or been removed.")),
    405: (_l("Not allowed"), _l("That action cannot be done this way.")),
    413: (_l("File too large"), _l("What you sent is too large. Please send a smaller file.")),
    429: (_l("Too many attempts"), _l("You have tried too many times. Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. Nothing you entered was lost; please try again later.")),
    503: (_l("Service unavailable"), _l("The site cannot reach its database at the moment. Please try again in a few minutes.")),
}

# Seconds a client (or a proxy, or a crawler) should wait before trying again while the database is down.
RETRY_AFTER_SECONDS = 30


class Refused(BadRequest):
    """A 400 whose description is a message for the reader, shown on the error page (in their language)."""

    def __init__(self, message) -> None:
        super().__init__(description=message)


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": str(title), "message": detail or str(message), "status": code}, code
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def is_database_unavailable(error: BaseException) -> bool:
    """Is this the database being unreachable (down, restarting, refusing connections, pool exhausted)?"""
    if isinstance(error, (OperationalError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def _forget_the_account() -> None:
    """Render as for an anonymous reader: the signed-in account (its name, roles, counts) needs the database."""
    from app.extensions import db, login_manager

    try:
        db.session.rollback()
    except Exception:  # the connection is gone: nothing to roll back
        pass
    g._login_user = login_manager.anonymous_user()
    g.database_unavailable = True


_FALLBACK = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{message}</p>
<p lang="th">ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้งภายหลัง</p>
<p lang="en">The service is temporarily unavailable. Please try again later.</p></body></html>
"""


def _is_api() -> bool:
    return request.path.startswith("/api/")


def database_unavailable():
    """503 with Retry-After, in the reader's language, without touching the database."""
    _forget_the_account()
    if _is_api():
        from app.api.http import problem_response

        return problem_response(503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    try:
        body, code = _render(503)
    except Exception:  # a template or a context processor still reached for the database
        from flask import current_app

        current_app.logger.exception("Error page failed while the database is unavailable")
        title, message = MESSAGES[503]
        try:
            from app.core.locale import current_locale

            lang = current_locale()
            title, message = str(title), str(message)
        except Exception:
            lang, title, message = "th", "Service unavailable", "The site cannot reach its database."
        body, code = _FALLBACK.format(lang=lang, title=escape(title), message=escape(message)), 503
    return body, code, headers


def _page(code: int, detail: str | None = None):
    """The error page; if rendering it needs the database and the database is down, the 503 page instead."""
    try:
        return _render(code, detail)
    except Exception as error:
        if not is_database_unavailable(error):
            raise
        return database_unavailable()


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(400, str(_l("The form expired or was sent from elsewhere. Please reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _is_api():  # the API answers problem+json (RFC 9457), also for unknown addresses and rate limits
            from app.api.routes import http_problem

            return http_problem(error)
        code = error.code or 500
        if code not in MESSAGES:
            code = 400 if 400 <= code < 500 else 500
        return _page(code, str(error.description) if isinstance(error, Refused) else None)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if is_database_unavailable(error):
            app.logger.error("Database unavailable: %s", error.__class__.__name__)
            return database_unavailable()
        try:
            db.session.rollback()
        except Exception as rollback_error:  # pragma: no cover - a broken connection
            if not is_database_unavailable(rollback_error):
                raise
        if app.testing:
            raise error
        app.logger.exception("Unhandled error")
        if _is_api():
            from app.api.http import problem_response

            return problem_response(500)
        return _page(500)
