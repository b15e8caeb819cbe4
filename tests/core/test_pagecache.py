"""The page cache for readers who are not signed in: what is cached, for whom, and when it goes stale."""
from __future__ import annotations

import time

import pytest

from app.accounts.models import Role
from app.core import pagecache
from app.core.pagecache import HEADER, CachedPage, LocalStore, PageCache, RedisStore
from app.extensions import db
from app.moderation import services as moderation
from tests.ideas.factories import create_idea, create_user, sign_in

LIST = "/p/50/ideas"


@pytest.fixture
def cache(app):
    """A fresh in-process cache, turned on for one test."""
    saved = app.extensions[pagecache.EXTENSION], app.config["PAGE_CACHE_SECONDS"]
    app.config["PAGE_CACHE_SECONDS"] = 30
    app.extensions[pagecache.EXTENSION] = fresh = PageCache(app)
    yield fresh
    app.extensions[pagecache.EXTENSION], app.config["PAGE_CACHE_SECONDS"] = saved


def test_off_by_default_in_tests_and_when_seconds_is_zero(client):
    assert HEADER not in client.get(LIST).headers


def test_second_anonymous_read_is_served_from_the_cache(client, cache):
    create_idea(title="ไฟถนนหน้าวัดดับ")
    db.session.commit()
    first = client.get(LIST)
    second = client.get(LIST)
    assert first.headers[HEADER] == "miss" and second.headers[HEADER] == "hit"
    assert second.get_data() == first.get_data()
    assert "ไฟถนนหน้าวัดดับ" in second.get_data(as_text=True)
    assert second.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Cookie" in second.headers["Vary"] and "Accept-Language" in second.headers["Vary"]
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert pagecache.MARK not in first.headers and pagecache.MARK not in second.headers


def test_a_visitor_with_a_form_token_in_the_session_still_gets_the_cache(client, cache, csrf_enabled):
    client.get("/login")  # puts a CSRF token in the session cookie
    assert client.get_cookie("session", domain="localhost") is not None
    # Flask-Login marks such a session not fresh once, which rewrites the cookie: that page is not kept.
    assert HEADER not in client.get(LIST).headers
    assert client.get(LIST).headers[HEADER] == "miss"
    assert client.get(LIST).headers[HEADER] == "hit"


def test_pages_of_other_hosts_are_kept_apart(app, client, cache, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", [*app.config["TRUSTED_HOSTS"], "ruamkhit.example"])
    client.get("/p/50/ideas.atom")
    other = client.get("/p/50/ideas.atom", base_url="https://ruamkhit.example")
    assert other.headers[HEADER] == "miss"


def test_a_host_the_site_does_not_serve_is_refused_even_with_the_page_cached(client, cache):
    assert client.get("/p/50/ideas.atom").status_code == 200
    assert client.get("/p/50/ideas.atom").headers[HEADER] == "hit"
    for _ in range(2):
        evil = client.get("/p/50/ideas.atom", headers={"Host": "evil.example"})
        assert evil.status_code == 400 and HEADER not in evil.headers


def test_the_anonymous_page_holds_no_form_token(client, cache):
    page = client.get(LIST).get_data(as_text=True)
    assert "csrf_token" not in page
    assert 'href="/language/en?next=/p/50/ideas"' in page


def test_each_language_and_each_address_is_its_own_page(client, cache):
    assert client.get(LIST).headers[HEADER] == "miss"
    english = client.get(LIST, headers={"Accept-Language": "en"})
    assert english.headers[HEADER] == "miss" and '<html lang="en">' in english.get_data(as_text=True)
    assert client.get(LIST, headers={"Accept-Language": "en"}).headers[HEADER] == "hit"
    assert client.get(LIST + "?sort=supported").headers[HEADER] == "miss"
    client.set_cookie("lang", "en", domain="localhost")
    page = client.get(LIST, headers={"Accept-Language": "th"})
    assert page.headers[HEADER] == "hit" and '<html lang="en">' in page.get_data(as_text=True)


def test_a_new_idea_shows_at_once(client, cache):
    client.get(LIST)
    assert client.get(LIST).headers[HEADER] == "hit"
    create_idea(title="ขุดลอกคลองแม่ข่า")
    db.session.commit()
    page = client.get(LIST)
    assert page.headers[HEADER] == "miss" and "ขุดลอกคลองแม่ข่า" in page.get_data(as_text=True)


def test_a_hidden_idea_leaves_the_cached_list_at_once(client, cache):
    idea = create_idea(title="ข้อความที่ต้องซ่อน")
    official = create_user(role=Role.PROVINCIAL_OFFICIAL, role_area="50")
    db.session.commit()
    assert "ข้อความที่ต้องซ่อน" in client.get(LIST).get_data(as_text=True)
    moderation.hide_idea(official, idea, "ข้อมูลส่วนบุคคล")
    db.session.commit()
    page = client.get(LIST)
    assert page.headers[HEADER] == "miss" and "ข้อความที่ต้องซ่อน" not in page.get_data(as_text=True)


def test_a_change_elsewhere_keeps_this_list_cached(client, cache):
    client.get(LIST)
    create_idea(create_user(province="10"), "10", title="ไอเดียกรุงเทพ")
    db.session.commit()
    assert client.get(LIST).headers[HEADER] == "hit"


def test_a_rolled_back_change_bumps_nothing(client, cache):
    client.get(LIST)
    create_idea(title="ไม่ได้บันทึก")
    db.session.rollback()
    assert client.get(LIST).headers[HEADER] == "hit"


def test_the_feed_is_cached_too(client, cache):
    assert client.get("/p/50/ideas.atom").headers[HEADER] == "miss"
    hit = client.get("/p/50/ideas.atom")
    assert hit.headers[HEADER] == "hit" and hit.mimetype == "application/atom+xml"


def test_signed_in_readers_always_get_a_fresh_page(client, cache):
    client.get(LIST)
    user = create_user()
    db.session.commit()
    sign_in(client, user)
    page = client.get(LIST)
    assert HEADER not in page.headers
    assert user.display_name in page.get_data(as_text=True)


def test_a_waiting_flash_message_is_not_swallowed_by_the_cache(client, cache):
    client.get(LIST)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "ข้อความทดสอบแฟลช")]
    page = client.get(LIST)
    assert HEADER not in page.headers and "ข้อความทดสอบแฟลช" in page.get_data(as_text=True)


def test_remember_me_cookie_bypasses_the_cache(client, cache):
    client.get(LIST)
    client.set_cookie("remember_token", "anything", domain="localhost")
    assert HEADER not in client.get(LIST).headers


def test_error_pages_are_not_cached(client, cache):
    assert client.get("/p/99/ideas").status_code == 404
    response = client.get("/p/99/ideas")
    assert response.status_code == 404 and HEADER not in response.headers


def test_a_broken_cache_store_still_serves_the_page(client, cache):
    cache.store = RedisStore("redis://127.0.0.1:1/0")  # nothing listens there
    response = client.get(LIST)
    assert response.status_code == 200 and HEADER not in response.headers


def _raw(scopes=("x", "y", "z"), body=b"D"):
    return CachedPage(tuple(scopes), "", [("Content-Type", "text/plain")], body).encode()


def test_local_store_expires_and_stays_bounded():
    store = LocalStore(max_pages=2)
    store.put("a", _raw(), ttl=0)
    assert store.fetch("a") == (None, "")
    store.put("b", _raw(), ttl=30)
    store.put("c", _raw(), ttl=30)
    store.put("d", _raw(), ttl=30)
    assert store.fetch("b")[0] is None and store.fetch("d")[0] == _raw()
    store.bump(["x", "x", "y"])
    assert store.fetch("d") == (_raw(), "2,1,0")
    assert store.generations(["y", "q"]) == "1,0"


def test_cached_page_round_trip_keeps_any_body_and_headers():
    page = CachedPage(("ideas:50", "ideas:10"), "1,2", [("Content-Type", "text/html; charset=utf-8"), ("Vary", "Cookie")],
                      b"a\x00b\nc\n\nd")
    assert CachedPage.decode(page.encode()) == page
    assert CachedPage.decode(b"garbage") is None
    assert CachedPage.decode(b"a\nb\nnot json\nbody") is None


def _redis_or_skip(url="redis://127.0.0.1:6379/15"):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return redis, url


def test_redis_store_shares_pages_and_generations():
    redis, url = _redis_or_skip()
    one, two = RedisStore(url), RedisStore(url)
    client = redis.Redis.from_url(url)
    keys = ("rk:gen:test-a", "rk:gen:test-b", "rk:page:test")
    client.delete(*keys)
    raw = _raw(("test-a", "test-b"), b"body\nwith lines")
    try:
        assert two.fetch("rk:page:test") == (None, "")
        one.put("rk:page:test", raw, ttl=30)
        assert two.fetch("rk:page:test") == (raw, "0,0")
        one.bump(["test-b"])
        assert two.fetch("rk:page:test") == (raw, "0,1")
        assert two.generations(["test-b", "test-a"]) == "1,0"
        assert 0 < client.ttl("rk:page:test") <= 30
    finally:
        client.delete(*keys)


def test_a_change_in_another_process_reaches_the_local_copies_within_their_seconds(app, client, cache):
    redis, url = _redis_or_skip()
    redis.Redis.from_url(url).flushdb()
    cache.store = RedisStore(url)
    cache.local_seconds = 0.3
    other_process = RedisStore(url)
    try:
        client.get(LIST)
        assert client.get(LIST).headers[HEADER] == "hit"
        other_process.bump(["ideas:50"])
        assert client.get(LIST).headers[HEADER] == "hit"  # this process's copy, for up to 0.3 s
        time.sleep(0.35)
        assert client.get(LIST).headers[HEADER] == "miss"
        assert client.get(LIST).headers[HEADER] == "hit"
        create_idea(title="ในกระบวนการเดียวกัน")
        db.session.commit()  # a change in this process drops its own copies at once
        page = client.get(LIST)
        assert page.headers[HEADER] == "miss" and "ในกระบวนการเดียวกัน" in page.get_data(as_text=True)
    finally:
        redis.Redis.from_url(url).flushdb()


def test_the_page_cache_works_through_redis(app, client, cache):
    redis, url = _redis_or_skip()
    redis.Redis.from_url(url).flushdb()
    cache.store = RedisStore(url)
    try:
        assert client.get(LIST).headers[HEADER] == "miss"
        assert client.get(LIST).headers[HEADER] == "hit"
        create_idea(title="ผ่านเรดิส")
        db.session.commit()
        page = client.get(LIST)
        assert page.headers[HEADER] == "miss" and "ผ่านเรดิส" in page.get_data(as_text=True)
    finally:
        redis.Redis.from_url(url).flushdb()
