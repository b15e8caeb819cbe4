"""Thai national ID numbers: check digit and keyed hashing.

The number itself is never stored: only an HMAC-SHA256 keyed by ID_HASH_KEY,
which is enough to enforce "one ID, one account" and cannot be reversed by
enumerating the 10^12 possible numbers without the key.
"""
from __future__ import annotations

import hashlib
import hmac
import re

_NON_DIGITS = re.compile(r"[\s\-]")


def normalise(raw: str) -> str:
    """Strip spaces and dashes as people type them: 1-2345-67890-12-1."""
    return _NON_DIGITS.sub("", raw or "")


def is_valid(raw: str) -> bool:
    digits = normalise(raw)
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(digits[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(digits[12])


def keyed_hash(raw: str, key: str) -> str:
    return hmac.new(key.encode(), normalise(raw).encode(), hashlib.sha256).hexdigest()
