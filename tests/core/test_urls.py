"""Absolute links come from the configured public address, never from the request's Host header."""
from __future__ import annotations

import re

import pytest

from app import create_app
from app.core.urls import absolute_link, absolute_url, base_url_override, normalise_base_url
from tests.accounts.factories import create_user

EVIL = {"Host": "evil.example"}
GOOD_SECRET = "s" * 40


def _links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())


def test_forgot_password_for_another_host_is_refused_and_sends_nothing(client, outbox):
    user = create_user()
    response = client.post("/forgot-password", data={"email": user.email}, headers=EVIL)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "http://localhost" in page and "evil.example" not in page
    assert outbox() == []


def test_reset_links_are_on_the_public_address_whatever_the_host(app, client, outbox, monkeypatch):
    # Even a host the site answers for besides its own (TRUSTED_HOSTS) never ends up in a link.
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", [*app.config["TRUSTED_HOSTS"], "alias.example"])
    user = create_user()
    response = client.post("/forgot-password", data={"email": user.email}, headers={"Host": "alias.example"})
    assert response.status_code == 302
    [mail] = outbox()
    [link] = _links(mail)
    assert link.startswith("http://localhost/reset-password/")
    # The link works.
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_confirmation_and_feed_links_use_the_public_address(app, client, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", [*app.config["TRUSTED_HOSTS"], "alias.example"])
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://ruamkhit.example.go.th/site")
    client.post("/register", headers={"Host": "alias.example"}, data={
        "email": "newcomer@example.com", "display_name": "ผู้มาใหม่", "province_code": "50",
        "password": "correct horse battery", "password_again": "correct horse battery", "consent": "y",
    })
    links = [link for mail in outbox() for link in _links(mail)]
    assert links and all(link.startswith("https://ruamkhit.example.go.th/site/verify/") for link in links)
    feed = client.get("/p/50/ideas.atom", headers={"Host": "alias.example"}).get_data(as_text=True)
    assert 'href="https://ruamkhit.example.go.th/site/p/50/ideas.atom"' in feed and "alias.example" not in feed


def test_absolute_url_works_outside_a_request(app):
    assert absolute_url("ideas.show_idea", idea_id=5, _anchor="c3") == "http://localhost/ideas/5#c3"
    assert absolute_link("/ideas/5") == "http://localhost/ideas/5"
    assert absolute_link("https://elsewhere.example/x") == "https://elsewhere.example/x"
    with base_url_override("https://Ruamkhit.Example/"):
        assert absolute_url("core.home") == "https://ruamkhit.example/"
    assert absolute_url("core.home") == "http://localhost/"


@pytest.mark.parametrize("raw", ["ruamkhit.example", "ftp://ruamkhit.example", "https://", "https://a.example/?x=1",
                                 "https://user@a.example", "https://a.example:port"])
def test_a_malformed_base_url_is_refused(raw):
    with pytest.raises(ValueError):
        normalise_base_url(raw)


def _production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("ID_HASH_KEY", GOOD_SECRET)
    monkeypatch.setenv("BALLOT_HASH_KEY", "b" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("SERVER_NAME", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)


def test_production_refuses_to_start_without_a_public_address(monkeypatch):
    _production_env(monkeypatch)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production")
    monkeypatch.setenv("PUBLIC_BASE_URL", "not a url")
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production")


def test_production_serves_only_its_own_hosts(monkeypatch):
    _production_env(monkeypatch)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://ruamkhit.example.go.th")
    monkeypatch.setenv("TRUSTED_HOSTS", "www.ruamkhit.example.go.th")
    prod = create_app("production", RATELIMIT_STORAGE_URI="memory://")
    assert prod.config["TRUSTED_HOSTS"] == ["ruamkhit.example.go.th", "www.ruamkhit.example.go.th"]
    web = prod.test_client()
    assert web.get("/about", base_url="https://ruamkhit.example.go.th").status_code == 200
    assert web.get("/about", base_url="https://www.ruamkhit.example.go.th").status_code == 200
    refused = web.get("/about", base_url="https://evil.example", headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    assert "Ruamkhit is at https://ruamkhit.example.go.th" in refused.get_data(as_text=True)
    monkeypatch.setenv("SERVER_NAME", "ruamkhit.example.go.th")
    monkeypatch.delenv("PUBLIC_BASE_URL")
    assert create_app("production").config["PUBLIC_BASE_URL"] == "https://ruamkhit.example.go.th"
