"""Two officers recording one person, or a forum and an online vote at the same moment (PostgreSQL, real commits)."""
import threading

import pytest
from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app.accounts import national_id
from app.accounts.models import User
from app.cycles import paper_voters, voting
from app.cycles.errors import CycleError
from app.cycles.models import CycleBudget
from app.cycles.phases import bangkok_today
from app.extensions import db as _db
from tests.accounts.factories import valid_national_id
from tests.cycles import factories as f


def _race(app, *actions):
    """Run the actions at the same moment, each in its own session and transaction; what each raised (or None)."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(i, action):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                action()
                _db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported to the test
                _db.session.rollback()
                outcomes[i] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.postgres_only
def test_one_person_is_recorded_once_and_never_both_online_and_on_paper(app):
    engine = create_engine(_db.engine.url, pool_size=6)
    fixture_session = _db.session
    _db.session = scoped_session(sessionmaker(bind=engine, expire_on_commit=False))
    ids = {}
    try:
        officer_a, officer_b = f.create_official("50"), f.create_official("50")
        cycle = f.create_cycle(officer_a)
        budget = f.add_budget_with_projects(officer_a, cycle)
        people = []
        for _ in range(6):
            nid = valid_national_id()
            user = f.create_user()
            user.national_id_hash = national_id.keyed_hash(nid, current_app.config["ID_HASH_KEY"])
            people.append((nid, user.id))
        ids = {"users": [officer_a.id, officer_b.id] + [u for _, u in people], "cycle": cycle.id}
        budget_id, project = budget.id, budget.projects[0].id
        a_id, b_id = officer_a.id, officer_b.id
        _db.session.commit()
        _db.session.remove()

        def record(officer_id, nid):
            return lambda: paper_voters.record_paper_voter(
                _db.session.get(User, officer_id), _db.session.get(CycleBudget, budget_id), "ประชาคมหมู่ 1", bangkok_today(), nid)

        def vote(user_id):
            return lambda: voting.cast_ballot(_db.session.get(User, user_id), _db.session.get(CycleBudget, budget_id), [(project, 1)])

        for nid, _ in people[:3]:  # two officers type the same card at once
            outcomes = _race(app, record(a_id, nid), record(b_id, nid))
            assert sorted(o is None for o in outcomes) == [False, True], outcomes
            assert all(o is None or isinstance(o, paper_voters.AlreadyVoted) for o in outcomes)
        for nid, user_id in people[3:]:  # the person votes online while an officer records them
            outcomes = _race(app, record(a_id, nid), vote(user_id))
            assert sorted(o is None for o in outcomes) == [False, True], outcomes
            assert all(o is None or isinstance(o, CycleError) for o in outcomes)
        with engine.connect() as conn:
            recorded = conn.execute(text("SELECT count(*) FROM cycle_paper_voters WHERE budget_id = :b"), {"b": budget_id}).scalar()
            online = conn.execute(text("SELECT count(*) FROM cycle_voters WHERE budget_id = :b"), {"b": budget_id}).scalar()
        assert recorded + online == 6 and recorded >= 3
    finally:
        _db.session.remove()
        if ids:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM cycles WHERE id = :c"), {"c": ids["cycle"]})
                conn.execute(text("DELETE FROM audit_log WHERE actor_id = ANY(:u)"), {"u": ids["users"]})
                conn.execute(text("DELETE FROM role_assignments WHERE user_id = ANY(:u)"), {"u": ids["users"]})
                conn.execute(text("DELETE FROM cycle_voters WHERE user_id = ANY(:u)"), {"u": ids["users"]})
                conn.execute(text("DELETE FROM users WHERE id = ANY(:u)"), {"u": ids["users"]})
        _db.session = fixture_session
        engine.dispose()
