"""Who may do what, and where.

Every official power is scoped to an area: a provincial official acts in the
province and every local government in it; a local government officer only in
that local government; an evaluator assesses proposals of one area (for a
province, also of its local governments); an administrator everywhere. Routes
call these functions and `require`; services call them again where a misuse
would matter.
"""
from __future__ import annotations

from typing import Any, Iterable

from flask import abort

from app.accounts.models import Role, RoleAssignment, User
from app.areas.models import Area


def require(allowed: bool) -> None:
    """Abort with 403 unless `allowed`."""
    if not allowed:
        abort(403)


def _user(user: Any) -> User | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _covers(assignment: RoleAssignment, area: Area) -> bool:
    """Does a role assignment's area include `area`?"""
    if assignment.area_id is None:
        return False
    if assignment.area_id == area.id:
        return True
    # A province-level role reaches the province's local governments.
    return assignment.area is not None and assignment.area.is_province and area.parent_id == assignment.area_id


def has_role_in(user: Any, area: Area, roles: Iterable[Role]) -> bool:
    u = _user(user)
    if u is None:
        return False
    wanted = set(roles)
    return any(a.role in wanted and _covers(a, area) for a in u.roles)


def is_admin(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.is_admin


def is_official_of(user: Any, area: Area) -> bool:
    """An administrator, a provincial official of the area's province, or the area's LG officer."""
    if is_admin(user):
        return True
    u = _user(user)
    if u is None:
        return False
    for a in u.roles:
        if a.role is Role.PROVINCIAL_OFFICIAL and _covers(a, area):
            return True
        if a.role is Role.LG_OFFICER and a.area_id == area.id:
            return True
    return False


def official_area_ids(user: Any) -> set[int] | None:
    """Ids of the areas the user is an official of; None means every area (administrator)."""
    u = _user(user)
    if u is None:
        return set()
    if u.is_admin:
        return None
    ids: set[int] = set()
    for a in u.roles:
        if a.area_id is None or a.area is None:
            continue
        if a.role is Role.PROVINCIAL_OFFICIAL:
            ids.add(a.area_id)
            ids.update(child.id for child in a.area.children)
        elif a.role is Role.LG_OFFICER:
            ids.add(a.area_id)
    return ids


def can_manage_roles(user: Any) -> bool:
    return is_admin(user)


def can_view_audit_log(user: Any) -> bool:
    return is_admin(user)


def can_manage_areas(user: Any) -> bool:
    return is_admin(user)


def can_verify_resident(user: Any, area: Area) -> bool:
    return is_official_of(user, area)


def can_moderate(user: Any, area: Area) -> bool:
    return is_official_of(user, area)


def can_triage(user: Any, area: Area) -> bool:
    return is_official_of(user, area)


def can_manage_plans(user: Any, area: Area) -> bool:
    return is_official_of(user, area)


def can_manage_proposals(user: Any, area: Area) -> bool:
    return is_official_of(user, area)


def can_manage_cycles(user: Any, area: Area) -> bool:
    return is_official_of(user, area)


def can_evaluate(user: Any, area: Area) -> bool:
    """Evaluators of the area (or of its province) may record assessments."""
    return is_admin(user) or has_role_in(user, area, [Role.EVALUATOR])


def can_view_internal(user: Any, area: Area) -> bool:
    """Internal notes: officials and evaluators of the area."""
    return is_official_of(user, area) or can_evaluate(user, area)


def can_post(user: Any) -> bool:
    """Residents may post once their email is verified and while they are not blocked."""
    u = _user(user)
    return u is not None and u.email_verified and not u.is_blocked and u.deleted_at is None


def can_block(user: Any, target: Any, posted_in: Iterable[Area]) -> bool:
    """Blocking is account-wide: administrators may block anyone but an administrator; officials
    a non-official account that posted (an idea or a comment) in one of their areas."""
    u = _user(user)
    if u is None or target is None or u.id == target.id or target.is_admin:
        return False
    if u.is_admin:
        return True
    if target.is_official:
        return False
    return any(is_official_of(u, area) for area in posted_in)
