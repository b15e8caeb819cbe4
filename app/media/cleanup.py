"""Removing uploaded photos that nothing refers to.

Photos are stored when a form is sent, before the idea (or progress update)
they belong to is saved: a resident who uploads photos on the idea preview
step and never confirms leaves files behind. `remove_orphans` deletes stored
images that no row refers to, once they are older than the longest time a
pending form may still use them.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app.extensions import db
from app.media.storage import is_valid_name, upload_dir

# The idea preview keeps its photos usable for 24 hours (PHOTO_TOKEN_MAX_AGE in
# app/ideas/routes.py); removing only what is older than that is safe.
MIN_GRACE = timedelta(hours=25)
DEFAULT_GRACE = timedelta(hours=48)


def referenced_names() -> set[str]:
    """File names that an idea photo or a progress-update photo refers to."""
    from app.cycles.models import ProgressPhoto
    from app.ideas.models import IdeaPhoto

    names = set(db.session.scalars(select(IdeaPhoto.filename)))
    names.update(db.session.scalars(select(ProgressPhoto.filename)))
    return names


def remove_orphans(grace: timedelta = DEFAULT_GRACE, now: datetime | None = None, dry_run: bool = False) -> list[str]:
    """Delete stored images older than `grace` that nothing refers to; return their names."""
    if grace < MIN_GRACE:
        raise ValueError("a pending idea preview may still use photos younger than 25 hours")
    folder = upload_dir()
    if not folder.is_dir():
        return []
    cutoff = (now or datetime.now(timezone.utc)) - grace
    referenced = referenced_names()
    removed = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not is_valid_name(path.name) or path.name in referenced:
            continue
        if datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) > cutoff:
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed
