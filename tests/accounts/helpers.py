"""Helpers for account route tests: what a Thai reader sees on a page."""
from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db

THAI = re.compile(r"[\u0E00-\u0E7F]")


def th(message: str, **values) -> str:
    """The Thai text of a message (asserted to really be Thai)."""
    with force_locale("th"):
        text = gettext(message, **values)
    assert THAI.search(text), f"no Thai translation for {message!r}"
    return text


def shows(response, message: str, **values) -> bool:
    """Does the page show the Thai text of `message`?"""
    return str(escape(th(message, **values))) in response.get_data(as_text=True)


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def link_in(mail, path: str) -> str:
    """The path of the first link to `path` in an email, e.g. "/verify/..."."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S+)", mail.get_body(("plain",)).get_content())
    assert match, mail.get_body(("plain",)).get_content()
    return match.group(1)


def is_signed_in(client) -> bool:
    return client.get("/profile").status_code == 200
