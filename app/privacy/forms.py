"""Forms of the privacy pages (shape of input only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Enter your password to confirm."))])
    keep_photos = BooleanField(_l("Keep the photos of my ideas on the site (without my name)"))
