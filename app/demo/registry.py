"""Find or remember the demo's own objects by their stable key (see models.py)."""
from __future__ import annotations

from typing import Callable, Optional, TypeVar

from sqlalchemy import select

from app.demo.models import DemoObject
from app.extensions import db

T = TypeVar("T")


class _Forgotten:
    """The demo made this object once and it has since been deleted: do not make it again."""


FORGOTTEN = _Forgotten()


def recall(kind: str, key: str, model: type[T], legacy: Optional[Callable[[], Optional[T]]] = None) -> T | _Forgotten | None:
    """The object the demo made under `key`, FORGOTTEN if it was deleted, or None if never made.

    `legacy` finds an object made by a demo load older than this registry (by
    its original area and title); it is remembered so that later loads no
    longer depend on fields a person can change.
    """
    row = db.session.scalar(select(DemoObject).where(DemoObject.kind == kind, DemoObject.key == key))
    if row is not None:
        found = db.session.get(model, row.object_id)
        return found if found is not None else FORGOTTEN
    if legacy is not None:
        found = legacy()
        if found is not None:
            remember(kind, key, found)
            return found
    return None


def remember(kind: str, key: str, obj) -> None:
    db.session.flush()
    db.session.add(DemoObject(kind=kind, key=key, object_id=obj.id))
    db.session.flush()
