"""The officials' residents pages: scoping, search and filters, verify and withdraw."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import ResidencyState, Role
from app.audit.models import AuditEntry
from app.extensions import db
from tests.accounts.factories import create_admin, create_official, create_user, sign_in, valid_national_id
from tests.accounts.helpers import shows


@pytest.fixture
def official_50(client):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50", email="official50@example.com")
    sign_in(client, official)
    return official


@pytest.mark.parametrize("path", ["/admin/areas/40/residents", "/admin/areas/3400102/residents"])
def test_official_of_50_is_refused_in_province_40_and_its_local_governments(client, official_50, path):
    response = client.get(path)
    assert response.status_code == 403
    assert shows(response, "You do not have permission to do this here.")


@pytest.mark.parametrize("path", ["/admin/areas/50/residents", "/admin/areas/3500102/residents", "/admin/areas/5500107/residents"])
def test_official_of_50_is_allowed_in_50_and_its_local_governments(client, official_50, path):
    assert client.get(path).status_code == 200


def test_lg_officer_sees_only_their_local_government(client):
    officer = create_official(Role.LG_OFFICER, "3500102")
    sign_in(client, officer)
    assert client.get("/admin/areas/3500102/residents").status_code == 200
    assert client.get("/admin/areas/50/residents").status_code == 403
    assert client.get("/admin/areas/5500107/residents").status_code == 403
    assert client.get("/admin/areas/40/residents").status_code == 403


@pytest.mark.parametrize("role,code", [(Role.EVALUATOR, "50"), (None, None)])
def test_evaluators_and_residents_cannot_see_residents(client, role, code):
    user = create_official(role, code) if role else create_user()
    sign_in(client, user)
    assert client.get("/admin/areas/50/residents").status_code == 403


def test_residents_page_needs_sign_in_and_a_real_area(client, official_50):
    assert client.get("/admin/areas/99/residents").status_code == 404
    assert client.get("/admin/areas/" + "5" * 10_000 + "/residents").status_code == 404
    client.post("/logout")
    response = client.get("/admin/areas/50/residents")
    assert response.status_code == 302 and "/login" in response.location


def test_residents_list_search_and_filter(client, official_50):
    waiting = create_user(display_name="รอ ตรวจบัตร", email="waiting@example.com", national_id=valid_national_id(), subdistrict_code="500101")
    verified = create_user(display_name="ยืนยัน แล้วนะ", national_id=valid_national_id(), verified_by=official_50)
    create_user(display_name="คนขอนแก่น", province_code="40")
    page = client.get("/admin/areas/50/residents").get_data(as_text=True)
    assert "รอ ตรวจบัตร" in page and "ยืนยัน แล้วนะ" in page and "คนขอนแก่น" not in page
    page = client.get("/admin/areas/50/residents?state=waiting").get_data(as_text=True)
    assert "รอ ตรวจบัตร" in page and "ยืนยัน แล้วนะ" not in page
    page = client.get("/admin/areas/50/residents?state=verified").get_data(as_text=True)
    assert "รอ ตรวจบัตร" not in page and "ยืนยัน แล้วนะ" in page
    page = client.get("/admin/areas/50/residents?q=ตรวจ").get_data(as_text=True)
    assert "รอ ตรวจบัตร" in page and "ยืนยัน แล้วนะ" not in page
    page = client.get("/admin/areas/50/residents?q=WAITING@").get_data(as_text=True)
    assert "รอ ตรวจบัตร" in page and "ยืนยัน แล้วนะ" not in page
    page = client.get("/admin/areas/3500102/residents").get_data(as_text=True)
    assert "รอ ตรวจบัตร" in page and "ยืนยัน แล้วนะ" not in page  # no subdistrict given
    assert verified.residency_state is ResidencyState.VERIFIED and waiting.residency_state is ResidencyState.WAITING


@pytest.mark.parametrize("query", ["q=" + "ก" * 10_000, "q=%25", "q=🙂", "state=bogus", "state=" + "x" * 10_000, "page=-5", "page=99999999999", "page=abc"])
def test_residents_page_bad_query_strings(client, official_50, query):
    response = client.get("/admin/areas/50/residents?" + query)
    assert response.status_code == 200


def test_residents_pages_are_paginated(client, official_50):
    for i in range(55):
        create_user(display_name=f"ผู้อยู่อาศัย {i:02d}")
    first = client.get("/admin/areas/50/residents").get_data(as_text=True)
    assert 'rel="next"' in first
    second = client.get("/admin/areas/50/residents?page=2").get_data(as_text=True)
    assert 'rel="prev"' in second


def test_verify_and_withdraw_a_resident_are_audited(client, official_50):
    resident = create_user(display_name="มานี มีบัตร", national_id=valid_national_id())
    response = client.post(f"/admin/areas/50/residents/{resident.id}/verify",
                           data={"next": "/admin/areas/50/residents?state=waiting"})
    assert response.status_code == 302 and response.location == "/admin/areas/50/residents?state=waiting"
    assert resident.residency_verified and resident.residency_verified_by_id == official_50.id
    page = client.get("/admin/areas/50/residents?state=waiting")
    assert shows(page, "%(name)s is now a verified resident.", name="มานี มีบัตร")

    response = client.post(f"/admin/areas/50/residents/{resident.id}/revoke", follow_redirects=True)
    assert shows(response, "The residency verification of %(name)s is withdrawn.", name="มานี มีบัตร")
    assert not resident.residency_verified
    actions = [(e.action, e.actor_id, e.object_id, e.ip) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_id == resident.id, AuditEntry.action.startswith("resident.")).order_by(AuditEntry.id))]
    assert actions == [("resident.verify", official_50.id, resident.id, "127.0.0.1"), ("resident.unverify", official_50.id, resident.id, "127.0.0.1")]


def test_verify_explains_what_is_wrong_and_changes_nothing(client, official_50):
    no_id = create_user(display_name="ไม่มี บัตร")
    response = client.post(f"/admin/areas/50/residents/{no_id.id}/verify", follow_redirects=True)
    assert shows(response, "This person has not added a national ID number yet.")
    outside_lg = create_user(national_id=valid_national_id(), subdistrict_code="500203")
    response = client.post(f"/admin/areas/3500102/residents/{outside_lg.id}/verify", follow_redirects=True)
    assert shows(response, "This person does not live in this area.")
    assert not no_id.residency_verified and not outside_lg.residency_verified


def test_verify_in_another_province_is_forbidden_and_changes_nothing(client, official_50):
    resident = create_user(province_code="40", national_id=valid_national_id())
    assert client.post(f"/admin/areas/40/residents/{resident.id}/verify").status_code == 403
    # Naming their own province for a resident of 40 does not help either.
    response = client.post(f"/admin/areas/50/residents/{resident.id}/verify", follow_redirects=True)
    assert shows(response, "This person does not live in this area.")
    assert not resident.residency_verified


def test_verify_unknown_resident_is_404_and_next_is_kept_on_site(client, official_50):
    assert client.post("/admin/areas/50/residents/999999/verify").status_code == 404
    resident = create_user(national_id=valid_national_id())
    response = client.post(f"/admin/areas/50/residents/{resident.id}/verify", data={"next": "https://evil.example/"})
    assert response.location == "/admin/areas/50/residents"


def test_admin_reaches_any_area_from_the_dashboard(client):
    admin = create_admin()
    sign_in(client, admin)
    response = client.get("/admin/residents?code=40")
    assert response.location == "/admin/areas/40/residents"
    assert client.get(response.location).status_code == 200
    response = client.get("/admin/residents?code=" + "๙" * 10_000, follow_redirects=True)
    assert shows(response, "No province or local government has this code. A province has 2 digits (e.g. 50), a local government 7 (e.g. 3500102).")


def test_verify_without_csrf_token_changes_nothing(client, csrf_enabled):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    resident = create_user(national_id=valid_national_id())
    sign_in(client, official)
    response = client.post(f"/admin/areas/50/residents/{resident.id}/verify")
    assert response.status_code == 400
    assert shows(response, "The form expired or was sent from elsewhere. Please reload the page and try again.")
    assert not resident.residency_verified


def test_verify_with_the_pages_csrf_token_works(client, csrf_enabled):
    from tests.accounts.factories import csrf_token

    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    resident = create_user(national_id=valid_national_id())
    sign_in(client, official)
    token = csrf_token(client, "/admin/areas/50/residents?state=waiting")
    response = client.post(f"/admin/areas/50/residents/{resident.id}/verify", data={"csrf_token": token})
    assert response.status_code == 302 and resident.residency_verified
