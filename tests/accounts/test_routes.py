"""Account pages through the test client, in Thai (the default language)."""
from __future__ import annotations

from app.accounts import services
from app.accounts.models import ResidencyState, Role
from app.core.formatting import format_date
from app.core.timeutil import utcnow
from app.extensions import db
from tests.accounts.factories import (
    PASSWORD,
    create_official,
    create_user,
    sign_in,
    valid_national_id,
    wrong_check_digit,
)
from tests.accounts.helpers import is_signed_in, link_in, shows, th, user_count


def _register_data(**overrides):
    data = {
        "email": "new.person@example.com",
        "display_name": "สมใจ ใฝ่ดี 🙂",
        "province_code": "50",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "consent": "y",
    }
    data.update(overrides)
    return data


# --- register and confirm -------------------------------------------------------------

def test_register_page_is_in_thai_with_the_pdpa_notice(client):
    response = client.get("/register")
    assert response.status_code == 200
    assert shows(response, "Personal data notice")
    assert shows(response, "I have read the personal data notice and agree to it")


def test_register_sends_a_confirmation_link_that_works(client, outbox):
    response = client.post("/register", data=_register_data())
    assert response.status_code == 302 and response.location.endswith("/login")
    assert not is_signed_in(client)  # signing in here would tell an attacker that the address was new
    user = services.get_user_by_email("new.person@example.com")
    assert user.display_name == "สมใจ ใฝ่ดี 🙂" and user.consent_at is not None and not user.email_verified
    assert user.locale == "th"
    [mail] = outbox()
    assert mail["To"] == "new.person@example.com"
    assert mail["Subject"] == th("Confirm your email for Ruamkhit")
    sign_in(client, user)
    page = client.get("/profile")
    assert shows(page, "not confirmed yet") and shows(page, "Send the confirmation email again")

    confirmed = client.get(link_in(mail, "/verify/"), follow_redirects=True)
    assert shows(confirmed, "Thank you: your email address is confirmed.")
    assert user.email_verified


def test_register_without_consent_changes_nothing(client, outbox):
    before = user_count()
    response = client.post("/register", data=_register_data(consent=""))
    assert response.status_code == 200
    assert shows(response, "You must accept the personal data notice to register.")
    assert user_count() == before and outbox() == []


def test_registering_an_existing_email_answers_as_for_a_new_account_and_tells_the_owner(client, outbox):
    owner = create_user("taken@example.com")
    before = user_count()
    taken = client.post("/register", data=_register_data(email="TAKEN@example.com"), follow_redirects=True)
    fresh_client = client.application.test_client()
    fresh = fresh_client.post("/register", data=_register_data(email="brand.new@example.com"), follow_redirects=True)
    assert taken.status_code == fresh.status_code == 200
    assert shows(taken, "Thank you. We sent an email to %(email)s: open its link to confirm your address, "
                        "then sign in with your password.", email="TAKEN@example.com")
    # The two pages differ only by the address typed.
    assert taken.get_data(as_text=True).replace("TAKEN@example.com", "X") == \
        fresh.get_data(as_text=True).replace("brand.new@example.com", "X")
    assert not shows(taken, "An account with this email already exists.")
    assert user_count() == before + 1  # only the new address made an account
    assert services.check_password(owner, PASSWORD) and not is_signed_in(client)
    mails = {m["To"]: m for m in outbox()}
    to_owner, to_new = mails["taken@example.com"], mails["brand.new@example.com"]
    assert to_owner["Subject"] == th("Someone tried to register with your address on Ruamkhit")
    text = to_owner.get_body(("plain",)).get_content()  # mail is plain text with an HTML part beside it
    assert "/forgot-password" in text and "/verify/" not in text
    assert to_new["Subject"] == th("Confirm your email for Ruamkhit")


def test_registering_an_existing_email_with_a_bad_password_shows_the_same_error(client, outbox):
    create_user("taken@example.com")
    for email in ("taken@example.com", "free@example.com"):
        response = client.post("/register", data=_register_data(email=email, password="short", password_again="short"))
        assert response.status_code == 200
    assert outbox() == []


def test_register_passwords_must_match(client):
    response = client.post("/register", data=_register_data(password_again="something else entirely"))
    assert shows(response, "The two passwords are not the same.")
    assert services.get_user_by_email("new.person@example.com") is None


def test_tampered_confirmation_link(client, outbox):
    user = create_user(email_verified=False)
    token = services.make_token(user, services.VERIFY_EMAIL)
    response = client.get(f"/verify/{token[:-3]}xyz", follow_redirects=True)
    assert shows(response, "This link is not valid. Please check that you copied all of it.")
    assert not user.email_verified


def test_expired_confirmation_link(app, client):
    user = create_user(email_verified=False)
    token = services.make_token(user, services.VERIFY_EMAIL)
    app.config["EMAIL_TOKEN_MAX_AGE"], old = -1, app.config["EMAIL_TOKEN_MAX_AGE"]
    try:
        response = client.get(f"/verify/{token}", follow_redirects=True)
    finally:
        app.config["EMAIL_TOKEN_MAX_AGE"] = old
    assert shows(response, "This link has expired. Please ask for a new one.")
    assert not user.email_verified


def test_confirmation_link_is_bound_to_the_address(client):
    user = create_user("first@example.com", email_verified=False)
    token = services.make_token(user, services.VERIFY_EMAIL)
    user.email = "second@example.com"
    db.session.commit()
    response = client.get(f"/verify/{token}", follow_redirects=True)
    assert shows(response, "This link is no longer valid. Please ask for a new one.")
    assert not user.email_verified


def test_resend_confirmation_email(client, outbox):
    user = create_user(email_verified=False)
    sign_in(client, user)
    response = client.post("/profile/resend-confirmation", follow_redirects=True)
    assert shows(response, "We sent a new confirmation email to %(email)s.", email=user.email)
    [mail] = outbox()
    assert mail["To"] == user.email
    client.get(link_in(mail, "/verify/"))
    assert user.email_verified
    response = client.post("/profile/resend-confirmation", follow_redirects=True)
    assert shows(response, "Your email address is already confirmed.")
    assert len(outbox()) == 1


# --- sign in and out ----------------------------------------------------------------

def test_sign_in_and_out(client):
    user = create_user()
    assert not is_signed_in(client)
    response = sign_in(client, user)
    assert response.location == "/"
    assert is_signed_in(client)
    response = client.post("/logout", follow_redirects=True)
    assert shows(response, "You are signed out.")
    assert not is_signed_in(client)


def test_wrong_password_is_refused_with_one_message(client):
    create_user("someone@example.com")
    for email in ("someone@example.com", "nobody@example.com"):
        response = client.post("/login", data={"email": email, "password": "not the password"})
        assert response.status_code == 200
        assert shows(response, "The email or password is not correct.")
    assert not is_signed_in(client)


def test_remember_me_sets_a_lasting_cookie(client):
    user = create_user()
    response = sign_in(client, user, remember=True)
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    other = create_user()
    client.post("/logout")
    response = sign_in(client, other)
    assert "remember_token=" not in " ".join(h for h in response.headers.getlist("Set-Cookie") if "Expires=Thu, 01 Jan 1970" not in h)


def test_sign_in_follows_only_local_next_links(client):
    user = create_user()
    response = client.post("/login?next=/profile", data={"email": user.email, "password": PASSWORD})
    assert response.location == "/profile"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert response.location == "/"


def test_sign_in_from_an_address_over_its_failures_limit_gets_429_in_thai(app, client, monkeypatch):
    # The account lock and the per-address limit themselves: tests/core/test_ratelimit.py.
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN_ADDRESS", "10 per 15 minutes")
    create_user("target@example.com")
    for n in range(10):
        response = client.post("/login", data={"email": f"guess{n}@example.com", "password": "guess guess guess"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": "target@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert shows(response, "You have tried too many times. Please wait a moment and try again.")
    assert not is_signed_in(client)


# --- password reset -----------------------------------------------------------------

def test_forgot_password_never_says_whether_the_account_exists(client, outbox):
    create_user("known@example.com")
    known = client.post("/forgot-password", data={"email": "known@example.com"}, follow_redirects=True)
    unknown = client.post("/forgot-password", data={"email": "unknown@example.com"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert shows(known, "If an account uses %(email)s, we have sent it a link to choose a new password. Check your inbox.", email="known@example.com")
    assert shows(unknown, "If an account uses %(email)s, we have sent it a link to choose a new password. Check your inbox.", email="unknown@example.com")
    assert known.get_data(as_text=True).replace("known@", "X@") == unknown.get_data(as_text=True).replace("unknown@", "X@")
    assert [m["To"] for m in outbox()] == ["known@example.com"]


def test_password_reset_link_works_once_and_signs_out_other_sessions(app, client, outbox):
    user = create_user("reset.me@example.com")
    other_device = app.test_client()
    sign_in(other_device, user)
    client.post("/forgot-password", data={"email": "reset.me@example.com"})
    [mail] = outbox()
    assert mail["Subject"] == th("Reset your Ruamkhit password")
    path = link_in(mail, "/reset-password/")

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "a fresh new password", "password_again": "a fresh new password"}, follow_redirects=True)
    assert shows(response, "Your new password is saved. Sign in with it.")
    assert services.authenticate("reset.me@example.com", "a fresh new password") is user
    assert services.authenticate("reset.me@example.com", PASSWORD) is None
    assert not is_signed_in(other_device)

    again = client.get(path, follow_redirects=True)
    assert shows(again, "This link is no longer valid. Please ask for a new one.")
    response = client.post(path, data={"password": "third password here", "password_again": "third password here"}, follow_redirects=True)
    assert shows(response, "This link is no longer valid. Please ask for a new one.")
    assert services.authenticate("reset.me@example.com", "a fresh new password") is user
    assert any(m["Subject"] == th("Your Ruamkhit password was changed") for m in outbox())


def test_password_reset_with_bad_new_passwords_changes_nothing(client):
    user = create_user()
    path = f"/reset-password/{services.make_token(user, services.RESET_PASSWORD)}"
    response = client.post(path, data={"password": "short", "password_again": "short"})
    assert response.status_code == 200
    assert shows(response, "The password must have between %(min)d and %(max)d characters.", min=10, max=200)
    response = client.post(path, data={"password": "long enough one", "password_again": "long enough two"})
    assert shows(response, "The two passwords are not the same.")
    assert services.check_password(user, PASSWORD)


def test_expired_and_tampered_reset_links(app, client):
    user = create_user()
    token = services.make_token(user, services.RESET_PASSWORD)
    response = client.get(f"/reset-password/{token}x", follow_redirects=True)
    assert shows(response, "This link is not valid. Please check that you copied all of it.")
    old = app.config["RESET_TOKEN_MAX_AGE"]
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    try:
        response = client.post(f"/reset-password/{token}", data={"password": "x" * 12, "password_again": "x" * 12}, follow_redirects=True)
    finally:
        app.config["RESET_TOKEN_MAX_AGE"] = old
    assert shows(response, "This link has expired. Please ask for a new one.")
    assert services.check_password(user, PASSWORD)


# --- change password ----------------------------------------------------------------

def test_change_password_needs_the_current_one(client):
    user = create_user()
    sign_in(client, user)
    version = user.session_version
    response = client.post("/profile/password", data={
        "current_password": "not my password", "password": "brand new password", "password_again": "brand new password",
    })
    assert response.status_code == 200
    assert shows(response, "Your current password is not correct.")
    assert services.check_password(user, PASSWORD) and user.session_version == version


def test_change_password_keeps_this_session_and_ends_the_others(app, client, outbox):
    user = create_user()
    sign_in(client, user)
    other_device = app.test_client()
    sign_in(other_device, user, remember=True)
    response = client.post("/profile/password", data={
        "current_password": PASSWORD, "password": "brand new password", "password_again": "brand new password",
    }, follow_redirects=True)
    assert shows(response, "Your password is changed. Other devices were signed out.")
    assert is_signed_in(client)
    assert not is_signed_in(other_device)  # neither its session nor its remember-me cookie works
    assert services.check_password(user, "brand new password")
    assert [m["Subject"] for m in outbox()] == [th("Your Ruamkhit password was changed")]


def test_change_password_page_needs_sign_in(client):
    response = client.get("/profile/password")
    assert response.status_code == 302 and "/login" in response.location


# --- profile --------------------------------------------------------------------------

def test_profile_shows_the_verification_states(client):
    user = create_user(email_verified=False)
    sign_in(client, user)
    page = client.get("/profile")
    assert shows(page, "not confirmed yet") and shows(page, "No national ID number added")
    services.set_national_id(user, valid_national_id())
    db.session.commit()
    page = client.get("/profile")
    assert shows(page, "Waiting for verification by an official")
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    from app.areas.services import get_area_by_code

    services.verify_residency(official, user, get_area_by_code("50"))
    db.session.commit()
    page = client.get("/profile")
    today = format_date(utcnow(), "th")
    assert today.split()[-1].startswith("25")  # Buddhist Era year
    assert shows(page, "Verified resident since %(date)s", date=today)


def test_profile_update_saves_details_and_language(client):
    user = create_user(locale="th")
    sign_in(client, user)
    page = client.get("/profile")
    assert "ศรีภูมิ" in page.get_data(as_text=True)  # subdistricts of Chiang Mai in the select
    response = client.post("/profile", data={
        "profile-display_name": "  มานี 🌾 ชาวนา ",
        "profile-locale": "en",
        "profile-email_notifications": "y",
        "profile-subdistrict_code": "500101",
    })
    assert response.status_code == 302
    assert (user.display_name, user.locale, user.email_notifications, user.subdistrict_code) == ("มานี 🌾 ชาวนา", "en", True, "500101")
    assert "lang=en" in response.headers["Set-Cookie"]
    page = client.get("/profile")
    assert "Your profile is saved." in page.get_data(as_text=True)  # now in English


def test_profile_refuses_a_subdistrict_of_another_province(client):
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile", data={
        "profile-display_name": "ชื่อใหม่", "profile-locale": "th", "profile-subdistrict_code": "400101",
    })
    assert response.status_code == 200
    assert shows(response, "Choose a subdistrict of your province.")
    assert user.display_name == "สมศรี ทดสอบ" and user.subdistrict_code is None


def test_moving_subdistrict_withdraws_verification_with_a_message(client):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    user = create_user(national_id=valid_national_id(), subdistrict_code="500101", verified_by=official)
    sign_in(client, user)
    response = client.post("/profile", data={
        "profile-display_name": user.display_name, "profile-locale": "th", "profile-subdistrict_code": "500203",
    }, follow_redirects=True)
    assert shows(response, "You moved: an official must verify your residency again before you can vote.")
    assert user.residency_state is ResidencyState.WAITING


def test_change_province(client):
    user = create_user(subdistrict_code="500101")
    sign_in(client, user)
    response = client.post("/profile/province", data={"province-province_code": "40"}, follow_redirects=True)
    assert shows(response, "Your province is saved. Choose your subdistrict in it.")
    assert (user.province_code, user.subdistrict_code) == ("40", None)
    assert "เมืองขอนแก่น" in client.get("/profile").get_data(as_text=True)
    response = client.post("/profile/province", data={"province-province_code": "99"})
    assert shows(response, "Choose the province where you live.") and user.province_code == "40"


def test_profile_needs_sign_in(client):
    assert client.get("/profile").status_code == 302
    assert client.post("/profile", data={"profile-display_name": "x"}).status_code == 302


# --- national ID ------------------------------------------------------------------------

def test_add_national_id(client):
    user = create_user()
    sign_in(client, user)
    number = valid_national_id()
    response = client.post("/profile/national-id", data={"nid-national_id": f"{number[:1]} {number[1:5]} {number[5:]}"}, follow_redirects=True)
    assert shows(response, "Your national ID number is saved. An official of your area can now verify your residency.")
    assert user.residency_state is ResidencyState.WAITING
    assert number not in response.get_data(as_text=True)


def test_national_id_with_a_wrong_check_digit(client):
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile/national-id", data={"nid-national_id": wrong_check_digit(valid_national_id())})
    assert response.status_code == 200
    assert shows(response, "This national ID number is not valid: check the 13 digits.")
    assert user.national_id_hash is None


def test_national_id_of_another_account(client):
    number = valid_national_id()
    create_user(national_id=number)
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile/national-id", data={"nid-national_id": number})
    assert response.status_code == 200
    assert shows(response, "This national ID number is already linked to another account.")
    assert user.national_id_hash is None


def test_account_emails_are_sent_by_jobs_after_the_commit(client, outbox):
    """#10.13: confirmation and reset emails went out inside the request; they are now mail jobs,
    committed with the request and sent by the worker (at once here: tests run jobs in-process)."""
    from sqlalchemy import select

    from app.jobs.models import Job

    user = create_user("reset.me@example.com")
    response = client.post("/forgot-password", data={"email": "reset.me@example.com"})
    assert response.status_code == 302
    jobs = db.session.scalars(select(Job).where(Job.kind == "mail.send")).all()
    assert [j.payload["to"] for j in jobs] == [user.email]
    assert jobs[0].state.value == "done"
    mails = [m for m in outbox() if m["To"] == user.email]
    assert len(mails) == 1 and mails[0]["Message-ID"] == jobs[0].payload["message_id"]
