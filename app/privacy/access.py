"""Logging officials' access to residents' personal data (who, whom, when, on which page).

Routes that show an official a person's name, email or residency call
`log_access` with the people shown; the rows are written in one statement.
An official looking at their own account is not logged.
"""
from __future__ import annotations

from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from app.core.timeutil import utcnow
from app.extensions import db
from app.privacy.models import OfficialAccess

RESIDENTS_LIST = "residents_list"
RESIDENT_VERIFICATION = "resident_verification"
REPORT_AUTHOR = "report_author"

PAGES = {
    RESIDENTS_LIST: _l("Residents list"),
    RESIDENT_VERIFICATION: _l("Residency verification"),
    REPORT_AUTHOR: _l("Author of reported content"),
}


def log_access(official: Any, subjects: Iterable[Any], page: str, area: Any = None) -> int:
    """Record that `official` saw the personal data of each of `subjects` on `page`; returns the rows written."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}")
    official_id = getattr(official, "id", None)
    if official_id is None:
        return 0
    now = utcnow()
    area_id = getattr(area, "id", None)
    seen: set[int] = set()
    rows = []
    for subject in subjects:
        sid = getattr(subject, "id", None)
        if sid is None or sid == official_id or sid in seen:
            continue
        seen.add(sid)
        rows.append({"at": now, "official_id": official_id, "subject_id": sid, "page": page, "area_id": area_id})
    if rows:
        db.session.execute(insert(OfficialAccess), rows)
    return len(rows)


def access_query(subject_id: int | None = None, official_id: int | None = None):
    """The log for the administrators' page, newest first."""
    stmt = select(OfficialAccess)
    if subject_id is not None:
        stmt = stmt.where(OfficialAccess.subject_id == subject_id)
    if official_id is not None:
        stmt = stmt.where(OfficialAccess.official_id == official_id)
    return stmt.order_by(OfficialAccess.at.desc(), OfficialAccess.id.desc())
