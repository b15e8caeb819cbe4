"""Account pages: register, verify email, sign in and out, reset and change the password, profile and residency."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.accounts import identity, oidc, services
from app.accounts.emails import (
    send_password_changed_email,
    send_password_reset_email,
    send_registration_attempt_email,
    send_verification_email,
)
from app.accounts.forms import (
    ActionForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NationalIdForm,
    ProviderAccountForm,
    SelfVerifyForm,
    ProfileForm,
    ProvinceForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.accounts.labels import RESIDENCY_LABELS
from app.core import ratelimit
from app.core.locale import LANG_COOKIE, current_locale
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
    return [ProvinceChoice(p.code, p.name(locale)) for p in list_provinces(locale=locale)]


def _keep_signed_in(user) -> None:
    """Sign the current browser in again after the session version changed (other sessions die)."""
    remembered = bool(request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))
    login_user(user, remember=remembered)


# --- register, confirm, sign in and out --------------------------------------

@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(**ratelimit.rule("REGISTER", methods=["POST"]))
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = RegisterForm(province_choices())
    if form.validate_on_submit():
        try:
            user, created = services.register(
                form.email.data, form.password.data, form.display_name.data, form.province_code.data,
                consent=form.consent.data, locale=current_locale(),
            )
            db.session.commit()
        except services.AccountError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        except IntegrityError:  # the same address registered a moment ago by another request
            db.session.rollback()
            user, created = services.get_user_by_email(form.email.data), False
            if user is None:
                raise
        if not form.email.errors:
            # The same answer whether or not the address already had an account; its owner is told by email.
            if created:
                send_verification_email(user)
            else:
                send_registration_attempt_email(user)
            db.session.commit()  # the mail job
            flash(_("Thank you. We sent an email to %(email)s: open its link to confirm your address, "
                    "then sign in with your password.", email=form.email.data.strip()), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/register.html", form=form)


@bp.get("/verify/<token>")
def verify_email(token: str):
    target = url_for("accounts.profile" if current_user.is_authenticated else "accounts.login")
    try:
        user = services.read_token(token, services.VERIFY_EMAIL, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(target)
    services.verify_email(user)
    db.session.commit()
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(target)


@bp.post("/profile/resend-confirmation")
@login_required
@limiter.limit(**ratelimit.rule("RESEND_CONFIRMATION"))
def resend_verification():
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
    elif current_user.email_verified:
        flash(_("Your email address is already confirmed."), "info")
    else:
        send_verification_email(current_user)
        db.session.commit()  # the mail job
        flash(_("We sent a new confirmation email to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/login", methods=["GET", "POST"])
# Only failed sign-ins count against the address: an office where everyone signs in at 9:00 is not refused.
@limiter.limit(**ratelimit.rule("LOGIN_ADDRESS", methods=["POST"], deduct_when=ratelimit.not_redirected))
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data
        locked = ratelimit.login_locked_for(email)
        # A locked account's password is not even checked: guessing goes nowhere while it lasts.
        user = None if locked else services.authenticate(email, form.password.data)
        if locked:
            form.email.errors.append(_locked_message(locked))
        elif user is None:
            locked = ratelimit.record_login_failure(email)
            form.password.errors.append(_locked_message(locked) if locked else _("The email or password is not correct."))
        else:
            ratelimit.clear_login_failures(email)
            db.session.commit()  # a rehashed password is saved
            login_user(user, remember=form.remember.data)
            # The person came from a provider whose email matched this account: the password proved it is theirs.
            _link_pending(user)
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    return render_template("accounts/login.html", form=form, providers=oidc.providers(),
                           pending=identity.Proof.from_session(session.get(PENDING_KEY)))


def _locked_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _(
        "Too many failed sign-ins for this account: it is locked for %(minutes)d more minutes. "
        "Choosing a new password (forgot your password?) unlocks it now.",
        minutes=minutes,
    )


@bp.post("/logout")
def logout():
    # Ends this session everywhere it was copied (a session or remember-me cookie taken from this
    # browser), and with it the account's other sessions: one session version per account.
    if current_user.is_authenticated:
        services.end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("accounts.profile"))
    services.end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You are signed out on all your devices."), "success")
    return redirect(url_for("accounts.login"))


# --- passwords -----------------------------------------------------------------

@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(**ratelimit.rule("PASSWORD_RESET_ADDRESS", methods=["POST"]))
@limiter.limit(**ratelimit.rule("PASSWORD_RESET_EMAIL", methods=["POST"]))
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_for_password_reset(form.email.data)
        if user is not None:
            send_password_reset_email(user)
            db.session.commit()  # the mail job
        # The same answer whether or not the address has an account.
        flash(
            _("If an account uses %(email)s, we have sent it a link to choose a new password. Check your inbox.",
              email=form.email.data),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(**ratelimit.rule("PASSWORD_RESET_SUBMIT", methods=["POST"]))
def reset_password(token: str):
    max_age = current_app.config["RESET_TOKEN_MAX_AGE"]
    try:
        services.read_token(token, services.RESET_PASSWORD, max_age)
    except services.AccountError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data, max_age)
        except services.AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            ratelimit.clear_login_failures(user.email)  # the owner proved it: unlock the account
            logout_user()
            send_password_changed_email(user)
            db.session.commit()  # the mail job
            flash(_("Your new password is saved. Sign in with it."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("PASSWORD_CHANGE", methods=["POST"]))
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()  # login_user needs the user, not the proxy
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except services.WrongPassword as error:
            db.session.rollback()
            form.current_password.errors.append(str(error))
        except services.AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            _keep_signed_in(user)
            send_password_changed_email(user)
            db.session.commit()  # the mail job
            flash(_("Your password is changed. Other devices were signed out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


# --- profile and residency -------------------------------------------------------

def _profile_form(formdata=None) -> ProfileForm:
    user = current_user
    form = ProfileForm(
        services.subdistricts_of_province(user.province_code),
        current_locale(),
        formdata=formdata,
        data={
            "display_name": user.display_name,
            "locale": user.locale or current_locale(),
            "email_notifications": user.email_notifications,
            "subdistrict_code": user.subdistrict_code or "",
        },
    )
    return form


def _render_profile(**forms):
    from app.accounts.resident_list import resident_list_areas_for
    from app.areas.services import get_province

    forms.setdefault("profile_form", _profile_form(formdata=None))
    forms.setdefault("province_form", ProvinceForm(province_choices(), formdata=None, data={"province_code": current_user.province_code}))
    forms.setdefault("nid_form", NationalIdForm(formdata=None))
    forms.setdefault("self_verify_form", SelfVerifyForm(formdata=None))
    forms.setdefault("resend_form", ActionForm(formdata=None))
    forms.setdefault("sign_out_form", ActionForm(formdata=None))
    return render_template(
        "accounts/profile.html",
        user=current_user,
        province=get_province(current_user.province_code),
        residency_label=RESIDENCY_LABELS[current_user.residency_state],
        resident_list_areas=resident_list_areas_for(current_user),
        providers=oidc.providers(),
        provider_labels={p.name: p.label for p in oidc.providers()},
        identity_proof=identity.identity_summary(current_user),
        **forms,
    )


@bp.get("/profile")
@login_required
def profile():
    return _render_profile()


@bp.post("/profile")
@login_required
def update_profile():
    form = _profile_form(formdata=request.form)
    if form.validate_on_submit():
        try:
            withdrawn = services.update_profile(
                current_user,
                display_name=form.display_name.data,
                locale=form.locale.data,
                email_notifications=form.email_notifications.data,
                subdistrict_code=form.subdistrict_code.data,
            )
        except services.AccountError as error:
            db.session.rollback()
            form.display_name.errors.append(str(error))
        else:
            db.session.commit()
            # The next page is in the language just chosen: so are its messages.
            with force_locale(current_user.locale or current_locale()):
                flash(_("Your profile is saved."), "success")
                if withdrawn:
                    flash(_("You moved: an official must verify your residency again before you can vote."), "info")
            response = redirect(url_for("accounts.profile"))
            # The language switch's cookie wins over the setting: keep them in step.
            response.set_cookie(
                LANG_COOKIE, current_user.locale or current_locale(), max_age=365 * 24 * 3600, samesite="Lax",
                secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
            )
            return response
    return _render_profile(profile_form=form)


@bp.post("/profile/province")
@login_required
def change_province():
    form = ProvinceForm(province_choices())
    if form.validate_on_submit():
        try:
            withdrawn = services.change_province(current_user, form.province_code.data)
        except services.AccountError as error:
            db.session.rollback()
            form.province_code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your province is saved. Choose your subdistrict in it."), "success")
            if withdrawn:
                flash(_("You moved: an official must verify your residency again before you can vote."), "info")
            return redirect(url_for("accounts.profile"))
    return _render_profile(province_form=form)


@bp.post("/profile/self-verify")
@login_required
@limiter.limit(**ratelimit.rule("SELF_VERIFY_ACCOUNT"))
@limiter.limit(**ratelimit.rule("SELF_VERIFY_ID"))
def self_verify():
    """A resident verifies their residency against their area's resident list (app/accounts/resident_list.py)."""
    from app.accounts import resident_list

    form = SelfVerifyForm()
    if form.validate_on_submit():
        try:
            area = resident_list.self_verify(current_user, form.national_id.data, form.birth_date.data)
        except resident_list.SelfVerifyError as error:
            db.session.commit()  # keeps the audited failure, nothing else was changed
            form.national_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your residency is verified against the resident list of %(area)s: you can vote in its budgeting cycles.",
                    area=area.title(current_locale())), "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(self_verify_form=form)


@bp.post("/profile/national-id")
@login_required
@limiter.limit(**ratelimit.rule("NATIONAL_ID"))
def add_national_id():
    form = NationalIdForm()
    if form.validate_on_submit():
        try:
            services.set_national_id(current_user, form.national_id.data)
        except services.AccountError as error:
            db.session.rollback()
            form.national_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your national ID number is saved. An official of your area can now verify your residency."), "success")
            return redirect(url_for("accounts.profile"))
    return _render_profile(nid_form=form)


# --- sign-in with ThaID, LINE and other OpenID Connect providers (app/accounts/oidc.py, identity.py) ------

PENDING_KEY = "oidc_pending"  # a verified proof waiting for its account (a new one, or an existing one's password)
NEXT_KEY = "oidc_next"


def _provider_or_404(provider_name: str) -> oidc.Provider:
    provider = oidc.get_provider(provider_name)
    if provider is None:
        abort(404)
    return provider


@bp.get("/login/with/<provider_name>")
@limiter.limit(**ratelimit.rule("PROVIDER_SIGN_IN"))
def oidc_start(provider_name: str):
    provider = _provider_or_404(provider_name)
    session[NEXT_KEY] = safe_next(request.args.get("next"), "")
    try:
        return oidc.start(provider)
    except oidc.SignInError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.profile" if current_user.is_authenticated else "accounts.login"))


@bp.get("/login/with/<provider_name>/callback")
@limiter.limit(**ratelimit.rule("PROVIDER_SIGN_IN"))
def oidc_callback(provider_name: str):
    provider = _provider_or_404(provider_name)
    back = url_for("accounts.profile" if current_user.is_authenticated else "accounts.login")
    proof = None
    try:
        proof = identity.read_claims(oidc.finish(provider))
        if current_user.is_authenticated:  # signed in: the person proved the account is theirs
            identity.link(current_user._get_current_object(), proof)
            db.session.commit()
            flash(_("%(provider)s is now linked to your account.", provider=provider.label), "success")
            _flash_proven(current_user, provider)
            return redirect(url_for("accounts.profile"))
        user = identity.linked_account(proof)
        if user is not None:
            identity.sign_in(user, proof)
            db.session.commit()
            login_user(user)
            _flash_proven(user, provider)
            return redirect(safe_next(session.pop(NEXT_KEY, None), url_for("core.home")))
        identity.check_proof_for(None, proof)
    except (oidc.SignInError, identity.IdentityError) as error:
        db.session.rollback()
        session.pop(PENDING_KEY, None)
        if isinstance(error, identity.NationalIdTaken) and proof is not None:
            identity.record_refusal(error, proof, current_user if current_user.is_authenticated else None)
            db.session.commit()
        flash(str(error), "error")
        return redirect(back)
    except IntegrityError:  # the same identity or number linked a moment ago by another request
        db.session.rollback()
        session.pop(PENDING_KEY, None)
        flash(_("The sign-in did not complete or has expired. Please start again from the sign-in page."), "error")
        return redirect(back)
    session[PENDING_KEY] = proof.to_session()
    if proof.email and services.get_user_by_email(proof.email) is not None:
        # Never linked by email alone: the owner proves the account is theirs with its password first.
        flash(_("An account already uses %(email)s. Sign in with its password to link %(provider)s to it; if you "
                "forgot it, choose a new one with \"Forgot your password?\" and then sign in.",
                email=proof.email, provider=provider.label), "info")
        return redirect(url_for("accounts.login"))
    return redirect(url_for("accounts.oidc_account"))


def _flash_proven(user, provider: oidc.Provider) -> None:
    if provider.verifies_residency and user.residency_verified and user.residency_method.value == "thaid":
        flash(_("%(provider)s verified your identity and your residency: you can vote in the budgeting cycles "
                "of where you live.", provider=provider.label), "success")
    elif provider.proves_identity and not user.residency_verified:
        flash(_("%(provider)s verified your identity. Choose your subdistrict on your profile; an official or "
                "your area's resident list can then verify your residency.", provider=provider.label), "info")


@bp.route("/login/with/new-account", methods=["GET", "POST"])
@limiter.limit(**ratelimit.rule("REGISTER", methods=["POST"]))
def oidc_account():
    """First sign-in with a provider: create the account, or send the owner of the email to prove it first."""
    proof = identity.Proof.from_session(session.get(PENDING_KEY))
    if proof is None:
        flash(_("The sign-in did not complete or has expired. Please start again from the sign-in page."), "error")
        return redirect(url_for("accounts.login"))
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = ProviderAccountForm(province_choices(), data={
        "email": proof.email or "", "display_name": proof.suggested_name, "province_code": proof.province_code or "",
    } if request.method == "GET" else None)
    if form.validate_on_submit():
        if services.get_user_by_email(form.email.data) is not None:
            # Never linked by email alone: the owner proves the account is theirs with its password first.
            flash(_("An account already uses %(email)s. Sign in with its password to link %(provider)s to it; if you "
                    "forgot it, choose a new one with \"Forgot your password?\" and then sign in.",
                    email=form.email.data, provider=proof.provider_label), "info")
            return redirect(url_for("accounts.login"))
        try:
            user = identity.create_account(
                proof, email=form.email.data, display_name=form.display_name.data,
                province_code=form.province_code.data, consent=form.consent.data, locale=current_locale(),
            )
            db.session.commit()
        except (services.AccountError, identity.IdentityError) as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        except IntegrityError:  # the address or the identity taken a moment ago by another request
            db.session.rollback()
            form.email.errors.append(_("An account with this email already exists."))
        else:
            session.pop(PENDING_KEY, None)
            login_user(user)
            if not user.email_verified:
                send_verification_email(user)
                db.session.commit()  # the mail job
            flash(_("Your account is created and linked to %(provider)s.", provider=proof.provider_label), "success")
            provider = oidc.get_provider(proof.provider)
            if provider is not None:
                _flash_proven(user, provider)
            return redirect(safe_next(session.pop(NEXT_KEY, None), url_for("accounts.profile")))
    return render_template("accounts/oidc_account.html", form=form, proof=proof)


def _link_pending(user) -> None:
    proof = identity.Proof.from_session(session.pop(PENDING_KEY, None))
    if proof is None:
        return
    try:
        identity.link(user, proof)
        db.session.commit()
    except identity.IdentityError as error:
        db.session.rollback()
        if isinstance(error, identity.NationalIdTaken):
            identity.record_refusal(error, proof, user)
            db.session.commit()
        flash(str(error), "error")
        return
    except IntegrityError:  # linked a moment ago by another request
        db.session.rollback()
        flash(_("The sign-in did not complete or has expired. Please start again from the sign-in page."), "error")
        return
    flash(_("%(provider)s is now linked to your account.", provider=proof.provider_label), "success")
    provider = oidc.get_provider(proof.provider)
    if provider is not None:
        _flash_proven(user, provider)
