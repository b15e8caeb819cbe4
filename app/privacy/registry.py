"""The one declaration of the personal data Ruamkhit processes.

Each `Category` says what is collected, why (the purpose and its legal basis
under the PDPA), how long it is kept, who receives it and where it is stored.
Four things are generated from this list, so that they cannot drift apart:

- the purposes table of the privacy notice (`/privacy`),
- the administrators' record of processing activities (PDPA section 39,
  `/admin/privacy/records`),
- the data download (`datasets`: the rows of each category, with documented
  fields),
- the retention rules of `flask privacy purge` (`rules`).

`columns` names every column that points at a person (a foreign key to
`users.id`) or holds personal data; a test checks that every such column in
the schema is declared here, so that a new table cannot hold personal data
the notice does not mention.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, Optional

from flask import current_app
from flask_babel import lazy_gettext as _l


class Basis(enum.Enum):
    CONSENT = "consent"
    EXPLICIT_CONSENT = "explicit_consent"
    PUBLIC_TASK = "public_task"
    LEGAL_OBLIGATION = "legal_obligation"

    @property
    def label(self) -> str:
        return str(BASIS_LABELS[self])


BASIS_LABELS = {
    Basis.CONSENT: _l("Consent (section 19)"),
    Basis.EXPLICIT_CONSENT: _l("Explicit consent for sensitive data (section 26)"),
    Basis.PUBLIC_TASK: _l("Public task: a duty in the public interest or the exercise of state authority (section 24(4))"),
    Basis.LEGAL_OBLIGATION: _l("Legal obligation (section 24(6))"),
}


@dataclass(frozen=True)
class Field:
    """One field of a dataset in the data download: its name and what it means."""

    name: str
    description: object  # a lazy string


@dataclass(frozen=True)
class Dataset:
    """Rows about one person, written as `<name>.csv` and under `name` in data.json.

    `query(user_id)` returns a SQLAlchemy Core select whose columns are
    labelled exactly as `fields`, in the same order.
    """

    name: str
    fields: tuple[Field, ...]
    query: Callable[[int], object]


@dataclass(frozen=True)
class Rule:
    """A retention rule run by `flask privacy purge`; `run(now)` returns how many records it cleared."""

    key: str
    description: object  # a lazy string, may use %(days)d
    run: Callable[..., int]
    setting: Optional[str] = None  # the config key holding the number of days


@dataclass(frozen=True)
class Category:
    key: str
    title: object
    purpose: object
    basis: Basis
    data: object        # what is collected
    retention: object   # how long it is kept; may use %(days)d with `retention_setting`
    recipients: object  # who receives it
    columns: tuple[str, ...]  # where it is stored: "table.column"
    retention_setting: Optional[str] = None
    consent: Optional[str] = None  # the consent purpose it depends on, if its basis is consent
    datasets: tuple[Dataset, ...] = field(default=())
    rules: tuple[Rule, ...] = field(default=())

    def retention_text(self) -> str:
        if self.retention_setting:
            return str(self.retention) % {"days": int(current_app.config[self.retention_setting])}
        return str(self.retention)

    @property
    def tables(self) -> list[str]:
        seen: list[str] = []
        for column in self.columns:
            table = column.split(".", 1)[0]
            if table not in seen:
                seen.append(table)
        return seen


def _categories() -> tuple[Category, ...]:
    from app.privacy import datasets as ds
    from app.privacy import retention as rt

    return (
        Category(
            key="account",
            title=_l("Your account"),
            purpose=_l("To let you sign in, take part under a name you choose, and write to you about your account (confirming your email, resetting your password)."),
            basis=Basis.PUBLIC_TASK,
            data=_l("Email address, password (only as an Argon2 hash), display name, language, province, dates of registration and email confirmation, whether the account is blocked and why."),
            retention=_l("Until you delete your account. An account whose email address is never confirmed is removed after %(days)d days."),
            retention_setting="UNCONFIRMED_ACCOUNT_DAYS",
            recipients=_l("Your display name is public beside your ideas and comments. Officials of your area see your name and email on their residents list. Nobody outside the site receives them."),
            columns=(
                "users.email", "users.password_hash", "users.display_name", "users.locale", "users.province_code",
                "users.created_at", "users.email_verified_at", "users.is_blocked", "users.blocked_reason",
                "users.session_version", "users.deleted_at",
            ),
            datasets=(ds.ACCOUNT,),
            rules=(rt.UNCONFIRMED_ACCOUNTS,),
        ),
        Category(
            key="residency",
            title=_l("Residency for voting"),
            purpose=_l("To check that one person has one vote, only in the area where they live."),
            basis=Basis.PUBLIC_TASK,
            data=_l("Your subdistrict, a keyed hash of your national ID number (never the number itself), the date your residency was verified and the official who verified it."),
            retention=_l("Until you delete your account. Moving to another subdistrict or province, or replacing the number, removes the verification."),
            recipients=_l("Officials of your province or local government, who see whether you are verified but never your national ID number."),
            columns=("users.subdistrict_code", "users.national_id_hash", "users.residency_verified_at", "users.residency_verified_by_id",
                     "users.residency_method", "users.residency_area_id"),
            datasets=(ds.RESIDENCY,),
        ),
        Category(
            key="sign_in_services",
            title=_l("Sign-in with ThaID, LINE and other services"),
            purpose=_l("To let you sign in with a service you choose and, with ThaID, to verify your identity and your residency without going to an office."),
            basis=Basis.CONSENT,
            data=_l("The service's code for you (not your national ID number), when you linked it and last signed in, and when and by which service your identity was verified. From ThaID: your national ID number, kept only as a keyed hash, and the subdistrict of your address in the civil registration; your name, date of birth and the rest of the address are not kept."),
            retention=_l("Until you delete your account."),
            recipients=_l("Nobody. The services themselves (ThaID of the Department of Provincial Administration, LINE) learn that you signed in to this site."),
            columns=("linked_identities.user_id", "linked_identities.provider", "linked_identities.subject",
                     "linked_identities.linked_at", "linked_identities.last_sign_in_at",
                     "users.identity_proven_at", "users.identity_provider"),
            datasets=(ds.SIGN_IN_SERVICES,),
        ),
        Category(
            key="resident_lists",
            title=_l("Resident lists for self-verification"),
            purpose=_l("To let residents on a local government's (or province's) list of eligible residents verify their residency themselves."),
            basis=Basis.PUBLIC_TASK,
            data=_l("For each row of a list an official uploads: a keyed hash of the national ID number with the date of birth, and the subdistrict. Never the number, a name or a house number."),
            retention=_l("Until the area uploads a new list, which replaces it. The uploaded file itself is deleted as soon as it has been read (a file whose reading failed, after %(days)d days)."),
            retention_setting="RESIDENT_LIST_UPLOAD_RETENTION_DAYS",
            recipients=_l("Nobody: the hashes are only compared with what a resident types on their profile."),
            columns=("resident_lists.uploaded_by_id",),
            rules=(rt.RESIDENT_LIST_UPLOADS,),
        ),
        Category(
            key="ideas",
            title=_l("Ideas and photos"),
            purpose=_l("To publish the ideas you submit to your province or local government, so that officials answer them and others can support them."),
            basis=Basis.PUBLIC_TASK,
            data=_l("The ideas you submit (title, description, category, place, map point) and the photos you attach, whose EXIF data (such as the GPS position) is removed when they are uploaded."),
            retention=_l("Kept as part of the public record of the area's ideas. If you delete your account they stay, shown as by a deleted account; their photos stay only if you choose so."),
            recipients=_l("Everyone: ideas and photos are public, and ideas are published as open data without your name."),
            columns=("ideas.author_id", "idea_photos.filename"),
            datasets=(ds.IDEAS, ds.PHOTOS),
        ),
        Category(
            key="comments",
            title=_l("Comments"),
            purpose=_l("To publish the comments and replies you write on ideas."),
            basis=Basis.PUBLIC_TASK,
            data=_l("The text of your comments, their dates and whether you edited or deleted them."),
            retention=_l("Kept with the idea. If you delete your account they stay, shown as by a deleted account."),
            recipients=_l("Everyone: comments are public."),
            columns=("comments.author_id", "comments.hidden_by_id"),
            datasets=(ds.COMMENTS,),
        ),
        Category(
            key="supports",
            title=_l("Supports and follows"),
            purpose=_l("To count the support for each idea, one per person, and to tell you about the ideas and areas you follow."),
            basis=Basis.PUBLIC_TASK,
            data=_l("Which ideas you support and which ideas and areas you follow, with the dates."),
            retention=_l("Until you withdraw the support or stop following, or delete your account. A support then stays only as a number in the idea's count."),
            recipients=_l("Only the count of supports is public; who supports or follows an idea is not shown to anyone."),
            columns=("supports.user_id", "idea_follows.user_id", "area_follows.user_id"),
            datasets=(ds.SUPPORTS, ds.FOLLOWS),
        ),
        Category(
            key="reports",
            title=_l("Reports of content"),
            purpose=_l("To let moderators review content that people report."),
            basis=Basis.PUBLIC_TASK,
            data=_l("What you reported, the reason, your note and the date."),
            retention=_l("Kept for moderation. If you delete your account the report stays without your name."),
            recipients=_l("Moderators of the area where the content was posted."),
            columns=("reports.reporter_id", "reports.resolved_by_id"),
            datasets=(ds.REPORTS,),
        ),
        Category(
            key="notifications",
            title=_l("Notifications"),
            purpose=_l("To tell you on the site about answers, comments and changes to what you follow."),
            basis=Basis.PUBLIC_TASK,
            data=_l("The notifications addressed to you, whether you have read them, and who caused them."),
            retention=_l("Until you delete your account."),
            recipients=_l("Only you."),
            columns=("notifications.user_id", "notifications.actor_id"),
            datasets=(ds.NOTIFICATIONS,),
        ),
        Category(
            key="email_notifications",
            title=_l("Email notifications"),
            purpose=_l("To send you your notifications by email as well, if you ask for it."),
            basis=Basis.CONSENT,
            consent="email_notifications",
            data=_l("Your email address and the text of each notification."),
            retention=_l("Emails are sent and not kept by the site. You can withdraw this consent at any time on your privacy page or your notifications page."),
            recipients=_l("The mail server that delivers the email to you."),
            columns=("users.email_notifications",),
        ),
        Category(
            key="voting",
            title=_l("Voting in participatory budgets"),
            purpose=_l("To let each verified resident vote once in each budget, to count the ballots and to publish the anonymous ballots so that anyone can recompute the result."),
            basis=Basis.EXPLICIT_CONSENT,
            data=_l("That you voted in a budget (not how); your ballot, stored apart from your identity under a random id. A ballot is a political opinion, sensitive data under section 26: you consent to it when you cast it."),
            retention=_l("The record that you voted is kept with the cycle as its turnout. When voting closes every link between you and your ballot is destroyed, so the site can no longer tell how you voted."),
            recipients=_l("Officials of the area see how many people voted. The ballots, without any identity, are published."),
            columns=("cycle_voters.user_id", "cycle_paper_batches.entered_by_id", "cycle_results.computed_by_id",
                     "cycle_results.published_by_id"),
            datasets=(ds.VOTING,),
        ),
        Category(
            key="paper_voters",
            title=_l("Voting on paper at a forum that checks ID cards"),
            purpose=_l("To make sure that a person who voted on paper at a village forum does not vote again, online or at another forum, in the same budget."),
            basis=Basis.PUBLIC_TASK,
            data=_l("A keyed hash of your national ID number (never the number itself), the forum and its date, and the officer who recorded you. Never your ballot: paper ballots carry no name or number."),
            retention=_l("Kept with the budgeting cycle, as the record that you voted."),
            recipients=_l("Officials of the area see how many people each forum recorded, never who."),
            columns=("cycle_paper_voters.id_hash", "cycle_paper_voters.recorded_by_id"),
        ),
        Category(
            key="consents",
            title=_l("Your consents"),
            purpose=_l("To be able to show which version of this notice you accepted and which consents you gave or withdrew, and when."),
            basis=Basis.LEGAL_OBLIGATION,
            data=_l("The version of the notice, the consent, whether it was given, declined or withdrawn, and the date."),
            retention=_l("Kept as long as the processing they allowed may need to be proved, also after you delete your account, then without your identity."),
            recipients=_l("Only you and the site's administrators."),
            columns=("users.consent_at", "users.consent_version", "privacy_consents.user_id"),
            datasets=(ds.CONSENTS,),
        ),
        Category(
            key="security",
            title=_l("Security records"),
            purpose=_l("To keep the site secure, to show who changed what (officials' actions are audited) and to stop abuse such as guessing passwords."),
            basis=Basis.LEGAL_OBLIGATION,
            data=_l("The audit log of officials' actions and of account changes, and the IP address of the request; counters of attempts per IP address and per account for the rate limits."),
            retention=_l("Audit entries are kept; their IP addresses are cleared after %(days)d days, the period for which the Computer-Related Crime Act (section 26) asks service providers to keep traffic data. Rate-limit counters expire by themselves after at most one hour."),
            retention_setting="IP_RETENTION_DAYS",
            recipients=_l("The site's administrators; the police or a court only where the law requires it."),
            columns=("audit_log.actor_id", "audit_log.ip", "role_assignments.user_id", "role_assignments.created_by_id"),
            datasets=(ds.AUDIT,),
            rules=(rt.AUDIT_IPS,),
        ),
        Category(
            key="official_access",
            title=_l("Officials' access to your data"),
            purpose=_l("To record each time an official opens your personal data (the residents list, your verification, the author of a report), so that the access can be checked."),
            basis=Basis.LEGAL_OBLIGATION,
            data=_l("Which official, whose data, when, and on which page."),
            retention=_l("Kept for %(days)d days, then removed."),
            retention_setting="ACCESS_LOG_RETENTION_DAYS",
            recipients=_l("The site's administrators, and you in your data download."),
            columns=("privacy_access_log.official_id", "privacy_access_log.subject_id"),
            datasets=(ds.ACCESS,),
            rules=(rt.ACCESS_LOG,),
        ),
        Category(
            key="officials_work",
            title=_l("Officials' work"),
            purpose=_l("To show in public who answered, assessed and decided, as the officials of an area do their work on the site."),
            basis=Basis.PUBLIC_TASK,
            data=_l("For officials only: roles, and the answers, proposals, assessments, plans and progress reports they write."),
            retention=_l("Kept as part of the public record."),
            recipients=_l("Everyone, for what is published; the internal notes only to officials."),
            columns=(
                "cycles.created_by_id", "cycle_progress_updates.author_id", "plans.created_by_id",
                "proposals.created_by_id", "proposal_transitions.actor_id", "proposal_assessments.evaluator_id",
                "proposal_assessments.assigned_by_id", "idea_status_changes.actor_id",
                # The administrator who made an API key (none when made on the command line).
                "api_keys.created_by_id",
            ),
            datasets=(ds.ROLES,),
        ),
        Category(
            key="prepared_files",
            title=_l("Files prepared for you to download"),
            purpose=_l("To prepare a large file you ask for (your data download, a large plan export or ballot file) in the background and let only you download it."),
            basis=Basis.LEGAL_OBLIGATION,
            data=_l("The file, who asked for it and when; your data download holds everything listed on this page about you."),
            retention=_l("Removed %(days)d days after it is ready, or when you delete your account."),
            retention_setting="JOB_FILE_DAYS",
            recipients=_l("Only you."),
            columns=("job_files.owner_id",),
            rules=(rt.JOB_FILES,),
        ),
        Category(
            key="mail",
            title=_l("Email sent by the site"),
            purpose=_l("To deliver the emails described above."),
            basis=Basis.PUBLIC_TASK,
            data=_l("The recipient's address and the message."),
            retention=_l("Not kept in production: messages go to the mail server. A development copy of the site writes them to a local outbox, emptied after %(days)d days (at once in production)."),
            retention_setting="OUTBOX_RETENTION_DAYS",
            recipients=_l("The mail server that delivers them."),
            # A mail job holds the message until it is sent; finished jobs are removed by FINISHED_JOBS.
            columns=("jobs.payload", "jobs.created_by_id"),
            rules=(rt.OUTBOX, rt.FINISHED_JOBS),
        ),
    )


_CACHE: list[tuple[Category, ...]] = []


def categories() -> tuple[Category, ...]:
    """Every category, in the order of the notice. Built once (the lazy strings translate per request)."""
    if not _CACHE:
        _CACHE.append(_categories())
    return _CACHE[0]


def category(key: str) -> Category:
    for item in categories():
        if item.key == key:
            return item
    raise KeyError(key)


def datasets() -> list[Dataset]:
    return [d for c in categories() for d in c.datasets]


def rules() -> list[Rule]:
    return [r for c in categories() for r in c.rules]


def declared_columns() -> set[str]:
    return {column for c in categories() for column in c.columns}
