"""Cheap password hashing for the accounts tests (Argon2's real cost is ~0.3 s a hash)."""
import pytest

FAST_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@pytest.fixture(autouse=True)
def _fast_password_hashing(app):
    previous = app.config.get("PASSWORD_HASH_PARAMS")
    app.config["PASSWORD_HASH_PARAMS"] = previous or FAST_HASH
    yield
    app.config["PASSWORD_HASH_PARAMS"] = previous
