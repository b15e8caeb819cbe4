"""Sign-in with ThaID, another OpenID Connect provider and LINE, against a real provider over HTTP.

The provider is oidc-provider-mock on a thread (tests/helpers/oidc_provider.py), with PKCE enforced;
the site talks to it as it would to ThaID: discovery, authorization, the token endpoint, the keys.
"""
from __future__ import annotations

import itertools
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select

from app.accounts.models import LinkedIdentity, ResidencyMethod, User
from app.accounts.national_id import keyed_hash
from app.audit.models import AuditEntry
from app.extensions import db
from tests.accounts.factories import PASSWORD, create_user, sign_in, valid_national_id, wrong_check_digit
from tests.accounts.helpers import is_signed_in, shows, user_count
from tests.helpers.oidc_provider import TestProvider, change_claims, free_port_url, unsigned

ADDRESS = "123 หมู่ 1 ต.ศรีภูมิ อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50200"
_subjects = itertools.count(1)


@pytest.fixture(scope="module")
def provider():
    server = TestProvider()
    yield server
    server.stop()


@pytest.fixture
def thaid(app, provider, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [provider.config()])
    return provider


def thaid_person(provider, pid: str | None = None, **claims) -> str:
    """A person at the provider (their `sub`), with ThaID's claims."""
    sub = f"thaid-{next(_subjects)}"
    values = {"pid": pid or valid_national_id(), "given_name": "สมชาย", "family_name": "ใจดี",
              "birthdate": "1985-04-01", "address": ADDRESS}
    values.update(claims)
    provider.set_user(sub, {k: v for k, v in values.items() if v is not None})
    return sub


def local(url: str) -> str:
    """The site's callback URL as the test client requests it (path and query)."""
    parts = urlsplit(url)
    assert parts.netloc == "localhost", url  # the provider sends the person back to our public address
    return urlunsplit(("", "", parts.path, parts.query, ""))


def start(client, provider_name: str = "thaid", **params) -> str:
    response = client.get(f"/login/with/{provider_name}" + (f"?{urlencode(params)}" if params else ""))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.location


def sign_in_at_provider(client, provider, sub: str, provider_name: str = "thaid", **params):
    callback = provider.authorize(start(client, provider_name, **params), sub)
    return client.get(local(callback))


def finish_account(client, **overrides):
    data = {"email": "somchai@example.com", "display_name": "สมชาย ใจดี", "province_code": "50", "consent": "y"}
    data.update(overrides)
    return client.post("/login/with/new-account", data=data)


def flashed(client) -> str:
    return client.get("/login").get_data(as_text=True)


# --- the authorization request ---------------------------------------------------------

def test_no_button_and_no_route_without_configuration(client):
    page = client.get("/login").get_data(as_text=True)
    assert "/login/with/" not in page
    assert client.get("/login/with/thaid").status_code == 404


def test_button_and_authorization_request_with_pkce_state_nonce(client, thaid):
    page = client.get("/login")
    assert shows(page, "Sign in with %(provider)s", provider="ThaID")
    url = start(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(thaid.url + "/oauth2/authorize?")
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["ruamkhit-test"]
    assert query["redirect_uri"] == ["http://localhost/login/with/thaid/callback"]
    assert set(query["scope"][0].split()) >= {"openid", "pid", "address"}
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20


# --- first sign-in --------------------------------------------------------------------------

def test_first_sign_in_creates_a_verified_resident(app, client, thaid, outbox):
    pid = valid_national_id()
    sub = thaid_person(thaid, pid)
    response = sign_in_at_provider(client, thaid, sub)
    assert response.location.endswith("/login/with/new-account")
    form = client.get("/login/with/new-account")
    assert form.status_code == 200
    assert "สมชาย ใจดี" in form.get_data(as_text=True)  # the name from ThaID, to confirm
    before = user_count()
    response = finish_account(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert user_count() == before + 1
    user = db.session.scalar(select(User).where(User.email == "somchai@example.com"))
    assert user.national_id_hash == keyed_hash(pid, app.config["ID_HASH_KEY"])
    assert pid not in repr(vars(user))
    assert user.identity_provider == "thaid" and user.identity_proven_at is not None
    assert user.subdistrict_code == "500101" and user.province_code == "50"
    assert user.residency_verified and user.residency_method is ResidencyMethod.THAID
    assert [(i.provider, i.subject) for i in user.identities] == [("thaid", sub)]
    assert is_signed_in(client)
    assert any(m["To"] == "somchai@example.com" for m in outbox())  # the address is confirmed by email
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == user.id)))
    assert {"account.identity_link", "resident.identity_verify"} <= actions
    # Next time, ThaID alone signs the same account in.
    client.post("/logout")
    response = sign_in_at_provider(client, thaid, sub)
    assert response.status_code == 302 and "/login" not in response.location
    assert is_signed_in(client)


def test_the_session_never_holds_the_national_id(client, thaid):
    pid = valid_national_id()
    sign_in_at_provider(client, thaid, thaid_person(thaid, pid))
    with client.session_transaction() as session:
        assert pid not in repr(dict(session))
        assert session["oidc_pending"]["national_id_hash"]


def test_first_sign_in_without_an_address_proves_identity_only(client, thaid):
    sub = thaid_person(thaid, address=None)
    sign_in_at_provider(client, thaid, sub)
    assert finish_account(client, email="noaddress@example.com").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "noaddress@example.com"))
    assert user.identity_proven_at is not None and user.national_id_hash is not None
    assert not user.residency_verified and user.subdistrict_code is None


def test_the_new_account_form_needs_consent(client, thaid):
    sign_in_at_provider(client, thaid, thaid_person(thaid))
    before = user_count()
    response = finish_account(client, consent="")
    assert response.status_code == 200
    assert shows(response, "You must accept the personal data notice to register.")
    assert user_count() == before


# --- linking to an existing account -------------------------------------------------------

def test_an_email_of_an_existing_account_links_only_after_its_password(client, thaid):
    owner = create_user("owner@example.com", province_code="50")
    sub = thaid_person(thaid, email="owner@example.com", email_verified=True)
    response = sign_in_at_provider(client, thaid, sub)
    assert response.location.endswith("/login")
    page = client.get("/login")
    assert shows(page, "Sign in with the password of your account: %(provider)s will then be linked to it.",
                 provider="ThaID")
    assert not is_signed_in(client)
    assert db.session.scalar(select(func.count()).select_from(LinkedIdentity)) == 0
    # The new-account form does not link either.
    assert finish_account(client, email="owner@example.com").location.endswith("/login")
    assert db.session.scalar(select(func.count()).select_from(LinkedIdentity)) == 0
    # A wrong password links nothing.
    assert client.post("/login", data={"email": "owner@example.com", "password": "wrong password!"}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(LinkedIdentity)) == 0
    sign_in(client, owner)
    db.session.refresh(owner)
    assert [(i.provider, i.subject) for i in owner.identities] == [("thaid", sub)]
    assert owner.residency_verified and owner.residency_method is ResidencyMethod.THAID
    client.post("/logout")
    sign_in_at_provider(client, thaid, sub)
    assert is_signed_in(client)


def test_a_signed_in_person_links_thaid_from_the_profile(client, thaid):
    user = create_user(province_code="10")
    sign_in(client, user)
    page = client.get("/profile")
    assert shows(page, "Link %(provider)s", provider="ThaID")
    sub = thaid_person(thaid)
    response = sign_in_at_provider(client, thaid, sub)
    assert response.location.endswith("/profile")
    db.session.refresh(user)
    assert user.identities[0].subject == sub
    # ThaID's address moved the person to Chiang Mai, verified.
    assert user.province_code == "50" and user.subdistrict_code == "500101" and user.residency_verified
    page = client.get("/profile")
    assert shows(page, "Verified by ThaID, %(date)s.", date=_date(user.residency_verified_at))


def _date(value) -> str:
    from app.core.formatting import format_date

    return format_date(value)


def test_a_thaid_account_already_linked_elsewhere_is_refused(client, thaid):
    sub = thaid_person(thaid)
    sign_in_at_provider(client, thaid, sub)
    finish_account(client, email="first@example.com")
    client.post("/logout")
    other = create_user()
    sign_in(client, other)
    sign_in_at_provider(client, thaid, sub)
    assert shows(client.get("/profile"), "This %(provider)s account is already linked to another Ruamkhit account. "
                 "Sign out and sign in with %(provider)s to use that account.", provider="ThaID")
    db.session.refresh(other)
    assert other.identities == [] and other.national_id_hash is None


# --- bad answers: nothing is stored, a clear message, never a 500 ----------------------------

def _nothing_stored(before_users: int) -> None:
    assert user_count() == before_users
    assert db.session.scalar(select(func.count()).select_from(LinkedIdentity)) == 0


def test_pid_with_a_wrong_check_digit_is_refused(client, thaid):
    before = user_count()
    response = sign_in_at_provider(client, thaid, thaid_person(thaid, wrong_check_digit(valid_national_id())))
    assert response.location.endswith("/login")
    assert shows(client.get("/login"), "The national ID number that %(provider)s sent is not valid (its check digit "
                 "is wrong), so nothing was saved. Please contact %(provider)s, or sign in with your email and password.",
                 provider="ThaID")
    _nothing_stored(before)
    with client.session_transaction() as session:
        assert "oidc_pending" not in session


def test_claims_without_pid_are_refused(client, thaid):
    sub = f"nopid-{next(_subjects)}"
    thaid.set_user(sub, {"given_name": "สมชาย", "address": ADDRESS})
    before = user_count()
    sign_in_at_provider(client, thaid, sub)
    assert shows(client.get("/login"), "%(provider)s did not send your national ID number, so your identity could "
                 "not be verified and nothing was saved. Start again and allow %(provider)s to share your national ID "
                 "number (pid) with Ruamkhit.", provider="ThaID")
    _nothing_stored(before)


def test_pid_verified_on_another_account_is_refused_with_what_to_do(client, thaid):
    pid = valid_national_id()
    owner = create_user(national_id=pid)
    before = user_count()
    sign_in_at_provider(client, thaid, thaid_person(thaid, pid))
    message = ("Your national ID number is already linked to another Ruamkhit account, so %(provider)s was not "
               "linked and nothing was saved. Sign in to that account with its email and password (or choose a new "
               "password with \"Forgot your password?\") and use %(provider)s there. If that account is not yours, "
               "contact the office of your local government.")
    assert shows(client.get("/login"), message, provider="ThaID")
    _nothing_stored(before)
    # Only an audit entry on the account that holds the number, for its officials to look into.
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.object_id == owner.id, AuditEntry.action == "account.identity_refused")) is not None
    # Signed in to another account, linking is refused the same way.
    other = create_user()
    sign_in(client, other)
    sign_in_at_provider(client, thaid, thaid_person(thaid, pid))
    assert shows(client.get("/profile"), message, provider="ThaID")
    db.session.refresh(other)
    assert other.national_id_hash is None and other.identities == []
    assert owner.national_id_hash is not None


@pytest.mark.parametrize("spoil", [
    pytest.param(lambda token: change_claims(token, pid="1101700207366"), id="claims-changed"),
    pytest.param(lambda token: token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"), id="signature-changed"),
    pytest.param(unsigned, id="alg-none"),
    pytest.param(lambda token: change_claims(token, aud="someone-else"), id="audience"),
])
def test_a_tampered_id_token_is_refused(client, thaid, spoil):
    before = user_count()
    thaid.tamper = spoil
    response = sign_in_at_provider(client, thaid, thaid_person(thaid))
    assert response.status_code == 302 and response.location.endswith("/login")
    assert shows(client.get("/login"), "The answer from %(provider)s could not be verified, so you were not signed "
                 "in. Please start again from the sign-in page.", provider="ThaID")
    _nothing_stored(before)
    assert not is_signed_in(client)


def _signed_by_another_key(token: str) -> str:
    """The provider's claims and key id, signed with a key that is not the provider's."""
    import json

    from joserfc import jwt
    from joserfc.jwk import RSAKey

    from tests.helpers.oidc_provider import _unb64

    header, payload, _signature = token.split(".")
    kid = json.loads(_unb64(header)).get("kid")
    return jwt.encode({"alg": "RS256", **({"kid": kid} if kid else {})}, json.loads(_unb64(payload)),
                      RSAKey.generate_key(2048))


def test_an_id_token_signed_by_another_key_is_refused(client, thaid):
    before = user_count()
    thaid.tamper = _signed_by_another_key
    sign_in_at_provider(client, thaid, thaid_person(thaid))
    assert shows(client.get("/login"), "The answer from %(provider)s could not be verified, so you were not signed "
                 "in. Please start again from the sign-in page.", provider="ThaID")
    _nothing_stored(before)


def test_a_wrong_state_is_refused(client, thaid):
    before = user_count()
    callback = thaid.authorize(start(client), thaid_person(thaid))
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    query["state"] = ["not-the-state-we-sent"]
    response = client.get(parts.path + "?" + urlencode({k: v[0] for k, v in query.items()}))
    assert response.location.endswith("/login")
    assert shows(client.get("/login"), "The sign-in with %(provider)s did not complete, or it was already used or has "
                 "expired. Please start again from the sign-in page.", provider="ThaID")
    _nothing_stored(before)


def test_a_wrong_nonce_is_refused(client, thaid):
    before = user_count()
    url = start(client)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["nonce"] = "a-nonce-from-another-request"
    callback = thaid.authorize(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")),
                               thaid_person(thaid))
    client.get(local(callback))
    assert shows(client.get("/login"), "The answer from %(provider)s could not be verified, so you were not signed "
                 "in. Please start again from the sign-in page.", provider="ThaID")
    _nothing_stored(before)


def test_an_expired_id_token_is_refused(app, client, monkeypatch):
    stale = TestProvider(access_token_max_age=timedelta(minutes=-10))
    try:
        monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [stale.config()])
        before = user_count()
        sign_in_at_provider(client, stale, thaid_person(stale))
        assert shows(client.get("/login"), "The answer from %(provider)s could not be verified, so you were not "
                     "signed in. Please start again from the sign-in page.", provider="ThaID")
        _nothing_stored(before)
    finally:
        stale.stop()


def test_a_replayed_code_is_refused(client, thaid):
    sub = thaid_person(thaid)
    callback = thaid.authorize(start(client), sub)
    client.get(local(callback))
    finish_account(client, email="replay@example.com")
    client.post("/logout")
    # The same answer again: its state was used up.
    client.get(local(callback))
    assert not is_signed_in(client)
    # The code with a fresh state: the provider refuses a code it already exchanged.
    fresh = parse_qs(urlsplit(start(client)).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    exchanged = thaid.token_requests
    response = client.get("/login/with/thaid/callback?" + urlencode({"code": code, "state": fresh}))
    assert response.location.endswith("/login")
    assert thaid.token_requests == exchanged  # refused by the provider, no token issued
    assert shows(client.get("/login"), "The sign-in with %(provider)s did not complete, or it was already used or has "
                 "expired. Please start again from the sign-in page.", provider="ThaID")
    assert not is_signed_in(client)


def test_a_code_sent_to_a_redirect_uri_that_is_not_ours_is_refused(client, thaid):
    """An attacker swaps the redirect URI to catch the code, then feeds it to our callback: the provider refuses."""
    before = user_count()
    url = start(client)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["redirect_uri"] = "https://evil.example/catch"
    caught = thaid.authorize(urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")),
                             thaid_person(thaid))
    assert caught.startswith("https://evil.example/catch?")
    caught_query = parse_qs(urlsplit(caught).query)
    response = client.get("/login/with/thaid/callback?" + urlencode(
        {"code": caught_query["code"][0], "state": caught_query["state"][0]}))
    assert response.location.endswith("/login")
    assert not is_signed_in(client)
    _nothing_stored(before)


def test_after_sign_in_only_our_own_pages_are_followed(client, thaid):
    sub = thaid_person(thaid)
    sign_in_at_provider(client, thaid, sub)
    finish_account(client, email="next@example.com")
    client.post("/logout")
    response = sign_in_at_provider(client, thaid, sub, next="https://evil.example/")
    assert "evil.example" not in response.location
    client.post("/logout")
    response = sign_in_at_provider(client, thaid, sub, next="/ideas")
    assert urlsplit(response.location).path == "/ideas"


def test_a_provider_that_is_down_is_named_and_passwords_still_work(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [
        {"name": "thaid", "label": "ThaID", "issuer": free_port_url(), "client_id": "x", "client_secret": "y",
         "scopes": "openid pid", "pid_claim": "pid", "verifies_residency": True}])
    response = client.get("/login/with/thaid")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert shows(client.get("/login"), "%(provider)s is not answering just now, so you could not sign in with it. "
                 "Try again in a few minutes, or sign in with your email and password.", provider="ThaID")
    user = create_user()
    sign_in(client, user)
    assert is_signed_in(client)


def test_a_provider_going_down_before_the_code_is_exchanged(app, client, monkeypatch):
    brief = TestProvider()
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [brief.config()])
    callback = brief.authorize(start(client), thaid_person(brief))
    brief.stop()
    response = client.get(local(callback))
    assert response.status_code == 302
    assert shows(client.get("/login"), "%(provider)s is not answering just now, so you could not sign in with it. "
                 "Try again in a few minutes, or sign in with your email and password.", provider="ThaID")


def test_messages_are_in_english_for_english_readers(client, thaid):
    client.set_cookie("lang", "en")
    sign_in_at_provider(client, thaid, thaid_person(thaid, wrong_check_digit(valid_national_id())))
    assert "The national ID number that ThaID sent is not valid" in client.get("/login").get_data(as_text=True)


def test_an_unknown_provider_is_404(client, thaid):
    assert client.get("/login/with/nosuch").status_code == 404
    assert client.get("/login/with/nosuch/callback?code=x&state=y").status_code == 404


# --- LINE and a second provider -------------------------------------------------------------

def test_line_proves_an_account_never_residency(app, client, provider, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [
        provider.config(), provider.config(name="line", label="LINE", pid_claim=None, scopes="openid profile email")])
    page = client.get("/login")
    assert shows(page, "Sign in with %(provider)s", provider="LINE")
    sub = f"line-{next(_subjects)}"
    # Even claims that look like ThaID's change nothing: LINE is not an identity provider.
    provider.set_user(sub, {"name": "Somsri", "email": "somsri@example.com", "email_verified": True,
                            "pid": valid_national_id(), "address": ADDRESS})
    response = sign_in_at_provider(client, provider, sub, provider_name="line")
    assert response.location.endswith("/login/with/new-account")
    assert finish_account(client, email="somsri@example.com").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "somsri@example.com"))
    assert user.email_verified  # LINE vouched for this very address
    assert user.national_id_hash is None and user.identity_proven_at is None
    assert not user.residency_verified and user.subdistrict_code is None
    assert [i.provider for i in user.identities] == ["line"]


def _signed_with_secret(secret: str):
    def sign(token: str) -> str:
        import json

        from joserfc import jwt
        from joserfc.jwk import OctKey

        from tests.helpers.oidc_provider import _unb64

        return jwt.encode({"alg": "HS256"}, json.loads(_unb64(token.split(".")[1])), OctKey.import_key(secret))
    return sign


def test_line_id_tokens_signed_with_the_channel_secret_are_accepted(app, client, provider, monkeypatch):
    """LINE web login signs ID tokens with HS256 and the channel secret (not with published keys)."""
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [provider.config(
        name="line", label="LINE", pid_claim=None, client_secret="line-channel-secret-0123456789abcdef",
        secret_signs_id_token=True)])
    sub = f"line-{next(_subjects)}"
    provider.set_user(sub, {"name": "Somsri"})
    provider.tamper = _signed_with_secret("line-channel-secret-0123456789abcdef")
    assert sign_in_at_provider(client, provider, sub, provider_name="line").location.endswith("/login/with/new-account")
    # Signed with another secret: refused.
    client.get("/login")
    provider.tamper = _signed_with_secret("not-the-channel-secret-0123456789abcdef")
    response = sign_in_at_provider(client, provider, f"line-{next(_subjects)}", provider_name="line")
    assert response.location.endswith("/login")
    assert shows(client.get("/login"), "The answer from %(provider)s could not be verified, so you were not signed "
                 "in. Please start again from the sign-in page.", provider="LINE")


def test_hs256_is_refused_from_a_provider_that_publishes_keys(client, thaid):
    """A token "signed" with the client secret (which the site and the provider share) is no proof from ThaID."""
    before = user_count()
    thaid.tamper = _signed_with_secret("test-secret")
    sign_in_at_provider(client, thaid, thaid_person(thaid))
    _nothing_stored(before)


def test_erasing_the_account_removes_its_linked_identities(client, thaid):
    from app.privacy.erasure import erase_account

    sub = thaid_person(thaid)
    sign_in_at_provider(client, thaid, sub)
    finish_account(client, email="erase@example.com")
    user = db.session.scalar(select(User).where(User.email == "erase@example.com"))
    erase_account(user, keep_photos=False)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LinkedIdentity)) == 0
    assert user.identity_proven_at is None and user.identity_provider is None and user.national_id_hash is None
    client.post("/logout")
    # The same ThaID person may start again with a new account: nothing of the old one is left.
    assert sign_in_at_provider(client, thaid, sub).location.endswith("/login/with/new-account")


def test_the_data_download_lists_linked_services(client, thaid):
    from app.privacy.registry import datasets

    sub = thaid_person(thaid)
    sign_in_at_provider(client, thaid, sub)
    finish_account(client, email="download@example.com")
    user = db.session.scalar(select(User).where(User.email == "download@example.com"))
    dataset = next(d for d in datasets() if d.name == "sign_in_services")
    rows = db.session.execute(dataset.query(user.id)).mappings().all()
    assert [(r["service"], r["subject"]) for r in rows] == [("thaid", sub)]
    assert rows[0]["identity_verified_at"] is not None


def test_a_second_identity_provider_proves_identity_but_not_residency(app, client, provider, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [provider.config(name="pdid", label="Provincial ID")])
    sub = thaid_person(provider)
    sign_in_at_provider(client, provider, sub, provider_name="pdid")
    finish_account(client, email="second@example.com")
    user = db.session.scalar(select(User).where(User.email == "second@example.com"))
    assert user.identity_provider == "pdid" and user.national_id_hash is not None
    assert not user.residency_verified


def test_the_configuration_reads_thaid_line_and_named_providers(monkeypatch):
    import config

    for key in ("THAID_ISSUER", "THAID_CLIENT_ID", "THAID_SCOPES", "THAID_PID_CLAIM", "OIDC_PROVIDERS",
                "LINE_CHANNEL_ID", "LINE_CHANNEL_SECRET"):
        monkeypatch.delenv(key, raising=False)
    assert config._oidc_providers() == []
    monkeypatch.setenv("THAID_ISSUER", "https://imauth.bora.dopa.go.th")
    monkeypatch.setenv("THAID_CLIENT_ID", "abc")
    monkeypatch.setenv("THAID_CLIENT_SECRET", "s")
    monkeypatch.setenv("OIDC_PROVIDERS", "pdid")
    monkeypatch.setenv("OIDC_PDID_ISSUER", "https://id.example.go.th")
    monkeypatch.setenv("OIDC_PDID_CLIENT_ID", "def")
    monkeypatch.setenv("OIDC_PDID_LABEL", "Provincial ID")
    monkeypatch.setenv("LINE_CHANNEL_ID", "123")
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "linesecret")
    found = {p["name"]: p for p in config._oidc_providers()}
    assert found["thaid"]["scopes"] == "openid pid given_name family_name birthdate address"
    assert found["thaid"]["pid_claim"] == "pid" and found["thaid"]["verifies_residency"]
    assert found["pdid"]["label"] == "Provincial ID" and found["pdid"]["pid_claim"] == "pid"
    assert found["line"]["issuer"] == "https://access.line.me" and found["line"]["pid_claim"] is None
    assert found["line"]["secret_signs_id_token"]


def test_production_refuses_a_provider_over_plain_http(monkeypatch):
    from config import ProductionConfig

    for name in ("SECRET_KEY", "ID_HASH_KEY", "BALLOT_HASH_KEY", "SQLALCHEMY_DATABASE_URI", "PUBLIC_BASE_URL",
                 "SERVER_NAME", "TRUSTED_HOSTS", "OIDC_PROVIDERS"):
        monkeypatch.setattr(ProductionConfig, name, getattr(ProductionConfig, name, None))  # restored afterwards
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ID_HASH_KEY", "i" * 40)
    monkeypatch.setenv("BALLOT_HASH_KEY", "b" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/ruamkhit")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ruamkhit.example.go.th")
    monkeypatch.setenv("JOBS_BACKEND", "sqlite")
    monkeypatch.delenv("OIDC_PROVIDERS", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ID", raising=False)
    monkeypatch.setenv("THAID_CLIENT_ID", "abc")
    monkeypatch.setenv("THAID_ISSUER", "http://imauth.bora.dopa.go.th")
    with pytest.raises(RuntimeError, match="https:// issuer for the sign-in provider thaid"):
        ProductionConfig.validate()
    monkeypatch.setenv("THAID_ISSUER", "https://imauth.bora.dopa.go.th")
    ProductionConfig.validate()
    assert ProductionConfig.OIDC_PROVIDERS[0]["issuer"] == "https://imauth.bora.dopa.go.th"


def test_an_account_made_by_thaid_has_no_password_until_one_is_chosen(client, thaid, outbox):
    from tests.accounts.helpers import link_in

    sub = thaid_person(thaid)
    sign_in_at_provider(client, thaid, sub)
    finish_account(client, email="nopassword@example.com")
    user = db.session.scalar(select(User).where(User.email == "nopassword@example.com"))
    assert not user.has_password
    page = client.get("/profile")
    assert shows(page, "Choose a password") and not shows(page, "Change your password")
    client.post("/logout")
    # No password at all signs it in, not even an empty one.
    for guess in ("", "x" * 12):
        assert client.post("/login", data={"email": "nopassword@example.com", "password": guess}).status_code == 200
    client.post("/forgot-password", data={"email": "nopassword@example.com"})
    mail = next(m for m in outbox() if "/reset-password/" in m.get_body(("plain",)).get_content())
    path = link_in(mail, "/reset-password/")
    client.post(path, data={"password": "a new password 123", "password_again": "a new password 123"})
    sign_in(client, user, password="a new password 123")
    db.session.refresh(user)
    assert user.has_password and user.identities[0].subject == sub


def test_replacing_the_national_id_by_hand_ends_the_thaid_proof(client, thaid):
    sign_in_at_provider(client, thaid, thaid_person(thaid))
    finish_account(client, email="replace@example.com")
    user = db.session.scalar(select(User).where(User.email == "replace@example.com"))
    assert user.identity_proven_at is not None
    response = client.post("/profile/national-id", data={"nid-national_id": valid_national_id()})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.identity_proven_at is None and user.identity_provider is None and not user.residency_verified


def test_the_redirect_uri_is_always_on_the_public_address(app, client, thaid, monkeypatch):
    """Never built from the request: a proxy or a forged Host header cannot send codes elsewhere."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ruamkhit.example.go.th")
    query = parse_qs(urlsplit(start(client)).query)
    assert query["redirect_uri"] == ["https://ruamkhit.example.go.th/login/with/thaid/callback"]
