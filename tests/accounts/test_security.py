"""CSRF on every form, and the production configuration's secrets and cookies."""
from __future__ import annotations

import pytest

from app import create_app
from app.accounts import services
from config import DEV_BALLOT_HASH_KEY, DEV_ID_HASH_KEY, DEV_SECRET
from tests.accounts.factories import PASSWORD, create_user, csrf_token, sign_in
from tests.accounts.helpers import is_signed_in, shows, user_count

CSRF_MESSAGE = "The form expired or was sent from elsewhere. Please reload the page and try again."


def test_sign_in_without_csrf_token_is_refused_in_thai(client, csrf_enabled):
    user = create_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert shows(response, CSRF_MESSAGE)
    assert not is_signed_in(client)
    sign_in(client, user)  # with the token it works
    assert is_signed_in(client)


def test_register_without_csrf_token_creates_nobody(client, csrf_enabled):
    before = user_count()
    response = client.post("/register", data={
        "email": "csrf@example.com", "display_name": "ไม่มีโทเคน", "province_code": "50",
        "password": PASSWORD, "password_again": PASSWORD, "consent": "y",
    })
    assert response.status_code == 400 and shows(response, CSRF_MESSAGE)
    assert user_count() == before


@pytest.mark.parametrize("path,data", [
    ("/profile", {"profile-display_name": "ถูกแก้โดยเว็บอื่น", "profile-locale": "en"}),
    ("/profile/province", {"province-province_code": "40"}),
    ("/profile/national-id", {"nid-national_id": "1100000000016"}),
    ("/profile/password", {"current_password": PASSWORD, "password": "hijacked password", "password_again": "hijacked password"}),
    ("/profile/resend-confirmation", {}),
    ("/logout", {}),
])
def test_signed_in_forms_without_csrf_token_change_nothing(client, csrf_enabled, outbox, path, data):
    user = create_user(email_verified=False)
    sign_in(client, user)
    outbox_before = len(outbox())
    response = client.post(path, data=data)
    assert response.status_code == 400 and shows(response, CSRF_MESSAGE)
    assert (user.display_name, user.locale, user.province_code, user.national_id_hash) == ("สมศรี ทดสอบ", "th", "50", None)
    assert services.check_password(user, PASSWORD)
    assert len(outbox()) == outbox_before
    assert is_signed_in(client)


def test_profile_form_with_its_token_works(client, csrf_enabled):
    user = create_user()
    sign_in(client, user)
    token = csrf_token(client, "/profile")
    response = client.post("/profile", data={
        "profile-csrf_token": token, "profile-display_name": "ชื่อใหม่", "profile-locale": "th",
    })
    assert response.status_code == 302 and user.display_name == "ชื่อใหม่"


def test_forgot_password_without_csrf_token_sends_nothing(client, csrf_enabled, outbox):
    user = create_user()
    response = client.post("/forgot-password", data={"email": user.email})
    assert response.status_code == 400 and outbox() == []


# --- production configuration ---------------------------------------------------------

GOOD_SECRET = "s" * 48
GOOD_ID_KEY = "k" * 48
GOOD_BALLOT_KEY = "b" * 48


@pytest.mark.parametrize("secret,id_key,ballot_key,missing", [
    (None, GOOD_ID_KEY, GOOD_BALLOT_KEY, "SECRET_KEY"),
    (DEV_SECRET, GOOD_ID_KEY, GOOD_BALLOT_KEY, "SECRET_KEY"),
    ("too-short", GOOD_ID_KEY, GOOD_BALLOT_KEY, "SECRET_KEY"),
    (GOOD_SECRET, None, GOOD_BALLOT_KEY, "ID_HASH_KEY"),
    (GOOD_SECRET, DEV_ID_HASH_KEY, GOOD_BALLOT_KEY, "ID_HASH_KEY"),
    # The ballot link's key is its own secret: never missing, the default, short, or another key reused.
    (GOOD_SECRET, GOOD_ID_KEY, None, "BALLOT_HASH_KEY"),
    (GOOD_SECRET, GOOD_ID_KEY, DEV_BALLOT_HASH_KEY, "BALLOT_HASH_KEY"),
    (GOOD_SECRET, GOOD_ID_KEY, "too-short", "BALLOT_HASH_KEY"),
    (GOOD_SECRET, GOOD_ID_KEY, GOOD_SECRET, "BALLOT_HASH_KEY"),
    (GOOD_SECRET, GOOD_ID_KEY, GOOD_ID_KEY, "BALLOT_HASH_KEY"),
])
def test_production_refuses_to_start_without_real_secrets(monkeypatch, secret, id_key, ballot_key, missing):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ruamkhit.example.go.th")
    for name, value in (("SECRET_KEY", secret), ("ID_HASH_KEY", id_key), ("BALLOT_HASH_KEY", ballot_key)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=missing):
        create_app("production")


def test_development_and_testing_have_a_ballot_key_of_their_own():
    from config import DevelopmentConfig, TestingConfig

    for config in (DevelopmentConfig, TestingConfig):
        assert config.BALLOT_HASH_KEY and config.BALLOT_HASH_KEY not in (config.SECRET_KEY, config.ID_HASH_KEY)


def test_the_ballot_link_is_keyed_by_the_ballot_key_alone(app):
    from app.cycles import voting

    with app.test_request_context():
        before = voting.voter_hash(1, 2)
        old_secret = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "another-secret-key-of-the-app-servers"
        try:
            assert voting.voter_hash(1, 2) == before  # SECRET_KEY plays no part in it
        finally:
            app.config["SECRET_KEY"] = old_secret
        old_key = app.config["BALLOT_HASH_KEY"]
        app.config["BALLOT_HASH_KEY"] = "another-ballot-key"
        try:
            assert voting.voter_hash(1, 2) != before
        finally:
            app.config["BALLOT_HASH_KEY"] = old_key


def test_production_cookies_are_secure_http_only_and_same_site(monkeypatch):
    from flask import session

    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("ID_HASH_KEY", GOOD_ID_KEY)
    monkeypatch.setenv("BALLOT_HASH_KEY", GOOD_BALLOT_KEY)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ruamkhit.example.go.th")
    prod = create_app(
        "production", SECRET_KEY=GOOD_SECRET, ID_HASH_KEY=GOOD_ID_KEY,
        SQLALCHEMY_DATABASE_URI="sqlite://", RATELIMIT_STORAGE_URI="memory://",
    )
    config = prod.config
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["PREFERRED_URL_SCHEME"] == "https"
    with prod.test_request_context("/"):
        session["probe"] = 1
        response = prod.make_response("")
        prod.session_interface.save_session(prod, session, response)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_cookies_are_http_only_and_same_site(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
