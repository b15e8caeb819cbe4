"""Who may vote in a budget: verified residents who live in the budget's area."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask_babel import lazy_gettext as _l

from app.accounts.models import ResidencyMethod
from app.areas.models import Area
from app.cycles.models import CycleBudget


def area_subdistrict_codes(area: Area) -> set[str] | None:
    """The subdistricts of an area, or None when the whole province counts.

    A local government's are the subdistricts it covers (lg_subdistricts), never its whole
    district: the 12 local governments of อำเภอเมืองเชียงใหม่ each vote their own residents.
    """
    from app.areas.services import subdistrict_codes_of

    return subdistrict_codes_of(area)


def accepted_methods(cycle: Any) -> tuple[ResidencyMethod, ...]:
    """The verification methods a cycle accepts for voting, in the order of ResidencyMethod.

    ResidencyMethod is the one list of methods: a cycle that stored none accepts them all,
    including one added later (a cycle that chose some keeps its choice).
    """
    chosen = getattr(cycle, "accepted_methods", None)
    if not chosen:
        return tuple(ResidencyMethod)
    return tuple(m for m in ResidencyMethod if m.value in chosen)


def stored_methods(methods: Collection[ResidencyMethod | str] | None) -> list[str] | None:
    """What a cycle stores for a choice of methods: None for all of them (the default)."""
    values = {m.value if isinstance(m, ResidencyMethod) else str(m) for m in (methods or ())}
    if not values or values >= {m.value for m in ResidencyMethod}:
        return None
    return [m.value for m in ResidencyMethod if m.value in values]


def method_of(user: Any) -> ResidencyMethod:
    # Verifications from before methods were recorded were made in person.
    return user.residency_method or ResidencyMethod.IN_PERSON


def method_problem(user: Any, cycle: Any) -> Any | None:
    """Why a verified resident may not vote in this cycle because of how they were verified, or None."""
    from app.accounts.labels import RESIDENCY_METHOD_LABELS

    accepted = accepted_methods(cycle)
    mine = method_of(user)
    if mine in accepted:
        return None
    names = ", ".join(str(RESIDENCY_METHOD_LABELS[m]) for m in accepted)
    if ResidencyMethod.IN_PERSON in accepted:
        return _l("This cycle accepts only residents verified by: %(methods)s. Yours was verified by: %(mine)s. To vote, ask an official of your area to verify your residency in person with your ID card.",
                  methods=names, mine=RESIDENCY_METHOD_LABELS[mine])
    return _l("This cycle accepts only residents verified by: %(methods)s. Yours was verified by: %(mine)s, so you cannot vote in this cycle. Ask an official of your area if you think this is wrong.",
              methods=names, mine=RESIDENCY_METHOD_LABELS[mine])


_LOAD = object()


def voter_problem(
    user: Any, budget: CycleBudget, area: Area | None = None, restricted: Collection[str] | None = None,
    area_codes: Collection[str] | None | object = _LOAD, check_paper: bool = True,
) -> Any | None:
    """Why `user` may not vote in `budget` (a translatable message), or None if they may.

    `restricted` (the budget's subdistricts) and `area_codes` (area_subdistrict_codes of
    the area) are passed when the caller already has them; otherwise they are loaded.
    `check_paper=False`: the caller (cast_ballot) checks the paper record itself, under a lock.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return _l("Sign in to vote.")
    if user.deleted_at is not None or user.is_blocked:
        return _l("This account cannot vote.")
    if not user.residency_verified:
        return _l("Only residents whose residency has been verified can vote. Add your national ID number in your profile and ask an official to verify it.")
    problem = method_problem(user, budget.cycle)
    if problem is not None:
        return problem
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
    if check_paper and voted_on_paper(user, budget):
        return VOTED_ON_PAPER
    return None


VOTED_ON_PAPER = _l("You voted on paper at a village forum for this budget, so you cannot also vote online in it.")


def voted_on_paper(user: Any, budget: Any) -> bool:
    """Was this person recorded at a forum that checks ID cards (paper_voters), by their national ID's keyed hash?"""
    from app.cycles.paper_voters import paper_voted

    return paper_voted(budget.id, getattr(user, "national_id_hash", None))


def budget_subdistrict_codes(budget: CycleBudget) -> set[str]:
    return {s.code for s in budget.subdistricts}
