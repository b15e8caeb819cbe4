"""Supports under real concurrency on PostgreSQL: two connections, two threads, real commits.

The rolled-back test session cannot show one transaction's rows to another,
so these tests swap in their own engine (one session per thread), commit for
real and delete what they created afterwards.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from app.accounts.models import User
from app.engagement import services
from app.engagement.models import IdeaFollow, Support
from app.extensions import db as _db
from app.ideas.models import Idea
from tests.engagement.factories import create_idea, create_user

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def real_sessions(app):
    """Replace db.session with thread-local sessions on a separate engine; clean up committed rows."""
    engine = create_engine(_db.engine.url, pool_size=5, max_overflow=0)
    session = scoped_session(sessionmaker(bind=engine, expire_on_commit=False))
    original = _db.session
    _db.session = session
    created: dict[str, list[int]] = {"users": [], "ideas": []}
    try:
        yield session, created
    finally:
        session.remove()
        cleanup = sessionmaker(bind=engine)()
        if created["ideas"]:
            cleanup.execute(delete(Support).where(Support.idea_id.in_(created["ideas"])))
            cleanup.execute(delete(IdeaFollow).where(IdeaFollow.idea_id.in_(created["ideas"])))
            cleanup.execute(delete(Idea).where(Idea.id.in_(created["ideas"])))
        if created["users"]:
            from app.audit.models import AuditEntry

            cleanup.execute(delete(AuditEntry).where(AuditEntry.actor_id.in_(created["users"])))
            cleanup.execute(delete(User).where(User.id.in_(created["users"])))
        cleanup.commit()
        cleanup.close()
        _db.session = original
        engine.dispose()


def _race(app, monkeypatch, idea_id: int, user_ids: list[int], want=None) -> list:
    """Run set_support for each user id in its own thread, all past the "already supported?" check at once."""
    barrier = threading.Barrier(len(user_ids), timeout=20)
    original_check = services.has_supported

    def check_then_wait(idea, user):
        result = original_check(idea, user)
        barrier.wait()  # every thread has seen "not supported yet" before any inserts
        return result

    monkeypatch.setattr(services, "has_supported", check_then_wait)
    results: list = [None] * len(user_ids)

    def worker(i: int, user_id: int) -> None:
        with app.app_context():
            try:
                idea = _db.session.get(Idea, idea_id)
                user = _db.session.get(User, user_id)
                results[i] = services.set_support(idea, user, want)
                _db.session.commit()
            except Exception as error:  # reported to the main thread
                _db.session.rollback()
                results[i] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, uid)) for i, uid in enumerate(user_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _committed_idea_and_users(session, created, n_users: int):
    users = [create_user() for _ in range(n_users)]
    author = create_user()  # not one of the supporters: an author cannot support their own idea
    idea = create_idea(author=author)
    session.commit()
    created["users"] += [u.id for u in users] + [author.id]
    created["ideas"].append(idea.id)
    return idea.id, [u.id for u in users]


def _state(session, idea_id: int) -> tuple[int, int]:
    session.expire_all()
    rows = session.scalar(select(func.count()).select_from(Support).where(Support.idea_id == idea_id))
    counter = session.scalar(select(Idea.support_count).where(Idea.id == idea_id))
    return rows, counter


def test_two_concurrent_supports_by_the_same_person_make_one_support(app, monkeypatch, real_sessions):
    session, created = real_sessions
    idea_id, (user_id,) = _committed_idea_and_users(session, created, 1)
    results = _race(app, monkeypatch, idea_id, [user_id, user_id])
    assert results == [True, True], results  # both report "supported", neither errors
    assert _state(session, idea_id) == (1, 1)


def test_concurrent_supports_by_different_people_are_all_counted(app, monkeypatch, real_sessions):
    session, created = real_sessions
    idea_id, user_ids = _committed_idea_and_users(session, created, 4)
    results = _race(app, monkeypatch, idea_id, user_ids, want=True)
    assert results == [True] * 4, results
    assert _state(session, idea_id) == (4, 4)


def test_concurrent_withdrawals_by_the_same_person_decrement_once(app, monkeypatch, real_sessions):
    session, created = real_sessions
    idea_id, (user_id, other_id) = _committed_idea_and_users(session, created, 2)
    for uid in (user_id, other_id):
        services.set_support(session.get(Idea, idea_id), session.get(User, uid))
    session.commit()
    assert _state(session, idea_id) == (2, 2)
    results = _race(app, monkeypatch, idea_id, [user_id, user_id], want=False)
    assert results == [False, False], results
    assert _state(session, idea_id) == (1, 1)
