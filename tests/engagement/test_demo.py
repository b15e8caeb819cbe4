"""The engagement demo loader: realistic content on the demo ideas, and idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from app.demo import base
from app.engagement import demo
from app.engagement.models import AreaFollow, Comment, IdeaFollow, Support
from app.extensions import db
from app.ideas.demo import IDEAS
from app.ideas.models import Idea
from app.moderation.models import Report
from app.notifications.models import Notification
from tests.engagement.factories import create_idea


def counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Support, Comment, IdeaFollow, AreaFollow, Report, Notification)}


def test_demo_adds_supports_comments_reports_and_notifications_once():
    base.load()
    authors = [base.demo_user(f"resident{i}@demo.ruamkhit.th") for i in (1, 2, 3, 4)]
    # The engagement demo works on the ideas demo's own ideas (found by their demo key).
    from app.demo.registry import remember
    from app.ideas.demo import KIND

    for i, row in enumerate(IDEAS[:8]):
        remember(KIND, row[5], create_idea(author=authors[i % 4], area_code=row[0], title=row[5]))
    demo.load()
    first = counts()
    assert first["supports"] > 8 and first["comments"] >= 10 and first["reports"] == 4
    assert first["notifications"] > 0 and first["area_follows"] == 2
    # Every counter matches its rows.
    for idea in db.session.scalars(select(Idea)):
        assert idea.support_count == db.session.scalar(
            select(func.count()).select_from(Support).where(Support.idea_id == idea.id))
    # resident4 supports nothing: the browser test supports an idea as them.
    resident4 = base.demo_user("resident4@demo.ruamkhit.th")
    assert db.session.scalar(select(func.count()).select_from(Support).where(Support.user_id == resident4.id)) == 0
    # The spam comment is hidden pending review after three reports.
    spam = db.session.scalars(select(Comment).where(Comment.author_id == resident4.id)).one()
    assert spam.pending_review
    demo.load()
    assert counts() == first


def test_demo_without_ideas_does_nothing():
    base.load()
    before = counts()
    demo.load()
    assert counts() == before
