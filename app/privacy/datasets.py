"""What the data download holds: one dataset per kind of record, its fields documented.

Each query reads one person's rows with SQLAlchemy Core (plain tuples, no
objects), so that a download of tens of thousands of rows streams quickly.
The registry (`app.privacy.registry`) attaches each dataset to its category.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased

from app.privacy.registry import Dataset, Field


def _account(uid: int):
    from app.accounts.models import User

    return select(
        User.id.label("id"), User.email.label("email"), User.display_name.label("display_name"),
        User.locale.label("language"), User.province_code.label("province_code"),
        User.created_at.label("registered_at"), User.email_verified_at.label("email_confirmed_at"),
        User.email_notifications.label("email_notifications"), User.is_blocked.label("blocked"),
        User.blocked_reason.label("blocked_reason"),
        User.consent_version.label("notice_version_accepted"), User.consent_at.label("notice_accepted_at"),
    ).where(User.id == uid)


ACCOUNT = Dataset(
    "account",
    (
        Field("id", _l("The number of your account on this site.")),
        Field("email", _l("Your email address.")),
        Field("display_name", _l("The name shown beside your ideas and comments.")),
        Field("language", _l("The language of the site and of emails to you (th or en; empty: Thai).")),
        Field("province_code", _l("The 2-digit code of the province where you live.")),
        Field("registered_at", _l("When you registered (UTC, ISO 8601).")),
        Field("email_confirmed_at", _l("When you confirmed your email address (empty: not yet).")),
        Field("email_notifications", _l("Whether you asked for notifications by email.")),
        Field("blocked", _l("Whether a moderator blocked the account from posting.")),
        Field("blocked_reason", _l("The reason given for the block.")),
        Field("notice_version_accepted", _l("The version of the privacy notice you last accepted.")),
        Field("notice_accepted_at", _l("When you accepted it.")),
    ),
    _account,
)


def _residency(uid: int):
    from app.accounts.models import User
    from app.areas.models import Subdistrict

    verifier = aliased(User)
    return (
        select(
            User.subdistrict_code.label("subdistrict_code"),
            Subdistrict.name_th.label("subdistrict_name"),
            case((User.residency_verified_at.is_not(None), literal("verified")),
                 (User.national_id_hash.is_not(None), literal("waiting")), else_=literal("no_id")).label("state"),
            case((User.national_id_hash.is_not(None), literal("keyed hash only")), else_=literal("none")).label("national_id_held"),
            User.residency_verified_at.label("verified_at"),
            verifier.display_name.label("verified_by"),
        )
        .select_from(User)
        .outerjoin(Subdistrict, Subdistrict.code == User.subdistrict_code)
        .outerjoin(verifier, verifier.id == User.residency_verified_by_id)
        .where(User.id == uid)
    )


RESIDENCY = Dataset(
    "residency",
    (
        Field("subdistrict_code", _l("The 6-digit code of the subdistrict where you said you live.")),
        Field("subdistrict_name", _l("Its name in Thai.")),
        Field("state", _l("no_id: no national ID number added; waiting: waiting for an official; verified.")),
        Field("national_id_held", _l("We never keep your national ID number: only a keyed hash of it (\"keyed hash only\"), which cannot be turned back into the number, so it is not in this file.")),
        Field("verified_at", _l("When an official verified your residency.")),
        Field("verified_by", _l("The display name of the official who verified it.")),
    ),
    _residency,
)


def _sign_in_services(uid: int):
    from app.accounts.models import LinkedIdentity, User

    return (
        select(
            LinkedIdentity.provider.label("service"),
            LinkedIdentity.subject.label("subject"),
            LinkedIdentity.linked_at.label("linked_at"),
            LinkedIdentity.last_sign_in_at.label("last_sign_in_at"),
            case((User.identity_provider == LinkedIdentity.provider, User.identity_proven_at), else_=None)
            .label("identity_verified_at"),
        )
        .join(User, User.id == LinkedIdentity.user_id)
        .where(LinkedIdentity.user_id == uid)
        .order_by(LinkedIdentity.linked_at)
    )


SIGN_IN_SERVICES = Dataset(
    "sign_in_services",
    (
        Field("service", _l("The service you sign in with: thaid (ThaID), line (LINE) or another named by the site.")),
        Field("subject", _l("The number or code that the service gave this site for you (not your national ID number).")),
        Field("linked_at", _l("When you linked it to your account.")),
        Field("last_sign_in_at", _l("When you last signed in with it.")),
        Field("identity_verified_at", _l("When the service last verified your identity (empty: it does not verify identities).")),
    ),
    _sign_in_services,
)


def _ideas(uid: int):
    from app.areas.models import Area
    from app.ideas.models import Idea

    return (
        select(
            Idea.id.label("id"), Area.code.label("area_code"), Idea.title.label("title"),
            Idea.description.label("description"), Idea.category.label("category"), Idea.status.label("status"),
            Idea.subdistrict_code.label("subdistrict_code"), Idea.lat.label("lat"), Idea.lon.label("lon"),
            Idea.support_count.label("supports"), Idea.comment_count.label("comments"),
            Idea.created_at.label("created_at"), Idea.updated_at.label("updated_at"),
            Idea.withdrawn_at.label("withdrawn_at"), Idea.hidden_at.label("hidden_at"),
        )
        .join(Area, Area.id == Idea.area_id)
        .where(Idea.author_id == uid)
        .order_by(Idea.id)
    )


IDEAS = Dataset(
    "ideas",
    (
        Field("id", _l("The idea's number; its page is /ideas/<id>.")),
        Field("area_code", _l("The province (2 digits) or local government (7 digits) it was submitted to.")),
        Field("title", _l("Title.")),
        Field("description", _l("Description.")),
        Field("category", _l("Category.")),
        Field("status", _l("The officials' answer so far.")),
        Field("subdistrict_code", _l("The subdistrict it concerns, if given.")),
        Field("lat", _l("Latitude of the map point, if given.")),
        Field("lon", _l("Longitude of the map point, if given.")),
        Field("supports", _l("How many people support it.")),
        Field("comments", _l("How many visible comments it has.")),
        Field("created_at", _l("When you submitted it.")),
        Field("updated_at", _l("When it last changed.")),
        Field("withdrawn_at", _l("When you withdrew it.")),
        Field("hidden_at", _l("When a moderator hid it.")),
    ),
    _ideas,
)


def _photos(uid: int):
    from app.ideas.models import Idea, IdeaPhoto

    return (
        select(
            IdeaPhoto.id.label("id"), IdeaPhoto.idea_id.label("idea_id"), IdeaPhoto.filename.label("file"),
            IdeaPhoto.content_type.label("content_type"), IdeaPhoto.width.label("width"),
            IdeaPhoto.height.label("height"), IdeaPhoto.size_bytes.label("size_bytes"),
            IdeaPhoto.created_at.label("uploaded_at"),
        )
        .join(Idea, Idea.id == IdeaPhoto.idea_id)
        .where(Idea.author_id == uid)
        .order_by(IdeaPhoto.id)
    )


PHOTOS = Dataset(
    "photos",
    (
        Field("id", _l("The photo's number.")),
        Field("idea_id", _l("The idea it is attached to.")),
        Field("file", _l("Its file in the photos/ folder of this download (as stored: EXIF data removed).")),
        Field("content_type", _l("Image format.")),
        Field("width", _l("Width in pixels.")),
        Field("height", _l("Height in pixels.")),
        Field("size_bytes", _l("File size in bytes.")),
        Field("uploaded_at", _l("When you uploaded it.")),
    ),
    _photos,
)


def _comments(uid: int):
    from app.engagement.models import Comment

    return (
        select(
            Comment.id.label("id"), Comment.idea_id.label("idea_id"), Comment.parent_id.label("reply_to"),
            Comment.body.label("body"), Comment.created_at.label("created_at"), Comment.edited_at.label("edited_at"),
            Comment.deleted_at.label("deleted_at"), Comment.hidden_at.label("hidden_at"),
        )
        .where(Comment.author_id == uid)
        .order_by(Comment.id)
    )


COMMENTS = Dataset(
    "comments",
    (
        Field("id", _l("The comment's number.")),
        Field("idea_id", _l("The idea it is on.")),
        Field("reply_to", _l("The comment it replies to, if it is a reply.")),
        Field("body", _l("Its text (empty once you deleted it).")),
        Field("created_at", _l("When you wrote it.")),
        Field("edited_at", _l("When you last edited it.")),
        Field("deleted_at", _l("When you deleted it.")),
        Field("hidden_at", _l("When a moderator hid it.")),
    ),
    _comments,
)


def _supports(uid: int):
    from app.engagement.models import Support
    from app.ideas.models import Idea

    return (
        select(Support.idea_id.label("idea_id"), Idea.title.label("idea_title"), Support.created_at.label("supported_at"))
        .join(Idea, Idea.id == Support.idea_id)
        .where(Support.user_id == uid)
        .order_by(Support.id)
    )


SUPPORTS = Dataset(
    "supports",
    (
        Field("idea_id", _l("The idea you support.")),
        Field("idea_title", _l("Its title.")),
        Field("supported_at", _l("When you supported it.")),
    ),
    _supports,
)


def _follows(uid: int):
    from app.areas.models import Area
    from app.engagement.models import AreaFollow, IdeaFollow

    ideas = select(
        literal("idea").label("kind"), IdeaFollow.idea_id.label("idea_id"), null().label("area_code"),
        IdeaFollow.created_at.label("followed_at"),
    ).where(IdeaFollow.user_id == uid)
    areas = (
        select(
            literal("area").label("kind"), null().label("idea_id"), Area.code.label("area_code"),
            AreaFollow.created_at.label("followed_at"),
        )
        .join(Area, Area.id == AreaFollow.area_id)
        .where(AreaFollow.user_id == uid)
    )
    return union_all(ideas, areas)


FOLLOWS = Dataset(
    "follows",
    (
        Field("kind", _l("idea or area.")),
        Field("idea_id", _l("The idea you follow.")),
        Field("area_code", _l("The area you follow.")),
        Field("followed_at", _l("When you started following.")),
    ),
    _follows,
)


def _reports(uid: int):
    from app.moderation.models import Report

    return (
        select(
            Report.id.label("id"), Report.idea_id.label("idea_id"), Report.comment_id.label("comment_id"),
            Report.reason.label("reason"), Report.note.label("note"), Report.created_at.label("reported_at"),
            Report.resolved_at.label("resolved_at"), Report.resolution.label("resolution"),
        )
        .where(Report.reporter_id == uid)
        .order_by(Report.id)
    )


REPORTS = Dataset(
    "reports",
    (
        Field("id", _l("The report's number.")),
        Field("idea_id", _l("The idea you reported, or the idea of the comment.")),
        Field("comment_id", _l("The comment you reported, if it was a comment.")),
        Field("reason", _l("The reason you chose.")),
        Field("note", _l("Your note to the moderators.")),
        Field("reported_at", _l("When you reported it.")),
        Field("resolved_at", _l("When a moderator decided.")),
        Field("resolution", _l("What was decided: hidden, restored, or deleted by its author.")),
    ),
    _reports,
)


def _notifications(uid: int):
    from app.notifications.models import Notification

    return (
        select(
            Notification.id.label("id"), Notification.kind.label("kind"), Notification.params.label("details"),
            Notification.link.label("link"), Notification.created_at.label("created_at"),
            Notification.read_at.label("read_at"),
        )
        .where(Notification.user_id == uid)
        .order_by(Notification.id)
    )


NOTIFICATIONS = Dataset(
    "notifications",
    (
        Field("id", _l("The notification's number.")),
        Field("kind", _l("What happened (for example idea.commented).")),
        Field("details", _l("The values shown in the message (JSON).")),
        Field("link", _l("The page it leads to.")),
        Field("created_at", _l("When it was created.")),
        Field("read_at", _l("When you read it.")),
    ),
    _notifications,
)


def _voting(uid: int):
    from app.areas.models import Area
    from app.cycles.models import Cycle, CycleBudget, CycleVoter

    return (
        select(
            Cycle.id.label("cycle_id"), Cycle.title.label("cycle_title"), Area.code.label("area_code"),
            CycleBudget.id.label("budget_id"), CycleBudget.name.label("budget_name"),
        )
        .select_from(CycleVoter)
        .join(CycleBudget, CycleBudget.id == CycleVoter.budget_id)
        .join(Cycle, Cycle.id == CycleBudget.cycle_id)
        .join(Area, Area.id == Cycle.area_id)
        .where(CycleVoter.user_id == uid)
        .order_by(CycleVoter.id)
    )


VOTING = Dataset(
    "voting",
    (
        Field("cycle_id", _l("The participatory budget (cycle).")),
        Field("cycle_title", _l("Its title.")),
        Field("area_code", _l("The area that ran it.")),
        Field("budget_id", _l("The budget in which you voted.")),
        Field("budget_name", _l("Its name. Neither when nor how you voted is here: the site keeps no time of a vote (it would match your ballot), ballots are stored apart from voters, and once voting closes the site can no longer tell which ballot was yours.")),
    ),
    _voting,
)


def _consents(uid: int):
    from app.privacy.models import Consent

    return (
        select(Consent.purpose.label("purpose"), Consent.version.label("notice_version"),
               Consent.action.label("action"), Consent.at.label("at"))
        .where(Consent.user_id == uid)
        .order_by(Consent.id)
    )


CONSENTS = Dataset(
    "consents",
    (
        Field("purpose", _l("privacy_notice: the privacy notice; email_notifications: notifications by email.")),
        Field("notice_version", _l("The version of the notice under which you decided.")),
        Field("action", _l("given, declined or withdrawn.")),
        Field("at", _l("When.")),
    ),
    _consents,
)


def _audit(uid: int):
    from app.audit.models import AuditEntry

    mine = AuditEntry.actor_id == uid
    return (
        select(
            AuditEntry.at.label("at"), AuditEntry.action.label("action"),
            case((mine, literal("you")), else_=literal("official")).label("by"),
            AuditEntry.object_type.label("object_type"), AuditEntry.object_id.label("object_id"),
            # Your own IP address; never the official's.
            case((mine, AuditEntry.ip), else_=null()).label("ip"),
        )
        .where(or_(mine, and_(AuditEntry.object_type == "users", AuditEntry.object_id == uid)))
        .order_by(AuditEntry.id)
    )


AUDIT = Dataset(
    "audit",
    (
        Field("at", _l("When.")),
        Field("action", _l("What was done (for example resident.verify).")),
        Field("by", _l("you, or an official acting on your account.")),
        Field("object_type", _l("The kind of record acted on.")),
        Field("object_id", _l("Its number.")),
        Field("ip", _l("Your IP address for your own actions (cleared after the retention period).")),
    ),
    _audit,
)


def _access(uid: int):
    from app.accounts.models import User
    from app.areas.models import Area
    from app.privacy.models import OfficialAccess

    return (
        select(
            OfficialAccess.at.label("at"), User.display_name.label("official"),
            OfficialAccess.page.label("page"), Area.code.label("area_code"),
        )
        .select_from(OfficialAccess)
        .outerjoin(User, User.id == OfficialAccess.official_id)
        .outerjoin(Area, Area.id == OfficialAccess.area_id)
        .where(OfficialAccess.subject_id == uid)
        .order_by(OfficialAccess.id)
    )


ACCESS = Dataset(
    "official_access",
    (
        Field("at", _l("When an official opened your personal data.")),
        Field("official", _l("The official's display name.")),
        Field("page", _l("Where: residents_list, resident_verification or report_author.")),
        Field("area_code", _l("The area in which the official acted.")),
    ),
    _access,
)


def _roles(uid: int):
    from app.accounts.models import RoleAssignment
    from app.areas.models import Area

    return (
        select(RoleAssignment.role.label("role"), Area.code.label("area_code"), RoleAssignment.created_at.label("since"))
        .select_from(RoleAssignment)
        .outerjoin(Area, Area.id == RoleAssignment.area_id)
        .where(RoleAssignment.user_id == uid)
        .order_by(RoleAssignment.id)
    )


ROLES = Dataset(
    "roles",
    (
        Field("role", _l("An official role you hold.")),
        Field("area_code", _l("Its area (empty: the whole country).")),
        Field("since", _l("Since when.")),
    ),
    _roles,
)
