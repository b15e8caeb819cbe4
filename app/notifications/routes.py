"""The notifications page: list, open, mark read, email preference."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.routes import safe_next
from app.extensions import db
from app.notifications import services
from app.notifications.forms import EmailPreferenceForm, MarkReadForm
from app.core.numbers import int_arg

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


@bp.record_once
def _register_hooks(state) -> None:
    state.app.extensions.setdefault("ruamkhit_header_counts", []).append(services.header_counts)


def _page_arg() -> int:
    return int_arg("page", 1, maximum=services.MAX_PAGE)


@bp.get("/")
@login_required
def list_notifications():
    page = _page_arg()
    items, has_next = services.list_notifications(current_user, page)
    page_urls = {
        "prev": url_for(".list_notifications", page=page - 1) if page > 1 else None,
        "next": url_for(".list_notifications", page=page + 1) if has_next else None,
    }
    return render_template(
        "notifications/list.html",
        items=[(n, services.render_message(n)) for n in items],
        unread=services.unread_count(current_user),
        page_urls=page_urls,
        email_form=EmailPreferenceForm(email_notifications=current_user.email_notifications),
        mark_form=MarkReadForm(),
    )


@bp.get("/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Follow a notification's link and mark it read (someone else's id is a 404)."""
    notification = services.get_own_notification(current_user, notification_id)
    if notification is None:
        abort(404)
    services.mark_read(current_user, notification)
    db.session.commit()
    return redirect(safe_next(notification.link, url_for(".list_notifications")))


@bp.post("/<int:notification_id>/read")
@login_required
def mark_notification_read(notification_id: int):
    notification = services.get_own_notification(current_user, notification_id)
    if notification is None:
        abort(404)
    if not MarkReadForm().validate_on_submit():
        abort(400)
    services.mark_read(current_user, notification)
    db.session.commit()
    return redirect(url_for(".list_notifications"))


@bp.post("/read-all")
@login_required
def mark_all_read():
    if not MarkReadForm().validate_on_submit():
        abort(400)
    count = services.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".list_notifications"))


@bp.post("/email")
@login_required
def set_email_preference():
    form = EmailPreferenceForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_email_notifications(current_user, form.email_notifications.data)
    db.session.commit()
    if form.email_notifications.data:
        if current_user.email_verified:
            flash(_("We will also email you about new notifications."), "success")
        else:
            flash(_("We will email you once your email address is confirmed."), "info")
    else:
        flash(_("We will no longer email you about notifications."), "success")
    return redirect(url_for(".list_notifications"))
