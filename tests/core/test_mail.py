"""Mail goes out under the site's name in the reader's language, with an HTML part beside the plain text."""
from __future__ import annotations

from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser

from flask_babel import force_locale

from app.core.mail import plain_body, send_email


def _sent(outbox):
    (msg,) = outbox()
    # Read back as a mail program would, from the bytes written.
    return BytesParser(policy=policy.default).parsebytes(bytes(msg))


def _from_header(msg) -> str:
    """The From header decoded as RFC 2047 says (adjacent encoded words join without a space;
    Python's own address parser adds one when a long Thai name was folded in two)."""
    raw = BytesParser(policy=policy.compat32).parsebytes(bytes(msg))["From"]
    return str(make_header(decode_header(raw)))


def test_thai_mail_has_a_thai_sender_name_and_an_html_part(app, outbox):
    with force_locale("th"):
        send_email("somsri@example.com", "ยืนยันอีเมล", "สวัสดีค่ะ\n\nเปิดลิงก์นี้: https://ruamkhit.example/verify/abc\n\nขอบคุณค่ะ <ทีมงาน>")
    msg = _sent(outbox)
    assert _from_header(msg) == "ร่วมคิด <no-reply@ruamkhit.local>"
    headers = bytes(msg).split(b"\n\n")[0]
    assert headers.isascii() and b"=?utf-8?" in headers  # the Thai name is encoded in the header
    assert msg.get_content_type() == "multipart/alternative"
    assert plain_body(msg).startswith("สวัสดีค่ะ")
    html = msg.get_body(("html",)).get_content()
    assert '<html lang="th">' in html and "<p>สวัสดีค่ะ</p>" in html
    assert '<a href="https://ruamkhit.example/verify/abc"' in html
    assert "&lt;ทีมงาน&gt;" in html and "<ทีมงาน>" not in html


def test_english_mail_is_from_ruamkhit(app, outbox):
    with force_locale("en"):
        send_email("a@example.com", "Hello", "Hello")
    msg = _sent(outbox)
    assert str(msg["From"]) == "Ruamkhit <no-reply@ruamkhit.local>"
    assert '<html lang="en">' in msg.get_body(("html",)).get_content()


def test_a_configured_sender_name_is_kept(app, outbox):
    previous = app.config["MAIL_DEFAULT_SENDER"]
    app.config["MAIL_DEFAULT_SENDER"] = "เทศบาลนครเชียงใหม่ <pb@cmcity.go.th>"
    try:
        with force_locale("th"):
            send_email("a@example.com", "ทดสอบ", "ทดสอบ")
    finally:
        app.config["MAIL_DEFAULT_SENDER"] = previous
    assert _from_header(_sent(outbox)) == "เทศบาลนครเชียงใหม่ <pb@cmcity.go.th>"
