"""A small world for the API tests: ideas (public, hidden, by a deleted account), and more as the API grows."""
from __future__ import annotations

from dataclasses import dataclass

from app.core.timeutil import utcnow
from app.extensions import db
from tests.ideas import factories as ideas


@dataclass
class World:
    public: object
    hidden: object
    pending: object
    orphan: object


def world() -> World:
    author = ideas.create_user(name="สมชาย ใจดี")
    public = ideas.create_idea(author, title="ซ่อมถนนหน้าวัด")
    hidden = ideas.create_idea(author, title="ความคิดที่ถูกซ่อน")
    hidden.hidden_at = utcnow()
    pending = ideas.create_idea(author, title="ความคิดที่รอตรวจ")
    pending.pending_review = True
    gone = ideas.create_user(name="ผู้ที่ลบบัญชีแล้ว")
    orphan = ideas.create_idea(gone, title="ไฟถนนดับ", area_code="5010101" if False else "50")
    gone.deleted_at = utcnow()
    db.session.flush()
    return World(public, hidden, pending, orphan)
