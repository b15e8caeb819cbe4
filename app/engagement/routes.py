"""Support, follow and comment routes, and the sections engagement adds to idea and area pages."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import TooManyRequests

from app.areas import services as areas
from app.core.routes import safe_next
from app.core.submissions import clean_submission_token, new_submission_token
from app.core.validators import as_id
from app.engagement import services
from app.engagement.forms import CommentForm, ConfirmForm, EditCommentForm, ToggleForm
from app.engagement.models import COMMENT_MAX, Comment
from app.engagement.sections import area_label
from app.core import ratelimit
from app.extensions import db, limiter
from app.ideas.models import Idea
from app.permissions import can_see_idea

bp = Blueprint("engagement", __name__, template_folder="templates")



@bp.record_once
def _register_hooks(state) -> None:
    from app.engagement import hooks
    from app.engagement.sections import area_section, idea_section

    state.app.extensions.setdefault("ruamkhit_idea_sections", []).append(idea_section)
    state.app.extensions.setdefault("ruamkhit_area_sections", []).append(area_section)
    hooks.install()


RATE_LIMIT_MESSAGES = {
    "engagement.toggle_support": _l("You have supported or withdrawn supports many times in a short while. "
                                    "Please wait a few minutes and try again."),
    "engagement.toggle_idea_follow": _l("You have followed and unfollowed many times in a short while. "
                                        "Please wait a few minutes and try again."),
    "engagement.toggle_area_follow": _l("You have followed and unfollowed many times in a short while. "
                                        "Please wait a few minutes and try again."),
    "engagement.new_comment": _l("You have posted several comments in a short while. "
                                 "Please wait a few minutes before you comment again; what you wrote was not sent."),
    "engagement.edit_comment": _l("You have edited comments many times in a short while. "
                                  "Please wait a few minutes and try again."),
}


def rate_limited_page(message):
    """The 429 page with a message that says which limit was reached (JSON for the script)."""
    if _wants_json():
        return jsonify(error=str(message)), 429
    return render_template("errors/error.html", code=429, title=_("Too many attempts"), message=message), 429


@bp.errorhandler(TooManyRequests)
def too_many(error):
    return rate_limited_page(RATE_LIMIT_MESSAGES.get(request.endpoint, _l(
        "You have tried too many times. Please wait a moment and try again.")))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _visible_idea(idea_id: int) -> Idea:
    """The idea, or 404 for a reader who may not see it (its title is on the page or in the answer)."""
    idea = db.get_or_404(Idea, idea_id)
    if not can_see_idea(current_user, idea):
        abort(404)
    return idea


def _idea_url(idea: Idea, anchor: str | None = None) -> str:
    return services.idea_link(idea, anchor)


def _back(form: ToggleForm, fallback: str) -> str:
    return safe_next(form.next.data, fallback)


# --- supports and follows ------------------------------------------------------

@bp.post("/ideas/<int:idea_id>/support")
@login_required
@limiter.limit(**ratelimit.rule("SUPPORT", methods=["POST"]))
def toggle_support(idea_id: int):
    # No title in the answer: the service's refusal says only why (hidden, withdrawn, own idea).
    idea = db.get_or_404(Idea, idea_id)
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        supported = services.set_support(idea, current_user, form.wanted)
    except services.EngagementError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify(error=str(error)), 409
        flash(str(error), "error")
        return redirect(_back(form, _idea_url(idea, "support")))
    db.session.commit()
    message = _("Thank you for supporting this idea.") if supported else _("You no longer support this idea.")
    if _wants_json():
        return jsonify(supported=supported, count=idea.support_count, message=message)
    flash(message, "success")
    return redirect(_back(form, _idea_url(idea, "support")))


@bp.post("/ideas/<int:idea_id>/follow")
@login_required
@limiter.limit(**ratelimit.rule("FOLLOW", methods=["POST"]))
def toggle_idea_follow(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        following = services.set_idea_follow(idea, current_user, form.wanted)
    except services.EngagementError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_back(form, _idea_url(idea, "follow")))
    db.session.commit()
    flash(_("You follow this idea: we will tell you about new comments and status changes.") if following
          else _("You no longer follow this idea."), "success")
    return redirect(_back(form, _idea_url(idea, "follow")))


@bp.post("/areas/<code>/follow")
@login_required
@limiter.limit(**ratelimit.rule("FOLLOW", methods=["POST"]))
def toggle_area_follow(code: str):
    area = areas.get_area_by_code(code)
    if area is None:
        abort(404)
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    fallback = url_for("areas.show_province", code=area.code) if area.is_province else url_for(
        "areas.show_local_government", code=area.code
    )
    try:
        following = services.set_area_follow(area, current_user, form.wanted)
    except services.EngagementError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_back(form, fallback))
    db.session.commit()
    label = area_label(area)
    flash(_("You follow %(area)s: we will tell you about new ideas there.", area=label) if following
          else _("You no longer follow %(area)s.", area=label), "success")
    return redirect(_back(form, fallback))


# --- comments ------------------------------------------------------------------

def _load_parent(idea: Idea, raw: str | None) -> Comment | None:
    if not raw:
        return None
    ident = as_id(raw)  # a tampered or huge number would crash the database driver
    parent = db.session.get(Comment, ident) if ident is not None else None
    if parent is None or parent.idea_id != idea.id:
        abort(404)
    return parent


def _already_posted(comment: Comment):
    flash(_("This comment was already published: here it is."), "info")
    return redirect(_idea_url(comment.idea, f"comment-{comment.id}"), code=303)


@bp.route("/ideas/<int:idea_id>/comments/new", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("COMMENT", methods=["POST"]))
def new_comment(idea_id: int):
    """The comment form on its own page (the idea page posts here too and lands here on an error)."""
    idea = _visible_idea(idea_id)
    form = CommentForm()
    if request.method == "GET":
        form.parent_id.data = request.args.get("reply_to", "")[:12] or None
    if form.parent_id.data and as_id(form.parent_id.data) is None:
        abort(404)
    parent = _load_parent(idea, form.parent_id.data)
    token = clean_submission_token(form.submission_token.data) if request.method == "POST" else None
    already = services.comment_of_submission(current_user, token)
    if already is not None:  # the same form again (a retry, a double click): the comment it posted
        return _already_posted(already)
    if token is None:
        form.submission_token.data = new_submission_token()
    if form.validate_on_submit():
        try:
            comment = services.add_comment(idea, current_user, form.body.data, parent, submission_token=token)
        except IntegrityError:
            db.session.rollback()
            already = services.comment_of_submission(current_user, token)
            if already is None:
                raise
            return _already_posted(already)
        except services.EngagementError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your comment is published."), "success")
            return redirect(_idea_url(idea, f"comment-{comment.id}"))
    return render_template(
        "engagement/comment_form.html", idea=idea, form=form, parent=parent, max_length=COMMENT_MAX,
        block_reason=services.posting_block_reason(current_user), refusal=services.comment_refusal(idea),
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("COMMENT", methods=["POST"]))
def edit_comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    idea = comment.idea
    if not can_see_idea(current_user, idea):  # its discussion is closed while the idea is hidden
        abort(404)
    if not comment.can_be_edited_by(current_user):
        flash(_("A comment can only be edited during the first 15 minutes."), "error")
        return redirect(_idea_url(idea, f"comment-{comment.id}"))
    form = EditCommentForm(body=comment.body) if request.method == "GET" else EditCommentForm()
    if form.validate_on_submit():
        try:
            services.edit_comment(comment, current_user, form.body.data)
        except services.EngagementError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your comment is updated."), "success")
            return redirect(_idea_url(idea, f"comment-{comment.id}"))
    return render_template("engagement/comment_edit.html", idea=idea, comment=comment, form=form,
                           max_length=COMMENT_MAX)


@bp.route("/comments/<int:comment_id>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(comment_id: int):
    """GET asks for confirmation (without JavaScript); POST deletes."""
    comment = db.get_or_404(Comment, comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    idea = comment.idea
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.delete_comment(comment, current_user)
        except services.EngagementError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your comment is deleted."), "success")
        return redirect(_idea_url(idea, f"comment-{comment.id}"))
    if comment.deleted_at is not None:
        flash(_("This comment has already been deleted."), "info")
        return redirect(_idea_url(idea, f"comment-{comment.id}"))
    return render_template("engagement/comment_delete.html", idea=idea, comment=comment, form=form)


@bp.app_template_global()
def resend_verification_action() -> tuple[str, str]:
    """Where a person without a confirmed email goes to get a new link: (method, url).

    The accounts domain provides `accounts.resend_verification`; until it
    exists, the profile page explains what to do.
    """
    endpoint = "accounts.resend_verification"
    if endpoint in current_app.view_functions:
        methods = set()
        for rule in current_app.url_map.iter_rules(endpoint):
            methods |= rule.methods or set()
        return ("get" if "GET" in methods else "post"), url_for(endpoint)
    return "get", url_for("accounts.profile")
