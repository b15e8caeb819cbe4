"""Account rules without HTTP: registration, passwords, tokens, profile, residency and roles."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import ResidencyState, Role, User
from app.areas.services import get_area_by_code
from app.audit.models import AuditEntry
from app.extensions import db
from tests.accounts.factories import (
    PASSWORD,
    create_admin,
    create_official,
    create_user,
    valid_national_id,
    wrong_check_digit,
)


@pytest.fixture(autouse=True)
def _english():
    """Services run outside a request here: read their messages in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _message(excinfo) -> str:
    return str(excinfo.value)


# --- registration -------------------------------------------------------------------

def test_register_stores_consent_date_and_normalised_email():
    user = services.create_user(" Somchai@Example.COM ", PASSWORD, "  สมชาย 🙂  ", "50", consent=True, locale="th")
    assert user.email == "somchai@example.com"
    assert user.display_name == "สมชาย 🙂"
    assert user.consent_at is not None and user.consent_version == services.CONSENT_VERSION
    assert not user.email_verified
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_register_refuses_without_consent():
    with pytest.raises(services.AccountError, match="personal data notice"):
        services.create_user("a@example.com", PASSWORD, "สมชาย", "50", consent=False)


def test_register_refuses_a_second_account_with_the_same_email_in_any_case():
    create_user("dup@example.com")
    with pytest.raises(services.AccountError, match="already exists"):
        services.create_user("DUP@example.com", PASSWORD, "อีกคน", "50", consent=True)


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "ทดสอบ@example.com", "x" * 10_000 + "@example.com", ""])
def test_register_refuses_malformed_emails(email):
    with pytest.raises(services.AccountError, match="name@example.com"):
        services.create_user(email, PASSWORD, "สมชาย", "50", consent=True)


def test_register_accepts_a_thai_domain_in_its_ascii_form():
    user = services.create_user("somchai@ตัวอย่าง.ไทย", PASSWORD, "สมชาย", "50", consent=True)
    assert user.email.startswith("somchai@xn--")
    assert services.get_user_by_email("somchai@ตัวอย่าง.ไทย") is user


@pytest.mark.parametrize("password", ["short", "x" * 201, "x" * 10_000])
def test_register_refuses_passwords_too_short_or_too_long(password):
    with pytest.raises(services.AccountError, match="between 10 and 200"):
        services.create_user("p@example.com", password, "สมชาย", "50", consent=True)


@pytest.mark.parametrize("name", ["", " ", "ก", "ก" * 101, "สม\x00ชาย", "สม\nชาย"])
def test_register_refuses_bad_display_names(name):
    with pytest.raises(services.AccountError, match="display name"):
        services.create_user("n@example.com", PASSWORD, name, "50", consent=True)


@pytest.mark.parametrize("code", ["", "99", "3500102", "5" * 10_000])
def test_register_needs_a_real_province(code):
    with pytest.raises(services.AccountError, match="province"):
        services.create_user("q@example.com", PASSWORD, "สมชาย", code, consent=True)


# --- passwords ------------------------------------------------------------------------

def test_check_password_and_authenticate():
    user = create_user("auth@example.com")
    assert services.check_password(user, PASSWORD)
    assert not services.check_password(user, "wrong password")
    assert services.authenticate("AUTH@example.com", PASSWORD) is user
    assert services.authenticate("auth@example.com", "wrong password") is None
    assert services.authenticate("nobody@example.com", PASSWORD) is None


def test_outdated_hash_is_upgraded_on_a_correct_password():
    user = create_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # differs from any configured cost
    user.password_hash = weak.hash(PASSWORD)
    old = user.password_hash
    assert not services.check_password(user, "wrong password")
    assert user.password_hash == old
    assert services.check_password(user, PASSWORD)
    assert user.password_hash != old and "m=8," not in user.password_hash
    assert services.check_password(user, PASSWORD)


def test_deleted_accounts_cannot_sign_in():
    from app.core.timeutil import utcnow

    user = create_user("gone@example.com")
    user.deleted_at = utcnow()
    assert services.authenticate("gone@example.com", PASSWORD) is None


def test_change_password_needs_the_current_one_and_ends_other_sessions():
    user = create_user()
    version = user.session_version
    with pytest.raises(services.WrongPassword):
        services.change_password(user, "not my password", "a brand new password")
    with pytest.raises(services.AccountError, match="different"):
        services.change_password(user, PASSWORD, PASSWORD)
    with pytest.raises(services.AccountError, match="between 10 and 200"):
        services.change_password(user, PASSWORD, "short")
    assert user.session_version == version
    services.change_password(user, PASSWORD, "a brand new password")
    assert user.session_version == version + 1
    assert services.check_password(user, "a brand new password")
    assert not services.check_password(user, PASSWORD)


# --- tokens ---------------------------------------------------------------------------

def test_email_token_confirms_the_address():
    user = create_user(email_verified=False)
    token = services.make_token(user, services.VERIFY_EMAIL)
    assert services.read_token(token, services.VERIFY_EMAIL, 3600) is user
    services.verify_email(user)
    assert user.email_verified


def test_expired_token_is_refused():
    user = create_user()
    token = services.make_token(user, services.VERIFY_EMAIL)
    with pytest.raises(services.AccountError, match="expired"):
        services.read_token(token, services.VERIFY_EMAIL, max_age=-1)


def test_expired_token_by_the_clock(monkeypatch):
    import time

    user = create_user()
    token = services.make_token(user, services.RESET_PASSWORD)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3 * 3600)
    with pytest.raises(services.AccountError, match="expired"):
        services.read_token(token, services.RESET_PASSWORD, max_age=2 * 3600)


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "x" + t,
    lambda t: t[: len(t) // 2],
    lambda t: "",
    lambda t: "ก" * 50,
])
def test_tampered_token_is_refused(mangle):
    user = create_user()
    token = services.make_token(user, services.VERIFY_EMAIL)
    with pytest.raises(services.AccountError, match="not valid"):
        services.read_token(mangle(token), services.VERIFY_EMAIL, 3600)


def test_a_token_only_works_for_its_purpose():
    user = create_user()
    verify = services.make_token(user, services.VERIFY_EMAIL)
    with pytest.raises(services.AccountError, match="not valid"):
        services.read_token(verify, services.RESET_PASSWORD, 3600)


def test_reset_token_works_once():
    user = create_user(email_verified=False)
    token = services.make_token(user, services.RESET_PASSWORD)
    services.reset_password(token, "my new password!", 3600)
    assert services.check_password(user, "my new password!")
    assert user.email_verified  # only the inbox's owner could open the link
    with pytest.raises(services.AccountError, match="no longer valid"):
        services.reset_password(token, "another password!", 3600)
    assert services.check_password(user, "my new password!")


def test_reset_token_dies_when_the_password_changes_otherwise():
    user = create_user()
    token = services.make_token(user, services.RESET_PASSWORD)
    services.change_password(user, PASSWORD, "changed meanwhile")
    with pytest.raises(services.AccountError, match="no longer valid"):
        services.read_token(token, services.RESET_PASSWORD, 3600)


def test_reset_with_a_bad_new_password_changes_nothing():
    user = create_user()
    token = services.make_token(user, services.RESET_PASSWORD)
    with pytest.raises(services.AccountError):
        services.reset_password(token, "short", 3600)
    assert services.check_password(user, PASSWORD)
    assert services.read_token(token, services.RESET_PASSWORD, 3600) is user


def test_password_reset_lookup_hides_nothing_but_finds_only_live_accounts():
    user = create_user("reset@example.com")
    assert services.user_for_password_reset("RESET@example.com") is user
    assert services.user_for_password_reset("nobody@example.com") is None
    assert services.user_for_password_reset("not an email") is None


# --- profile ----------------------------------------------------------------------------

def test_update_profile_saves_thai_and_emoji_and_checks_the_subdistrict():
    user = create_user()
    services.update_profile(user, display_name="มานี 🌾", locale="en", email_notifications=True, subdistrict_code="500203")
    assert (user.display_name, user.locale, user.email_notifications, user.subdistrict_code) == ("มานี 🌾", "en", True, "500203")
    with pytest.raises(services.AccountError, match="subdistrict of your province"):
        services.update_profile(user, display_name="มานี", locale="th", email_notifications=False, subdistrict_code="400101")
    with pytest.raises(services.AccountError, match="subdistrict of your province"):
        services.update_profile(user, display_name="มานี", locale="th", email_notifications=False, subdistrict_code="999999")
    with pytest.raises(services.AccountError, match="Thai or English"):
        services.update_profile(user, display_name="มานี", locale="fr", email_notifications=False, subdistrict_code=None)


def test_moving_withdraws_the_residency_verification():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    user = create_user(national_id=valid_national_id(), subdistrict_code="500101", verified_by=official)
    assert user.residency_state is ResidencyState.VERIFIED
    # Saving the same subdistrict keeps it.
    assert services.update_profile(user, display_name="x y", locale="th", email_notifications=False, subdistrict_code="500101") is False
    assert user.residency_verified
    assert services.update_profile(user, display_name="x y", locale="th", email_notifications=False, subdistrict_code="500203") is True
    assert user.residency_state is ResidencyState.WAITING


def test_change_province_clears_subdistrict_and_verification():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    user = create_user(national_id=valid_national_id(), subdistrict_code="500101", verified_by=official)
    assert services.change_province(user, "50") is False
    assert services.change_province(user, "40") is True
    assert (user.province_code, user.subdistrict_code, user.residency_verified) == ("40", None, False)
    with pytest.raises(services.AccountError, match="province"):
        services.change_province(user, "3500102")


# --- national ID --------------------------------------------------------------------------

def test_national_id_is_stored_only_as_a_keyed_hash():
    number = valid_national_id()
    user = create_user()
    services.set_national_id(user, f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}")
    assert user.national_id_hash and len(user.national_id_hash) == 64
    assert number not in user.national_id_hash
    assert user.residency_state is ResidencyState.WAITING


def test_wrong_check_digit_is_refused():
    user = create_user()
    with pytest.raises(services.AccountError, match="13 digits"):
        services.set_national_id(user, wrong_check_digit(valid_national_id()))
    assert user.national_id_hash is None


def test_one_national_id_per_account():
    number = valid_national_id()
    first = create_user(national_id=number)
    second = create_user()
    with pytest.raises(services.AccountError, match="already linked to another account"):
        services.set_national_id(second, number)
    assert second.national_id_hash is None
    services.set_national_id(first, number)  # the owner may send it again


def test_replacing_the_national_id_needs_a_new_verification():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    user = create_user(national_id=valid_national_id(), verified_by=official)
    services.set_national_id(user, valid_national_id())
    assert user.residency_state is ResidencyState.WAITING


# --- residency verification ---------------------------------------------------------------

def test_official_of_the_province_verifies_and_it_is_audited():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    resident = create_user(national_id=valid_national_id())
    province = get_area_by_code("50")
    services.verify_residency(official, resident, province)
    assert resident.residency_verified and resident.residency_verified_by_id == official.id
    entry = _audit("resident.verify")[-1]
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.area_id) == (official.id, "users", resident.id, province.id)
    with pytest.raises(services.AccountError, match="already"):
        services.verify_residency(official, resident, province)
    services.revoke_residency(official, resident, province)
    assert not resident.residency_verified
    assert _audit("resident.unverify")[-1].object_id == resident.id
    with pytest.raises(services.AccountError, match="not a verified resident"):
        services.revoke_residency(official, resident, province)


def test_official_of_another_province_cannot_verify():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "40")
    resident = create_user(national_id=valid_national_id())
    with pytest.raises(services.AccountError, match="not an official"):
        services.verify_residency(official, resident, get_area_by_code("50"))
    # ...nor by naming their own province for someone who lives elsewhere.
    with pytest.raises(services.AccountError, match="does not live"):
        services.verify_residency(official, resident, get_area_by_code("40"))
    assert not resident.residency_verified
    assert _audit("resident.verify") == []


def test_residents_nobody_can_verify():
    resident = create_user(national_id=valid_national_id())
    plain = create_user()
    evaluator = create_official(Role.EVALUATOR, "50")
    for who in (plain, evaluator):
        with pytest.raises(services.AccountError, match="not an official"):
            services.verify_residency(who, resident, get_area_by_code("50"))


def test_lg_officer_verifies_only_residents_of_the_local_government():
    officer = create_official(Role.LG_OFFICER, "3500102")
    lg = get_area_by_code("3500102")
    inside = create_user(national_id=valid_national_id(), subdistrict_code="500101")
    outside = create_user(national_id=valid_national_id(), subdistrict_code="500203")
    unknown = create_user(national_id=valid_national_id())
    services.verify_residency(officer, inside, lg)
    for person in (outside, unknown):
        with pytest.raises(services.AccountError, match="does not live"):
            services.verify_residency(officer, person, lg)
    with pytest.raises(services.AccountError, match="not an official"):
        services.verify_residency(officer, outside, get_area_by_code("50"))


def test_verification_needs_an_id_and_another_official():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50", national_id=valid_national_id())
    without_id = create_user()
    province = get_area_by_code("50")
    with pytest.raises(services.AccountError, match="national ID"):
        services.verify_residency(official, without_id, province)
    with pytest.raises(services.AccountError, match="Another official"):
        services.verify_residency(official, official, province)


def test_residents_query_scopes_to_the_area_and_filters():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    waiting = create_user(display_name="รอตรวจ ใจเย็น", subdistrict_code="500101", national_id=valid_national_id())
    verified = create_user(display_name="ยืนยัน แล้ว", subdistrict_code="500203", national_id=valid_national_id(), verified_by=official)
    no_id = create_user(display_name="ยังไม่มี บัตร", email="noid@example.com")
    elsewhere = create_user(province_code="40")

    def ids(area_code, q=None, state=None):
        return {u.id for u in db.session.scalars(services.residents_query(get_area_by_code(area_code), q, state))}

    province = ids("50")
    assert {waiting.id, verified.id, no_id.id} <= province and elsewhere.id not in province
    assert ids("3500102") >= {waiting.id} and not ids("3500102") & {verified.id, no_id.id, elsewhere.id}
    assert ids("50", state=ResidencyState.WAITING) & {waiting.id, verified.id, no_id.id} == {waiting.id}
    assert ids("50", state=ResidencyState.VERIFIED) & {waiting.id, verified.id, no_id.id} == {verified.id}
    assert ids("50", state=ResidencyState.NO_ID) & {waiting.id, verified.id, no_id.id} >= {no_id.id}
    assert ids("50", q="ใจเย็น") == {waiting.id}
    assert ids("50", q="NOID@") == {no_id.id}
    assert ids("50", q="%") == set()  # wildcards are searched literally


# --- roles ------------------------------------------------------------------------------

def test_admin_assigns_and_removes_roles_and_both_are_audited():
    admin = create_admin()
    user = create_user()
    province = get_area_by_code("50")
    assignment = services.assign_role(admin, user, Role.PROVINCIAL_OFFICIAL, province)
    assert user.has_role(Role.PROVINCIAL_OFFICIAL) and assignment.created_by_id == admin.id
    entry = _audit("role.assign")[-1]
    assert (entry.actor_id, entry.object_id, entry.area_id) == (admin.id, user.id, province.id)
    assert entry.details == {"role": "provincial_official", "area": "50"}
    services.remove_role(admin, assignment)
    assert not user.has_role(Role.PROVINCIAL_OFFICIAL)
    removed = _audit("role.remove")[-1]
    assert (removed.actor_id, removed.object_id, removed.details["role"]) == (admin.id, user.id, "provincial_official")


def test_only_admins_change_roles():
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    user = create_user()
    with pytest.raises(services.AccountError, match="Only administrators"):
        services.assign_role(official, user, Role.EVALUATOR, get_area_by_code("50"))
    with pytest.raises(services.AccountError, match="Only administrators"):
        services.remove_role(official, official.roles[0])
    assert not user.roles


def test_role_area_rules():
    admin = create_admin()
    user = create_user()
    province, lg = get_area_by_code("50"), get_area_by_code("3500102")
    with pytest.raises(services.AccountError, match="province"):
        services.assign_role(admin, user, Role.PROVINCIAL_OFFICIAL, lg)
    with pytest.raises(services.AccountError, match="local government"):
        services.assign_role(admin, user, Role.LG_OFFICER, province)
    with pytest.raises(services.AccountError, match="needs an area"):
        services.assign_role(admin, user, Role.EVALUATOR, None)
    services.assign_role(admin, user, Role.EVALUATOR, lg)
    services.assign_role(admin, user, Role.EVALUATOR, province)
    with pytest.raises(services.AccountError, match="already has this role"):
        services.assign_role(admin, user, Role.EVALUATOR, province)
    assert services.assign_role(admin, user, Role.ADMIN, province).area_id is None


def test_admin_cannot_remove_their_own_admin_role():
    admin = create_admin()
    with pytest.raises(services.AccountError, match="your own administrator role"):
        services.remove_role(admin, admin.roles[0])


@pytest.mark.parametrize("role,code,message", [
    (Role.PROVINCIAL_OFFICIAL, "", "2-digit code of the province"),
    (Role.LG_OFFICER, "", "7-digit code"),
    (Role.EVALUATOR, " ", "province or a local government"),
    (Role.EVALUATOR, "๕๐", "2 digits"),
    (Role.EVALUATOR, "abc", "2 digits"),
    (Role.EVALUATOR, "99", "No province or local government has the code 99"),
    (Role.PROVINCIAL_OFFICIAL, "3500102", "assigned to a province"),
    (Role.LG_OFFICER, "50", "assigned to a local government"),
    (Role.ADMIN, "50", "leave the area empty"),
])
def test_resolve_role_area_explains_what_is_wrong(role, code, message):
    with pytest.raises(services.AreaCodeError, match=message):
        services.resolve_role_area(role, code)


def test_resolve_role_area_finds_provinces_and_local_governments():
    assert services.resolve_role_area(Role.PROVINCIAL_OFFICIAL, " 50 ").code == "50"
    assert services.resolve_role_area(Role.LG_OFFICER, "3500102").code == "3500102"
    assert services.resolve_role_area(Role.EVALUATOR, "3500102").code == "3500102"
    assert services.resolve_role_area(Role.ADMIN, "") is None


def test_assign_role_by_email():
    admin = create_admin()
    user = create_user("officer@example.com")
    with pytest.raises(services.UnknownAccount):
        services.assign_role_by_email(admin, "nobody@example.com", Role.LG_OFFICER, "3500102")
    assignment = services.assign_role_by_email(admin, "Officer@Example.com", Role.LG_OFFICER, "3500102")
    assert assignment.user is user and assignment.area.code == "3500102"


def test_role_assignments_query_filters_by_role_and_area():
    admin = create_admin()
    a = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    b = create_official(Role.LG_OFFICER, "3500102")
    c = create_official(Role.PROVINCIAL_OFFICIAL, "40")

    def users(role=None, code=None):
        stmt = services.role_assignments_query(role, get_area_by_code(code) if code else None)
        return {r.user_id for r in db.session.scalars(stmt)}

    assert {a.id, b.id, c.id, admin.id} <= users()
    assert users(Role.PROVINCIAL_OFFICIAL) >= {a.id, c.id} and b.id not in users(Role.PROVINCIAL_OFFICIAL)
    assert {a.id, b.id} <= users(code="50") and c.id not in users(code="50")
    assert users(code="3500102") == {b.id}


def test_create_admin_makes_an_existing_account_admin_once():
    user = create_user("boss@example.com")
    assert services.create_admin("boss@example.com", "ignored password", "x").is_admin
    services.create_admin("boss@example.com", "ignored password", "x")
    assert [r.role for r in user.roles] == [Role.ADMIN]
    entry = _audit("role.assign")[-1]
    assert entry.actor_id is None and entry.details == {"role": "admin", "via": "cli"}
    assert db.session.scalar(select(User).where(User.email == "boss@example.com")) is user
