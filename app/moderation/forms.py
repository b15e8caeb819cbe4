"""Moderation forms: the shape of input only; the rules live in moderation.services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core.validators import no_control_chars
from app.moderation.models import NOTE_MAX, REASON_LABELS, REASON_MAX, ReportReason


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("Why are you reporting this?"),
        choices=[SelectChoice(r.value, REASON_LABELS[r]) for r in ReportReason],
        validators=[InputRequired(message=_l("Choose why you are reporting this."))],
    )
    note = TextAreaField(
        _l("Anything the moderators should know (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX, message=_l("Write at most %(max)d characters.")), no_control_chars],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels are lazy: build the choices per request so they follow the reader's language.
        self.reason.choices = [SelectChoice(r.value, r.label) for r in ReportReason]


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give a reason.")),
            Length(max=REASON_MAX, message=_l("Write at most %(max)d characters.")),
            no_control_chars,
        ],
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.reason.label.text = label
