"""Choosing the language of a request.

Order: the language switch on every page (remembered in a cookie), then the
signed-in user's setting, then the browser's Accept-Language, then Thai.
The JSON API (/api/) answers in the language of Accept-Language alone: it
reads no cookie and no account.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import get_locale as babel_get_locale
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept

LANG_COOKIE = "lang"


def select_locale() -> str:
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/") and request.endpoint != "api.docs":
        return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or current_app.config["BABEL_DEFAULT_LOCALE"]
    user_locale = current_user.locale if getattr(current_user, "is_authenticated", False) else None
    return choose_locale(current_app.config, request.cookies.get(LANG_COOKIE), user_locale, request.accept_languages)


def choose_locale(
    config: Mapping[str, Any], cookie: str | None, user_locale: str | None, accept_languages: LanguageAccept
) -> str:
    """The rule itself, also used by the page cache before Flask sees the request."""
    languages = config["LANGUAGES"]
    if cookie in languages:
        return cookie
    if user_locale in languages:
        return user_locale
    return accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    locale = babel_get_locale()
    return locale.language if locale is not None else "th"
