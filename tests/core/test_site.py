"""Site-wide behaviour: language choice, security headers, error pages."""
from app.core.security import CSP


def test_thai_is_the_default_language(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="th">' in page
    assert "ร่วมคิด" in page and "ข้ามไปยังเนื้อหาหลัก" in page


def test_accept_language_chooses_english(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skip to main content" in page


def test_language_switch_is_remembered_and_beats_accept_language(client):
    response = client.post("/language", data={"lang": "en", "next": "/provinces"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/provinces")
    page = client.get("/provinces", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    client.post("/language", data={"lang": "th", "next": "/"})
    assert '<html lang="th">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP
    assert "frame-ancestors 'none'" in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_load_nothing_from_the_internet(client):
    for path in ("/", "/about", "/provinces", "/p/50", "/lg/3500102", "/login", "/register"):
        page = client.get(path).get_data(as_text=True)
        assert 'src="http' not in page and "src='http" not in page
        assert 'href="http' not in page.split("</head>")[0]


def test_self_served_thai_font(client):
    css = client.get("/static/css/main.css")
    assert "NotoSansThai-Regular.ttf" in css.get_data(as_text=True)
    css.close()
    font = client.get("/static/fonts/NotoSansThai-Regular.ttf")
    assert font.status_code == 200
    font.close()


def test_404_page_in_thai_and_english(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "Page not found" in response.get_data(as_text=True)


def test_403_and_405_pages(client):
    response = client.get("/dev/outbox")  # administrators only
    assert response.status_code == 403
    assert "ไม่ได้รับอนุญาต" in response.get_data(as_text=True)
    assert client.get("/language").status_code == 405


def test_missing_csrf_token_gets_a_clear_thai_message(client, csrf_enabled):
    response = client.post("/language", data={"lang": "en"})
    assert response.status_code == 400
    assert "แบบฟอร์มหมดอายุ" in response.get_data(as_text=True)


def test_500_page_is_translated(app):
    from app.core.errors import _render

    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        body, code = _render(500)
    assert code == 500
    assert "เกิดข้อผิดพลาด" in body


def test_about_page_credits_the_data_sources(client):
    page = client.get("/about").get_data(as_text=True)
    assert "GeoThai" in page and "CC-BY-4.0" in page
    assert "dlads_05_01" in page


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_ids_too_large_for_the_database_are_404_not_500(client):
    """QA: /ideas/99999999999999999999 (any <int:...> URL) overflowed the database driver."""
    for path in ("/ideas/99999999999999999999", "/plans/2147483648", "/proposals/99999999999999999999/edit"):
        assert client.get(path).status_code == 404, path


def test_language_link_for_readers_not_signed_in(client):
    response = client.get("/language/en?next=/provinces")
    assert response.status_code == 302 and response.headers["Location"].endswith("/provinces")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/provinces", headers={"Accept-Language": "th"}).get_data(as_text=True)


def test_language_link_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.get("/language/xx?next=https://evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert "Set-Cookie" not in response.headers


def test_signed_in_users_switch_language_with_the_form(client):
    from tests.ideas.factories import create_user, sign_in

    user = create_user()
    sign_in(client, user)
    page = client.get("/provinces").get_data(as_text=True)
    assert 'action="/language"' in page and "/language/en" not in page


def test_site_icons_are_served_where_browsers_and_phones_ask(client):
    for path, kind in [
        ("/favicon.ico", "image/vnd.microsoft.icon"),
        ("/apple-touch-icon.png", "image/png"),
        ("/apple-touch-icon-precomposed.png", "image/png"),
        ("/static/icons/icon-192.png", "image/png"),
    ]:
        with client.get(path) as response:
            assert response.status_code == 200, path
            assert response.mimetype in (kind, "image/x-icon"), (path, response.mimetype)
            assert len(response.get_data()) > 500
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/favicon.ico"' in page and 'rel="apple-touch-icon"' in page
    assert client.get("/favicon.png").status_code == 404
