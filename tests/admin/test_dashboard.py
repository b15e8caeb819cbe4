"""The officials' dashboard: translated roles, links to residents pages, admin tools, extension links."""
from __future__ import annotations

import pytest

from app.accounts.models import Role
from tests.accounts.factories import create_admin, create_official, create_user, sign_in
from tests.accounts.helpers import shows


def test_residents_and_strangers_are_refused(client):
    assert client.get("/admin/").status_code == 302
    sign_in(client, create_user())
    assert client.get("/admin/").status_code == 403


def test_provincial_official_sees_translated_roles_and_residents_links(client):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    from app.accounts import services
    from app.areas.services import get_area_by_code

    services.assign_role(None, official, Role.LG_OFFICER, get_area_by_code("5500107"))
    sign_in(client, official)
    response = client.get("/admin/")
    page = response.get_data(as_text=True)
    assert shows(response, "Provincial official") and shows(response, "Local government officer")
    assert "provincial_official" not in page
    assert "/admin/areas/50/residents" in page and "/admin/areas/5500107/residents" in page
    assert "/admin/roles" not in page and "/admin/audit" not in page and "/dev/outbox" not in page


def test_evaluator_sees_the_dashboard_without_residents_links(client):
    sign_in(client, create_official(Role.EVALUATOR, "50"))
    response = client.get("/admin/")
    assert response.status_code == 200 and shows(response, "Evaluator")
    assert "/residents" not in response.get_data(as_text=True).replace('action="/admin/residents"', "")


def test_admin_sees_tools_and_the_dev_outbox_only_when_enabled(app, client):
    sign_in(client, create_admin())
    page = client.get("/admin/").get_data(as_text=True)
    assert "/admin/roles" in page and "/admin/audit" in page and "/dev/outbox" in page
    assert 'action="/admin/residents"' in page
    app.config["DEV_OUTBOX_PAGE"] = False
    try:
        assert "/dev/outbox" not in client.get("/admin/").get_data(as_text=True)
    finally:
        app.config["DEV_OUTBOX_PAGE"] = True


@pytest.fixture
def extra_link(app):
    providers = app.extensions.setdefault("ruamkhit_dashboard_links", [])

    def provider(user):
        return [("ลิงก์จากโดเมนอื่น", "/somewhere/else")] if user.is_official else []

    providers.append(provider)
    yield
    providers.remove(provider)


def test_other_domains_add_links(client, extra_link):
    sign_in(client, create_official(Role.LG_OFFICER, "3500102"))
    page = client.get("/admin/").get_data(as_text=True)
    assert "ลิงก์จากโดเมนอื่น" in page and "/somewhere/else" in page
