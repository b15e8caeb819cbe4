"""The administrators' roles page: list and filter, assign by email and area code, remove with confirmation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role, RoleAssignment
from app.audit.models import AuditEntry
from app.extensions import db
from tests.accounts.factories import create_admin, create_official, create_user, sign_in
from tests.accounts.helpers import shows

LONG = "ก" * 10_000


@pytest.fixture
def admin(client):
    admin = create_admin("root@example.com")
    sign_in(client, admin)
    return admin


@pytest.mark.parametrize("role,code", [(Role.PROVINCIAL_OFFICIAL, "50"), (Role.LG_OFFICER, "3500102"), (Role.EVALUATOR, "50"), (None, None)])
def test_only_admins_see_and_change_roles(client, role, code):
    user = create_official(role, code) if role else create_user()
    target = create_user("target@example.com")
    sign_in(client, user)
    assert client.get("/admin/roles").status_code == 403
    assert client.post("/admin/roles", data={"assign-email": "target@example.com", "assign-role": "admin"}).status_code == 403
    assignment = create_official(Role.EVALUATOR, "50")
    assert client.post(f"/admin/roles/{assignment.roles[0].id}/remove").status_code == 403
    assert not target.roles and assignment.roles


def test_roles_list_is_filtered_by_role_and_area(client, admin):
    create_official(Role.PROVINCIAL_OFFICIAL, "50", display_name="เจ้าหน้าที่ เชียงใหม่")
    create_official(Role.LG_OFFICER, "3500102", display_name="เจ้าหน้าที่ เทศบาล")
    create_official(Role.PROVINCIAL_OFFICIAL, "40", display_name="เจ้าหน้าที่ ขอนแก่น")
    page = client.get("/admin/roles").get_data(as_text=True)
    assert all(n in page for n in ("เจ้าหน้าที่ เชียงใหม่", "เจ้าหน้าที่ เทศบาล", "เจ้าหน้าที่ ขอนแก่น"))
    page = client.get("/admin/roles?area=50").get_data(as_text=True)
    assert "เจ้าหน้าที่ เชียงใหม่" in page and "เจ้าหน้าที่ เทศบาล" in page and "เจ้าหน้าที่ ขอนแก่น" not in page
    page = client.get("/admin/roles?role=lg_officer").get_data(as_text=True)
    assert "เจ้าหน้าที่ เทศบาล" in page and "เจ้าหน้าที่ เชียงใหม่" not in page
    response = client.get("/admin/roles?role=provincial_official&area=50")
    assert shows(response, "Provincial official")
    assert "เจ้าหน้าที่ ขอนแก่น" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["area=99", "area=" + LONG, "role=king", "role=" + LONG, "area=🙂", "page=-1"])
def test_roles_list_bad_filters(client, admin, query):
    response = client.get("/admin/roles?" + query)
    assert response.status_code == 200


def test_unknown_area_filter_says_so(client, admin):
    response = client.get("/admin/roles?area=99")
    assert shows(response, "No province or local government has the code %(code)s.", code="99")


@pytest.mark.parametrize("role,code,area_name", [
    ("provincial_official", "50", "จังหวัดเชียงใหม่"),
    ("lg_officer", "3500102", "เทศบาลนครเชียงใหม่"),
    ("evaluator", "3500102", "เทศบาลนครเชียงใหม่"),
    ("evaluator", "50", "จังหวัดเชียงใหม่"),
])
def test_assign_a_role_by_email_and_area_code(client, admin, role, code, area_name):
    person = create_user("new.official@example.com", display_name="สมพร ขยัน")
    response = client.post("/admin/roles", data={"assign-email": "New.Official@example.com", "assign-role": role, "assign-area_code": f" {code} "})
    assert response.status_code == 302
    [assignment] = person.roles
    assert assignment.role is Role(role) and assignment.area.code == code and assignment.created_by_id == admin.id
    page = client.get("/admin/roles")
    assert shows(page, "%(name)s is now %(role)s of %(area)s.", name="สมพร ขยัน",
                 role={"provincial_official": "เจ้าหน้าที่จังหวัด", "lg_officer": "เจ้าหน้าที่องค์กรปกครองส่วนท้องถิ่น", "evaluator": "ผู้ประเมิน"}[role],
                 area=area_name)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "role.assign", AuditEntry.object_id == person.id)).one()
    assert entry.actor_id == admin.id and entry.details == {"role": role, "area": code} and entry.ip == "127.0.0.1"


def test_assign_admin_needs_no_area(client, admin):
    person = create_user("second.admin@example.com")
    response = client.post("/admin/roles", data={"assign-email": person.email, "assign-role": "admin", "assign-area_code": ""})
    assert response.status_code == 302 and person.is_admin


@pytest.mark.parametrize("data,message", [
    ({"assign-email": "nobody@example.com", "assign-role": "evaluator", "assign-area_code": "50"}, ("No account has this email address. The person must register first.", {})),
    ({"assign-email": "not-an-email", "assign-role": "evaluator", "assign-area_code": "50"}, ("Enter an email address like name@example.com.", {})),
    ({"assign-email": LONG, "assign-role": "evaluator", "assign-area_code": "50"}, ("An email address has at most %(max)d characters.", {"max": 254})),
    ({"assign-email": "person@example.com", "assign-role": "provincial_official", "assign-area_code": ""}, ("Enter the 2-digit code of the province, e.g. 50.", {})),
    ({"assign-email": "person@example.com", "assign-role": "provincial_official", "assign-area_code": "3500102"}, ("A provincial official is assigned to a province (2 digits, e.g. 50).", {})),
    ({"assign-email": "person@example.com", "assign-role": "lg_officer", "assign-area_code": ""}, ("Enter the 7-digit code of the local government, e.g. 3500102.", {})),
    ({"assign-email": "person@example.com", "assign-role": "lg_officer", "assign-area_code": "50"}, ("A local government officer is assigned to a local government (7 digits, e.g. 3500102).", {})),
    ({"assign-email": "person@example.com", "assign-role": "evaluator", "assign-area_code": ""}, ("Enter the code of a province or a local government, e.g. 50 or 3500102.", {})),
    ({"assign-email": "person@example.com", "assign-role": "evaluator", "assign-area_code": "99"}, ("No province or local government has the code %(code)s.", {"code": "99"})),
    ({"assign-email": "person@example.com", "assign-role": "evaluator", "assign-area_code": "๕๐"}, ("An area code has 2 digits (a province) or 7 digits (a local government).", {})),
    ({"assign-email": "person@example.com", "assign-role": "evaluator", "assign-area_code": LONG}, ("An area code has 2 digits (a province) or 7 digits (a local government).", {})),
    ({"assign-email": "person@example.com", "assign-role": "evaluator", "assign-area_code": "5\x07"}, ("This field contains characters that are not allowed.", {})),
    ({"assign-email": "person@example.com", "assign-role": "admin", "assign-area_code": "50"}, ("An administrator acts nationally: leave the area empty.", {})),
    ({"assign-email": "person@example.com", "assign-role": "king", "assign-area_code": "50"}, ("Choose a role from the list.", {})),
    ({"assign-email": "person@example.com", "assign-role": LONG, "assign-area_code": "50"}, ("Choose a role from the list.", {})),
])
def test_assign_role_bad_input_changes_nothing(client, admin, data, message):
    person = create_user("person@example.com")
    before = db.session.scalar(select(db.func.count()).select_from(RoleAssignment))
    response = client.post("/admin/roles", data=data)
    assert response.status_code == 200
    assert shows(response, message[0], **message[1])
    assert not person.roles
    assert db.session.scalar(select(db.func.count()).select_from(RoleAssignment)) == before


def test_assign_the_same_role_twice(client, admin):
    person = create_official(Role.EVALUATOR, "50", email="twice@example.com")
    response = client.post("/admin/roles", data={"assign-email": "twice@example.com", "assign-role": "evaluator", "assign-area_code": "50"})
    assert shows(response, "This person already has this role here.")
    assert len(person.roles) == 1


def test_remove_a_role_asks_for_confirmation_then_audits(client, admin):
    person = create_official(Role.LG_OFFICER, "3500102", display_name="ประยูร ลาออก")
    assignment_id = person.roles[0].id
    confirm = client.get(f"/admin/roles/{assignment_id}/remove")
    assert confirm.status_code == 200
    assert shows(confirm, "Remove the role %(role)s of %(name)s (%(email)s) in %(area)s?",
                 role="เจ้าหน้าที่องค์กรปกครองส่วนท้องถิ่น", name="ประยูร ลาออก", email=person.email, area="เทศบาลนครเชียงใหม่")
    assert person.roles  # looking changes nothing
    response = client.post(f"/admin/roles/{assignment_id}/remove", follow_redirects=True)
    assert shows(response, "%(name)s is no longer %(role)s of %(area)s.", name="ประยูร ลาออก",
                 role="เจ้าหน้าที่องค์กรปกครองส่วนท้องถิ่น", area="เทศบาลนครเชียงใหม่")
    assert not person.roles
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "role.remove", AuditEntry.object_id == person.id)).one()
    assert entry.actor_id == admin.id and entry.details == {"role": "lg_officer", "area": "3500102"}
    assert client.get(f"/admin/roles/{assignment_id}/remove").status_code == 404


def test_admin_cannot_remove_their_own_admin_role(client, admin):
    response = client.post(f"/admin/roles/{admin.roles[0].id}/remove", follow_redirects=True)
    assert shows(response, "You cannot remove your own administrator role.")
    assert admin.is_admin


def test_unknown_assignment_is_404(client, admin):
    assert client.get("/admin/roles/999999/remove").status_code == 404
    assert client.post("/admin/roles/999999/remove").status_code == 404


def test_role_forms_without_csrf_token_change_nothing(client, csrf_enabled):
    admin = create_admin()
    person = create_official(Role.EVALUATOR, "50", email="keep@example.com")
    sign_in(client, admin)
    response = client.post("/admin/roles", data={"assign-email": "keep@example.com", "assign-role": "admin"})
    assert response.status_code == 400 and not person.is_admin
    response = client.post(f"/admin/roles/{person.roles[0].id}/remove")
    assert response.status_code == 400 and person.roles
    assert shows(response, "The form expired or was sent from elsewhere. Please reload the page and try again.")


def test_remove_with_the_confirmation_pages_csrf_token_works(client, csrf_enabled):
    from tests.accounts.factories import csrf_token

    admin = create_admin()
    person = create_official(Role.EVALUATOR, "50")
    sign_in(client, admin)
    path = f"/admin/roles/{person.roles[0].id}/remove"
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302 and not person.roles
