"""NUL bytes are refused once, at the edge, before any route reads them (a 400 page in the reader's language)."""
from __future__ import annotations

import pytest

from tests.ideas.factories import create_user, sign_in

ROUTES = [
    "/provinces?q=%00", "/p/%00", "/lg/%00", "/proposals?area=%00", "/p/50/ideas?category=%00",
    "/ideas/search?q=%00&area=50", "/p/50%00/ideas", "/cycles/?area=%00", "/static/css/main.css%00",
    "/nowhere/%00", "/p/50?x%00=1",
]


@pytest.mark.parametrize("path", ROUTES)
def test_a_nul_byte_in_the_address_is_a_400_page_in_thai(client, path):
    response = client.get(path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ที่อยู่หรือแบบฟอร์มมีอักขระที่ใช้ไม่ได้" in page


def test_the_page_is_in_english_for_an_english_reader(client):
    response = client.get("/p/%00", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "contains a character that is not allowed" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_form_is_refused_before_anything_is_read(client):
    user = create_user()
    sign_in(client, user)
    for data in ({"title": "ถนน\x00"}, {"title\x00": "x"}):
        response = client.post("/p/50/ideas/new", data=data)
        assert response.status_code == 400
    login = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert login.status_code == 400


def test_a_nul_byte_in_a_file_name_is_refused(client):
    from io import BytesIO

    user = create_user()
    sign_in(client, user)
    response = client.post("/p/50/ideas/new", data={"photos": (BytesIO(b"x"), "a\x00.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400


def test_ordinary_addresses_still_work(client):
    assert client.get("/provinces?q=เชียง").status_code == 200
    assert client.get("/p/50").status_code == 200
