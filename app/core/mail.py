"""Sending email: SMTP when MAIL_SERVER is set, otherwise a local outbox.

In development and tests each message is written as an .eml file under
OUTBOX_DIR, which an administrator can read at /dev/outbox (development only).
"""
from __future__ import annotations

import hashlib
import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app


def _build(to: str, subject: str, body: str, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain="ruamkhit.local")
    msg.set_content(body)
    return msg


def _outbox_name(message_id: str) -> str:
    return hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:40] + ".eml"


def outbox_has(message_id: str) -> bool:
    """Does the local outbox already hold this message? (Never true when mail goes to SMTP.)"""
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        return False
    return (Path(cfg["OUTBOX_DIR"]) / _outbox_name(message_id)).exists()


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
