"""Factories for the privacy tests: a person with something of everything."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.engagement.models import AreaFollow, Comment, IdeaFollow, Support
from app.extensions import db
from app.ideas.models import IdeaPhoto
from app.moderation.models import Report, ReportReason
from app.notifications.models import Notification
from tests.engagement.factories import PASSWORD, area, create_idea, create_user, moderator_of, sign_in  # noqa: F401


def add_photo(idea, name: str) -> IdeaPhoto:
    folder = Path(current_app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"\xff\xd8\xff\xe0 fake jpeg " + name.encode())
    photo = IdeaPhoto(idea_id=idea.id, filename=name, content_type="image/jpeg", width=10, height=10, size_bytes=20)
    db.session.add(photo)
    db.session.flush()
    return photo


def busy_person(**kwargs):
    """A resident with an idea (and a photo), a comment, a support, follows, a report and a notification."""
    person = create_user(**kwargs)
    other = create_user(name="คนอื่น ทดสอบ")
    idea = create_idea(author=person, title="ขอไฟทางหน้าวัด")
    others_idea = create_idea(author=other, title="ซ่อมถนนลูกรัง")
    photo_name = f"p{person.id:031d}.jpg"
    add_photo(idea, photo_name)
    db.session.add_all([
        Comment(idea_id=others_idea.id, author_id=person.id, body="เห็นด้วยครับ =1+1"),
        Support(idea_id=others_idea.id, user_id=person.id),
        IdeaFollow(idea_id=others_idea.id, user_id=person.id),
        AreaFollow(area_id=area("50").id, user_id=person.id),
        Report(idea_id=others_idea.id, reporter_id=person.id, reason=ReportReason.SPAM, note="โฆษณา"),
        Notification(user_id=person.id, kind="idea.commented", params={"actor": "คนอื่น ทดสอบ", "title": "x"}, link="/ideas/1"),
        Notification(user_id=other.id, kind="idea.commented", params={"actor": person.display_name, "title": "y"},
                     link="/ideas/2", actor_id=person.id),
    ])
    others_idea.support_count = 1
    db.session.commit()
    return person, other, idea, others_idea, photo_name
