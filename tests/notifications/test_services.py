"""Notifications: who is told, in which language, and by email only when they opted in."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.engagement import services as engagement
from app.extensions import db
from app.notifications import services
from app.notifications.models import Notification
from tests.engagement.factories import create_idea, create_user

pytestmark = pytest.mark.usefixtures("in_request")


def notes(user, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def test_a_comment_notifies_the_author_and_followers_but_not_the_actor(outbox):
    author, follower, commenter, bystander = create_user(), create_user(), create_user(), create_user()
    idea = create_idea(author=author, title="ซ่อมถนนซอย 5")
    engagement.set_idea_follow(idea, follower)
    engagement.set_idea_follow(idea, commenter)  # following does not mean being told about yourself
    comment = engagement.add_comment(idea, commenter, "เห็นด้วยครับ")
    for user in (author, follower):
        [n] = notes(user)
        assert n.kind == "idea.commented" and n.actor_id == commenter.id
        # The title is read from the idea when shown, not stored.
        assert n.params == {"actor": commenter.display_name} and n.idea_id == idea.id
        assert "ซ่อมถนนซอย 5" in services.render_message(n)
        assert n.link.endswith(f"#comment-{comment.id}") and n.read_at is None
    assert notes(commenter) == [] and notes(bystander) == []
    assert outbox() == []  # nobody opted in to email


def test_a_reply_tells_the_parent_author_once_with_its_own_message():
    author, first, second = create_user(), create_user(), create_user()
    idea = create_idea(author=author)
    parent = engagement.add_comment(idea, first, "คำถาม")
    engagement.add_comment(idea, second, "คำตอบ", parent=parent)
    assert [n.kind for n in notes(first)] == ["comment.replied"]  # not also "idea.commented"
    assert [n.kind for n in notes(author)] == ["idea.commented", "idea.commented"]


def test_email_only_for_those_who_opted_in_in_their_own_language(outbox):
    author = create_user(email_notifications=True, locale="th")
    english = create_user(email_notifications=True, locale="en")
    no_locale = create_user(email_notifications=True, locale=None)
    quiet = create_user(email_notifications=False)
    unconfirmed = create_user(email_notifications=True, verified=False)
    idea = create_idea(author=author, title="สวนสาธารณะ")
    for user in (english, no_locale, quiet, unconfirmed):
        engagement.set_idea_follow(idea, user)
    engagement.add_comment(idea, create_user(name="สมศรี"), "ดีมาก")
    mails = {m["To"]: m for m in outbox()}
    assert set(mails) == {author.email, english.email, no_locale.email}
    en = mails[english.email]
    assert "New comment on" in en["Subject"] and "สวนสาธารณะ" in en["Subject"]
    assert "commented on the idea" in en.get_body(("plain",)).get_content()
    for thai in (mails[author.email], mails[no_locale.email]):  # no locale: Thai, the default
        body = thai.get_body(("plain",)).get_content()
        assert "สมศรี" in body and "commented on the idea" not in body
        assert "http://localhost/ideas/" in body or "/ideas/" in body
    assert all(len(notes(u)) == 1 for u in (quiet, unconfirmed))  # still told in the app


def test_notify_skips_the_actor_duplicates_and_deleted_accounts():
    from app.core.timeutil import utcnow

    services.register_kind("test.ping", _l("Ping from %(actor)s"))
    actor, a, gone = create_user(), create_user(), create_user()
    gone.deleted_at = utcnow()
    services.notify([a, a, actor, gone], "test.ping", params={"actor": "x"}, link="/", actor=actor)
    assert len(notes(a)) == 1 and notes(actor) == [] and notes(gone) == []
    with pytest.raises(ValueError):
        services.notify([a], "no.such.kind", params={}, link="/")


def test_messages_render_in_the_readers_language_with_translated_params():
    services.register_kind("test.status", _l('The status of "%(title)s" is now %(status)s'))
    services.register_kind("test.area", _l("New idea in %(area)s: \"%(title)s\""))
    user = create_user()
    services.notify([user], "test.status", params={"title": "ไฟถนน", "status": _l("Spam or advertising")}, link="/")
    services.notify([user], "test.area", params={"title": "t", "area": {"th": "เชียงใหม่", "en": "Chiang Mai"}}, link="/")
    status, area = notes(user)
    assert status.params["status"] == {"_msgid": "Spam or advertising"}
    with force_locale("en"):
        assert services.render_message(status) == 'The status of "ไฟถนน" is now Spam or advertising'
        assert "Chiang Mai" in services.render_message(area)
    with force_locale("th"):
        assert "สแปม" in services.render_message(status)  # the parameter is translated for each reader
        assert "เชียงใหม่" in services.render_message(area)


def test_a_missing_or_wrong_param_does_not_break_rendering():
    services.register_kind("test.count", _l("%(n)d new things for %(name)s"))
    user = create_user()
    services.notify([user], "test.count", params={"n": "many"}, link="/")
    [n] = notes(user)
    assert services.render_message(n) == "%(n)d new things for %(name)s"
    n.kind = "unknown.kind"
    assert services.render_message(n)


def test_unread_count_mark_read_and_mark_all_read():
    services.register_kind("test.ping", _l("Ping from %(actor)s"))
    user, other = create_user(), create_user()
    for _ in range(3):
        services.notify([user, other], "test.ping", params={"actor": "x"}, link="/")
    assert services.unread_count(user) == 3
    assert services.header_counts(user) == {"notifications": 3}
    first = notes(user)[0]
    services.mark_read(user, first)
    assert services.unread_count(user) == 2
    with pytest.raises(services.NotificationError):
        services.mark_read(other, first)
    assert services.get_own_notification(other, first.id) is None
    assert services.mark_all_read(user) == 2
    assert services.unread_count(user) == 0 and services.unread_count(other) == 3


def test_followers_of_an_area_are_told_about_a_new_idea_when_it_is_committed():
    from app.areas.services import get_area_by_code

    city, province = get_area_by_code("3500102"), get_area_by_code("50")
    follower, province_follower, author = create_user(), create_user(), create_user()
    engagement.set_area_follow(city, follower)
    engagement.set_area_follow(province, province_follower)
    engagement.set_area_follow(city, author)
    db.session.commit()
    idea = create_idea(author=author, area_code="3500102", title="ลานกีฬาชุมชน")
    assert notes(follower) == []  # not before the commit
    db.session.commit()
    [n] = notes(follower)
    assert n.kind == "area.idea_submitted" and n.link == f"/ideas/{idea.id}"
    assert n.idea_id == idea.id and n.params["area"]["en"] == city.name_en
    assert "ลานกีฬาชุมชน" in services.render_message(n)
    assert notes(author) == [] and notes(province_follower) == []  # the province is another area
    db.session.commit()
    assert len(notes(follower)) == 1  # announced once
    rolled_back = create_idea(author=author, area_code="3500102", title="ยกเลิก")
    assert rolled_back.id
    db.session.rollback()
    db.session.commit()
    assert len(notes(follower)) == 1


def test_following_an_area_later_does_not_announce_its_older_ideas():
    from datetime import timedelta

    from app.areas.services import get_area_by_code
    from app.core.timeutil import utcnow

    follower = create_user()
    create_idea(area_code="5500107", created_at=utcnow() - timedelta(days=30))  # e.g. imported or demo data
    engagement.set_area_follow(get_area_by_code("5500107"), follower)
    db.session.commit()
    assert notes(follower) == []
