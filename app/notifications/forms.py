"""Notification forms: the shape of input only."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class EmailPreferenceForm(FlaskForm):
    email_notifications = BooleanField(_l("Also send me an email for each new notification"))


class MarkReadForm(FlaskForm):
    """CSRF only: marking read takes no input."""
