"""The tally tests are pure unit tests: no app, no database.

The suite-wide conftest builds the Flask app and opens a database
transaction around every test through autouse fixtures; these no-op
fixtures of the same names replace them for the tests in this folder, so
that the tally library is tested exactly as it is used outside the app.
"""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _app_context():
    yield


@pytest.fixture(autouse=True)
def db():
    yield None


@pytest.fixture(autouse=True)
def _reset_limits():
    yield
