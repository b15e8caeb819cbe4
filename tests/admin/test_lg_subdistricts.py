"""Local governments that share a district (issue 10.6): officers see, verify and count only
their own subdistricts' residents, and an administrator corrects which subdistricts those are."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import ResidencyState, Role
from app.areas import services as areas
from app.audit.models import AuditEntry
from app.cycles.eligibility import voter_problem
from app.extensions import db
from tests.accounts.factories import create_admin, create_official, create_user, sign_in, valid_national_id
from tests.accounts.helpers import shows

CITY, SUTHEP = "3500102", "5500107"  # เทศบาลนครเชียงใหม่ and เทศบาลตำบลสุเทพ, both in district 5001


@pytest.fixture
def city_resident():
    """A resident of ศรีภูมิ (the City's), waiting for verification, and one already verified."""
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    waiting = create_user(display_name="ชาวเมือง รอตรวจ", email="city-waiting@example.com",
                          national_id=valid_national_id(), subdistrict_code="500101")
    verified = create_user(display_name="ชาวเมือง ยืนยันแล้ว", email="city-verified@example.com",
                           national_id=valid_national_id(), subdistrict_code="500101", verified_by=official)
    return waiting, verified


@pytest.fixture
def suthep_officer(client):
    officer = create_official(Role.LG_OFFICER, SUTHEP, email="suthep-officer@example.com")
    sign_in(client, officer)
    return officer


def test_suthep_officer_cannot_list_verify_or_withdraw_a_city_resident(client, city_resident, suthep_officer):
    waiting, verified = city_resident
    suthep_resident = create_user(display_name="ชาวสุเทพ", email="suthep-res@example.com",
                                  national_id=valid_national_id(), subdistrict_code="500108")
    page = client.get(f"/admin/areas/{SUTHEP}/residents").get_data(as_text=True)
    assert "ชาวสุเทพ" in page
    assert "ชาวเมือง" not in page and "city-waiting@example.com" not in page and "city-verified@example.com" not in page
    assert client.get(f"/admin/areas/{SUTHEP}/residents?q=city").get_data(as_text=True).count("@example.com") == 0
    assert client.get(f"/admin/areas/{CITY}/residents").status_code == 403

    response = client.post(f"/admin/areas/{SUTHEP}/residents/{waiting.id}/verify", follow_redirects=True)
    assert shows(response, "This person does not live in this area.")
    response = client.post(f"/admin/areas/{SUTHEP}/residents/{verified.id}/revoke", follow_redirects=True)
    assert shows(response, "This person does not live in this area.")
    assert client.post(f"/admin/areas/{CITY}/residents/{waiting.id}/verify").status_code == 403
    assert client.post(f"/admin/areas/{CITY}/residents/{verified.id}/revoke").status_code == 403
    db.session.expire_all()
    assert waiting.residency_state is ResidencyState.WAITING
    assert verified.residency_state is ResidencyState.VERIFIED
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.actor_id == suthep_officer.id,
                                                      AuditEntry.action.like("resident.%"))) is None

    client.post(f"/admin/areas/{SUTHEP}/residents/{suthep_resident.id}/verify")
    db.session.expire_all()
    assert suthep_resident.residency_state is ResidencyState.VERIFIED


def test_city_officer_sees_and_verifies_the_city_resident_only(client, city_resident):
    waiting, _verified = city_resident
    create_user(display_name="ชาวสุเทพ", national_id=valid_national_id(), subdistrict_code="500108")
    sign_in(client, create_official(Role.LG_OFFICER, CITY))
    page = client.get(f"/admin/areas/{CITY}/residents").get_data(as_text=True)
    assert "ชาวเมือง รอตรวจ" in page and "ชาวสุเทพ" not in page
    assert "2 คน" in page or "2 people" in page  # the count is scoped too
    client.post(f"/admin/areas/{CITY}/residents/{waiting.id}/verify")
    db.session.expire_all()
    assert waiting.residency_state is ResidencyState.VERIFIED


def test_eligibility_follows_the_subdistricts():
    from tests.cycles import factories as f

    official = f.create_official("50")
    city_cycle = f.create_cycle(official, area_code=CITY)
    suthep_cycle = f.create_cycle(official, area_code=SUTHEP)
    city_budget = f.add_budget_with_projects(official, city_cycle)
    suthep_budget = f.add_budget_with_projects(official, suthep_cycle)
    city_voter, suthep_voter = f.create_user(subdistrict="500101"), f.create_user(subdistrict="500108")
    assert voter_problem(city_voter, city_budget) is None
    assert voter_problem(city_voter, suthep_budget) is not None
    assert voter_problem(suthep_voter, suthep_budget) is None
    assert voter_problem(suthep_voter, city_budget) is not None

    # An administrator gives ตำบลสุเทพ to the City as well: the vote path sees it at once.
    from app.cycles import voting

    before = voting.ballot_setup(city_budget).area_codes
    assert "500108" not in before
    version = city_cycle.config_version
    areas.set_lg_subdistricts(create_admin(), areas.get_local_government(CITY), [*before, "500108"])
    db.session.refresh(city_cycle)
    assert city_cycle.config_version == version + 1
    assert "500108" in voting.ballot_setup(city_budget).area_codes
    assert voter_problem(suthep_voter, city_budget) is None


# --- the administrator's page --------------------------------------------------------

PAGE = f"/admin/areas/{SUTHEP}/subdistricts"


@pytest.mark.parametrize("role,code", [(Role.LG_OFFICER, SUTHEP), (Role.PROVINCIAL_OFFICIAL, "50"), (None, None)])
def test_only_administrators_change_subdistricts(client, role, code):
    sign_in(client, create_official(role, code) if role else create_user())
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={"subdistricts": ["500108", "500101"]}).status_code == 403
    assert areas.subdistrict_codes_of(areas.get_local_government(SUTHEP)) == {"500108"}


def test_administrator_corrects_and_restores_in_thai_and_english(client):
    admin = create_admin()
    sign_in(client, admin)
    page = client.get(PAGE).get_data(as_text=True)
    assert "ตำบลของเทศบาลตำบลสุเทพ" in page and 'value="500108" id="sub-500108" checked' in page
    assert "เทศบาลนครเชียงใหม่" in page  # who else covers a subdistrict
    assert client.get("/admin/areas/50/subdistricts").status_code == 404  # a province covers all
    assert client.get("/admin/areas/2500101/subdistricts").status_code == 404  # so does the อบจ.

    response = client.post(PAGE, data={"subdistricts": ["500108", "500110"]}, follow_redirects=True)
    assert shows(response, "The subdistricts of %(area)s are saved.", area="เทศบาลตำบลสุเทพ")
    lg = areas.get_local_government(SUTHEP)
    assert areas.subdistrict_codes_of(lg) == {"500108", "500110"} and lg.subdistricts_edited_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "area.subdistricts"))
    assert entry.actor_id == admin.id and entry.details == {"added": ["500110"], "removed": []}

    from app.core.locale import LANG_COOKIE

    client.set_cookie(LANG_COOKIE, "en")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Subdistricts of Suthep Subdistrict Municipality" in page and "Go back to the registry" in page
    response = client.post(PAGE, data={"restore": "y"}, follow_redirects=True)
    assert response.status_code == 200
    assert areas.subdistrict_codes_of(lg) == {"500108"} and lg.subdistricts_edited_at is None


@pytest.mark.parametrize("bad", [["400101"], ["99999"], ["５００１０８"], ["x" * 10_000], [str(500000 + i) for i in range(3000)]])
def test_bad_subdistricts_change_nothing(client, bad):
    sign_in(client, create_admin())
    response = client.post(PAGE, data={"subdistricts": bad}, follow_redirects=True)
    assert response.status_code == 200
    assert shows(response, "Choose subdistricts of %(province)s only.", province="เชียงใหม่")
    lg = areas.get_local_government(SUTHEP)
    assert areas.subdistrict_codes_of(lg) == {"500108"} and lg.subdistricts_edited_at is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "area.subdistricts")) is None


def test_lg_page_links_administrators_to_the_correction(client):
    assert "/admin/areas/5500107/subdistricts" not in client.get(f"/lg/{SUTHEP}").get_data(as_text=True)
    sign_in(client, create_admin())
    page = client.get(f"/lg/{SUTHEP}").get_data(as_text=True)
    assert "/admin/areas/5500107/subdistricts" in page and "สุเทพ" in page
