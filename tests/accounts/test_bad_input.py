"""Bad input on every account form: a clear message in the person's language, nothing changed, never a 500.

(Wrong ID check digits, duplicate IDs, expired and tampered links and missing
CSRF tokens are in test_routes.py and test_security.py.)
"""
from __future__ import annotations

import pytest

from app.accounts import services
from tests.accounts.factories import PASSWORD, create_user, sign_in, valid_national_id
from tests.accounts.helpers import shows, th, user_count

LONG = "ก" * 10_000
EMOJI = "🙂🌾🏯"
EMAIL_MESSAGE = "Enter an email address like name@example.com."
PASSWORD_LENGTH = ("The password must have between %(min)d and %(max)d characters.", {"min": 10, "max": 200})
NAME_LENGTH = ("The display name must have between %(min)d and %(max)d characters.", {"min": 2, "max": 100})
ID_MESSAGE = "This national ID number is not valid: check the 13 digits."


def _register(**overrides):
    data = {
        "email": "bad.input@example.com", "display_name": "ผู้ทดสอบ", "province_code": "50",
        "password": PASSWORD, "password_again": PASSWORD, "consent": "y",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("data,message", [
    (_register(email="not-an-email"), EMAIL_MESSAGE),
    (_register(email="two@@example.com"), EMAIL_MESSAGE),
    (_register(email="name@example"), EMAIL_MESSAGE),
    (_register(email="ทดสอบ@example.com"), EMAIL_MESSAGE),
    (_register(email=EMOJI + "@example.com"), EMAIL_MESSAGE),
    (_register(email=LONG + "@example.com"), ("An email address has at most %(max)d characters.", {"max": 254})),
    (_register(email=""), "Enter your email address."),
    (_register(display_name=LONG), NAME_LENGTH),
    (_register(display_name="ก"), NAME_LENGTH),
    (_register(display_name="ชื่อ\x07ผิด"), "This field contains characters that are not allowed."),
    (_register(display_name="   "), "Enter the name to show next to your ideas."),
    (_register(password=LONG, password_again=LONG), PASSWORD_LENGTH),
    (_register(password="สั้น🙂", password_again="สั้น🙂"), PASSWORD_LENGTH),
    (_register(password_again=PASSWORD + "x"), "The two passwords are not the same."),
    (_register(province_code=LONG), "Choose the province where you live."),
    (_register(province_code="<script>"), "Choose the province where you live."),
    (_register(province_code=""), "Choose the province where you live."),
    (_register(consent=""), "You must accept the personal data notice to register."),
])
def test_register_bad_input(client, outbox, data, message):
    before = user_count()
    response = client.post("/register", data=data)
    assert response.status_code == 200
    msgid, values = message if isinstance(message, tuple) else (message, {})
    assert shows(response, msgid, **values)
    assert user_count() == before and outbox() == []


def test_register_accepts_thai_and_emoji_in_name_and_password(client):
    password = "รหัสผ่านภาษาไทย🔑ยาวพอ"
    response = client.post("/register", data=_register(display_name="น้องฟ้า 🌈 ใจดี", password=password, password_again=password))
    assert response.status_code == 302
    user = services.authenticate("bad.input@example.com", password)
    assert user is not None and user.display_name == "น้องฟ้า 🌈 ใจดี"


@pytest.mark.parametrize("data,message", [
    ({"email": "not-an-email", "password": PASSWORD}, EMAIL_MESSAGE),
    ({"email": LONG, "password": PASSWORD}, ("An email address has at most %(max)d characters.", {"max": 254})),
    ({"email": "ผู้ใช้@example.com", "password": PASSWORD}, EMAIL_MESSAGE),
    ({"email": "someone@example.com", "password": LONG}, "The email or password is not correct."),
    ({"email": "someone@example.com", "password": EMOJI * 5}, "The email or password is not correct."),
    ({"email": "someone@example.com", "password": ""}, "Enter your password."),
])
def test_sign_in_bad_input(client, data, message):
    create_user("someone@example.com")
    response = client.post("/login", data=data)
    assert response.status_code == 200
    msgid, values = message if isinstance(message, tuple) else (message, {})
    assert shows(response, msgid, **values)
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize("email", ["not-an-email", LONG, "อีเมล@ไม่ถูก", EMOJI, ""])
def test_forgot_password_bad_input(client, outbox, email):
    response = client.post("/forgot-password", data={"email": email})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="error-summary"') == 1
    assert outbox() == []


@pytest.mark.parametrize("password,again,message", [
    (LONG, LONG, PASSWORD_LENGTH),
    ("🙂" * 5, "🙂" * 5, PASSWORD_LENGTH),
    ("long enough ok", "different entry", ("The two passwords are not the same.", {})),
])
def test_reset_password_bad_input(client, password, again, message):
    user = create_user()
    path = f"/reset-password/{services.make_token(user, services.RESET_PASSWORD)}"
    response = client.post(path, data={"password": password, "password_again": again})
    assert response.status_code == 200 and shows(response, message[0], **message[1])
    assert services.check_password(user, PASSWORD)


@pytest.mark.parametrize("token", ["x", "ก" * 100, "a" * 10_000, "..", "%F0%9F%99%82"])
def test_garbage_tokens(client, token):
    for path in (f"/verify/{token}", f"/reset-password/{token}"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200
        assert shows(response, "This link is not valid. Please check that you copied all of it.")


@pytest.mark.parametrize("data,message", [
    ({"current_password": LONG, "password": "new password ok", "password_again": "new password ok"}, ("Your current password is not correct.", {})),
    ({"current_password": PASSWORD, "password": LONG, "password_again": LONG}, PASSWORD_LENGTH),
    ({"current_password": PASSWORD, "password": "ใหม่🙂", "password_again": "ใหม่🙂"}, PASSWORD_LENGTH),
    ({"current_password": PASSWORD, "password": PASSWORD, "password_again": PASSWORD}, ("Choose a new password that is different from the current one.", {})),
])
def test_change_password_bad_input(client, data, message):
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile/password", data=data)
    assert response.status_code == 200 and shows(response, message[0], **message[1])
    assert services.check_password(user, PASSWORD)


@pytest.mark.parametrize("data,message", [
    ({"profile-display_name": LONG, "profile-locale": "th"}, NAME_LENGTH),
    ({"profile-display_name": "", "profile-locale": "th"}, ("Enter the name to show next to your ideas.", {})),
    ({"profile-display_name": "ชื่อ\x1bผิด", "profile-locale": "th"}, ("This field contains characters that are not allowed.", {})),
    ({"profile-display_name": "ชื่อดี", "profile-locale": LONG}, ("Choose Thai or English.", {})),
    ({"profile-display_name": "ชื่อดี", "profile-locale": "fr"}, ("Choose Thai or English.", {})),
    ({"profile-display_name": "ชื่อดี", "profile-locale": "th", "profile-subdistrict_code": LONG}, ("Choose a subdistrict of your province.", {})),
    ({"profile-display_name": "ชื่อดี", "profile-locale": "th", "profile-subdistrict_code": "🙂"}, ("Choose a subdistrict of your province.", {})),
])
def test_profile_bad_input(client, data, message):
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile", data=data)
    assert response.status_code == 200 and shows(response, message[0], **message[1])
    assert (user.display_name, user.locale, user.subdistrict_code) == ("สมศรี ทดสอบ", "th", None)


def test_profile_accepts_thai_and_emoji_names(client):
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile", data={"profile-display_name": "ป้าแดง 🌶️ ขายส้มตำ", "profile-locale": "th"})
    assert response.status_code == 302 and user.display_name == "ป้าแดง 🌶️ ขายส้มตำ"


@pytest.mark.parametrize("value", [LONG, "1" * 10_000, "๑๑๐๐๐๐๐๐๐๐๐๑๖", EMOJI, "123", "abcdefghijklm", ""])
def test_national_id_bad_input(client, value):
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile/national-id", data={"nid-national_id": value})
    assert response.status_code == 200
    assert shows(response, ID_MESSAGE) or shows(response, "Enter the 13 digits of your national ID number.")
    assert user.national_id_hash is None


@pytest.mark.parametrize("value", [LONG, "๕๐", "🙂", "", "99"])
def test_province_change_bad_input(client, value):
    user = create_user()
    sign_in(client, user)
    response = client.post("/profile/province", data={"province-province_code": value})
    assert response.status_code == 200 and shows(response, "Choose the province where you live.")
    assert user.province_code == "50"


def test_messages_follow_the_chosen_language(client):
    client.set_cookie("lang", "en")
    response = client.post("/register", data=_register(email="not-an-email"))
    assert "Enter an email address like name@example.com." in response.get_data(as_text=True)
    assert th(EMAIL_MESSAGE) not in response.get_data(as_text=True)
    user = create_user(national_id=valid_national_id())
    client.set_cookie("lang", "th")
    sign_in(client, user)
    response = client.post("/profile/national-id", data={"nid-national_id": "123"})
    assert shows(response, ID_MESSAGE)
