"""Security headers on every response.

The CSP allows scripts and styles only from the app itself: no inline script,
no inline style attribute, nothing from the internet.

Personal data is never stored by a browser's or a proxy's cache: every page
rendered for a signed-in account (its header alone shows the person's name;
/profile, residents lists, notifications, the data download) and the pages in
PRIVATE_ENDPOINTS, whoever asks, are sent with `Cache-Control: private, no-store`.
This is the one place that decides it.
"""
from __future__ import annotations

from flask import Flask, Response, g, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


NO_STORE = "private, no-store"

# Pages that carry personal data even for a reader who is not signed in (a receipt code, a token in the link).
PRIVATE_ENDPOINTS = frozenset({
    "cycles.show_receipt", "cycles.check_receipt",
    "accounts.reset_password", "accounts.verify_email", "accounts.register", "accounts.login",
    "accounts.forgot_password",
})
# Public files: cached as usual even when a signed-in person fetches them.
PUBLIC_FILE_ENDPOINTS = frozenset({"static", "media.serve", "core.root_icon"})


def _signed_in() -> bool:
    # Only an account this request already loaded: asking current_user here would read the database
    # for a request (a static file) that never needed it.
    user = g.get("_login_user")
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_private(endpoint: str | None) -> bool:
    if endpoint in PRIVATE_ENDPOINTS:
        return True
    return endpoint not in PUBLIC_FILE_ENDPOINTS and _signed_in()


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def add_headers(response: Response) -> Response:
        if is_private(request.endpoint):
            response.headers["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
