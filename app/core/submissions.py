"""One-time submission tokens: the same form sent twice (a retry after an error page, a double click,
a browser re-sending a POST) makes one idea or one comment.

A token is made when the form is shown and travels in a hidden field. The idea or comment stores it,
unique per author, so a second submit with it finds the first and the route redirects there; two
submits racing each other meet the unique constraint and the loser does the same.
"""
from __future__ import annotations

import re
import secrets
from typing import Optional

TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}", re.ASCII)


def new_submission_token() -> str:
    return secrets.token_urlsafe(32)


def clean_submission_token(value: object) -> Optional[str]:
    """The token from a form, or None for a missing or malformed one (the submit then works as before)."""
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    return None
