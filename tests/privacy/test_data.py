"""Consents, the data download, account deletion, retention and officials' access: services and routes."""
import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.audit.models import AuditEntry
from app.core.timeutil import utcnow
from app.engagement.models import AreaFollow, Comment, IdeaFollow, Support
from app.extensions import db
from app.ideas.models import Idea, IdeaPhoto
from app.moderation.models import Report
from app.notifications.models import Notification
from app.notifications.services import render_message
from app.privacy import consents, notice
from app.privacy.access import RESIDENTS_LIST, log_access
from app.privacy.models import Consent, ConsentAction, OfficialAccess
from app.privacy.notice import NoticeVersion
from app.privacy.retention import run_all
from tests.privacy.factories import PASSWORD, busy_person, create_user, moderator_of, sign_in


def _zip(client):
    """Ask for the data download (a job: at once in tests) and download the file it built."""
    response = client.post("/profile/my-data")
    assert response.status_code == 302 and "/jobs/" in response.location
    page = client.get(response.location)
    assert page.status_code == 200
    job_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    response = client.get(f"/jobs/{job_id}/file")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    data = response.get_data()
    response.close()
    return zipfile.ZipFile(io.BytesIO(data))


def _csv(archive, name):
    raw = archive.read(name)
    assert raw.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


# --- consents -------------------------------------------------------------------------

def test_registration_records_the_notice_version_accepted(client):
    client.post("/register", data={"email": "new.person@example.com", "display_name": "คนใหม่", "province_code": "50",
                                   "password": PASSWORD, "password_again": PASSWORD, "consent": "y"})
    user = db.session.scalar(select(User).where(User.email == "new.person@example.com"))
    rows = consents.history(user)
    assert [(r.purpose, r.version, r.action) for r in rows] == [("privacy_notice", notice.current_notice().version, ConsentAction.GIVEN)]


def test_email_consent_given_and_withdrawn_from_the_privacy_page_and_the_profile(client):
    user = create_user()
    sign_in(client, user)
    client.post("/profile/privacy/consents/email_notifications/give")
    assert db.session.get(User, user.id).email_notifications
    client.post("/profile/privacy/consents/email_notifications/withdraw")
    assert not db.session.get(User, user.id).email_notifications
    # The notifications page's setting is the same consent, recorded the same way.
    client.post("/notifications/email", data={"email_notifications": "y"})
    actions = [r.action.value for r in consents.history(user) if r.purpose == "email_notifications"]
    assert actions[:2] == ["given", "withdrawn"]
    html = client.get("/profile/privacy").get_data(as_text=True)
    assert "ถอนความยินยอมนี้" in html or "ให้ความยินยอมนี้" in html


def test_withdrawing_a_consent_never_given_says_so_and_changes_nothing(client):
    user = create_user()
    sign_in(client, user)
    before = len(consents.history(user))
    response = client.post("/profile/privacy/consents/email_notifications/withdraw", follow_redirects=True)
    assert response.status_code == 200
    assert "ท่านยังไม่ได้ให้ความยินยอมนี้" in response.get_data(as_text=True)
    assert len(consents.history(user)) == before
    assert client.post("/profile/privacy/consents/nonsense/withdraw", follow_redirects=True).status_code == 200
    assert client.post("/profile/privacy/consents/privacy_notice/withdraw", follow_redirects=True).status_code == 200
    assert len(consents.history(user)) == before


NEXT_VERSION = "2569-99"


@pytest.fixture
def changed_notice(monkeypatch):
    """A call that publishes a new version (NEXT_VERSION), which changes both consents (after the people were created)."""
    return lambda: _publish(monkeypatch)


def _publish(monkeypatch):
    history = notice.NOTICE_HISTORY + (
        NoticeVersion(NEXT_VERSION, notice.NOTICE_HISTORY[-1].published + timedelta(days=30), "weekly digest",
                      reconsent=("privacy_notice", "email_notifications")),
    )
    monkeypatch.setattr(notice, "NOTICE_HISTORY", history)
    monkeypatch.setattr(consents, "NOTICE_HISTORY", history)


def test_a_changed_notice_asks_once_and_declining_keeps_the_rest(client, changed_notice):
    user = create_user(email_notifications=True)
    db.session.commit()
    changed_notice()
    sign_in(client, user)
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/privacy/review" in response.location
    assert client.get(response.location).status_code == 200
    client.post("/privacy/review", data={"decision": "decline", "next": "/notifications/"})
    user = db.session.get(User, user.id)
    assert not user.email_notifications  # the consent-based part stops
    assert client.get("/notifications/").status_code == 200  # everything else works; not asked again
    assert client.get("/p/50/ideas/new").status_code == 200
    last = consents.latest(user, "privacy_notice")
    assert last.action is ConsentAction.DECLINED and last.version == NEXT_VERSION
    # Deciding twice is refused politely.
    assert client.post("/privacy/review", data={"decision": "accept"}, follow_redirects=True).status_code == 200


def test_accepting_the_changed_notice_records_the_new_version(client, changed_notice):
    user = create_user(email_notifications=True)
    db.session.commit()
    changed_notice()
    sign_in(client, user)
    client.post("/privacy/review", data={"decision": "accept", "next": "/"})
    user = db.session.get(User, user.id)
    assert user.consent_version == NEXT_VERSION and user.email_notifications
    assert consents.pending(user) == []


# --- data download ----------------------------------------------------------------------

def test_the_download_holds_everything_about_the_person_and_nothing_about_others(client):
    person, other, idea, others_idea, photo = busy_person()
    official = moderator_of("50")
    log_access(official, [person], RESIDENTS_LIST)
    db.session.commit()
    sign_in(client, person)
    archive = _zip(client)
    names = set(archive.namelist())
    for part in ("account", "residency", "ideas", "photos", "comments", "supports", "follows", "reports",
                 "notifications", "voting", "consents", "audit", "official_access", "roles"):
        assert f"{part}.csv" in names
    assert f"photos/{photo}" in names
    data = json.loads(archive.read("data.json"))
    assert data["datasets"]["account"][0]["email"] == person.email
    assert data["fields"]["account"]["email"]
    assert [i["title"] for i in data["datasets"]["ideas"]] == ["ขอไฟทางหน้าวัด"]
    assert len(data["datasets"]["notifications"]) == 1
    assert data["datasets"]["official_access"][0]["page"] == "residents_list"
    assert "national_id" in data["notes"] and "voting" in data["notes"]
    comments = _csv(archive, "comments.csv")
    assert comments[0]["body"] == "เห็นด้วยครับ =1+1"  # not a formula start: kept as typed
    assert _csv(archive, "supports.csv")[0]["idea_id"] == str(others_idea.id)
    assert other.email.encode() not in archive.read("data.json")
    assert "ขอไฟทางหน้าวัด" in _csv(archive, "ideas.csv")[0]["title"]


def test_the_download_never_holds_the_national_id_or_how_one_voted(client):
    from tests.accounts.factories import valid_national_id

    number = valid_national_id()
    person = create_user()
    from app.accounts import services as accounts

    accounts.set_national_id(person, number)
    db.session.commit()
    sign_in(client, person)
    archive = _zip(client)
    everything = b"".join(archive.read(n) for n in archive.namelist())
    assert number.encode() not in everything
    assert db.session.get(User, person.id).national_id_hash.encode() not in everything
    assert _csv(archive, "residency.csv")[0]["national_id_held"] == "keyed hash only"


def test_there_is_no_id_to_change_in_the_download(client):
    person, other, *_ = busy_person()
    sign_in(client, person)
    response = client.post(f"/profile/my-data?user_id={other.id}&id={other.id}", data={"user_id": other.id})
    job_id = int(response.location.rsplit("/", 1)[1])
    response = client.get(f"/jobs/{job_id}/file")
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.get_data())).read("data.json"))
    response.close()
    assert data["account_id"] == person.id
    client.post("/logout")
    assert client.post("/profile/my-data").status_code == 302  # sign in first
    assert "/login" in client.post("/profile/my-data").location


# --- deletion --------------------------------------------------------------------------

def test_deleting_an_account_erases_personal_data_and_keeps_public_content(client, app):
    from pathlib import Path

    person, other, idea, others_idea, photo = busy_person(email_notifications=True)
    db.session.commit()
    sign_in(client, person)
    response = client.post("/profile/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    gone = db.session.get(User, person.id)
    assert gone.deleted_at is not None and gone.email.endswith("@deleted.invalid")
    assert gone.stored_name == "" and gone.national_id_hash is None and gone.subdistrict_code is None
    assert gone.password_hash == "" and not gone.email_notifications
    assert str(gone.display_name) == "ผู้ใช้ที่ลบบัญชีแล้ว"
    assert db.session.get(Idea, idea.id) is not None
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.author_id == person.id)) == 1
    assert db.session.get(Idea, others_idea.id).support_count == 1
    assert db.session.scalar(select(func.count()).select_from(Support).where(Support.user_id == person.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Report).where(Report.reporter_id == person.id)) == 1
    for model in (IdeaFollow, AreaFollow):
        assert db.session.scalar(select(func.count()).select_from(model).where(model.user_id == person.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == person.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(IdeaPhoto).where(IdeaPhoto.idea_id == idea.id)) == 0
    assert not (Path(app.config["UPLOAD_DIR"]) / photo).exists()
    # Other people's notifications no longer carry the name.
    note = db.session.scalar(select(Notification).where(Notification.user_id == other.id))
    assert "ผู้ใช้ที่ลบบัญชีแล้ว" in render_message(note)
    # Consents remain only as the record given then withdrawn.
    actions = [(r.purpose, r.action.value) for r in consents.history(gone)]
    assert ("email_notifications", "withdrawn") == actions[-1] or ("email_notifications", "withdrawn") in actions
    # Audited without personal data.
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.delete"))
    assert entry.ip is None and entry.object_id == person.id and "@" not in json.dumps(entry.details)
    # The idea page shows the deleted account; the person is signed out and cannot sign in again.
    assert "ผู้ใช้ที่ลบบัญชีแล้ว" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 200


def test_email_and_national_id_are_free_again_at_once(client):
    from app.accounts import services as accounts
    from tests.accounts.factories import valid_national_id

    number = valid_national_id()
    person = create_user(email="again@example.com")
    accounts.set_national_id(person, number)
    db.session.commit()
    sign_in(client, person)
    client.post("/profile/delete", data={"password": PASSWORD, "keep_photos": "y"})
    again = accounts.create_user("again@example.com", PASSWORD, "คนเดิม", "50", consent=True)
    accounts.set_national_id(again, number)
    assert again.national_id_hash is not None


def test_keeping_photos_keeps_them(client, app):
    person, _, idea, _, photo = busy_person()
    sign_in(client, person)
    client.post("/profile/delete", data={"password": PASSWORD, "keep_photos": "y"})
    assert db.session.scalar(select(func.count()).select_from(IdeaPhoto).where(IdeaPhoto.idea_id == idea.id)) == 1


def test_wrong_password_deletes_nothing(client):
    person = create_user()
    sign_in(client, person)
    response = client.post("/profile/delete", data={"password": "not my password at all"})
    assert response.status_code == 200
    assert "รหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)
    assert db.session.get(User, person.id).deleted_at is None


def test_an_official_cannot_delete_while_holding_a_role(client):
    official = moderator_of("50")
    db.session.commit()
    sign_in(client, official)
    html = client.get("/profile/delete").get_data(as_text=True)
    assert "ท่านยังมีบทบาทเจ้าหน้าที่อยู่" in html
    client.post("/profile/delete", data={"password": PASSWORD})
    assert db.session.get(User, official.id).deleted_at is None


def test_a_second_deletion_is_harmless(client):
    person = create_user()
    sign_in(client, person)
    client.post("/profile/delete", data={"password": PASSWORD})
    response = client.post("/profile/delete", data={"password": PASSWORD})
    assert response.status_code == 302 and "/login" in response.location
    from app.privacy import services

    with pytest.raises(services.PrivacyError):
        services.delete_own_account(db.session.get(User, person.id), PASSWORD, keep_photos=False)


# --- retention --------------------------------------------------------------------------

def test_purge_runs_every_rule_and_twice_removes_nothing_more(app):
    from click.testing import CliRunner  # noqa: F401

    now = utcnow()
    stale = create_user(verified=False)
    stale.created_at = now - timedelta(days=31)
    fresh = create_user(verified=False)
    confirmed = create_user()
    confirmed.created_at = now - timedelta(days=400)
    old = AuditEntry(action="x", ip="203.0.113.9", at=now - timedelta(days=91))
    recent = AuditEntry(action="x", ip="203.0.113.10", at=now - timedelta(days=10))
    db.session.add_all([old, recent, OfficialAccess(official_id=confirmed.id, subject_id=fresh.id, page="residents_list",
                                                    at=now - timedelta(days=800))])
    db.session.commit()
    counts = {rule.key: n for rule, n in run_all(now)}
    db.session.commit()
    assert counts["unconfirmed_accounts"] == 1 and counts["audit_ips"] >= 1 and counts["access_log"] == 1
    assert db.session.get(User, stale.id).deleted_at is not None
    assert db.session.get(User, fresh.id).deleted_at is None
    assert db.session.get(User, confirmed.id).deleted_at is None
    assert db.session.get(AuditEntry, old.id).ip is None and db.session.get(AuditEntry, recent.id).ip == "203.0.113.10"
    again = {rule.key: n for rule, n in run_all(now)}
    assert all(n == 0 for key, n in again.items() if key != "outbox")


def test_purge_command_prints_what_it_removed(app):
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    for key in ("unconfirmed_accounts", "audit_ips", "access_log", "outbox", "total"):
        assert key in result.output


def test_outbox_is_emptied_at_once_in_production(app, tmp_path):
    old = app.config["OUTBOX_DIR"], app.config["OUTBOX_RETENTION_DAYS"]
    app.config.update(OUTBOX_DIR=str(tmp_path), OUTBOX_RETENTION_DAYS=0)
    try:
        (tmp_path / "a.eml").write_text("x")
        counts = {rule.key: n for rule, n in run_all(utcnow() + timedelta(seconds=1))}
        assert counts["outbox"] == 1 and not (tmp_path / "a.eml").exists()
    finally:
        app.config.update(OUTBOX_DIR=old[0], OUTBOX_RETENTION_DAYS=old[1])


# --- officials' access ------------------------------------------------------------------

def test_officials_opening_residents_and_report_authors_is_logged(client):
    from tests.accounts.factories import create_admin

    resident = create_user()
    official = moderator_of("50")
    db.session.commit()
    sign_in(client, official)
    assert client.get("/admin/areas/50/residents").status_code == 200
    idea = busy_person()[2]
    assert client.get(f"/moderation/ideas/{idea.id}/hide").status_code == 200
    rows = db.session.scalars(select(OfficialAccess).where(OfficialAccess.official_id == official.id)).all()
    pages = {(r.subject_id, r.page) for r in rows}
    assert (resident.id, "residents_list") in pages
    assert (idea.author_id, "report_author") in pages
    assert official.id not in {r.subject_id for r in rows}
    client.post("/logout")
    admin = create_admin()
    client.post("/login", data={"email": admin.email, "password": PASSWORD})
    html = client.get(f"/admin/privacy/access?subject={resident.email}").get_data(as_text=True)
    assert "รายชื่อผู้อยู่อาศัย" in html and resident.email in html
    assert client.get("/admin/privacy/access?subject=nobody@example.com").status_code == 200
    client.post("/logout")
    sign_in(client, resident)
    assert client.get("/admin/privacy/access").status_code == 403
