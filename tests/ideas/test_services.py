"""Submitting, editing (until the first support or comment) and withdrawing ideas, without HTTP."""
from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.ideas import services
from app.ideas.models import Idea, IdeaCategory, IdeaSearchTerm, IdeaStatus
from app.ideas.services import IdeaError, IdeaInput
from tests.ideas.factories import area, create_idea, create_user


def _input(**kw) -> IdeaInput:
    values = {"title": "ซ่อมถนนลูกรัง", "description": "ถนนเป็นหลุมเป็นบ่อ", "category": IdeaCategory.INFRASTRUCTURE}
    values.update(kw)
    return IdeaInput(**values)


def test_submit_creates_a_received_idea_indexed_for_search():
    author = create_user()
    idea = services.submit_idea(author, area("3500102"), _input(subdistrict_code="500101"))
    assert idea.id and idea.status is IdeaStatus.RECEIVED
    assert idea.area.code == "3500102" and idea.author_id == author.id
    assert idea.support_count == 0 and idea.comment_count == 0
    assert idea.is_publicly_visible and not idea.is_withdrawn and idea.can_be_edited
    terms = set(db.session.scalars(db.select(IdeaSearchTerm.term).where(IdeaSearchTerm.idea_id == idea.id)))
    assert {"ซ่อม", "ถนนลูกรัง"} <= terms


def test_submit_normalises_whitespace_and_newlines():
    idea = services.submit_idea(create_user(), area(), _input(title="  ไฟ   ดับ  ", description="a\r\n\r\nb  \r\n"))
    assert idea.title == "ไฟ ดับ"
    assert idea.description == "a\n\nb"


@pytest.mark.parametrize("kw, field", [
    ({"title": "   "}, "title"),
    ({"title": "ก" * 151}, "title"),
    ({"description": ""}, "description"),
    ({"description": "x" * 5001}, "description"),
    ({"title": "bad\x00title"}, "title"),
    ({"description": "bell\x07"}, "description"),
    ({"category": None}, "category"),
    ({"subdistrict_code": "100101"}, "subdistrict_code"),  # Bangkok, not in Chiang Mai
    ({"lat": 18.7}, "lat"),
    ({"lat": 48.8, "lon": 2.3}, "lat"),  # Paris
])
def test_bad_input_is_refused_and_nothing_is_created(kw, field):
    before = db.session.scalar(db.select(db.func.count(Idea.id)))
    with pytest.raises(IdeaError) as error:
        services.submit_idea(create_user(), area(), _input(**kw))
    assert error.value.field == field
    assert db.session.scalar(db.select(db.func.count(Idea.id))) == before


def test_a_subdistrict_of_another_local_government_is_refused():
    # 5500107 (Suthep) lies in district 5001 too, but 500102 (Si Phum) ...: use a district outside it
    with pytest.raises(IdeaError):
        services.submit_idea(create_user(), area("3500102"), _input(subdistrict_code="500201"))


def test_only_verified_unblocked_residents_of_the_province_may_submit():
    with pytest.raises(IdeaError):
        services.submit_idea(create_user(verified=False), area(), _input())
    blocked = create_user()
    blocked.is_blocked = True
    with pytest.raises(IdeaError):
        services.submit_idea(blocked, area(), _input())
    with pytest.raises(IdeaError):
        services.submit_idea(create_user(province="10"), area("50"), _input())


def test_author_can_edit_until_the_first_support_or_comment():
    author = create_user()
    idea = create_idea(author)
    services.edit_idea(author, idea, _input(title="ขอไฟถนนเพิ่ม", category=IdeaCategory.SAFETY))
    assert idea.title == "ขอไฟถนนเพิ่ม" and idea.category is IdeaCategory.SAFETY
    terms = set(db.session.scalars(db.select(IdeaSearchTerm.term).where(IdeaSearchTerm.idea_id == idea.id)))
    assert {"ไฟถนน", "หลุม"} <= terms and "ถนนลูกรัง" not in terms  # the new title and the description

    idea.support_count = 1  # what the engagement services do on the first support
    assert not idea.can_be_edited
    with pytest.raises(IdeaError):
        services.edit_idea(author, idea, _input(title="แก้อีก"))
    idea.support_count, idea.comment_count = 0, 1
    with pytest.raises(IdeaError):
        services.edit_idea(author, idea, _input(title="แก้อีก"))
    assert idea.title == "ขอไฟถนนเพิ่ม"


def test_nobody_else_can_edit_or_withdraw():
    idea = create_idea()
    other = create_user()
    official = create_user(role=Role.PROVINCIAL_OFFICIAL, role_area="50")
    for user in (other, official):
        with pytest.raises(IdeaError):
            services.edit_idea(user, idea, _input(title="แก้"))
        with pytest.raises(IdeaError):
            services.withdraw_idea(user, idea)


def test_withdraw_keeps_the_idea_visible_and_marked():
    author = create_user()
    idea = create_idea(author)
    idea.support_count = 3
    services.withdraw_idea(author, idea)
    assert idea.is_withdrawn and idea.is_publicly_visible
    with pytest.raises(IdeaError):
        services.withdraw_idea(author, idea)
    with pytest.raises(IdeaError):
        services.edit_idea(author, idea, _input())
    page = services.list_ideas(area(), services.IdeaFilters())
    assert idea in page.ideas


def test_hidden_idea_cannot_be_edited():
    author = create_user()
    idea = create_idea(author)
    idea.pending_review = True
    assert not idea.is_publicly_visible
    with pytest.raises(IdeaError):
        services.edit_idea(author, idea, _input())


def test_referring_an_idea_to_another_area_moves_its_search_rows():
    idea = create_idea(title="สะพานลอยข้ามถนน")
    idea.area = area("3500102")
    db.session.flush()
    areas_of_rows = set(db.session.scalars(db.select(IdeaSearchTerm.area_id).where(IdeaSearchTerm.idea_id == idea.id)))
    assert areas_of_rows == {area("3500102").id}
