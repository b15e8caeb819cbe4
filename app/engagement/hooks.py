"""Tell an area's followers about each new idea there, when the transaction that created it commits.

The ideas domain creates ideas and engagement owns following, so rather than
asking every way of creating an idea to remember to notify, engagement
watches the session: ideas inserted in a transaction are remembered after
each flush and, just before that transaction commits, their area's followers
are notified (services.notify_idea_submitted). A rolled-back idea is never
announced; an idea hidden or withdrawn before the commit neither.
"""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.ideas.models import Idea

_KEY = "engagement.new_ideas"


def _remember_new_ideas(session: Session, flush_context) -> None:
    new = [obj for obj in session.new if isinstance(obj, Idea)]
    if new:
        session.info.setdefault(_KEY, []).extend(new)


def _announce_new_ideas(session: Session) -> None:
    ideas = session.info.pop(_KEY, [])
    if not ideas:
        return
    from app.engagement.services import notify_idea_submitted

    for idea in ideas:
        state = inspect(idea)
        if state.persistent and idea.withdrawn_at is None and idea.is_publicly_visible:
            notify_idea_submitted(idea)


def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def install() -> None:
    """Listen on every SQLAlchemy session (idempotent)."""
    for name, fn in (("after_flush", _remember_new_ideas), ("before_commit", _announce_new_ideas),
                     ("after_rollback", _forget)):
        if not event.contains(Session, name, fn):
            event.listen(Session, name, fn)
