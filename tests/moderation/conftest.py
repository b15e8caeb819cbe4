"""Service tests run inside a request context, as services do in the app (lazy messages, url_for)."""
from __future__ import annotations

import pytest


@pytest.fixture
def in_request(app):
    with app.test_request_context("/"):
        yield
