"""Rate limits keyed by what the action is about, and addresses only as trusted proxies report them.

These reproduce the attack on a site behind one reverse proxy (every visitor
shared one address): bad sign-ins from one address for other accounts, an
attacker trying to lock everyone out, registrations from one office, and
X-Forwarded-For sent by a client when no proxy is trusted.
"""
from __future__ import annotations

import pytest

from app import create_app
from app.accounts import services
from app.core import ratelimit
from app.core.proxies import TrustedProxies, trusted_proxy_count
from tests.accounts.factories import PASSWORD, create_user
from tests.accounts.helpers import shows
from tests.ideas.factories import create_idea

WRONG = "The email or password is not correct."
LOCKED = ("Too many failed sign-ins for this account: it is locked for %(minutes)d more minutes. "
          "Choosing a new password (forgot your password?) unlocks it now.")


def login(client, email, password="a wrong password", address="198.51.100.7", **headers):
    return client.post(
        "/login", data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address}, headers=headers,
    )


def signed_in(response) -> bool:
    return response.status_code == 302


def test_ten_bad_sign_ins_from_one_address_for_other_accounts_do_not_stop_a_third_person(app, client):
    third = create_user("third.person@example.com")
    for n in range(10):
        response = login(client, f"someone{n}@example.com")
        assert response.status_code == 200 and shows(response, WRONG)
    # The same address (the office's NAT, the carrier's shared address): the third person signs in.
    assert signed_in(login(client, third.email, PASSWORD))


def test_five_failures_lock_that_account_not_the_address_and_a_new_password_unlocks_it(app, client):
    victim = create_user("victim@example.com")
    neighbour = create_user("neighbour@example.com")
    pages = [login(client, "Victim@Example.com ") for _ in range(5)]  # however it is typed
    assert shows(pages[3], WRONG) and shows(pages[4], LOCKED, minutes=15)
    # Locked: even the right password is refused, and the page says for how long.
    page = login(client, victim.email, PASSWORD)
    assert not signed_in(page) and shows(page, LOCKED, minutes=15)
    assert 0 < ratelimit.login_locked_for(victim.email) <= 15 * 60
    # From the same address and from others, other accounts are not locked.
    assert signed_in(login(app.test_client(), neighbour.email, PASSWORD))
    assert not signed_in(login(app.test_client(), victim.email, PASSWORD, address="203.0.113.9"))
    # The owner resets the password: the account opens at once.
    token = services.make_token(victim, services.RESET_PASSWORD)
    reset = client.post(f"/reset-password/{token}", data={"password": "a brand new password", "password_again": "a brand new password"})
    assert reset.status_code == 302
    assert ratelimit.login_locked_for(victim.email) == 0
    assert signed_in(login(app.test_client(), victim.email, "a brand new password"))


def test_twenty_failures_a_day_lock_the_account_for_a_day(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_ACCOUNT", "50 per 15 minutes;20 per day")
    for n in range(19):
        assert ratelimit.record_login_failure("slow.guess@example.com") == 0
    assert ratelimit.record_login_failure("slow.guess@example.com") == 24 * 3600
    assert ratelimit.login_locked_for("slow.guess@example.com") > 23 * 3600


def test_an_attacker_cannot_lock_out_everyone(app, client):
    people = [create_user(f"resident{n}@example.com") for n in range(22)]
    attacker = app.test_client()
    statuses = []
    for person in people:  # 5 guesses at each account, from one address
        statuses += [login(attacker, person.email, address="192.0.2.66").status_code for _ in range(5)]
    assert statuses[:100] == [200] * 100  # 100 failures from one address in 15 minutes ...
    assert set(statuses[100:]) == {429}  # ... then that address is refused before any account is counted
    locked = [p for p in people if ratelimit.login_locked_for(p.email)]
    assert len(locked) == 20
    for person in people[20:]:
        assert signed_in(login(app.test_client(), person.email, PASSWORD, address="192.0.2.10"))
    # A successful sign-in does not count against the address: an office signing in at 9:00 is fine.
    office = app.test_client()
    for person in people[20:] * 60:
        assert signed_in(login(office, person.email, PASSWORD, address="192.0.2.200"))
        office.post("/logout")


def test_x_forwarded_for_is_ignored_without_trusted_proxies(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_ADDRESS", "3 per 15 minutes")
    assert app.config["TRUSTED_PROXY_COUNT"] == 0
    client = app.test_client()
    statuses = [
        login(client, f"x{n}@example.com", address="127.0.0.1", **{"X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]  # a client cannot pick a fresh address for each guess


def test_behind_one_trusted_proxy_each_client_has_its_own_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_ADDRESS", "3 per 15 minutes")
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 1)
    client = app.test_client()
    for n in range(4):  # four visitors behind nginx (127.0.0.1)
        assert login(client, f"v{n}@example.com", address="127.0.0.1", **{"X-Forwarded-For": f"10.0.0.{n}"}).status_code == 200
    # One visitor who forges an earlier entry is still known by the entry nginx appended.
    statuses = [
        login(client, f"w{n}@example.com", address="127.0.0.1", **{"X-Forwarded-For": f"1.2.3.{n}, 10.9.9.9"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_trusted_proxies_set_the_address_and_scheme_from_the_last_entries_only(app, monkeypatch):
    seen = {}

    def inner(environ, start_response):
        seen.update(addr=environ["REMOTE_ADDR"], scheme=environ["wsgi.url_scheme"])
        start_response("200 OK", [])
        return [b""]

    middleware = TrustedProxies(app, inner)
    environ = {
        "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.5", "HTTP_X_FORWARDED_PROTO": "https",
    }
    middleware(dict(environ), lambda *a: None)
    assert seen == {"addr": "127.0.0.1", "scheme": "http"}  # 0 proxies: headers ignored
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 1)
    middleware(dict(environ), lambda *a: None)
    assert seen == {"addr": "203.0.113.5", "scheme": "https"}


@pytest.mark.parametrize("value", ["-1", "one", "²", "99"])
def test_a_bad_trusted_proxy_count_stops_the_app(app, monkeypatch, value):
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", value)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_COUNT"):
        trusted_proxy_count(app)


def test_a_bad_limit_setting_stops_the_app_and_names_it():
    with pytest.raises(RuntimeError, match="RATE_LIMIT_SEARCH"):
        create_app("testing", RATE_LIMIT_SEARCH="lots per minute")


def test_every_rule_has_a_setting_and_a_readme_row(app):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for rule in ratelimit.RULES:
        assert app.config[rule.setting] == rule.default
        assert f"| `{rule.setting}` |" in readme, rule.setting
    assert "| `PORT`" in readme or "`HOST`, `PORT`" in readme


def test_registrations_from_one_office_are_not_refused_at_the_21st(client):
    for n in range(25):
        response = client.post("/register", data={"email": "bad"}, environ_base={"REMOTE_ADDR": "192.0.2.1"})
        assert response.status_code == 200, n


def test_submissions_are_counted_per_account_not_per_address(app, monkeypatch):
    from tests.ideas.factories import sign_in

    idea = create_idea(create_user())
    first, second = app.test_client(), app.test_client()
    sign_in(first, create_user())
    sign_in(second, create_user())
    office = {"REMOTE_ADDR": "192.0.2.50"}
    statuses = [
        first.post(f"/ideas/{idea.id}/comments/new", data={"body": f"ความเห็นที่ {n}"}, environ_base=office).status_code
        for n in range(7)
    ]
    assert statuses == [302] * 6 + [429]
    # A colleague at the same address comments freely.
    assert second.post(f"/ideas/{idea.id}/comments/new", data={"body": "ของฉันเอง"}, environ_base=office).status_code == 302


def test_reset_links_for_one_email_are_limited_without_stopping_others(client):
    statuses = [client.post("/forgot-password", data={"email": "target@example.com"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert client.post("/forgot-password", data={"email": "someone.else@example.com"}).status_code == 302
