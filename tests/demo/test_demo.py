"""The Thai demo loads, and loading it a second time changes nothing (make run is run again and again)."""
from sqlalchemy import func, select

from app.demo import base
from app.demo.cli import DOMAIN_LOADERS
from app.extensions import db as _db


def _counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


def _load_all() -> None:
    import importlib

    base.load()
    for name in DOMAIN_LOADERS:
        importlib.import_module(name).load()
    _db.session.flush()


def test_demo_loads_and_is_idempotent(app):
    with app.test_request_context("/"):
        _load_all()
        first = _counts()
        _load_all()
        second = _counts()
    assert first["users"] >= 9 and first["ideas"] >= 40
    changed = {name: (first[name], second[name]) for name in first if first[name] != second[name]}
    assert changed == {}, f"a second demo load changed: {changed}"
