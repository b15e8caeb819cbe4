"""Residents are told, in the app and by email in their language, when an official verifies
their residency or withdraws it (issue 12.17)."""
from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import render_message
from tests.accounts.factories import create_official, create_user, sign_in, valid_national_id


def notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


def test_verification_and_withdrawal_are_notified_in_thai(client, outbox):
    resident = create_user(display_name="มานี ชาวเมือง", email="manee@example.com", national_id=valid_national_id(),
                           subdistrict_code="500101", locale="th")
    officer = create_official(Role.LG_OFFICER, "3500102")
    sign_in(client, officer)
    client.post(f"/admin/areas/3500102/residents/{resident.id}/verify")
    [note] = notes(resident)
    assert note.kind == "residency.verified" and note.actor_id == officer.id and note.link == "/profile"
    with force_locale("th"):
        text = render_message(note)
    assert "เทศบาลนครเชียงใหม่" in text and "ตำบลศรีภูมิ" in text and "ลงคะแนน" in text
    with force_locale("en"):
        assert "Si Phum subdistrict" in render_message(note) and "Chiang Mai City Municipality" in render_message(note)
    [mail] = outbox()  # sent although email notifications are off: it is about the account
    assert mail["To"] == "manee@example.com"
    assert "ยืนยัน" in mail["Subject"] and "ตำบลศรีภูมิ" in mail.get_body(("plain",)).get_content()
    assert "/profile" in mail.get_body(("plain",)).get_content()

    client.post(f"/admin/areas/3500102/residents/{resident.id}/revoke")
    assert [n.kind for n in notes(resident)] == ["residency.verified", "residency.withdrawn"]
    mails = outbox()
    assert len(mails) == 2 and any("ถอน" in m["Subject"] for m in mails)
    assert notes(officer) == []  # the official is not told about their own action


def test_an_english_reader_gets_the_email_in_english(client, outbox):
    resident = create_user(email="pete@example.com", national_id=valid_national_id(), subdistrict_code="500108", locale="en")
    sign_in(client, create_official(Role.LG_OFFICER, "5500107"))
    client.post(f"/admin/areas/5500107/residents/{resident.id}/verify")
    [mail] = outbox()
    assert mail["Subject"].endswith("Your residency is verified")
    body = mail.get_body(("plain",)).get_content()
    assert "Suthep subdistrict" in body and "Suthep Subdistrict Municipality" in body


def test_a_refused_verification_tells_nobody(client, outbox):
    city_resident = create_user(national_id=valid_national_id(), subdistrict_code="500101")
    sign_in(client, create_official(Role.LG_OFFICER, "5500107"))
    client.post(f"/admin/areas/5500107/residents/{city_resident.id}/verify")
    assert notes(city_resident) == [] and outbox() == []


def test_an_unconfirmed_address_gets_the_note_in_the_app_only(client, outbox):
    resident = create_user(national_id=valid_national_id(), subdistrict_code="500101", email_verified=False)
    sign_in(client, create_official(Role.PROVINCIAL_OFFICIAL, "50"))
    client.post(f"/admin/areas/50/residents/{resident.id}/verify")
    assert [n.kind for n in notes(resident)] == ["residency.verified"] and outbox() == []
