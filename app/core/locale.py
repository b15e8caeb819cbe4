"""Choosing the language of a request.

Order: the language switch on every page (remembered in a cookie), then the
signed-in user's setting, then the browser's Accept-Language, then Thai.
"""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale as babel_get_locale
from flask_login import current_user

LANG_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    locale = babel_get_locale()
    return locale.language if locale is not None else "th"
