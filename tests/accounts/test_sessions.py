"""Sessions that end: a copied session or remember-me cookie dies with logout, "sign out of all devices",
a password change or reset, and a block (issue 10.4)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from app.accounts.models import User
from app.extensions import db
from tests.accounts.factories import PASSWORD, create_user, sign_in
from tests.accounts.helpers import is_signed_in, shows

SESSION = "session"
REMEMBER = "remember_token"


def _copy(app, client, *names: str):
    """A second browser holding copies of `client`'s cookies (what a thief copies off a shared computer)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, cookie.value, domain=cookie.domain)
    return thief


@pytest.mark.parametrize("cookies", [(SESSION,), (REMEMBER,), (SESSION, REMEMBER)])
def test_a_copied_cookie_no_longer_signs_in_after_logout(app, client, cookies):
    user = create_user()
    sign_in(client, user, remember=True)
    thief = _copy(app, client, *cookies)
    assert is_signed_in(thief)  # the attack works while the owner is signed in
    response = client.post("/logout", follow_redirects=True)
    assert shows(response, "You are signed out.")
    assert not is_signed_in(client)
    assert not is_signed_in(thief)
    # The owner signs in again; the old copies still do not work.
    sign_in(client, user)
    assert is_signed_in(client) and not is_signed_in(thief)


def test_a_remember_me_cookie_alone_signs_in_until_logout(app, client):
    user = create_user()
    sign_in(client, user, remember=True)
    fresh = _copy(app, client, REMEMBER)  # a browser restarted: no session cookie, only remember-me
    assert is_signed_in(fresh)
    fresh.post("/logout")
    assert not is_signed_in(_copy(app, client, REMEMBER))
    assert not is_signed_in(client)  # logout anywhere ends the account's sessions everywhere


def test_remember_me_lasts_thirty_days(client):
    response = sign_in(client, create_user(), remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER + "="))
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    days = (expires - datetime.now(timezone.utc)) / timedelta(days=1)
    assert 29.9 < days <= 30


def test_remember_days_is_configurable():
    from app import create_app

    app = create_app("testing", REMEMBER_COOKIE_DURATION=timedelta(days=7))
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=7)


def test_sign_out_of_all_devices_from_the_profile(app, client):
    user = create_user()
    sign_in(client, user)
    laptop = app.test_client()
    sign_in(laptop, user, remember=True)
    laptop_copy = _copy(app, laptop, REMEMBER)
    page = client.get("/profile")
    assert shows(page, "Sign out of all devices")
    assert 'action="/profile/sign-out-everywhere"' in page.get_data(as_text=True)
    response = client.post("/profile/sign-out-everywhere", follow_redirects=True)
    assert shows(response, "You are signed out on all your devices.")
    for browser in (client, laptop, laptop_copy):
        assert not is_signed_in(browser)


def test_sign_out_of_all_devices_is_a_post_with_csrf(app, client):
    user = create_user()
    sign_in(client, user)
    assert client.get("/profile/sign-out-everywhere").status_code == 405
    version = user.session_version
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/profile/sign-out-everywhere")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (302, 400)
    db.session.refresh(user)
    assert user.session_version == version and is_signed_in(client)


def test_sign_out_of_all_devices_needs_sign_in(client):
    response = client.post("/profile/sign-out-everywhere")
    assert response.status_code == 302 and "/login" in response.location


def test_the_button_is_in_english_too(client):
    user = create_user()
    user.locale = "en"
    db.session.commit()
    client.set_cookie("lang", "en", domain="localhost")
    sign_in(client, user)
    assert "Sign out of all devices" in client.get("/profile").get_data(as_text=True)


def test_a_password_reset_ends_every_session(app, client, outbox):
    from app.accounts import services

    user = create_user()
    sign_in(client, user, remember=True)
    thief = _copy(app, client, SESSION, REMEMBER)
    token = services.make_token(user, services.RESET_PASSWORD)
    other = app.test_client()
    other.post(f"/reset-password/{token}", data={"password": "a new long password", "password_again": "a new long password"})
    assert not is_signed_in(client) and not is_signed_in(thief)


def test_a_block_ends_every_session(app, client):
    from tests.engagement.factories import create_idea, moderator_of

    resident = create_user()
    create_idea(author=resident)
    sign_in(client, resident, remember=True)
    thief = _copy(app, client, SESSION, REMEMBER)
    moderator = app.test_client()
    sign_in(moderator, moderator_of("50"))
    assert moderator.post(f"/moderation/users/{resident.id}/block", data={"reason": "สแปม"}).status_code == 302
    assert not is_signed_in(client) and not is_signed_in(thief)
    # Blocked accounts may still sign in to read (and see why they cannot post).
    sign_in(client, resident)
    assert is_signed_in(client)


def test_a_stale_version_in_the_cookie_is_refused(client):
    user = create_user()
    sign_in(client, user)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version + 5}"
    assert not is_signed_in(client)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}"
    assert not is_signed_in(client)
    assert db.session.get(User, user.id) is not None and PASSWORD
