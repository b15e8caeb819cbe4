"""Demo engagement: supports, comments with replies, follows, a few reports and the notifications they cause.

Runs after the ideas demo (DOMAIN_LOADERS) on the ideas of the demo areas, and
is idempotent: supports and follows are set, not toggled; a comment is added
only if its author has not already written the same text on that idea; a
report only if that person has not reported the item. resident4 supports
nothing, so the browser test can support an idea as a newcomer would.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.demo.base import demo_areas, demo_user
from app.engagement import services
from app.engagement.models import Comment
from app.extensions import db
from app.ideas.models import Idea, IdeaStatus

SUPPORTERS = ("resident1@demo.ruamkhit.th", "resident2@demo.ruamkhit.th", "resident3@demo.ruamkhit.th")

# (author, text) of a first comment, and optionally (author, text) of a reply to it.
CONVERSATIONS = (
    (("resident2@demo.ruamkhit.th", "เห็นด้วยอย่างยิ่งครับ ผมใช้เส้นทางนี้ทุกวัน ปัญหานี้ควรได้รับการแก้ไขโดยเร็ว"),
     ("resident1@demo.ruamkhit.th", "ขอบคุณที่ช่วยสนับสนุนค่ะ ถ้ามีรูปถ่ายเพิ่มเติมช่วยแนบไว้ในความคิดเห็นได้เลยนะคะ")),
    (("resident3@demo.ruamkhit.th", "ขอสนับสนุนค่ะ ช่วงหน้าฝนปัญหาหนักมาก เด็ก ๆ เดินทางไปโรงเรียนลำบาก"), None),
    (("resident1@demo.ruamkhit.th", "ควรสำรวจพื้นที่ก่อนว่าจุดไหนเร่งด่วนที่สุด แล้วทำเป็นระยะ ๆ จะได้ใช้งบประมาณคุ้มค่า"),
     ("officer@demo.ruamkhit.th", "ขอบคุณสำหรับข้อเสนอครับ เจ้าหน้าที่จะลงพื้นที่สำรวจภายในเดือนนี้ และจะแจ้งความคืบหน้าในหน้านี้")),
    (("resident2@demo.ruamkhit.th", "อยากให้เปิดเวทีประชาคมหมู่บ้านเพื่อรับฟังความเห็นชาวบ้านก่อนดำเนินการด้วยครับ"),
     ("resident3@demo.ruamkhit.th", "เห็นด้วยค่ะ จะได้ไม่ซ้ำซ้อนกับโครงการที่มีอยู่แล้ว")),
    (("resident3@demo.ruamkhit.th", "ปีที่แล้วเคยมีโครงการคล้ายกันในตำบลข้างเคียง ได้ผลดีมาก น่าจะนำมาเป็นต้นแบบได้"), None),
    (("resident1@demo.ruamkhit.th", "ขอให้คำนึงถึงผู้สูงอายุและผู้พิการด้วยนะคะ ทางลาดและราวจับสำคัญมาก"),
     ("resident2@demo.ruamkhit.th", "ใช่ครับ คุณแม่ผมใช้รถเข็นต้องอ้อมไกลทุกครั้ง")),
)

# A comment that residents report (three reports hide it pending review, for the moderation queue).
REPORTED_COMMENT = ("resident4@demo.ruamkhit.th", "ใครสนใจสินค้าลดราคา ทักไลน์มาเลย ส่งฟรีทั่วประเทศ!!!")
REPORTERS = (
    ("resident1@demo.ruamkhit.th", "โฆษณาขายของ ไม่เกี่ยวกับไอเดีย"),
    ("resident2@demo.ruamkhit.th", "ข้อความสแปม โพสต์ซ้ำหลายไอเดีย"),
    ("resident3@demo.ruamkhit.th", None),
)


def _demo_ideas() -> list[Idea]:
    """The ideas demo's own ideas only (found by their demo key, wherever they are now): later
    loaders (proposals) add ideas of their own, and counting those on a second run would add
    supports and reports."""
    from app.ideas.demo import IDEAS, demo_idea

    found = (demo_idea(row[5]) for row in IDEAS)
    return sorted(
        (idea for idea in found if idea is not None and idea.withdrawn_at is None and idea.hidden_at is None
         and not idea.pending_review and idea.status != IdeaStatus.MERGED),
        key=lambda idea: idea.id,
    )


def _comment_once(idea: Idea, email: str, body: str, parent: Comment | None = None, *, age: timedelta) -> Comment:
    author = demo_user(email)
    existing = db.session.scalar(
        select(Comment).where(Comment.idea_id == idea.id, Comment.author_id == author.id, Comment.body == body)
    )
    if existing is not None:
        return existing
    comment = services.add_comment(idea, author, body, parent)
    # Spread the conversation over the days after the idea, as it would have happened.
    comment.created_at = min(idea.created_at + age, comment.created_at)
    db.session.flush()
    return comment


def _load() -> None:
    from app.moderation import services as moderation
    from app.moderation.models import ReportReason

    ideas = _demo_ideas()
    if not ideas:
        return
    residents = {email: demo_user(email) for email in SUPPORTERS}
    # Supports: a varied, deterministic pattern (never the author's own idea).
    for k, idea in enumerate(ideas):
        for j, (email, user) in enumerate(residents.items()):
            if user.id != idea.author_id and (k * 7 + j * 3) % 5 < 3:
                services.set_support(idea, user, want=True)
    # Comments and replies on the first ideas.
    for idea, (first, reply) in zip(ideas, CONVERSATIONS):
        comment = _comment_once(idea, *first, age=timedelta(days=1, hours=3))
        if reply is not None:
            _comment_once(idea, *reply, parent=comment, age=timedelta(days=2, hours=5))
    # Follows: resident1 follows the province and the city, resident2 a few ideas.
    province, lgs = demo_areas()
    resident1 = demo_user("resident1@demo.ruamkhit.th")
    for area in (province, *lgs[:1]):
        services.set_area_follow(area, resident1, want=True)
    for idea in ideas[:3]:
        services.set_idea_follow(idea, demo_user("resident2@demo.ruamkhit.th"), want=True)
    # Reports: a spam comment reported by three people (hidden pending review) and one idea reported once.
    target = ideas[min(len(ideas) - 1, 6)]
    spam = _comment_once(target, *REPORTED_COMMENT, age=timedelta(days=3))
    for email, note in REPORTERS:
        reporter = demo_user(email)
        if spam.author_id != reporter.id and not moderation.has_reported(reporter, comment=spam) and spam.hidden_at is None:
            moderation.report_comment(spam, reporter, ReportReason.SPAM, note)
    reported_idea = ideas[-1]
    reporter = demo_user("resident3@demo.ruamkhit.th")
    if reported_idea.author_id != reporter.id and not moderation.has_reported(reporter, idea=reported_idea):
        moderation.report_idea(reported_idea, reporter, ReportReason.NOT_RELEVANT,
                               "เรื่องนี้น่าจะเป็นความรับผิดชอบของหน่วยงานอื่น")


def load() -> None:
    # Services build links with url_for and translate messages: give them a request context.
    with current_app.test_request_context("/"):
        _load()
    db.session.flush()
