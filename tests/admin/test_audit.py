"""The audit log page: administrators only, newest first, paginated, filtered; who, what, when, object, IP."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.accounts import services
from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.audit.services import record
from app.areas.services import get_area_by_code
from app.extensions import db
from tests.accounts.factories import create_admin, create_official, create_user, sign_in, valid_national_id
from tests.accounts.helpers import shows


@pytest.fixture
def admin(client):
    admin = create_admin("auditor@example.com", display_name="ผู้ตรวจ สอบ")
    sign_in(client, admin)
    return admin


@pytest.mark.parametrize("role,code", [(Role.PROVINCIAL_OFFICIAL, "50"), (Role.LG_OFFICER, "3500102"), (Role.EVALUATOR, "50"), (None, None)])
def test_only_admins_read_the_audit_log(client, role, code):
    user = create_official(role, code) if role else create_user()
    sign_in(client, user)
    assert client.get("/admin/audit").status_code == 403


def test_audit_page_needs_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.location


def test_audit_entries_show_who_what_when_object_area_ip_and_details(client, admin):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50", email="somchai@example.com", display_name="สมชาย ตรวจบัตร")
    resident = create_user("resident@example.com", national_id=valid_national_id())
    province = get_area_by_code("50")
    services.verify_residency(official, resident, province)
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "resident.verify")).one()
    entry.at = datetime(2024, 9, 6, 7, 5, tzinfo=timezone.utc)  # 14:05 in Bangkok
    entry.ip = "203.0.113.7"
    db.session.commit()
    response = client.get("/admin/audit?action=resident.")
    page = response.get_data(as_text=True)
    assert "6 กันยายน 2567 14:05 น." in page
    assert "สมชาย ตรวจบัตร" in page and "somchai@example.com" in page
    # The action reads as a sentence naming the person (tests/audit/test_actions.py covers every action).
    assert f"ยืนยันว่า {resident.display_name} (resident@example.com) อาศัยอยู่ในพื้นที่" in page
    assert "resident.verify</" not in page
    assert "เชียงใหม่ (50)" in page
    assert "203.0.113.7" in page


def test_audit_log_is_newest_first_and_paginated(client, admin):
    for i in range(60):
        record(admin, "test.step", details={"n": f"step-{i:02d}"})
    db.session.commit()
    first = client.get("/admin/audit?action=test.").get_data(as_text=True)
    assert first.index("step-59") < first.index("step-58")
    assert "step-09" not in first and 'rel="next"' in first
    second = client.get("/admin/audit?action=test.&page=2").get_data(as_text=True)
    assert "step-09" in second and "step-59" not in second and 'rel="prev"' in second


def test_audit_filters_by_action_actor_and_area(client, admin):
    other_admin = create_admin("other.admin@example.com")
    lg = get_area_by_code("3500102")
    p40 = get_area_by_code("40")
    record(admin, "demo.lg", area=lg, details={"tag": "in-lg"})
    record(other_admin, "demo.p40", area=p40, details={"tag": "in-40"})
    record(None, "demo.none", details={"tag": "by-system"})
    db.session.commit()

    def tags(query):
        page = client.get("/admin/audit?" + query).get_data(as_text=True)
        return {t for t in ("in-lg", "in-40", "by-system") if t in page}

    assert tags("action=demo.") == {"in-lg", "in-40", "by-system"}
    assert tags("action=demo.lg") == {"in-lg"}
    assert tags("action=demo.&actor=OTHER.admin") == {"in-40"}
    assert tags("action=demo.&area=50") == {"in-lg"}  # a province includes its local governments
    assert tags("action=demo.&area=3500102") == {"in-lg"}
    assert tags("action=demo.&area=40") == {"in-40"}
    assert tags("action=demo.&area=99") == set()
    response = client.get("/admin/audit?action=demo.none")
    assert shows(response, "The system (command line)")


@pytest.mark.parametrize("query", [
    "action=" + "ก" * 10_000, "actor=" + "🙂" * 5000, "area=" + "5" * 10_000, "area=๕๐", "action=%25", "actor=_",
    "page=0", "page=abc", "action=\x00",
])
def test_audit_bad_filters_never_fail(client, admin, query):
    # A NUL byte is refused at the edge (app/core/edge.py) before the filter reads it.
    assert client.get("/admin/audit?" + query).status_code == (400 if "\x00" in query else 200)


def test_unknown_area_filter_says_so(client, admin):
    response = client.get("/admin/audit?area=99")
    assert shows(response, "No province or local government has the code %(code)s.", code="99")
    assert shows(response, "No entry matches.")


def test_audit_log_in_english_uses_the_gregorian_calendar(client, admin):
    record(admin, "demo.english")
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "demo.english")).one()
    entry.at = datetime(2024, 9, 6, 7, 5, tzinfo=timezone.utc)
    db.session.commit()
    client.set_cookie("lang", "en")
    page = client.get("/admin/audit?action=demo.english").get_data(as_text=True)
    assert "6 September 2024 14:05" in page
