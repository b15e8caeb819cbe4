"""Moderation pages: reporting (any signed-in person) and the officials' queue and decisions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import TooManyRequests

from app.accounts.models import User
from app.areas import services as areas
from app.engagement.models import Comment
from app.engagement.routes import rate_limited_page
from app.engagement.services import CannotPost, idea_link
from app.core import ratelimit
from app.extensions import db, limiter
from app.ideas.models import Idea
from app.moderation import services
from app.moderation.forms import ReasonForm, ReportForm
from app.moderation.models import REPORT_THRESHOLD, Report
from app.permissions import can_moderate, can_post, can_report_comment, can_report_idea, can_see_idea, require
from app.core.numbers import int_arg

bp = Blueprint("moderation", __name__, template_folder="templates")



@bp.errorhandler(TooManyRequests)
def too_many(error):
    return rate_limited_page(_l("You have sent several reports in a short while. Thank you for your help: "
                                "please wait a few minutes before you report something else."))


@bp.record_once
def _register_hooks(state) -> None:
    state.app.extensions.setdefault("ruamkhit_header_counts", []).append(services.header_counts)
    state.app.extensions.setdefault("ruamkhit_dashboard_links", []).append(dashboard_links)


def dashboard_links(user) -> list[tuple[str, str]]:
    """The officials' dashboard links to the queue even when nothing is waiting (the header then hides it)."""
    if not getattr(user, "is_official", False):
        return []
    waiting = services.waiting_count(user)
    return [(_("Moderation queue (%(n)d waiting)", n=waiting), url_for("moderation.queue"))]


# --- reporting ---------------------------------------------------------------------

def _report(target_idea: Idea, comment: Comment | None):
    back = idea_link(target_idea, f"comment-{comment.id}" if comment else None)
    already = services.has_reported(current_user, idea=target_idea if comment is None else None, comment=comment)
    if already:
        flash(_("You have already reported this. Thank you: the moderators will look at it."), "info")
        return redirect(back)
    allowed = can_report_idea(current_user, target_idea) if comment is None else can_report_comment(current_user, comment)
    if not allowed and can_post(current_user):
        # Their own, or already hidden: the page offers no report link, and the form is refused
        # (an account that may not post is told why by the service instead).
        abort(403)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            if comment is None:
                services.report_idea(target_idea, current_user, form.reason.data, form.note.data)
            else:
                services.report_comment(comment, current_user, form.reason.data, form.note.data)
        except CannotPost as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(back)
        except services.ModerationError as error:
            db.session.rollback()
            form.reason.errors = list(form.reason.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("Thank you for your report. The moderators will look at it."), "success")
            return redirect(back)
    return render_template(
        "moderation/report.html", form=form, idea=target_idea, comment=comment, threshold=REPORT_THRESHOLD,
    )


@bp.route("/ideas/<int:idea_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("REPORT", methods=["POST"]))
def report_idea(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    if not can_see_idea(current_user, idea):
        abort(404)
    return _report(idea, None)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("REPORT", methods=["POST"]))
def report_comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    if not can_see_idea(current_user, comment.idea):
        abort(404)
    return _report(comment.idea, comment)


# --- the queue -----------------------------------------------------------------------

def _page_arg() -> int:
    return int_arg("page", 1, maximum=services.MAX_PAGE)


@bp.get("/moderation/")
@login_required
def queue():
    """Items waiting (open reports) and hidden items, in the official's areas (or one of them)."""
    require(current_user.is_official)
    area = None
    code = request.args.get("area", "").strip()[:10]
    if code:
        area = areas.get_area_by_code(code)
        if area is None:
            abort(404)
        require(can_moderate(current_user, area))
    show = "hidden" if request.args.get("show") == "hidden" else "waiting"
    page = _page_arg()
    items, has_next = services.waiting_items(current_user, area, page) if show == "waiting" else ([], False)
    args = {"area": code} if code else {}
    page_urls = {
        "prev": url_for(".queue", show=show, page=page - 1, **args) if page > 1 else None,
        "next": url_for(".queue", show=show, page=page + 1, **args) if has_next else None,
    }
    return render_template(
        "moderation/queue.html",
        area=area, show=show, items=items, page_urls=page_urls,
        waiting=services.waiting_count(current_user, area),
        hidden_ideas=services.hidden_ideas(current_user, area) if show == "hidden" else [],
        hidden_comments=services.hidden_comments(current_user, area) if show == "hidden" else [],
        threshold=REPORT_THRESHOLD,
    )


# --- decisions -----------------------------------------------------------------------

HIDE_LABEL = _l("Reason, shown publicly in place of the content")
RESTORE_LABEL = _l("Reason (kept in the audit log)")
BLOCK_LABEL = _l("Reason (shown to the person and kept in the audit log)")


def _open_reports(idea: Idea, comment: Comment | None) -> list[Report]:
    from sqlalchemy import select

    stmt = select(Report).where(Report.resolved_at.is_(None))
    stmt = stmt.where(Report.comment_id == comment.id) if comment is not None else stmt.where(
        Report.idea_id == idea.id, Report.comment_id.is_(None)
    )
    return list(db.session.scalars(stmt.order_by(Report.created_at)))


def _decide(action: str, idea: Idea, comment: Comment | None):
    area = idea.area
    require(can_moderate(current_user, area))
    label = HIDE_LABEL if action == "hide" else RESTORE_LABEL
    form = ReasonForm(label=label)
    if request.method == "GET" and action == "hide":
        form.reason.data = (comment.hidden_reason if comment is not None else idea.hidden_reason) or ""
    if form.validate_on_submit():
        service = {
            ("hide", False): services.hide_idea, ("restore", False): services.restore_idea,
            ("hide", True): services.hide_comment, ("restore", True): services.restore_comment,
        }[(action, comment is not None)]
        try:
            service(current_user, comment if comment is not None else idea, form.reason.data)
        except services.ModerationError as error:
            db.session.rollback()
            form.reason.errors = list(form.reason.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("Hidden. The reason is shown publicly in its place.") if action == "hide"
                  else _("Restored: it is visible again and its reports are closed."), "success")
            return redirect(url_for(".queue"))
    from app.privacy.access import REPORT_AUTHOR, log_access

    if log_access(current_user, [(comment or idea).author], REPORT_AUTHOR, area):
        db.session.commit()
    return render_template(
        "moderation/decide.html", action=action, idea=idea, comment=comment, form=form,
        reports=_open_reports(idea, comment), area=area,
    )


@bp.route("/moderation/ideas/<int:idea_id>/hide", methods=["GET", "POST"])
@login_required
def hide_idea(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    return _decide("hide", idea, None)


@bp.route("/moderation/ideas/<int:idea_id>/restore", methods=["GET", "POST"])
@login_required
def restore_idea(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    return _decide("restore", idea, None)


@bp.route("/moderation/comments/<int:comment_id>/hide", methods=["GET", "POST"])
@login_required
def hide_comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    return _decide("hide", comment.idea, comment)


@bp.route("/moderation/comments/<int:comment_id>/restore", methods=["GET", "POST"])
@login_required
def restore_comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    return _decide("restore", comment.idea, comment)


def _block(action: str, user_id: int):
    target = db.get_or_404(User, user_id)
    if target.deleted_at is not None:
        abort(404)
    require(services.may_block(current_user, target))
    form = ReasonForm(label=BLOCK_LABEL if action == "block" else RESTORE_LABEL)
    if form.validate_on_submit():
        try:
            (services.block_user if action == "block" else services.unblock_user)(current_user, target, form.reason.data)
        except services.ModerationError as error:
            db.session.rollback()
            form.reason.errors = list(form.reason.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("The account is blocked: it can read but not post.") if action == "block"
                  else _("The account is unblocked: it can post again."), "success")
            return redirect(url_for(".queue"))
    from app.privacy.access import REPORT_AUTHOR, log_access

    if log_access(current_user, [target], REPORT_AUTHOR):
        db.session.commit()
    return render_template(
        "moderation/block.html", action=action, target=target, form=form,
        posted_in=[a for a in services.areas_where_posted(target) if can_moderate(current_user, a)],
    )


@bp.route("/moderation/users/<int:user_id>/block", methods=["GET", "POST"])
@login_required
def block_user(user_id: int):
    return _block("block", user_id)


@bp.route("/moderation/users/<int:user_id>/unblock", methods=["GET", "POST"])
@login_required
def unblock_user(user_id: int):
    return _block("unblock", user_id)
