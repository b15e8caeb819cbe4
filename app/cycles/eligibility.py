"""Who may vote in a budget: verified residents who live in the budget's area."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask_babel import lazy_gettext as _l

from app.areas.models import Area
from app.cycles.models import CycleBudget


def area_subdistrict_codes(area: Area) -> set[str] | None:
    """The subdistricts of an area, or None when the whole province counts.

    A local government's are the subdistricts it covers (lg_subdistricts), never its whole
    district: the 12 local governments of อำเภอเมืองเชียงใหม่ each vote their own residents.
    """
    from app.areas.services import subdistrict_codes_of

    return subdistrict_codes_of(area)


_LOAD = object()


def voter_problem(
    user: Any, budget: CycleBudget, area: Area | None = None, restricted: Collection[str] | None = None,
    area_codes: Collection[str] | None | object = _LOAD,
) -> Any | None:
    """Why `user` may not vote in `budget` (a translatable message), or None if they may.

    `restricted` (the budget's subdistricts) and `area_codes` (area_subdistrict_codes of
    the area) are passed when the caller already has them; otherwise they are loaded.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return _l("Sign in to vote.")
    if user.deleted_at is not None or user.is_blocked:
        return _l("This account cannot vote.")
    if not user.residency_verified:
        return _l("Only residents whose residency has been verified can vote. Add your national ID number in your profile and ask an official to verify it.")
    area = area or budget.cycle.area
    if user.province_code != area.province_code:
        return _l("You can vote only in the area where you live: your registered province is not this one.")
    codes = area_subdistrict_codes(area) if area_codes is _LOAD else area_codes
    if codes is not None and user.subdistrict_code not in codes:
        return _l("You can vote only in the area where you live: your registered subdistrict is not in this local government.")
    if restricted is None:
        restricted = budget_subdistrict_codes(budget)
    if restricted and user.subdistrict_code not in restricted:
        return _l("This budget is for residents of some subdistricts only, and your registered subdistrict is not one of them.")
    return None


def budget_subdistrict_codes(budget: CycleBudget) -> set[str]:
    return {s.code for s in budget.subdistricts}
