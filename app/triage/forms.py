"""Triage forms: the shape of input only; the rules live in triage.services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.fields import IntField
from app.core.validators import MAX_ID, as_id, no_control_chars
from app.triage.services import ANSWER_MAX


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return as_id(value)  # None for a tampered number or one too large for the database


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[], validators=[DataRequired()])
    answer = TextAreaField(
        _l("Public answer to the author"), validators=[Optional(), Length(max=ANSWER_MAX), no_control_chars]
    )


class ReferForm(FlaskForm):
    target_area = SelectField(_l("Refer to"), coerce=_int_or_none, validate_choice=False, choices=[])
    reason = TextAreaField(
        _l("Reason (required between two local governments)"),
        validators=[Optional(), Length(max=ANSWER_MAX), no_control_chars],
    )


class MergeForm(FlaskForm):
    # Chosen among the search results (radio buttons named target_idea); the number is checked here.
    target_idea = IntField(
        _l("Idea to merge into"),
        validators=[InputRequired(message=_l("Search for the idea to merge into and choose it.")),
                    NumberRange(min=1, max=MAX_ID)],
    )
    merge_answer = TextAreaField(
        _l("Public answer (optional)"), validators=[Optional(), Length(max=ANSWER_MAX), no_control_chars]
    )
