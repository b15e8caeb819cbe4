"""Sending email: SMTP when MAIL_SERVER is set, otherwise a local outbox.

In development and tests each message is written as an .eml file under
OUTBOX_DIR, which an administrator can read at /dev/outbox (development only).
"""
from __future__ import annotations

import hashlib
import os
import smtplib
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

# The name config.py gives the sender by default; it is replaced by the site's name in the
# message's language. A sender configured with another name keeps it.
DEFAULT_SENDER_NAME = "Ruamkhit"


def sender(config_value: str) -> Address:
    """The From address: the configured mailbox under the site's name in the message's language
    (ร่วมคิด in Thai), unless the configuration names the sender itself."""
    name, address = parseaddr(config_value)
    if not name or name == DEFAULT_SENDER_NAME:
        name = str(_l("Ruamkhit"))
    username, _at, domain = address.partition("@")
    return Address(display_name=name, username=username, domain=domain)


def plain_text_html(body: str) -> str:
    """The HTML part of a message: its plain text, escaped, in paragraphs, links clickable."""
    from app.core.locale import current_locale
    from app.ideas.text import linkify

    lang = current_locale()
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"></head>\n'
        '<body style="font-family: \'Noto Sans Thai\', Tahoma, Arial, sans-serif; font-size: 16px; line-height: 1.6; color: #1b1b1b">\n'
        f"{linkify(body)}\n</body></html>\n"
    )


def _build(to: str, subject: str, body: str, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender(current_app.config["MAIL_DEFAULT_SENDER"])
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain="ruamkhit.local")
    # Plain text first, HTML beside it (multipart/alternative): mail programs show the HTML,
    # with the Thai font and clickable links; the plain text is there for those that do not.
    msg.set_content(body)
    msg.add_alternative(plain_text_html(body), subtype="html")
    return msg


def _outbox_name(message_id: str) -> str:
    return hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:40] + ".eml"


def outbox_has(message_id: str) -> bool:
    """Does the local outbox already hold this message? (Never true when mail goes to SMTP.)"""
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        return False
    return (Path(cfg["OUTBOX_DIR"]) / _outbox_name(message_id)).exists()


def plain_body(msg: EmailMessage) -> str:
    """The plain-text part of a message, as the outbox page and tests read it."""
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def send_email(to: str, subject: str, body: str, message_id: str | None = None) -> None:
    """Send one message. With `message_id` (a mail job's), the outbox keeps one file per id."""
    msg = _build(to, subject, body, message_id)
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        smtp_cls = smtplib.SMTP_SSL if cfg.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
            if cfg.get("MAIL_USE_TLS") and not cfg.get("MAIL_USE_SSL"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
        return
    outbox = Path(cfg["OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = _outbox_name(message_id) if message_id else f"{uuid.uuid1().hex}.eml"
    # Written whole, then renamed: a worker killed mid-write leaves no half message that counts as sent.
    partial = outbox / f".{name}.{os.getpid()}.part"
    partial.write_bytes(bytes(msg))
    os.replace(partial, outbox / name)


def read_outbox(limit: int = 50) -> list[EmailMessage]:
    """The newest messages in the development outbox, newest first."""
    from email import policy
    from email.parser import BytesParser

    outbox = Path(current_app.config["OUTBOX_DIR"])
    if not outbox.is_dir():
        return []
    files = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(f.read_bytes()) for f in files]
