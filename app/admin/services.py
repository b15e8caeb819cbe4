"""Reading the audit log for the administrators' page."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Select, or_, select

from app.accounts.models import User
from app.areas.models import Area
from app.audit.models import AuditEntry
from app.extensions import db


def audit_query(action: str | None = None, actor_email: str | None = None, area: Area | None = None) -> Select:
    """Audit entries, newest first.

    `action` matches a prefix ("role." finds every role change), `actor_email`
    part of the email of who acted, and a province's `area` includes its local
    governments.
    """
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if actor_email:
        stmt = stmt.join(User, AuditEntry.actor_id == User.id).where(User.email.icontains(actor_email, autoescape=True))
    if area is not None:
        if area.is_province:
            stmt = stmt.where(
                AuditEntry.area_id.in_(select(Area.id).where(or_(Area.id == area.id, Area.parent_id == area.id)))
            )
        else:
            stmt = stmt.where(AuditEntry.area_id == area.id)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def users_by_id(ids: Iterable[int | None]) -> dict[int, User]:
    """The people named in a page of entries (actors and objects), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}


def areas_by_id(ids: Iterable[int | None]) -> dict[int, Area]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(wanted)))}
