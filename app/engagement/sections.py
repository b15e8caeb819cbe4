"""What engagement adds to other domains' pages: the idea page and the area pages.

Providers are registered in app.extensions by the engagement blueprint; each
returns (template name, context) and the page includes the template with
`section` set to the context.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_login import current_user

from app.areas.models import Area
from app.engagement import services
from app.engagement.models import COMMENT_MAX, Comment
from app.ideas.models import Idea
from app.permissions import (
    can_comment_on_idea, can_follow_idea, can_moderate, can_report_comment, can_report_idea, can_see_comment, can_see_idea,
    can_support_idea,
)


@dataclass
class CommentView:
    comment: Comment
    can_edit: bool
    can_delete: bool
    can_reply: bool
    can_report: bool
    show_hidden_body: bool  # a hidden comment's text, for its author and the moderators
    replies: list["CommentView"]


def _view(comment: Comment, user, *, can_post: bool, discussion_open: bool, reported: set[int]) -> CommentView:
    signed_in = getattr(user, "is_authenticated", False)
    own = signed_in and comment.author_id == user.id
    return CommentView(
        comment=comment,
        can_edit=bool(own and comment.can_be_edited_by(user)),
        can_delete=bool(own and comment.deleted_at is None),
        can_reply=bool(can_post and discussion_open and comment.parent_id is None and comment.is_publicly_visible),
        can_report=bool(can_report_comment(user, comment) and comment.id not in reported),
        show_hidden_body=not comment.is_publicly_visible and can_see_comment(user, comment),
        replies=[
            _view(r, user, can_post=can_post, discussion_open=discussion_open, reported=reported)
            for r in comment.replies
        ],
    )


def _reported_comment_ids(idea: Idea, user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    from sqlalchemy import select

    from app.extensions import db
    from app.moderation.models import Report

    return set(db.session.scalars(
        select(Report.comment_id).where(
            Report.idea_id == idea.id, Report.reporter_id == user.id, Report.comment_id.is_not(None)
        )
    ))


def idea_section(idea: Idea, user) -> Optional[tuple[str, dict]]:
    """Support button and count, follow button, comments with replies and forms, report links."""
    from app.moderation.services import has_reported, may_block

    signed_in = bool(getattr(user, "is_authenticated", False))
    block_reason = services.posting_block_reason(user)
    can_post = block_reason is None
    moderator = signed_in and can_moderate(user, idea.area)
    support_refusal = services.support_refusal(idea)
    comment_refusal = services.comment_refusal(idea)
    # The discussion of a hidden idea is shown with the idea itself (app.permissions.can_see_idea).
    show_comments = can_see_idea(user, idea)
    comments = services.comments_of(idea) if show_comments else []
    reported = _reported_comment_ids(idea, user)
    return "engagement/_idea_section.html", {
        "idea": idea,
        "signed_in": signed_in,
        "block_reason": block_reason,
        "can_post": can_post,
        "moderator": moderator,
        "supported": services.has_supported(idea, user),
        "support_refusal": support_refusal,
        "following": services.is_following_idea(idea, user),
        "comment_refusal": comment_refusal,
        "show_comments": show_comments,
        "comments": [
            _view(c, user, can_post=can_post, discussion_open=comment_refusal is None, reported=reported)
            for c in comments
        ],
        "can_report_idea": bool(can_report_idea(user, idea) and not has_reported(user, idea=idea)),
        "can_support": can_support_idea(user, idea),
        "can_follow": can_follow_idea(user, idea),
        "can_comment": can_comment_on_idea(user, idea),
        "is_author": signed_in and idea.author_id == user.id,
        "can_block_author": bool(
            moderator and idea.author.deleted_at is None and not idea.author.is_blocked and may_block(user, idea.author)
        ),
        "has_reported_idea": signed_in and has_reported(user, idea=idea),
        "max_length": COMMENT_MAX,
    }


def area_label(area: Area) -> str:
    """ "Province of Chiang Mai" / "จังหวัดเชียงใหม่" for a province; a local government's name as it is."""
    from flask_babel import gettext as _

    from app.core.locale import current_locale

    name = area.name(current_locale())
    # Bangkok is a province-level area but no จังหวัด: it keeps its own name.
    return _("Province of %(name)s", name=name) if area.is_province and area.code != "10" else name


def area_section(area: Area) -> Optional[tuple[str, dict]]:
    """The follow button on a province's or local government's page."""
    user = current_user
    return "engagement/_area_follow.html", {
        "area": area,
        "label": area_label(area),
        "signed_in": bool(getattr(user, "is_authenticated", False)),
        "following": services.is_following_area(area, user),
    }
