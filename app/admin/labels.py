"""Names of audit log actions.

Other domains add theirs when their blueprint is registered:
`app.extensions.setdefault("ruamkhit_audit_labels", {})["idea.hide"] = _l("Idea hidden")`.
An action without a name is shown by its code.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

AUDIT_LABELS = {
    "role.assign": _l("Role assigned"),
    "role.remove": _l("Role removed"),
    "resident.verify": _l("Residency verified"),
    "resident.unverify": _l("Residency verification withdrawn"),
    "area.subdistricts": _l("Subdistricts of a local government changed"),
}

OBJECT_LABELS = {
    "users": _l("Account"),
    "areas": _l("Area"),
    "role_assignments": _l("Role"),
}


def audit_label(action: str) -> str:
    extra = current_app.extensions.get("ruamkhit_audit_labels", {})
    label = extra.get(action) or AUDIT_LABELS.get(action)
    return str(label) if label else action


def object_label(object_type: str | None) -> str:
    extra = current_app.extensions.get("ruamkhit_audit_object_labels", {})
    label = extra.get(object_type) or OBJECT_LABELS.get(object_type or "")
    return str(label) if label else (object_type or "")
