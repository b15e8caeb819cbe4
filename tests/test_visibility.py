"""Hidden content stays hidden: every page that takes an idea (or shows ideas' text), as every role.

The routes are found from app.url_map, so a new page that takes an idea id is
checked without anyone remembering to add it here. Two ideas of Chiang Mai
province are out of sight: one hidden by a moderator and one hidden pending
review after reports. Their title and description may appear only to their
author, the officials of Chiang Mai and administrators (app.permissions.can_see_idea);
never to a reader who is not signed in, a resident, or an official of another province.
"""
from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from app.accounts.models import Role
from app.core.timeutil import utcnow
from app.engagement import services as engagement
from app.engagement.models import Comment
from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import Notification
from app.permissions import can_see_comment, can_see_idea, visible_ideas_clause
from app.ideas.models import Idea
from tests.ideas.factories import create_idea, create_user, sign_in

ROLES = ("anonymous", "resident", "author", "official", "other_official", "admin")
ALLOWED = {"author", "official", "admin"}

# GET routes that act or answer with something other than a page about an idea.
SKIPPED_ENDPOINTS = {
    "static", "media.serve", "core.switch_language", "core.dev_outbox", "core.health", "accounts.verify_email",
    "accounts.reset_password", "notifications.open_notification", "privacy.download",
}
# The arguments this test knows how to fill; a rule needing anything else is about other objects.
FILLABLE = {"idea_id", "comment_id", "scope", "code"}


@pytest.fixture
def world(app):
    with app.test_request_context("/"):
        people = {
            "resident": create_user(name="ผู้อ่าน"),
            "author": create_user(name="ผู้เขียน"),
            "official": create_user(name="เจ้าหน้าที่เชียงใหม่", role=Role.PROVINCIAL_OFFICIAL, role_area="50"),
            "other_official": create_user(name="เจ้าหน้าที่ขอนแก่น", province="40", role=Role.PROVINCIAL_OFFICIAL,
                                          role_area="40"),
            "admin": create_user(name="ผู้ดูแลระบบ", role=Role.ADMIN),
        }
        talker = create_user(name="ผู้ร่วมคุย")
        ideas = {}
        for kind in ("hidden", "pending"):
            idea = create_idea(people["author"], "50", title=f"สะพานลอยหน้าตลาด SECRETTITLE{kind}",
                               description=f"ข้ามถนนลำบากมาก SECRETTEXT{kind}")
            # Before it went out of sight: the resident commented (and so follows it), someone answered.
            comment = engagement.add_comment(idea, people["resident"], f"เห็นด้วย SECRETCOMMENT{kind}")
            engagement.add_comment(idea, talker, f"ผมด้วย SECRETREPLY{kind}", parent=comment)
            if kind == "hidden":
                idea.hidden_at, idea.hidden_reason = utcnow(), "ข้อมูลส่วนบุคคล"
            else:
                idea.pending_review = True
            ideas[kind] = (idea, comment)
        db.session.commit()
    return people, ideas


def _client(app, people, role):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, people[role])
    return client


def _urls(app, idea: Idea, comment: Comment, role: str) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET page that takes an idea or a comment, or shows ideas of an area."""
    own_area = "40" if role == "other_official" else "50"
    values = {"idea_id": idea.id, "comment_id": comment.id, "scope": "p", "code": "50"}
    extra = {
        # The words of the title that are not the marker: a search page shows its query back.
        "ideas.search": {"q": idea.title.split()[0]},
        "ideas.similar": {"q": idea.title.split()[0]},
        "proposals.new_proposal": {"area": own_area, "idea": idea.id},
        "moderation.queue": {"show": "hidden"},
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED_ENDPOINTS or not rule.arguments <= FILLABLE:
            continue
        args = {name: values[name] for name in rule.arguments}
        if rule.defaults:
            args.update(rule.defaults)
        urls.append((rule.endpoint, url_for(rule.endpoint, **args, **extra.get(rule.endpoint, {}))))
    return urls


def test_the_routes_that_take_an_idea_are_all_enumerated(app):
    """The enumeration reaches the pages that leaked before (a guard against an empty or stale list)."""
    with app.test_request_context("/"):
        endpoints = {endpoint for endpoint, _ in _urls(app, Idea(id=1, title="x"), Comment(id=1), "resident")}
    assert {
        "ideas.show_idea", "ideas.edit_idea", "ideas.withdraw_idea", "engagement.new_comment",
        "engagement.edit_comment", "engagement.delete_comment", "moderation.report_idea",
        "moderation.report_comment", "triage.show_idea", "moderation.hide_idea", "ideas.list_ideas",
        "ideas.feed", "ideas.similar", "ideas.search", "notifications.list_notifications",
        "proposals.new_proposal", "areas.show_province",
    } <= endpoints


@pytest.mark.parametrize("role", ROLES)
def test_hidden_and_pending_ideas_show_their_text_only_to_those_allowed(app, world, role):
    people, ideas = world
    client = _client(app, people, role)
    leaks = []
    seen = set()
    for kind, (idea, comment) in ideas.items():
        with app.test_request_context("/"):
            urls = _urls(app, idea, comment, role)
        for endpoint, url in urls:
            if url in seen and "idea_id" not in url and "comment" not in url:
                continue
            seen.add(url)
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            body = response.get_data(as_text=True)
            for other_kind in ideas:
                secrets = [f"SECRETTITLE{other_kind}", f"SECRETTEXT{other_kind}", f"SECRETREPLY{other_kind}"]
                if role != "resident":  # the resident wrote this comment (and may delete it)
                    secrets.append(f"SECRETCOMMENT{other_kind}")
                for secret in secrets:
                    if secret in body and role not in ALLOWED:
                        leaks.append((endpoint, url, secret))
    assert leaks == []


@pytest.mark.parametrize("role", ROLES)
def test_the_idea_page_shows_the_text_to_exactly_those_allowed(app, world, role):
    """The other half: the rule lets the author, the area's officials and administrators read it."""
    people, ideas = world
    client = _client(app, people, role)
    for kind, (idea, _) in ideas.items():
        body = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
        assert (f"SECRETTITLE{kind}" in body) == (role in ALLOWED), kind
        assert (f"SECRETTEXT{kind}" in body) == (role in ALLOWED), kind
        assert "ซ่อน" in body  # everybody is told that it is hidden
        with app.test_request_context("/"):
            user = people.get(role)
            assert can_see_idea(user, idea) == (role in ALLOWED)
            listed = db.session.scalar(select(Idea.id).where(Idea.id == idea.id, visible_ideas_clause(user)))
            assert (listed is not None) == (role in ALLOWED)  # the SQL rule agrees with the Python one


def test_an_idea_list_shows_a_hidden_idea_to_its_author_and_officials_only(app, world):
    people, ideas = world
    for role in ROLES:
        body = _client(app, people, role).get("/p/50/ideas").get_data(as_text=True)
        assert ("SECRETTITLEhidden" in body) == (role in ALLOWED), role


def test_followers_notifications_no_longer_name_an_idea_hidden_later(app, world):
    people, ideas = world
    resident = people["resident"]
    notes = list(db.session.scalars(select(Notification).where(Notification.user_id == resident.id)))
    assert {n.idea_id for n in notes} == {idea.id for idea, _ in ideas.values()}  # told while it was visible
    with app.test_request_context("/"):
        for note in notes:
            assert "SECRETTITLE" not in notifications.render_message(note)
            assert str(notifications.HIDDEN_IDEA_MESSAGE) == notifications.render_message(note)
    page = _client(app, people, "resident").get("/notifications/").get_data(as_text=True)
    assert "ไม่แสดงแล้ว" in page
    assert "SECRETTITLE" not in page, page[page.index("SECRETTITLE") - 300:page.index("SECRETTITLE") + 100]
    # Restored: the notification reads with the idea's title again, as it reads now.
    idea, _ = ideas["hidden"]
    idea.hidden_at = None
    idea.title = "สะพานลอยหน้าตลาด RESTOREDTITLE"
    db.session.commit()
    page = _client(app, people, "resident").get("/notifications/").get_data(as_text=True)
    assert "RESTOREDTITLE" in page


def test_nobody_who_may_not_see_an_idea_is_notified_about_it(app, world):
    people, ideas = world
    idea, _ = ideas["hidden"]
    with app.test_request_context("/"):
        before = db.session.scalar(select(db.func.count()).select_from(Notification).where(
            Notification.user_id == people["resident"].id))
        notifications.register_kind("test.idea", "%(title)s")
        notifications.notify([people["resident"], people["author"]], "test.idea", params={"title": idea.title},
                             link=f"/ideas/{idea.id}", idea=idea)
        after = db.session.scalar(select(db.func.count()).select_from(Notification).where(
            Notification.user_id == people["resident"].id))
        assert after == before
        [note] = db.session.scalars(select(Notification).where(
            Notification.user_id == people["author"].id, Notification.kind == "test.idea"))
        assert "title" not in note.params and notifications.render_message(note) == idea.title


def test_a_hidden_idea_cannot_be_followed_but_can_be_unfollowed(app, world):
    people, ideas = world
    idea, _ = ideas["hidden"]
    client = _client(app, people, "other_official")
    page = client.post(f"/ideas/{idea.id}/follow", data={"want": "1"}, follow_redirects=True).get_data(as_text=True)
    assert "ติดตามไม่ได้" in page
    assert not engagement.is_following_idea(idea, people["other_official"])
    resident = _client(app, people, "resident")  # followed it before it was hidden
    assert engagement.is_following_idea(idea, people["resident"])
    resident.post(f"/ideas/{idea.id}/follow", data={"want": "0"})
    assert not engagement.is_following_idea(idea, people["resident"])


def test_proposal_form_prefills_only_from_a_visible_idea_of_the_officials_own_area(app, world):
    people, ideas = world
    public = create_idea(people["author"], "50", title="ลานจอดรถ PUBLICTITLE", description="ที่จอดไม่พอ PUBLICTEXT")
    db.session.commit()
    other = _client(app, people, "other_official")
    body = other.get(f"/proposals/new?area=40&idea={public.id}").get_data(as_text=True)
    assert "PUBLICTEXT" not in body and 'value="ลานจอดรถ PUBLICTITLE"' not in body  # another province's idea
    official = _client(app, people, "official")
    body = official.get(f"/proposals/new?area=50&idea={public.id}").get_data(as_text=True)
    assert "PUBLICTEXT" in body  # its own area's idea fills the form


def test_comment_visibility_follows_the_idea_and_the_comment(app, world):
    people, ideas = world
    idea, comment = ideas["pending"]
    with app.test_request_context("/"):
        assert can_see_comment(people["official"], comment) and not can_see_comment(people["resident"], comment)
        idea.pending_review = False
        assert can_see_comment(people["resident"], comment) and can_see_comment(None, comment)
        comment.pending_review = True
        assert can_see_comment(people["resident"], comment)  # its own author
        assert not can_see_comment(people["author"], comment) and can_see_comment(people["admin"], comment)


def test_a_proposal_page_does_not_name_an_idea_hidden_after_it_joined(app):
    from app.proposals.models import ProposalState
    from tests.proposals.test_services import make, moved
    from tests.triage.factories import create_idea as triage_idea
    from tests.triage.factories import official

    with app.test_request_context("/"):
        officer = official("3500102")
        proposal = make("3500102", actor=officer)
        idea = triage_idea(area_code="3500102", title="ไฟถนน JOINEDTITLE")
        from app.proposals import services as proposals

        proposals.add_idea(officer, proposal, idea, "รวมเข้าโครงการ")
        moved(proposal, ProposalState.UNDER_ASSESSMENT, actor=officer)  # public from here on
        idea.hidden_at, idea.hidden_reason = utcnow(), "สแปม"
        db.session.commit()
    reader = app.test_client()
    body = reader.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f"/ideas/{idea.id}" in body and "JOINEDTITLE" not in body and "ไอเดียที่ถูกซ่อน" in body
    sign_in(reader, officer)
    assert "JOINEDTITLE" in reader.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_adding_an_idea_by_number_does_not_name_an_idea_the_official_may_not_see(app, world):
    from tests.proposals.test_services import make

    people, ideas = world
    with app.test_request_context("/"):
        proposal = make("40", actor=people["other_official"])
        db.session.commit()
    client = _client(app, people, "other_official")
    idea, _ = ideas["hidden"]
    body = client.post(f"/proposals/{proposal.id}/ideas", data={"idea_id": str(idea.id)}).get_data(as_text=True)
    assert "SECRETTITLE" not in body and "ไม่พบไอเดียหมายเลขนี้" in body
