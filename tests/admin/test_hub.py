"""The officials' work hub at /admin/ (#12.14): what waits in each of the user's areas, with
links to every official page of the area, in a fixed number of queries."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event

from app.accounts.models import Role
from app.core.timeutil import utcnow
from app.extensions import db
from tests.accounts.factories import create_official, create_user, sign_in, valid_national_id
from tests.ideas.factories import create_idea


def _ideas(n: int, *, days_ago: int) -> None:
    author = create_user()
    for i in range(n):
        idea = create_idea(author, "50", title=f"ไอเดียทดสอบที่ {days_ago}-{i}")
        idea.created_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def _main(html: str) -> str:
    return html.split('<main', 1)[1].split("</main>", 1)[0]


def test_hub_counts_waiting_work_by_age_and_links_every_official_page(client):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    _ideas(2, days_ago=40)
    _ideas(1, days_ago=20)
    _ideas(3, days_ago=1)
    create_user(subdistrict_code="500101", national_id=valid_national_id())  # waits for verification
    sign_in(client, official)
    page = _main(client.get("/admin/").get_data(as_text=True))
    assert "ไอเดีย 2 เรื่องที่ยังไม่ได้ตอบเกิน 30 วัน" in page
    assert "ไอเดีย 1 เรื่องที่ยังไม่ได้ตอบ 15 ถึง 30 วัน" in page
    assert "ไอเดียใหม่ 3 เรื่องที่รอคำตอบแรก (ไม่ถึง 15 วัน)" in page
    assert "ผู้อยู่อาศัย 1 คนที่รอการยืนยัน" in page
    links = set(re.findall(r'href="(/[^"]*)"', page))
    for expected in ("/triage?view=unanswered&amp;area=50", "/moderation/?area=50", "/proposals?area=50",
                     "/proposals/new?area=50", "/p/50/plans", "/p/50/plans/new", "/p/50/exports",
                     "/cycles/new?area=50", "/admin/areas/50/residents"):
        assert expected in links, expected
    # Every link on the hub opens for this official: nothing offered is refused.
    for link in sorted(links):
        status = client.get(link.replace("&amp;", "&")).status_code
        assert status == 200, (link, status)


def test_hub_of_an_evaluator_shows_only_what_they_may_do(client):
    evaluator = create_official(Role.EVALUATOR, "50")
    sign_in(client, evaluator)
    page = _main(client.get("/admin/").get_data(as_text=True))
    assert "/cycles/new" not in page and "/admin/areas/50/residents" not in page
    assert "/p/50/plans" in page


def _queries(client) -> int:
    count = 0

    def _count(*_args, **_kwargs):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        assert client.get("/admin/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    return count


def test_hub_query_count_does_not_grow_with_rows(client):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    sign_in(client, official)
    _ideas(10, days_ago=40)
    _queries(client)  # the first request also fills per-process caches
    few = _queries(client)
    _ideas(90, days_ago=40)
    _queries(client)  # as above: the commit expired what the first request had loaded
    many = _queries(client)
    assert many == few, (few, many)
