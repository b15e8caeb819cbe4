"""Two submissions by one voter at the same moment leave exactly one ballot (PostgreSQL, real commits)."""
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from app.cycles import voting
from app.cycles.models import CycleBudget
from app.extensions import db as _db
from tests.cycles import factories as f


@pytest.mark.postgres_only
def test_simultaneous_submissions_leave_one_ballot(app):
    engine = create_engine(_db.engine.url, pool_size=4)
    fixture_session = _db.session
    _db.session = scoped_session(sessionmaker(bind=engine, expire_on_commit=False))
    ids = {}
    try:
        official = f.create_official("50")
        voter = f.create_user()
        cycle = f.create_cycle(official)
        budget = f.add_budget_with_projects(official, cycle)
        ids = {"users": [official.id, voter.id], "cycle": cycle.id}
        project_ids = [p.id for p in budget.projects]
        budget_id, voter_id = budget.id, voter.id
        _db.session.commit()
        _db.session.remove()

        rounds, width = 10, 2
        errors: list[BaseException] = []
        barrier = threading.Barrier(width)

        def submit(choice: int) -> None:
            with app.app_context():
                try:
                    from app.accounts.models import User

                    user = _db.session.get(User, voter_id)
                    b = _db.session.get(CycleBudget, budget_id)
                    barrier.wait(timeout=10)
                    voting.cast_ballot(user, b, [(project_ids[choice], 1)])
                    _db.session.commit()
                except BaseException as error:  # noqa: BLE001 - reported below
                    _db.session.rollback()
                    errors.append(error)
                finally:
                    _db.session.remove()

        for _ in range(rounds):
            threads = [threading.Thread(target=submit, args=(i,)) for i in range(width)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
        assert not errors, errors
        with engine.connect() as conn:
            live = conn.execute(text("SELECT count(*) FROM cycle_ballots WHERE budget_id = :b AND NOT replaced"), {"b": budget_id}).scalar()
            total = conn.execute(text("SELECT count(*) FROM cycle_ballots WHERE budget_id = :b"), {"b": budget_id}).scalar()
            changed = conn.execute(text("SELECT changed_count FROM cycle_voters WHERE budget_id = :b AND user_id = :u"),
                                   {"b": budget_id, "u": voter_id}).scalar()
            choices = conn.execute(text(
                "SELECT count(*) FROM cycle_ballot_choices c JOIN cycle_ballots b ON b.id = c.ballot_id WHERE b.budget_id = :b"),
                {"b": budget_id}).scalar()
        assert live == 1
        assert total == rounds * width and changed == rounds * width - 1
        assert choices == 1  # replaced ballots keep no choices
    finally:
        _db.session.remove()
        if ids:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM cycles WHERE id = :c"), {"c": ids["cycle"]})
                conn.execute(text("DELETE FROM audit_log WHERE actor_id = ANY(:u)"), {"u": ids["users"]})
                conn.execute(text("DELETE FROM role_assignments WHERE user_id = ANY(:u)"), {"u": ids["users"]})
                conn.execute(text("DELETE FROM users WHERE id = ANY(:u)"), {"u": ids["users"]})
        _db.session = fixture_session
        engine.dispose()
