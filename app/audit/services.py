"""Writing to the audit log.

Services call `record` with the acting user; the IP comes from the request
boundary through `set_request_ip` so that services never read `request`.
"""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Optional

from app.audit.models import AuditEntry
from app.extensions import db

_request_ip: ContextVar[Optional[str]] = ContextVar("audit_request_ip", default=None)


def set_request_ip(ip: Optional[str]) -> None:
    _request_ip.set(ip)


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    area: Any = None,
    details: Optional[dict[str, Any]] = None,
) -> AuditEntry:
    """Append one audit row. `obj` is any model with an `id`; its table name is the type."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=getattr(obj, "__tablename__", None) if obj is not None else None,
        object_id=getattr(obj, "id", None) if obj is not None else None,
        area_id=getattr(area, "id", None),
        ip=_request_ip.get(),
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
