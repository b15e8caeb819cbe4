"""Translatable names for roles and residency states, shared by every page that shows them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.accounts.models import ResidencyMethod, ResidencyState, Role

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.PROVINCIAL_OFFICIAL: _l("Provincial official"),
    Role.LG_OFFICER: _l("Local government officer"),
    Role.EVALUATOR: _l("Evaluator"),
}

RESIDENCY_LABELS = {
    ResidencyState.NO_ID: _l("No national ID number added"),
    ResidencyState.WAITING: _l("Waiting for verification by an official"),
    ResidencyState.VERIFIED: _l("Verified resident"),
}

RESIDENCY_METHOD_LABELS = {
    ResidencyMethod.IN_PERSON: _l("In person by an official"),
    ResidencyMethod.THAID: _l("ThaID"),
    ResidencyMethod.RESIDENT_LIST: _l("Resident list"),
}


def role_label(role: Role) -> str:
    return str(ROLE_LABELS.get(role, role.value))
