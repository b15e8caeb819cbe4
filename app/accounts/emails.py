"""The emails accounts send: confirm an address, someone tried to register it, reset a password, a password was changed.

They are written in the person's own language (their setting, else the page's),
and sent as jobs (app.jobs.mail.queue_email): a worker sends them, with
retries, once the request's transaction is committed, so a slow or failing
mail server never holds up or breaks the page (the route commits after
queueing).
"""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts import services
from app.accounts.models import User
from app.core.locale import current_locale
from app.jobs.mail import queue_email
from app.core.urls import absolute_url


def _locale_of(user: User) -> str:
    return user.locale if user.locale in current_app.config["LANGUAGES"] else current_locale()


def send_verification_email(user: User) -> None:
    token = services.make_token(user, services.VERIFY_EMAIL)
    link = absolute_url("accounts.verify_email", token=token)
    days = current_app.config["EMAIL_TOKEN_MAX_AGE"] // (24 * 3600)
    with force_locale(_locale_of(user)):
        queue_email(
            user.email,
            _("Confirm your email for Ruamkhit"),
            _(
                "Hello %(name)s,\n\nPlease confirm your email address by opening this link:\n%(link)s\n\n"
                "The link works for %(days)d days.",
                name=user.display_name, link=link, days=days,
            ),
        )


def send_password_reset_email(user: User) -> None:
    token = services.make_token(user, services.RESET_PASSWORD)
    link = absolute_url("accounts.reset_password", token=token)
    hours = current_app.config["RESET_TOKEN_MAX_AGE"] // 3600
    with force_locale(_locale_of(user)):
        queue_email(
            user.email,
            _("Reset your Ruamkhit password"),
            _(
                "Hello %(name)s,\n\nSomeone (we hope you) asked to reset the password of your Ruamkhit account. "
                "To choose a new password, open this link:\n%(link)s\n\n"
                "The link works once, for %(hours)d hours. If you did not ask for it, ignore this email: "
                "your password stays the same.",
                name=user.display_name, link=link, hours=hours,
            ),
        )


def send_password_changed_email(user: User) -> None:
    with force_locale(_locale_of(user)):
        queue_email(
            user.email,
            _("Your Ruamkhit password was changed"),
            _(
                "Hello %(name)s,\n\nThe password of your Ruamkhit account was just changed, and every other "
                "device was signed out. If this was not you, reset your password at once:\n%(link)s",
                name=user.display_name, link=absolute_url("accounts.forgot_password"),
            ),
        )


def send_registration_attempt_email(user: User) -> None:
    """To the owner of an address someone tried to register again (the page answered as for a new account)."""
    with force_locale(_locale_of(user)):
        queue_email(
            user.email,
            _("Someone tried to register with your address on Ruamkhit"),
            _(
                "Hello %(name)s,\n\nSomeone (perhaps you) tried to create a new Ruamkhit account with this "
                "email address, which already has an account. No new account was made and yours is unchanged.\n\n"
                "To sign in:\n%(login)s\n\nForgot your password? Choose a new one here:\n%(forgot)s\n\n"
                "If this was not you, you can ignore this email.",
                name=user.display_name, login=absolute_url("accounts.login"),
                forgot=absolute_url("accounts.forgot_password"),
            ),
        )
