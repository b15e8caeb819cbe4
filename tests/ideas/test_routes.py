"""Idea pages through the test client: submit with preview, photos, edit, withdraw, bad input."""
from __future__ import annotations

from io import BytesIO

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.ideas.models import Idea, IdeaCategory
from tests.ideas.factories import area, create_idea, create_user, image_bytes, sign_in

NEW = "/p/50/ideas/new"
CREATE = "/p/50/ideas/create"


def form_data(**kw):
    data = {"title": "ติดตั้งไฟส่องสว่างถนน", "description": "ถนนมืด\n\nอันตรายตอนกลางคืน https://example.com/map",
            "category": "infrastructure", "subdistrict_code": "", "lat": "", "lon": ""}
    data.update(kw)
    return data


def latest_idea():
    return db.session.scalar(db.select(Idea).order_by(Idea.id.desc()))


@pytest.fixture
def resident(client):
    user = create_user(name="มานี มีนา")
    sign_in(client, user)
    return user


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unverified_accounts_get_a_clear_message(client):
    sign_in(client, create_user(verified=False))
    response = client.get(NEW)
    assert response.status_code == 403
    assert "อีเมล" in response.get_data(as_text=True)


def test_blocked_accounts_get_a_clear_message(client):
    user = create_user()
    user.is_blocked = True
    sign_in(client, user)
    response = client.post(CREATE, data=form_data())
    assert response.status_code == 403
    assert "ระงับ" in response.get_data(as_text=True)
    assert latest_idea() is None


def test_a_resident_of_another_province_is_told_why(client):
    sign_in(client, create_user(province="10"))
    response = client.get(NEW)
    assert response.status_code == 403 and "จังหวัด" in response.get_data(as_text=True)


def test_submit_goes_through_a_preview_listing_similar_ideas(client, resident):
    existing = create_idea(title="ขอไฟฟ้าส่องสว่างซอย 5", description="มืด")
    page = client.get(NEW).get_data(as_text=True)
    assert 'id="similar-ideas"' in page and "js/ideas.js" in page

    response = client.post(NEW, data=form_data(title="ติดตั้งไฟส่องสว่างถนน"))
    preview = response.get_data(as_text=True)
    assert response.status_code == 200
    assert existing.title in preview  # similar, found through the segmented word ส่องสว่าง
    assert 'name="title" value="ติดตั้งไฟส่องสว่างถนน"' in preview
    assert latest_idea() == existing  # nothing created yet

    response = client.post(CREATE, data=form_data(title="ติดตั้งไฟส่องสว่างถนน"))
    idea = latest_idea()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ideas/{idea.id}")
    assert idea.title == "ติดตั้งไฟส่องสว่างถนน" and idea.author_id == resident.id
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "ติดตั้งไฟส่องสว่างถนน" in page and "มานี มีนา" in page
    assert '<a href="https://example.com/map" rel="nofollow ugc noopener">' in page
    assert "<p>อันตรายตอนกลางคืน" in page  # paragraphs kept


def test_change_step_returns_to_the_form_with_the_values(client, resident):
    response = client.post(NEW, data={**form_data(title="ชื่อเดิม"), "action": "change"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="ชื่อเดิม"' in page and "<form" in page


def test_submit_with_photos_carried_through_the_preview(client, resident):
    photos = [(BytesIO(image_bytes("JPEG")), "a.jpg"), (BytesIO(image_bytes("PNG")), "b.png")]
    response = client.post(NEW, data={**form_data(), "photos": photos}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.count('src="/media/') == 2
    token = page.split('name="photo_token" value="')[1].split('"')[0]
    response = client.post(CREATE, data={**form_data(), "photo_token": token})
    assert response.status_code == 302
    idea = latest_idea()
    assert [p.content_type for p in idea.photos] == ["image/jpeg", "image/png"]
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert page.count(f'src="/media/{idea.photos[0].filename}"') == 1
    media = client.get(f"/media/{idea.photos[0].filename}")
    assert media.mimetype == "image/jpeg"
    media.close()


def test_a_photo_token_of_another_user_is_ignored(client, resident):
    response = client.post(NEW, data={**form_data(), "photos": [(BytesIO(image_bytes()), "a.jpg")]},
                           content_type="multipart/form-data")
    token = response.get_data(as_text=True).split('name="photo_token" value="')[1].split('"')[0]
    client.post("/logout")
    sign_in(client, create_user())
    assert client.post(CREATE, data={**form_data(), "photo_token": token}).status_code == 302
    assert latest_idea().photos == []
    assert client.post(CREATE, data={**form_data(), "photo_token": "forged.token"}).status_code == 302


@pytest.mark.parametrize("data, message", [
    (form_data(title=""), "ชื่อ"),
    (form_data(title="ก" * 151), "150"),
    (form_data(description=""), "รายละเอียด"),
    (form_data(description="ข" * 5001), "5,000"),
    (form_data(title="bad\x01"), "อักขระ"),
    (form_data(description="tab ok\tbut not \x1b"), "อักขระ"),
    (form_data(category="weather"), "หมวด"),
    (form_data(subdistrict_code="100101"), "ตำบล"),
    (form_data(lat="abc", lon="98.9"), "ตัวเลข"),
    (form_data(lat="48.85", lon="2.35"), "ประเทศไทย"),
    (form_data(lat="18.7"), "ละติจูด"),
])
def test_bad_input_shows_a_clear_message_and_creates_nothing(client, resident, data, message):
    for url in (NEW, CREATE):
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "error-summary" in page or "error-message" in page
        assert message in page, url
    assert latest_idea() is None


def test_an_image_that_is_not_an_image(client, resident):
    fake = (BytesIO(b"<?php system($_GET['c']); ?>"), "photo.jpg")
    response = client.post(NEW, data={**form_data(), "photos": [fake]}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "photo.jpg" in page and "JPEG" in page
    assert "check your idea" not in page.lower()


def test_more_than_five_photos(client, resident):
    photos = [(BytesIO(image_bytes()), f"{n}.jpg") for n in range(6)]
    response = client.post(NEW, data={**form_data(), "photos": photos}, content_type="multipart/form-data")
    assert response.status_code == 200 and "5" in response.get_data(as_text=True)
    assert "error-summary" in response.get_data(as_text=True)


def test_a_50_mb_upload_gets_the_form_back_with_a_message(client, resident):
    # The multipart body is built by hand: the test client would spool it to a temporary file.
    boundary = "ruamkhit-boundary"
    fields = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in form_data().items()
    ).encode()
    body = (fields + f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="huge.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode() + b"\xff\xd8" + b"\0" * (50 * 1024 * 1024)
            + f"\r\n--{boundary}--\r\n".encode())
    response = client.post(NEW, input_stream=BytesIO(body), content_length=len(body),
                           content_type=f"multipart/form-data; boundary={boundary}")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "5 MB" in page and "<form" in page
    assert latest_idea() is None


def test_html_and_script_in_every_field_are_shown_escaped(client, resident):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post(CREATE, data=form_data(title=evil[:150], description=evil + "\n" + evil))
    idea = latest_idea()
    assert idea.title == evil[:150]
    for url in (f"/ideas/{idea.id}", "/p/50/ideas", "/ideas/search?q=script+alert", "/p/50", "/p/50/ideas.atom",
                f"/ideas/search?q={evil}"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body, url
    assert "&lt;script&gt;" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    similar = client.get("/p/50/ideas/similar?q=script").get_json()
    assert similar["ideas"][0]["title"] == idea.title  # JSON: ideas.js inserts it as text
    # One translated phrase: the counting word after the number, no "(ได้รับแล้ว, 0 ผู้สนับสนุน)".
    assert similar["ideas"][0]["meta"].endswith("ผู้สนับสนุน 0 คน") and "," not in similar["ideas"][0]["meta"]


def test_the_rate_limit_on_submitting(client, resident):
    for n in range(5):
        assert client.post(CREATE, data=form_data(title=f"ไอเดีย {n}")).status_code == 302
    response = client.post(CREATE, data=form_data(title="ไอเดียที่หก"))
    assert response.status_code == 429
    assert "ชั่วโมง" in response.get_data(as_text=True)


def test_failed_validation_does_not_count_towards_the_rate_limit(client, resident):
    for _ in range(6):
        client.post(CREATE, data=form_data(title=""))
    assert client.post(CREATE, data=form_data()).status_code == 302


def test_author_edits_until_the_first_support(client, resident):
    idea = create_idea(resident)
    assert "/edit" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    page = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert idea.title in page
    response = client.post(f"/ideas/{idea.id}/edit", data=form_data(title="ชื่อใหม่", category="safety"))
    assert response.status_code == 302
    assert idea.title == "ชื่อใหม่" and idea.category is IdeaCategory.SAFETY

    idea.support_count = 1
    db.session.flush()
    response = client.post(f"/ideas/{idea.id}/edit", data=form_data(title="อีกครั้ง"))
    assert response.status_code == 302 and idea.title == "ชื่อใหม่"
    assert "/edit" not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_edit_can_remove_and_add_photos(client, resident):
    response = client.post(NEW, data={**form_data(), "photos": [(BytesIO(image_bytes()), "a.jpg")]},
                           content_type="multipart/form-data")
    token = response.get_data(as_text=True).split('name="photo_token" value="')[1].split('"')[0]
    client.post(CREATE, data={**form_data(), "photo_token": token})
    idea = latest_idea()
    old = idea.photos[0]
    response = client.post(
        f"/ideas/{idea.id}/edit",
        data={**form_data(), "remove_photo": str(old.id), "photos": [(BytesIO(image_bytes("PNG")), "n.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(idea)
    assert [p.content_type for p in idea.photos] == ["image/png"]
    assert client.get(f"/media/{old.filename}").status_code == 404


def test_others_cannot_edit_or_withdraw(client, resident):
    idea = create_idea(create_user())
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    assert client.post(f"/ideas/{idea.id}/edit", data=form_data(title="x")).status_code == 403
    assert client.post(f"/ideas/{idea.id}/withdraw").status_code == 403
    assert client.get("/ideas/999999").status_code == 404
    assert client.get("/ideas/999999/edit").status_code == 404


def test_withdraw_with_a_confirmation_step(client, resident):
    idea = create_idea(resident)
    assert "ถอน" in client.get(f"/ideas/{idea.id}/withdraw").get_data(as_text=True)
    assert client.post(f"/ideas/{idea.id}/withdraw").status_code == 302
    assert idea.is_withdrawn
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert idea.title in page and "ถอน" in page
    assert client.post(f"/ideas/{idea.id}/withdraw").status_code == 302  # twice: a message, no error
    assert "ถอนแล้ว" in client.get("/p/50/ideas").get_data(as_text=True)


def test_hidden_idea_shows_the_public_reason_in_place_of_the_content(client):
    idea = create_idea(title="เนื้อหาที่ถูกซ่อน", description="ข้อมูลส่วนตัว 0812345678")
    idea.hidden_at = idea.created_at
    idea.hidden_reason = "มีข้อมูลส่วนบุคคล"
    db.session.flush()
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "มีข้อมูลส่วนบุคคล" in page
    assert "เนื้อหาที่ถูกซ่อน" not in page and "0812345678" not in page
    official = create_user(role=Role.PROVINCIAL_OFFICIAL, role_area="50")
    sign_in(client, official)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "เนื้อหาที่ถูกซ่อน" in page and "มีข้อมูลส่วนบุคคล" in page


def test_idea_page_renders_sections_of_other_domains(client, app):
    idea = create_idea()
    providers = app.extensions.setdefault("ruamkhit_idea_sections", [])

    seen = []

    def provider(shown, user):
        seen.append((shown, user.is_authenticated))
        return "ideas/_area_section.html", {"area": shown.area, "counts": {}, "total": 0, "latest": []}

    providers.append(provider)
    try:
        page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    finally:
        providers.remove(provider)
    assert seen == [(idea, False)]
    assert "ไอเดียจากประชาชน" in page  # the section's template was included


def test_similar_ideas_json(client):
    idea = create_idea(area_code="3500102", title="ติดตั้งไฟส่องสว่างถนนนิมมาน")
    data = client.get("/lg/3500102/ideas/similar?q=ไฟฟ้าส่องสว่าง").get_json()
    assert [i["id"] for i in data["ideas"]] == [idea.id]
    assert data["ideas"][0]["url"] == f"/ideas/{idea.id}"
    assert client.get("/lg/3500102/ideas/similar?q=").get_json()["ideas"] == []
    assert client.get("/lg/0000000/ideas/similar?q=x").status_code == 404


def test_html_in_the_other_fields_is_refused_and_echoed_escaped(client, resident):
    data = form_data(category="<script>x</script>", subdistrict_code="<b>1</b>", lat="<script>", lon="<i>")
    for url in (NEW, CREATE):
        page = client.post(url, data=data).get_data(as_text=True)
        assert "<script>x" not in page and 'value="<script>"' not in page and "<b>1</b>" not in page
        assert "หมวดหมู่" in page and "ตัวเลข" in page
    assert latest_idea() is None
    page = client.get("/p/50/ideas?category=<script>&subdistrict=<b>&sort=<i>").get_data(as_text=True)
    assert "<script>" not in page.split("</head>")[1].replace('<script src="', "")


def test_a_50_mb_edit_of_someone_elses_hidden_idea_shows_nothing_of_it(client, resident, csrf_enabled):
    # With CSRF on (as in production) the body is read before the view checks who is asking.
    idea = create_idea(create_user(), title="ความลับที่ถูกซ่อน")
    idea.hidden_at = idea.created_at
    db.session.flush()
    body = b"x" * (31 * 1024 * 1024)
    response = client.post(f"/ideas/{idea.id}/edit", input_stream=BytesIO(body), content_length=len(body),
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "ความลับที่ถูกซ่อน" not in response.get_data(as_text=True)


def test_area_section_offers_submitting_only_in_the_residents_own_province(client):
    from tests.ideas.factories import create_user, sign_in

    resident = create_user(province="50")
    sign_in(client, resident)
    own = client.get("/p/50").get_data(as_text=True)
    assert "/p/50/ideas/new" in own
    other = client.get("/p/81").get_data(as_text=True)
    assert "/p/81/ideas/new" not in other
    assert "ท่านเสนอไอเดียได้เฉพาะจังหวัดที่ท่านอาศัยอยู่" in other
