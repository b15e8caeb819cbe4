"""Pages with personal data are sent with `Cache-Control: private, no-store` (issue 10.11), decided in
one place (app.core.security): every page rendered for a signed-in account, and the private endpoints."""
from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.core.security import NO_STORE
from tests.accounts.factories import create_official, create_user, sign_in


@pytest.mark.parametrize("path", [
    "/profile", "/notifications/", "/admin/areas/50/residents", "/profile/privacy", "/", "/p/50",
])
def test_signed_in_pages_are_never_stored(client, path):
    sign_in(client, create_official(Role.PROVINCIAL_OFFICIAL, "50"))
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == NO_STORE


def test_the_data_download_is_never_stored(client):
    sign_in(client, create_user())
    job_page = client.post("/profile/my-data").location
    response = client.get(f"{job_page}/file")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == NO_STORE
    response.get_data()
    response.close()


@pytest.mark.parametrize("path", ["/login", "/register", "/forgot-password", "/cycles/receipt"])
def test_private_pages_for_anyone(client, path):
    assert client.get(path).headers["Cache-Control"] == NO_STORE


def test_public_pages_for_anonymous_readers_stay_cacheable(client):
    assert client.get("/p/50").headers.get("Cache-Control") != NO_STORE


def test_static_files_stay_cacheable_for_signed_in_people(client):
    sign_in(client, create_user())
    response = client.get("/static/css/main.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != NO_STORE
    response.close()
