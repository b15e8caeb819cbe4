"""Error pages in the user's language, and the CSRF failure message."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
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
}


class Refused(BadRequest):
    """A 400 whose description is a message for the reader, shown on the error page (in their language)."""

    def __init__(self, message) -> None:
        super().__init__(description=message)


def _render(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return {"error": str(title), "message": detail or str(message), "status": code}, code
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _render(400, str(_l("The form expired or was sent from elsewhere. Please reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in MESSAGES:
            code = 400 if 400 <= code < 500 else 500
        return _render(code, str(error.description) if isinstance(error, Refused) else None)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        db.session.rollback()
        if app.testing:
            raise error
        app.logger.exception("Unhandled error")
        return _render(500)
