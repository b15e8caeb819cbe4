"""The receipt code is not readable in the session cookie, and is shown once even from a copied cookie
(issue 10.11)."""
from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from app.cycles import receipts
from app.cycles.models import ReceiptPad
from app.cycles.voting import normalise_receipt
from app.extensions import db
from tests.cycles.test_routes import login, vote_url


def pads() -> int:
    return db.session.scalar(select(func.count()).select_from(ReceiptPad))


def _cookie_contents(app, client) -> str:
    raw = client.get_cookie("session").value
    return json.dumps(app.session_interface.get_signing_serializer(app).loads(raw))


def test_the_code_is_not_in_the_cookie_and_a_copy_cannot_show_it_again(app, client, knapsack, voter):
    cycle, budget = knapsack
    login(client, voter)
    sent = client.post(vote_url(cycle, budget), data={"project": [str(budget.projects[0].id)]})
    assert sent.status_code == 302 and pads() == 1
    in_cookie = _cookie_contents(app, client)
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value, domain=cookie.domain)
    shown = client.get(sent.location)
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "private, no-store"
    code = re.search(r'id="receipt-code">([A-Z0-9-]+)<', shown.get_data(as_text=True)).group(1)
    assert code not in in_cookie and normalise_receipt(code) not in in_cookie
    assert pads() == 0  # shown once: the pad is gone
    assert thief.get(sent.location).status_code == 302  # the copied cookie shows nothing


def test_seal_and_open():
    sealed = receipts.seal_receipt("ABCD-EFGH-JKLM")
    assert "ABCD" not in json.dumps(sealed)
    assert receipts.open_receipt(sealed) == "ABCD-EFGH-JKLM"
    assert receipts.open_receipt(sealed) is None  # once
    for bad in (None, "x", {}, {"h": 1, "c": 2}, {"h": "nope", "c": "AAAA"}):
        assert receipts.open_receipt(bad) is None


def test_a_tampered_half_shows_nothing():
    sealed = receipts.seal_receipt("ABCD-EFGH-JKLM")
    assert receipts.open_receipt({**sealed, "c": "!!!"}) is None


def test_an_expired_pad_is_refused_and_purged(monkeypatch):
    sealed = receipts.seal_receipt("ABCD-EFGH-JKLM")
    later = receipts.utcnow() + receipts.PAD_LIFETIME + timedelta(minutes=2)
    monkeypatch.setattr(receipts, "utcnow", lambda: later)
    assert receipts.open_receipt(sealed) is None
    receipts.seal_receipt("ZZZZ-ZZZZ-ZZZZ")  # sealing another purges what expired
    assert pads() == 1
