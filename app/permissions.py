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


def can_manage_jobs(user: Any) -> bool:
    """See every background job, its error, and retry failed ones."""
    return is_admin(user)


def can_view_job(user: Any, job: Any) -> bool:
    """The person who started a job (an import) follows its progress; administrators see every job."""
    u = _user(user)
    return u is not None and (u.is_admin or (job.created_by_id is not None and job.created_by_id == u.id))


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


# --- who may see an idea or a comment ------------------------------------------------
# One rule, used by the idea pages, the lists, the forms that show an idea's
# title, notifications, follows, feeds, search, similar ideas and exports.
# A hidden idea (hidden by a moderator, or waiting for review after reports)
# is seen by its author (with the notice that it is hidden), the officials
# of its area and administrators; nobody else learns its title or text.


def can_see_idea(user: Any, idea: Any) -> bool:
    """May `user` read the idea's title, description and photos?"""
    if idea is None:
        return False
    if idea.hidden_at is None and not idea.pending_review:
        return True
    u = _user(user)
    if u is None:
        return False
    if u.id == idea.author_id:
        return True
    return can_moderate(u, idea.area)


def can_see_comment(user: Any, comment: Any) -> bool:
    """May `user` read the comment's body? Never when its idea is out of sight; a deleted comment has none."""
    if comment is None or comment.deleted_at is not None or not can_see_idea(user, comment.idea):
        return False
    if comment.hidden_at is None and not comment.pending_review:
        return True
    u = _user(user)
    if u is None:
        return False
    return u.id == comment.author_id or can_moderate(u, comment.idea.area)


def visible_ideas_clause(user: Any) -> Any:
    """The SQL condition of the ideas `user` may see (the same rule as `can_see_idea`), for lists."""
    from sqlalchemy import and_, false, or_, true

    from app.ideas.models import Idea

    public = and_(Idea.hidden_at.is_(None), Idea.pending_review.is_(False))
    u = _user(user)
    if u is None:
        return public
    if u.is_admin:
        return true()
    area_ids = official_area_ids(u) or set()
    return or_(
        public,
        Idea.author_id == u.id,
        Idea.area_id.in_(sorted(area_ids)) if area_ids else false(),
    )


# --- what a person may do with an idea ----------------------------------------------
# The routes and services check these, and the templates show an action's button
# only where they allow it (app.permissions.init_app exposes them to Jinja).


def can_submit_idea(user: Any, area: Area) -> bool:
    """Residents submit ideas to their own province and its local governments."""
    u = _user(user)
    return u is not None and can_post(u) and area is not None and area.province_code == u.province_code


def can_follow_idea(user: Any, idea: Any) -> bool:
    """Following is reading: any live account that may see the idea (a hidden one cannot be followed)."""
    u = _user(user)
    return u is not None and u.deleted_at is None and can_see_idea(u, idea) and idea.is_publicly_visible


def can_support_idea(user: Any, idea: Any) -> bool:
    """Add a support: a resident who may post, not the author, while the idea is open to supports."""
    from app.engagement.services import support_refusal

    u = _user(user)
    return (
        u is not None and can_post(u) and u.id != idea.author_id and can_see_idea(u, idea)
        and support_refusal(idea) is None
    )


def can_comment_on_idea(user: Any, idea: Any) -> bool:
    from app.engagement.services import comment_refusal

    u = _user(user)
    return u is not None and can_post(u) and can_see_idea(u, idea) and comment_refusal(idea) is None


def can_report_idea(user: Any, idea: Any) -> bool:
    """Anyone who may post reports a visible idea of someone else (a hidden one is already dealt with)."""
    u = _user(user)
    return (
        u is not None and can_post(u) and u.id != idea.author_id and idea.hidden_at is None
        and can_see_idea(u, idea)
    )


def can_report_comment(user: Any, comment: Any) -> bool:
    u = _user(user)
    return (
        u is not None and can_post(u) and u.id != comment.author_id and comment.is_publicly_visible
        and can_see_idea(u, comment.idea)
    )


def can_edit_idea(user: Any, idea: Any) -> bool:
    """The author, until the first support or comment, while the idea is visible and not withdrawn."""
    u = _user(user)
    return (
        u is not None and u.id == idea.author_id and idea.can_be_edited and idea.is_publicly_visible
        and can_post(u)
    )


def can_withdraw_idea(user: Any, idea: Any) -> bool:
    u = _user(user)
    return u is not None and u.id == idea.author_id and not idea.is_withdrawn


TEMPLATE_FUNCTIONS = (
    "can_see_idea", "can_see_comment", "can_post", "can_submit_idea", "can_follow_idea", "can_support_idea",
    "can_comment_on_idea", "can_report_idea", "can_report_comment", "can_edit_idea", "can_withdraw_idea",
    "can_moderate", "can_triage", "can_manage_proposals", "can_manage_plans", "can_manage_cycles",
    "can_view_internal", "can_evaluate", "is_official_of", "is_admin",
)


def init_app(app: Any) -> None:
    """Expose the permission functions to every template, so that a page shows an action exactly
    where the route that takes it allows it (Jinja globals reach included and imported templates too)."""
    app.jinja_env.globals.update({name: globals()[name] for name in TEMPLATE_FUNCTIONS})
