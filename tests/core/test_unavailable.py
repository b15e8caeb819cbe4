"""While the database is unreachable (issue 10.10): every request, signed in or not, gets 503 with the
error page in the reader's language and a Retry-After, never a 500 or a bare text; /healthz and /readyz
answer JSON.

The database is made unreachable for real: the session is bound to an engine whose PostgreSQL is on
port 1 (nothing listens there; the connection is refused at once), so every query the request makes
raises the driver's OperationalError, whichever database the suite runs on.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker

from app.extensions import db
from tests.accounts.factories import create_user, sign_in
from tests.accounts.helpers import THAI

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/ruamkhit?connect_timeout=2"


@pytest.fixture
def database_down(app):
    """Swap the session for one whose database does not answer; restore it afterwards."""
    engine = create_engine(UNREACHABLE, pool_pre_ping=True)
    working = db.session
    db.session = scoped_session(sessionmaker(bind=engine))
    try:
        yield
    finally:
        db.session.remove()
        db.session = working
        engine.dispose()


# Pages that read the database (for anyone), and pages that read it for a signed-in account.
PAGES = ["/", "/p/50", "/provinces", "/ideas/1", "/cycles/", "/proposals"]
ACCOUNT_PAGES = [*PAGES, "/profile", "/notifications/", "/no/such/page", "/about"]


def _assert_503(response, language: str):
    assert response.status_code == 503, (response.status_code, response.get_data(as_text=True)[:300])
    assert int(response.headers["Retry-After"]) > 0
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'lang="{language}"' in html and "<h1>" in html
    if language == "th":
        assert THAI.search(html.split("<h1>")[1].split("</h1>")[0])
    else:
        assert "Service unavailable" in html
    return html


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_readers_get_503_in_thai(client, database_down, path):
    _assert_503(client.get(path), "th")


@pytest.mark.parametrize("path,status", [("/profile", 302), ("/no/such/page", 404), ("/about", 200)])
def test_anonymous_pages_that_need_no_database_still_work(client, database_down, path, status):
    assert client.get(path).status_code == status


@pytest.mark.parametrize("path", ACCOUNT_PAGES)
def test_signed_in_users_get_503_not_a_bare_500(client, path):
    user = create_user()
    sign_in(client, user)
    assert client.get("/profile").status_code == 200
    working = db.session
    engine = create_engine(UNREACHABLE)
    db.session = scoped_session(sessionmaker(bind=engine))
    try:
        html = _assert_503(client.get(path), "th")
        assert user.display_name not in html  # rendered as for an anonymous reader: the account cannot be read
    finally:
        db.session.remove()
        db.session = working
        engine.dispose()


def test_the_page_is_in_the_readers_language(client, database_down):
    client.set_cookie("lang", "en", domain="localhost")
    _assert_503(client.get("/p/50"), "en")
    client.delete_cookie("lang", domain="localhost")
    _assert_503(client.get("/p/50", headers={"Accept-Language": "en-GB,en;q=0.9"}), "en")


def test_a_form_post_gets_503(client, database_down):
    response = client.post("/login", data={"email": "a@example.com", "password": "whatever password"})
    _assert_503(response, "th")


def test_json_callers_get_json_503(client, database_down):
    response = client.get("/p/50", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.get_json()["status"] == 503
    assert "Retry-After" in response.headers


def test_healthz_is_liveness_json_without_the_database(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_503_json_while_the_database_is_down(client, database_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "unavailable", "redis": "not configured"}}
    assert "Retry-After" in response.headers


def test_readyz_when_all_is_well(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}


def test_readyz_checks_a_real_redis(app, client):
    from tests.core.test_redis_down import REDIS_SERVER, RedisProcess, _free_port

    if REDIS_SERVER is None:
        pytest.skip("needs redis-server")
    server = RedisProcess(_free_port())
    server.start()
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = server.url
    try:
        assert client.get("/readyz").get_json()["checks"]["redis"] == "ok"
        server.kill()
        response = client.get("/readyz")
        assert response.status_code == 503 and response.get_json()["checks"] == {"database": "ok", "redis": "unavailable"}
    finally:
        server.kill()
        app.config["REDIS_URL"] = saved


def test_other_errors_are_not_called_unavailable(client):
    assert client.get("/no/such/page").status_code == 404
