"""Test fixtures: one app and schema per session, one rolled-back transaction per test.

The schema is built by running the Alembic migrations, on SQLite by default or
on PostgreSQL when TEST_DATABASE_URL is set. The area registry (77 provinces,
7,850 local governments) is loaded once. Each test runs inside a transaction
that is rolled back, with the session joined through savepoints, so that
routes and services may commit freely (Indico's database fixture).

Every HTML page fetched through `client` is checked for the accessibility
basics (one h1, a title that starts with it, unique ids, labelled inputs).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from tests.helpers.pages import check_page

_TMP = Path(tempfile.mkdtemp(prefix="ruamkhit-tests-"))


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{_TMP / 'test.db'}"


def is_postgres() -> bool:
    return _database_url().startswith("postgresql")


class CheckedClient(FlaskClient):
    """A test client that checks every HTML page it fetches."""

    check_pages = True

    def open(self, *args, **kwargs):
        # The test's app context is reused by every request, and with it `g`:
        # clear it so that nothing (the signed-in user, rate-limit state) leaks
        # from one request to the next.
        from flask import g

        for key in list(vars(g)):
            delattr(g, key)
        response = super().open(*args, **kwargs)
        if (
            self.check_pages
            and response.status_code == 200
            and response.mimetype == "text/html"
            and not response.is_streamed
        ):
            check_page(response.get_data(as_text=True))
        return response


def _reset_database(app) -> None:
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            engine.dispose()
            db_file = Path(engine.url.database or "")
            for suffix in ("", "-wal", "-shm"):
                candidate = Path(str(db_file) + suffix)
                if candidate.exists():
                    candidate.unlink()


@pytest.fixture(scope="session")
def app():
    os.environ.setdefault("TEST_UPLOAD_DIR", str(_TMP / "uploads"))
    os.environ.setdefault("TEST_OUTBOX_DIR", str(_TMP / "outbox"))
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=_database_url(),
        UPLOAD_DIR=str(_TMP / "uploads"),
        OUTBOX_DIR=str(_TMP / "outbox"),
    )
    app.test_client_class = CheckedClient
    _reset_database(app)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from app.areas.services import load_registry

        load_registry()
        _db.session.commit()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(autouse=True)
def _app_context(app):
    with app.app_context():
        yield


@pytest.fixture(autouse=True)
def db(app, _app_context):
    """A database session whose work is rolled back after the test."""
    connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    )
    _db.session = session
    try:
        yield _db
    finally:
        session.remove()
        _db.session = original
        if transaction.is_active:
            transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _reset_limits(app):
    limiter.reset()
    yield


@pytest.fixture
def client(app):
    with app.test_client() as client:
        yield client


@pytest.fixture
def outbox(app):
    """The development outbox: a list of email messages sent during the test."""
    from app.core.mail import read_outbox

    folder = Path(app.config["OUTBOX_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    yield lambda: read_outbox(limit=1000)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords and not is_postgres():
            item.add_marker(skip_pg)
