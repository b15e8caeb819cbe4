"""Account pages: register, verify email, sign in and out, profile."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import services
from app.accounts.forms import LoginForm, RegisterForm
from app.core.locale import current_locale
from app.core.mail import send_email
from app.core.routes import safe_next
from app.extensions import db, limiter

bp = Blueprint("accounts", __name__, template_folder="templates")


@dataclass
class ProvinceChoice:
    code: str
    label: str


def province_choices() -> list[ProvinceChoice]:
    from app.areas.services import list_provinces

    locale = current_locale()
    return [ProvinceChoice(p.code, p.name(locale)) for p in list_provinces()]


def send_verification_email(user) -> None:
    token = services.make_token(user, "verify-email")
    link = url_for("accounts.verify_email", token=token, _external=True)
    send_email(
        user.email,
        _("Confirm your email for Ruamkhit"),
        _("Hello %(name)s,\n\nPlease confirm your email address by opening this link:\n%(link)s\n\nThe link works for 3 days.", name=user.display_name, link=link),
    )


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = RegisterForm(province_choices())
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.email.data, form.password.data, form.display_name.data, form.province_code.data,
                consent=form.consent.data, locale=current_locale(),
            )
        except services.AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            send_verification_email(user)
            login_user(user)
            flash(_("Welcome! We sent you an email: open its link to confirm your address before you post."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/register.html", form=form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        user = services.read_token(token, "verify-email", current_app.config["EMAIL_TOKEN_MAX_AGE"])
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))
    services.verify_email(user)
    db.session.commit()
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or password is not correct."))
        else:
            db.session.commit()  # a rehashed password is saved
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.get("/profile")
@login_required
def profile():
    return render_template("accounts/profile.html", user=current_user)
