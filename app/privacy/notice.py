"""Versions of the privacy notice and the consents it asks for.

A notice version that changes what a consent covers lists that consent in
`reconsent`: a signed-in person who gave it under an older version is asked
once to accept or decline the new terms. Editorial changes add a version with
an empty `reconsent`, and nobody is asked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NoticeVersion:
    version: str          # "2569-1": Buddhist-Era year and a sequence number
    published: date
    summary: object       # a lazy string: what changed
    reconsent: tuple[str, ...] = field(default=())  # consent purposes whose terms changed


NOTICE_HISTORY: tuple[NoticeVersion, ...] = (
    NoticeVersion("2569-1", date(2026, 11, 25), _l("First version of the notice.")),
    # Editorial: new kinds of processing, none of them based on consent.
    NoticeVersion("2569-2", date(2026, 12, 3), _l(
        "Adds signing in with ThaID, LINE or another sign-in service, the resident lists that let residents verify "
        "themselves, the record of paper voters whose ID cards were checked, and the files prepared for you to download.")),
)


def current_notice() -> NoticeVersion:
    return NOTICE_HISTORY[-1]


def version_key(version: str | None) -> tuple[int, int]:
    """"2569-10" sorts after "2569-9"; an unknown or missing version sorts first."""
    try:
        year, seq = (version or "").split("-", 1)
        return int(year), int(seq)
    except ValueError:
        return (0, 0)
