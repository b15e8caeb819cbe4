"""An area's ideas: filters, sorts, keyset pagination, counts by status, the Atom feed, the area section."""
from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

from app.accounts.models import Role
from app.core.timeutil import utcnow
from app.extensions import db
from app.ideas import services
from app.ideas.models import IdeaCategory, IdeaStatus
from app.ideas.services import IdeaFilters, list_ideas
from tests.ideas.factories import area, create_idea, create_user, sign_in

ATOM = "{http://www.w3.org/2005/Atom}"


def make_ideas(n, area_code="50", **kw):
    author = create_user()
    start = utcnow() - timedelta(days=n)
    ideas = []
    for i in range(n):
        idea = create_idea(author, area_code, title=f"ไอเดียที่ {i}", **kw)
        idea.created_at = start + timedelta(days=i)
        ideas.append(idea)
    db.session.flush()
    return ideas


def all_pages(area_obj, filters, viewer=None, per_page=7):
    seen, cursor = [], None
    while True:
        page = list_ideas(area_obj, filters, viewer, after=cursor, per_page=per_page)
        seen.extend(page.ideas)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_keyset_pages_cover_every_idea_once_in_order():
    ideas = make_ideas(23)
    ideas[5].support_count, ideas[9].support_count, ideas[12].support_count = 8, 8, 3
    ideas[1].comment_count = 4
    db.session.flush()
    newest = all_pages(area(), IdeaFilters())
    assert newest == list(reversed(ideas))
    supported = all_pages(area(), IdeaFilters(sort="supported"))
    assert supported[:3] == [ideas[9], ideas[5], ideas[12]]  # ties: newer (higher id) first
    assert len(supported) == 23 and len(set(supported)) == 23
    discussed = all_pages(area(), IdeaFilters(sort="discussed"))
    assert discussed[0] == ideas[1] and len(discussed) == 23


def test_going_back_a_page():
    ideas = list(reversed(make_ideas(15)))
    first = list_ideas(area(), IdeaFilters(), per_page=5)
    second = list_ideas(area(), IdeaFilters(), after=first.next_cursor, per_page=5)
    assert second.ideas == ideas[5:10] and second.prev_cursor
    back = list_ideas(area(), IdeaFilters(), before=second.prev_cursor, per_page=5)
    assert back.ideas == ideas[:5] and back.prev_cursor is None and back.next_cursor


def test_recently_answered_lists_answered_ideas_by_answer_date():
    ideas = make_ideas(4)
    now = utcnow()
    ideas[0].status, ideas[0].status_changed_at = IdeaStatus.ACCEPTED, now - timedelta(hours=1)
    ideas[2].status, ideas[2].status_changed_at = IdeaStatus.NOT_POSSIBLE, now
    db.session.flush()
    page = list_ideas(area(), IdeaFilters(sort="answered"))
    assert page.ideas == [ideas[2], ideas[0]]


def test_filters_by_category_status_and_subdistrict():
    author = create_user()
    water = create_idea(author, category=IdeaCategory.WATER, subdistrict_code="500101")
    road = create_idea(author, category=IdeaCategory.INFRASTRUCTURE, subdistrict_code="500102")
    road.status = IdeaStatus.UNDER_REVIEW
    db.session.flush()
    assert list_ideas(area(), IdeaFilters(category=IdeaCategory.WATER)).ideas == [water]
    assert list_ideas(area(), IdeaFilters(status=IdeaStatus.UNDER_REVIEW)).ideas == [road]
    assert list_ideas(area(), IdeaFilters(subdistrict_code="500101")).ideas == [water]


def test_filters_from_the_query_string_ignore_nonsense():
    filters = IdeaFilters.from_args({"category": "water", "status": "nope", "subdistrict": "100101", "sort": "x"}, area())
    assert filters == IdeaFilters(category=IdeaCategory.WATER)
    filters = IdeaFilters.from_args({"subdistrict": "500101", "sort": "supported"}, area())
    assert filters.subdistrict_code == "500101" and filters.sort == "supported"


def test_hidden_and_pending_ideas_are_listed_for_officials_only():
    shown, hidden, pending = make_ideas(3)
    hidden.hidden_at = utcnow()
    pending.pending_review = True
    db.session.flush()
    assert list_ideas(area(), IdeaFilters()).ideas == [shown]
    official = create_user(role=Role.PROVINCIAL_OFFICIAL, role_area="50")
    assert len(list_ideas(area(), IdeaFilters(), official).ideas) == 3
    lg_officer = create_user(role=Role.LG_OFFICER, role_area="3500102")
    assert list_ideas(area(), IdeaFilters(), lg_officer).ideas == [shown]
    assert services.status_counts(area())[IdeaStatus.RECEIVED] == 1
    assert services.status_counts(area(), official)[IdeaStatus.RECEIVED] == 3


def test_list_page_with_filters_sorts_counts_and_pagination(client):
    ideas = make_ideas(25)
    ideas[3].status = IdeaStatus.ACCEPTED
    db.session.flush()
    page = client.get("/p/50/ideas").get_data(as_text=True)
    assert "ไอเดียที่ 24" in page and "ไอเดียที่ 4" not in page
    assert "รับไว้ดำเนินการ</a>: 1" in page and "ได้รับแล้ว</a>: 24" in page
    next_url = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    page2 = client.get(next_url).get_data(as_text=True)
    assert "ไอเดียที่ 4" in page2 and "ไอเดียที่ 24" not in page2 and 'rel="prev"' in page2
    filtered = client.get("/p/50/ideas?status=accepted&sort=supported").get_data(as_text=True)
    assert "ไอเดียที่ 3" in filtered and "ไอเดียที่ 2<" not in filtered
    for url in ("/p/50/ideas?after=garbage", "/p/50/ideas?before=x~y", "/p/50/ideas?sort=answered&after=1~1",
                "/p/50/ideas?after=2026-01-01T00:00:00%2B00:00~99999999999999",
                "/p/50/ideas?sort=supported&after=99999999999999~1", "/p/50/ideas?sort=discussed&before=-5~-1",
                "/p/50/ideas?after=0001-01-01T00:00:00%2B14:00~1", "/p/50/ideas?after=9999-12-31T23:59:59-14:00~1",
                "/p/50/ideas?category=<script>", "/lg/3500102/ideas?sort=discussed"):
        assert client.get(url).status_code == 200, url
    assert client.get("/p/99/ideas").status_code == 404
    # NUL bytes are refused at the edge (app/core/edge.py).
    assert client.get("/p/%00/ideas").status_code == 400 and client.get("/lg/%00/ideas.atom").status_code == 400
    assert client.get("/p/50/ideas/similar?q=%00").status_code == 400
    assert client.get("/lg/50/ideas").status_code == 404


def test_province_and_local_government_pages_show_the_ideas_section(client):
    create_idea(area_code="3500102", title="ลานจอดรถใต้ดิน")
    page = client.get("/lg/3500102").get_data(as_text=True)
    assert "ไอเดียจากประชาชน" in page and "ลานจอดรถใต้ดิน" in page and "/lg/3500102/ideas" in page
    assert "ได้รับแล้ว</a>: 1" in page
    page = client.get("/p/50").get_data(as_text=True)
    assert "ไอเดียจากประชาชน" in page and "/p/50/ideas/new" in page


def test_atom_feed_is_valid_and_escapes_content(client):
    create_idea(title='น้ำท่วม <b>"ซอย 3"</b> & ถนน', description="<script>alert(1)</script>\nบรรทัดสอง")
    withdrawn = create_idea(title="ถอนแล้ว")
    withdrawn.withdrawn_at = utcnow()
    hidden = create_idea(title="ซ่อนไว้")
    hidden.hidden_at = utcnow()
    db.session.flush()
    response = client.get("/p/50/ideas.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id").text == "http://localhost/p/50/ideas.atom"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == ["ถอนแล้ว", 'น้ำท่วม <b>"ซอย 3"</b> & ถนน']  # hidden idea left out; text, not markup
    first = entries[1]
    assert first.find(f"{ATOM}summary").get("type") == "text"
    assert first.find(f"{ATOM}summary").text.startswith("<script>")  # escaped in the XML, shown as text
    assert first.find(f"{ATOM}link").get("href").startswith("http://localhost/ideas/")
    for tag in ("updated", "published", "author"):
        assert first.find(f"{ATOM}{tag}") is not None
    assert b"<script>" not in response.data
    assert client.get("/lg/5500107/ideas.atom").status_code == 200  # empty feed is valid too
    ET.fromstring(client.get("/lg/5500107/ideas.atom").data)


def test_officials_see_hidden_ideas_marked_on_the_list(client):
    idea = create_idea(title="รอตรวจสอบ")
    idea.pending_review = True
    db.session.flush()
    assert "รอตรวจสอบ" not in client.get("/p/50/ideas").get_data(as_text=True)
    sign_in(client, create_user(role=Role.PROVINCIAL_OFFICIAL, role_area="50"))
    page = client.get("/p/50/ideas").get_data(as_text=True)
    assert "รอตรวจสอบ" in page and "รอการตรวจสอบ" in page


def test_search_page_highlights_and_scopes(client):
    create_idea(area_code="3500102", title="ติดตั้งไฟส่องสว่างถนน", description="ซอยมืด <i>มาก</i>")
    create_idea(area_code="50", title="ไฟส่องสว่างสนามกีฬา", description="เล่นกีฬากลางคืน")
    page = client.get("/ideas/search?q=ไฟฟ้าส่องสว่าง").get_data(as_text=True)
    assert "<mark>ส่องสว่าง</mark>" in page and "ไอเดียที่ตรงกับคำค้น 2 เรื่อง" in page
    assert "&lt;i&gt;" in page
    page = client.get("/ideas/search?q=ส่องสว่าง&area=3500102").get_data(as_text=True)
    assert "ถนน" in page and "สนามกีฬา" not in page
    page = client.get("/ideas/search?q=สระว่ายน้ำ").get_data(as_text=True)
    assert "ไม่พบไอเดีย" in page
    for url in ("/ideas/search", "/ideas/search?q=&page=x", "/ideas/search?q=ไฟ&page=999", "/ideas/search?q=x&area=nope",
                "/ideas/search?q=ไฟ&page=-3"):
        assert client.get(url).status_code == 200, url
    assert client.get("/ideas/search?q=%00ไฟ%00&area=%00").status_code == 400
