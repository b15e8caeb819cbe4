"""Making, revoking and recognising API keys (app/api/models.py says what a key is for)."""
from __future__ import annotations

import hashlib
import secrets
from typing import Any, Optional

from sqlalchemy import select

from app.api.models import ApiKey
from app.audit.services import record
from app.core.timeutil import utcnow
from app.extensions import db

PREFIX = "rk_"
NAME_MAX = 200


class ApiKeyError(Exception):
    pass


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def create_key(actor: Any, name: str) -> tuple[ApiKey, str]:
    """A new key for `name`; returns the row and the key itself, which is not stored and cannot be shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise ApiKeyError("Say whose key it is (a name).")
    if len(name) > NAME_MAX:
        raise ApiKeyError(f"The name is longer than {NAME_MAX} characters.")
    raw = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=raw[: len(PREFIX) + 6], key_hash=hash_key(raw), created_by_id=getattr(actor, "id", None))
    db.session.add(key)
    db.session.flush()
    record(actor, "api_key.create", key, details={"name": name})
    return key, raw


def revoke_key(actor: Any, key: ApiKey) -> None:
    if key.revoked_at is not None:
        raise ApiKeyError(f"Key {key.id} was already revoked.")
    key.revoked_at = utcnow()
    db.session.flush()
    record(actor, "api_key.revoke", key, details={"name": key.name})


def active_key(raw: str) -> Optional[ApiKey]:
    """The key sent with a request, if it is one we made and did not revoke."""
    if not raw or len(raw) > 100 or not raw.startswith(PREFIX):
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw)))
    return key if key is not None and key.is_active else None


def list_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id)))
