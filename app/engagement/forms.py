"""Engagement forms: the shape of input only; the rules live in engagement.services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.validators import no_control_chars
from app.engagement.models import COMMENT_MAX


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(message=_l("Write something before you send your comment.")),
            Length(max=COMMENT_MAX, message=_l("A comment can have at most %(max)d characters.")),
            no_control_chars,
        ],
    )
    parent_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,12}$")])
    submission_token = HiddenField()  # one-time (app.core.submissions): the same form twice posts one comment


class EditCommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(message=_l("Write something before you send your comment.")),
            Length(max=COMMENT_MAX, message=_l("A comment can have at most %(max)d characters.")),
            no_control_chars,
        ],
    )


class ToggleForm(FlaskForm):
    """Support and follow buttons: `want` is "1" (add) or "0" (remove); missing means toggle.

    Sending the wanted state makes a double click idempotent instead of undoing itself.
    """

    want = HiddenField(validators=[Optional(), Regexp(r"^[01]$")])
    next = HiddenField(validators=[Optional(), Length(max=500)])

    @property
    def wanted(self) -> bool | None:
        return None if not self.want.data else self.want.data == "1"


class ConfirmForm(FlaskForm):
    """CSRF only."""
