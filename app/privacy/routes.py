"""Privacy pages: the notice, terms and contact; the person's consents, data download and account deletion;
the administrators' record of processing activities and log of officials' access."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.core import ratelimit
from app.extensions import db, limiter
from app.permissions import is_admin, require
from app.privacy import consents, export, registry, services
from app.jobs.files import ready_files
from app.privacy.access import PAGES, access_query
from app.privacy.jobs import EXPORT_KIND
from app.privacy.forms import ActionForm, DeleteAccountForm
from app.privacy.notice import NOTICE_HISTORY, current_notice
from app.core.numbers import MAX_PAGE, int_arg

bp = Blueprint("privacy", __name__, template_folder="templates")

PER_PAGE = 50
# Pages a person who must answer a changed notice can still open before answering.
_NOT_INTERRUPTED = {"static", "privacy.review", "privacy.notice", "privacy.terms", "privacy.contact",
                    "accounts.logout", "core.set_language", "core.switch_language", "core.healthz", "media.serve"}


@bp.record_once
def _setup(state) -> None:
    consents.init_listeners()
    state.app.jinja_env.globals["privacy_notice_version"] = lambda: current_notice().version
    state.app.extensions.setdefault("ruamkhit_dashboard_links", []).append(_dashboard_links)


def _dashboard_links(user) -> list[tuple[str, str]]:
    if not is_admin(user):
        return []
    return [
        (_("Record of processing activities (personal data)"), url_for("privacy.records")),
        (_("Officials' access to personal data"), url_for("privacy.access_log")),
    ]


@bp.before_app_request
def ask_about_changed_notice():
    """A signed-in person whose consent the new notice changes is asked once, before anything else."""
    if request.method != "GET" or request.endpoint in _NOT_INTERRUPTED or request.endpoint is None:
        return None
    if not consents.any_reconsent() or not current_user.is_authenticated:
        return None
    if consents.pending(current_user):
        return redirect(url_for("privacy.review", next=request.full_path.rstrip("?")))
    return None


def _controller() -> dict:
    cfg = current_app.config
    return {key.lower(): cfg.get(key) or "" for key in (
        "CONTROLLER_NAME", "CONTROLLER_NAME_EN", "CONTROLLER_ADDRESS", "CONTROLLER_EMAIL", "CONTROLLER_PHONE",
        "DPO_NAME", "DPO_EMAIL", "DPO_PHONE",
    )}


# --- public pages ------------------------------------------------------------------

@bp.get("/privacy")
def notice():
    return render_template(
        "privacy/notice.html", categories=registry.categories(), notice=current_notice(),
        history=list(reversed(NOTICE_HISTORY)), controller=_controller(),
    )


@bp.get("/terms")
def terms():
    return render_template("privacy/terms.html", notice=current_notice(), controller=_controller())


@bp.get("/contact")
def contact():
    return render_template("privacy/contact.html", controller=_controller())


# --- the person's own data ------------------------------------------------------------

@bp.get("/profile/privacy")
@login_required
def my_privacy():
    user = current_user
    return render_template(
        "privacy/my_privacy.html",
        purposes=consents.PURPOSES.values(),
        given={key: consents.is_given(user, key) for key in consents.PURPOSES},
        history=consents.history(user),
        purpose_titles={k: p.title for k, p in consents.PURPOSES.items()},
        notice=current_notice(),
        downloads=ready_files(user.id, (EXPORT_KIND,)),
    )


def _consent_action(purpose: str, give: bool):
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("privacy.my_privacy"))
    try:
        (consents.give if give else consents.withdraw)(current_user, purpose)
    except consents.ConsentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Your consent is recorded.") if give else _("Your consent is withdrawn. Nothing else changes."), "success")
    return redirect(url_for("privacy.my_privacy"))


@bp.post("/profile/privacy/consents/<purpose>/give")
@login_required
def give_consent(purpose: str):
    return _consent_action(purpose, True)


@bp.post("/profile/privacy/consents/<purpose>/withdraw")
@login_required
def withdraw_consent(purpose: str):
    return _consent_action(purpose, False)


@bp.route("/privacy/review", methods=["GET", "POST"])
@login_required
def review():
    from app.core.routes import safe_next

    back = safe_next(request.values.get("next"), url_for("core.home"))
    asked = consents.pending(current_user)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("The form expired. Please send it again."), "error")
            return redirect(url_for("privacy.review", next=back))
        accept = request.form.get("decision") == "accept"
        try:
            consents.decide_pending(current_user, accept)
        except consents.ConsentError as error:
            db.session.rollback()
            flash(str(error), "info")
        else:
            db.session.commit()
            flash(_("Thank you: your answer is recorded.") if accept
                  else _("You declined. You can keep using everything that does not need this consent, and change your mind on your privacy page."), "success")
        return redirect(back)
    if not asked:
        return redirect(back)
    return render_template(
        "privacy/review.html", asked=[consents.PURPOSES[p] for p in asked], notice=current_notice(),
        form=form, next=back,
    )


@bp.get("/profile/my-data.zip")
@login_required
def download():
    """The old address of the data download: the ZIP is now prepared by a job, from the privacy page."""
    return redirect(url_for("privacy.my_privacy", _anchor="download-title"))


@bp.post("/profile/my-data")
@login_required
@limiter.limit(**ratelimit.rule("EXPORT"))
def request_download():
    """Queue the person's data download and follow it on its job page. There is no id: it is always one's own."""
    from app.privacy.jobs import request_export

    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("privacy.my_privacy", _anchor="download-title"))
    job = request_export(current_user._get_current_object())
    db.session.commit()
    return redirect(url_for("jobs.progress", job_id=job.id))


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    from app.media.storage import delete_image

    user = current_user._get_current_object()
    form = DeleteAccountForm()
    refusal = services.deletion_refusal(user)
    if form.validate_on_submit() and refusal is None:
        try:
            result = services.delete_own_account(user, form.password.data, keep_photos=form.keep_photos.data)
        except services.WrongPassword as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        except services.PrivacyError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            for name in result.photo_files:
                delete_image(name)
            logout_user()
            flash(_("Your account is deleted. Your personal data has been erased."), "success")
            return redirect(url_for("core.home"))
    return render_template("privacy/delete.html", form=form, refusal=refusal)


# --- administrators ------------------------------------------------------------------

@bp.get("/admin/privacy/records")
@login_required
def records():
    require(is_admin(current_user))
    return render_template(
        "privacy/records.html", categories=registry.categories(), controller=_controller(),
        rules=registry.rules(), describe=_describe_rule,
    )


def _describe_rule(rule) -> str:
    from app.privacy.retention import describe

    return describe(rule)


@bp.get("/admin/privacy/access")
@login_required
def access_log():
    from app.accounts.services import get_user_by_email

    require(is_admin(current_user))
    subject = None
    email = (request.args.get("subject") or "").strip()
    missing = False
    if email:
        subject = get_user_by_email(email)
        missing = subject is None
    stmt = access_query(subject_id=subject.id if subject else None)
    if missing:
        from sqlalchemy import false

        stmt = stmt.where(false())
    page = int_arg("page", 1, maximum=MAX_PAGE)
    page = page if 1 <= page <= 100_000 else 1
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False, count=True)
    args = {k: v for k, v in request.args.items() if k != "page"}
    page_urls = {
        "prev": url_for("privacy.access_log", **args, page=pagination.prev_num) if pagination.has_prev else None,
        "next": url_for("privacy.access_log", **args, page=pagination.next_num) if pagination.has_next else None,
    }
    return render_template(
        "privacy/access_log.html", pagination=pagination, page_urls=page_urls, pages=PAGES,
        subject_email=email, missing=missing,
    )

