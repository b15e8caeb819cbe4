"""Retention rules, run together by `flask --app wsgi privacy purge`.

Each rule clears what has been kept long enough and returns how many records
it cleared; running the rules again at once clears nothing more. The numbers
of days are settings (config.py) and are quoted by the privacy notice.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app.extensions import db
from app.privacy.registry import Rule


def _cutoff(now: datetime, setting: str) -> datetime:
    return now - timedelta(days=int(current_app.config[setting]))


def purge_unconfirmed_accounts(now: datetime) -> int:
    from app.accounts.models import User
    from app.privacy.erasure import erase_account

    stale = db.session.scalars(
        select(User).where(
            User.email_verified_at.is_(None), User.deleted_at.is_(None),
            User.created_at < _cutoff(now, "UNCONFIRMED_ACCOUNT_DAYS"),
        ).order_by(User.id)
    ).all()
    files: list[str] = []
    for user in stale:
        if user.roles:  # an official's account is never removed by a rule
            continue
        files += erase_account(user, keep_photos=False).photo_files
    _delete_files_after_commit(files)
    return len([u for u in stale if not u.roles])


def _delete_files_after_commit(names: list[str]) -> None:
    if not names:
        return
    from sqlalchemy import event

    from app.media.storage import delete_image

    session = db.session()

    @event.listens_for(session, "after_commit", once=True)
    def _remove(_session) -> None:
        for name in names:
            delete_image(name)


def clear_audit_ips(now: datetime) -> int:
    from app.audit.models import AuditEntry

    return db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.ip.is_not(None), AuditEntry.at < _cutoff(now, "IP_RETENTION_DAYS"))
        .values(ip=None)
        .execution_options(synchronize_session=False)
    ).rowcount or 0


def purge_access_log(now: datetime) -> int:
    from app.privacy.models import OfficialAccess

    return db.session.execute(
        delete(OfficialAccess)
        .where(OfficialAccess.at < _cutoff(now, "ACCESS_LOG_RETENTION_DAYS"))
        .execution_options(synchronize_session=False)
    ).rowcount or 0


def purge_outbox(now: datetime) -> int:
    folder = Path(current_app.config["OUTBOX_DIR"])
    if not folder.is_dir():
        return 0
    limit = _cutoff(now, "OUTBOX_RETENTION_DAYS").timestamp()
    removed = 0
    for path in folder.glob("*.eml"):
        try:
            if path.stat().st_mtime <= limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another purge got there first
            continue
    return removed


def purge_finished_jobs(now: datetime) -> int:
    from app.jobs.models import Job, JobState

    return db.session.execute(
        delete(Job)
        .where(Job.state.in_([JobState.DONE, JobState.FAILED]), Job.finished_at < _cutoff(now, "JOBS_RETENTION_DAYS"))
        .execution_options(synchronize_session=False)
    ).rowcount or 0


def purge_job_files(now: datetime) -> int:
    from app.jobs.files import purge

    return purge(now)


UNCONFIRMED_ACCOUNTS = Rule(
    "unconfirmed_accounts",
    _l("Accounts whose email address was not confirmed within %(days)d days: erased"),
    purge_unconfirmed_accounts, "UNCONFIRMED_ACCOUNT_DAYS",
)
AUDIT_IPS = Rule(
    "audit_ips",
    _l("IP addresses in the audit log older than %(days)d days: cleared"),
    clear_audit_ips, "IP_RETENTION_DAYS",
)
ACCESS_LOG = Rule(
    "access_log",
    _l("Records of officials' access older than %(days)d days: removed"),
    purge_access_log, "ACCESS_LOG_RETENTION_DAYS",
)
OUTBOX = Rule(
    "outbox",
    _l("Mail in the local outbox older than %(days)d days: removed"),
    purge_outbox, "OUTBOX_RETENTION_DAYS",
)

FINISHED_JOBS = Rule(
    "finished_jobs",
    _l("Finished background jobs (an email job holds the address and the message) older than %(days)d days: removed"),
    purge_finished_jobs, "JOBS_RETENTION_DAYS",
)

JOB_FILES = Rule(
    "job_files",
    _l("Prepared download files (a data download, a large export) older than %(days)d days: removed"),
    purge_job_files, "JOB_FILE_DAYS",
)


def purge_resident_list_uploads(now: datetime) -> int:
    from app.accounts.jobs import remove_stale_uploads

    return remove_stale_uploads(int(current_app.config["RESIDENT_LIST_UPLOAD_RETENTION_DAYS"]) * 86400, now)


RESIDENT_LIST_UPLOADS = Rule(
    "resident_list_uploads",
    _l("Uploaded resident list files that no job read (the job failed) older than %(days)d days: removed"),
    purge_resident_list_uploads, "RESIDENT_LIST_UPLOAD_RETENTION_DAYS",
)


def run_all(now: datetime) -> list[tuple[Rule, int]]:
    """Run every retention rule of the registry (the caller commits)."""
    from app.privacy.registry import rules

    results = []
    for rule in rules():
        results.append((rule, rule.run(now)))
    db.session.flush()
    return results


def describe(rule: Rule) -> str:
    days = int(current_app.config[rule.setting]) if rule.setting else 0
    return str(rule.description) % {"days": days}
