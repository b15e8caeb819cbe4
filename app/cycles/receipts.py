"""Handing the receipt code from the ballot POST to the page that shows it, once, without keeping it readable.

Flask's session is a signed cookie, not an encrypted one: anyone holding a copy
(a shared computer, a proxy's log) could read a code kept there, and the page
could be shown again from that copy. The code is split instead, one-time-pad
style: the cookie carries `code XOR pad` and a random handle, the database a
row with the pad under the handle's hash, and nothing else (no user, no ballot,
no time but a coarse expiry). Neither half alone says anything about the code;
showing the receipt deletes the row, so no copy of the cookie shows it again.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import Optional

from sqlalchemy import delete

from app.core.timeutil import utcnow
from app.cycles.models import ReceiptPad
from app.extensions import db

# Long enough for a slow phone to follow the redirect; the pad of a receipt never shown dies then.
PAD_LIFETIME = timedelta(minutes=15)


def _handle_hash(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def seal_receipt(code: str) -> dict[str, str]:
    """What the session may hold for `code` (in the caller's transaction: commit it with the ballot)."""
    raw = code.encode()
    pad = secrets.token_bytes(len(raw))
    handle = secrets.token_urlsafe(24)
    now = utcnow()
    db.session.execute(delete(ReceiptPad).where(ReceiptPad.expires_at < now))
    expires = (now + PAD_LIFETIME).replace(second=0, microsecond=0)  # coarse: not the moment of the vote
    db.session.add(ReceiptPad(id=_handle_hash(handle), pad=pad.hex(), expires_at=expires))
    db.session.flush()
    return {"h": handle, "c": base64.urlsafe_b64encode(_xor(raw, pad)).decode()}


def open_receipt(sealed: object) -> Optional[str]:
    """The code, once: the pad is deleted (commit afterwards). None if expired, shown already or tampered."""
    if not isinstance(sealed, dict) or not isinstance(sealed.get("h"), str) or not isinstance(sealed.get("c"), str):
        return None
    row = db.session.get(ReceiptPad, _handle_hash(sealed["h"]))
    if row is None:
        return None
    db.session.delete(row)
    db.session.flush()
    if row.expires_at < utcnow():
        return None
    try:
        masked = base64.urlsafe_b64decode(sealed["c"].encode())
        return _xor(masked, bytes.fromhex(row.pad)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
