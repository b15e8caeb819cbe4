"""Email as a job: queued with the transaction that caused it, sent by a worker, sent once.

Each message gets its Message-ID when it is queued (kept in the payload). The
local outbox stores a message under a name made from that id, so a worker that
dies after writing the message and before marking the job done finds it there
and does not write it again. An SMTP server cannot be asked whether it already
took a message: a re-run sends it again with the same Message-ID, which mail
clients use to show it once.
"""
from __future__ import annotations

from email.utils import make_msgid

from flask_babel import lazy_gettext as _l

from app.core.mail import outbox_has, send_email
from app.jobs.models import Job
from app.jobs.services import JobContext, enqueue, register

MAIL_DOMAIN = "ruamkhit.local"


def queue_email(to: str, subject: str, body: str, *, key: str | None = None, user=None) -> Job:
    """Send an email from a worker after the current transaction commits (at once in tests)."""
    payload = {"to": to, "subject": subject[:200], "body": body, "message_id": make_msgid(domain=MAIL_DOMAIN)}
    return enqueue("mail.send", payload, key=key, user=user)


def deliver(payload: dict, ctx: JobContext) -> dict:
    """Send the message of a mail job unless the outbox already holds it (the shared step of every mail job)."""
    message_id = payload.get("message_id") or make_msgid(domain=MAIL_DOMAIN)
    if outbox_has(message_id):
        return {"message_id": message_id, "already_sent": True}
    send_email(payload["to"], payload["subject"], payload["body"], message_id=message_id)
    return {"message_id": message_id}


@register("mail.send", _l("Email"), max_attempts=8, retry_delay=60)
def send_mail_job(payload: dict, ctx: JobContext) -> dict:
    return deliver(payload, ctx)
