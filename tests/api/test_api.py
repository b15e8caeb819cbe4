"""The JSON API: what it serves an anonymous reader, paging, validators, CORS, rate limit, errors."""
from __future__ import annotations

import base64
import json

import pytest

from app.extensions import db
from tests.api import data as seed
from tests.ideas import factories as ideas


def get(client, url, lang="en", **headers):
    return client.get(url, headers={"Accept-Language": lang, **headers})


def test_ideas_are_the_public_ones_only_with_no_personal_data(client):
    w = seed.world()
    body = get(client, "/api/v1/ideas?area=50&limit=100").get_json()
    ids = {i["id"] for i in body["items"]}
    assert w.public.id in ids and w.orphan.id in ids
    assert w.hidden.id not in ids and w.pending.id not in ids
    public = next(i for i in body["items"] if i["id"] == w.public.id)
    assert public["author_name"] == "สมชาย ใจดี"
    assert public["url"].endswith(f"/ideas/{w.public.id}")
    assert next(i for i in body["items"] if i["id"] == w.orphan.id)["author_name"] is None  # a deleted account
    text = json.dumps(body, ensure_ascii=False)
    assert "@example.com" not in text and "ผู้ที่ลบบัญชีแล้ว" not in text
    assert get(client, f"/api/v1/ideas/{w.hidden.id}").status_code == 404
    assert get(client, f"/api/v1/ideas/{w.pending.id}").status_code == 404
    one = get(client, f"/api/v1/ideas/{w.public.id}")
    assert one.status_code == 200 and one.get_json()["title"] == "ซ่อมถนนหน้าวัด"


def test_keyset_pages_cover_every_idea_once(client):
    author = ideas.create_user()
    made = [ideas.create_idea(author, title=f"ความคิดที่ {n}").id for n in range(7)]
    seen, url = [], "/api/v1/ideas?area=50&limit=3"
    while url:
        body = get(client, url).get_json()
        assert len(body["items"]) <= 3
        seen += [i["id"] for i in body["items"]]
        url = body["next"]
        if url:
            assert body["next_cursor"] in url
            url = url.removeprefix("http://localhost")
    assert seen == sorted(made, reverse=True)


def test_filters_mirror_the_lists(client):
    from app.ideas.models import IdeaCategory, IdeaStatus

    author = ideas.create_user()
    water = ideas.create_idea(author, title="น้ำประปาไม่ไหล", category=IdeaCategory.WATER)
    road = ideas.create_idea(author, title="ถนนเป็นหลุม")
    road.status = IdeaStatus.ACCEPTED
    db.session.flush()
    assert [i["id"] for i in get(client, "/api/v1/ideas?category=water").get_json()["items"]] == [water.id]
    assert [i["id"] for i in get(client, "/api/v1/ideas?status=accepted").get_json()["items"]] == [road.id]
    assert get(client, "/api/v1/ideas?area=10").get_json()["items"] == []
    assert get(client, "/api/v1/ideas?since=2999-01-01").get_json()["items"] == []
    assert len(get(client, "/api/v1/ideas?updated_since=2000-01-01T00:00:00Z").get_json()["items"]) == 2
    assert get(client, "/api/v1/ideas?updated_since=2999-01-01T00:00:00%2B07:00").get_json()["items"] == []


def test_areas_carry_their_codes(client):
    body = get(client, "/api/v1/areas?province=50&kind=local_government&limit=100").get_json()
    assert body["items"] and all(a["province_code"] == "50" and len(a["code"]) == 7 for a in body["items"])
    assert all(a["parent_code"] == "50" for a in body["items"])
    assert get(client, "/api/v1/areas/50").get_json()["name_en"] == "Chiang Mai"
    assert get(client, "/api/v1/areas/99").status_code == 404


def test_etag_and_304(client):
    seed.world()
    first = get(client, "/api/v1/ideas")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = get(client, "/api/v1/ideas", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert get(client, "/api/v1/ideas", **{"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert get(client, "/api/v1/ideas", **{"If-Modified-Since": modified}).status_code == 304
    assert get(client, "/api/v1/ideas", **{"If-None-Match": '"stale"'}).status_code == 200
    ideas.create_idea(title="ความคิดใหม่")
    assert get(client, "/api/v1/ideas", **{"If-None-Match": etag}).status_code == 200
    # A date that is not an HTTP date is ignored (RFC 9110), not an error.
    assert get(client, "/api/v1/ideas", **{"If-Modified-Since": "yesterday"}).status_code == 200


def test_cors_allows_any_origin(client):
    response = get(client, "/api/v1/areas?limit=1", Origin="https://example.org")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/api/v1/ideas", headers={"Origin": "https://example.org",
                                                         "Access-Control-Request-Method": "GET",
                                                         "Access-Control-Request-Headers": "X-API-Key"})
    assert preflight.status_code == 200
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert get(client, "/api/v1/nowhere").headers["Access-Control-Allow-Origin"] == "*"


BAD = [
    ("/api/v1/ideas?cursor=garbage!", "cursor"),
    ("/api/v1/ideas?cursor=" + base64.urlsafe_b64encode(b'["areas","10"]').decode().rstrip("="), "cursor"),
    ("/api/v1/ideas?cursor=" + base64.urlsafe_b64encode(b'["ideas",99999999999999]').decode().rstrip("="), "cursor"),
    ("/api/v1/ideas?cursor=" + base64.urlsafe_b64encode(b'["ideas",true]').decode().rstrip("="), "cursor"),
    ("/api/v1/ideas?cursor=" + base64.urlsafe_b64encode(b'[[[[[[[').decode().rstrip("="), "cursor"),
    ("/api/v1/areas?cursor=" + base64.urlsafe_b64encode(b'["areas","\\u0e01"]').decode().rstrip("="), "cursor"),
    ("/api/v1/ideas?colour=red", "colour"),
    ("/api/v1/ideas?limit=1000000", "limit"),
    ("/api/v1/ideas?limit=0", "limit"),
    ("/api/v1/ideas?limit=%C2%B2", "limit"),
    ("/api/v1/ideas?limit=10&limit=20", "limit"),
    ("/api/v1/ideas?since=31/01/2569", "since"),
    ("/api/v1/ideas?since=0001-01-01", "since"),
    ("/api/v1/ideas?updated_since=2026-13-01T00:00:00Z", "updated_since"),
    ("/api/v1/ideas?updated_since=2026-01-01T00:00:00", "updated_since"),
    ("/api/v1/ideas?updated_since=0001-01-01T00:00:00%2B14:00", "updated_since"),
    ("/api/v1/ideas?status=lost", "status"),
    ("/api/v1/ideas?area=5", "area"),
    ("/api/v1/ideas?area=99", "area"),
    ("/api/v1/areas?kind=planet", "kind"),
]


@pytest.mark.parametrize("url,param", BAD)
def test_bad_input_is_a_problem_not_a_crash(client, url, param):
    response = get(client, url)
    assert response.status_code == 400, response.data
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["type"].endswith("#problem-bad-request")
    assert param in {p["name"] for p in body["invalid_params"]}


def test_junk_if_none_match_is_a_problem(client):
    response = get(client, "/api/v1/ideas", **{"If-None-Match": "not an etag"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "If-None-Match" in response.get_json()["detail"]


def test_problems_speak_the_language_asked_for(client):
    thai = get(client, "/api/v1/ideas?limit=1000", lang="th")
    english = get(client, "/api/v1/ideas?limit=1000", lang="en")
    assert thai.headers["Content-Language"] == "th" and english.headers["Content-Language"] == "en"
    assert thai.get_json()["title"] != english.get_json()["title"]
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in thai.get_json()["invalid_params"][0]["reason"])
    assert get(client, "/api/v1/nowhere", lang="fr").headers["Content-Language"] == "th"  # neither: Thai
    assert get(client, "/api/v1/ideas/2147483647").get_json()["status"] == 404
    wrong_method = client.post("/api/v1/ideas")
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]
    assert wrong_method.mimetype == "application/problem+json"


def test_rate_limit_per_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_API", "3 per minute")
    assert [get(client, "/api/v1/areas?limit=1").status_code for _ in range(3)] == [200, 200, 200]
    limited = get(client, "/api/v1/areas?limit=1")
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert limited.headers["Retry-After"]
    other = client.get("/api/v1/areas?limit=1", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_openapi_document_and_its_page(client):
    doc = get(client, "/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/ideas" in doc["paths"] and "Idea" in doc["components"]["schemas"]
    params = {p["name"] for p in doc["paths"]["/api/v1/ideas"]["get"]["parameters"]}
    assert {"area", "status", "category", "since", "updated_since", "cursor", "limit"} <= params
    # The document is written from the same model that serializes the answers.
    from app.api.schemas import Idea

    assert set(doc["components"]["schemas"]["Idea"]["properties"]) == set(Idea.model_fields)
    for lang, heading in (("th", "เอกสาร"), ("en", "Open API documentation")):
        client.set_cookie("lang", lang)
        page = client.get("/api/v1/docs")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert heading in html and "/api/v1/ideas" in html
        import re

        assert all(src.startswith("/") for src in re.findall(r'<script[^>]*src="([^"]*)"', html))  # nothing from the internet
