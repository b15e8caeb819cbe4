"""Proposal forms: the shape of input only; the rules live in proposals.services."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.fields import FiscalYearField, IntField
from app.core.validators import MAX_ID, as_id, no_control_chars
from app.proposals.models import MAX_BAHT

BUDGET_FIELDS = 5
_DIGITS = re.compile(r"^-?\d+$")
_NOISE = re.compile(r"[\s,_฿]|บาท|baht", re.IGNORECASE)


class BahtField(StringField):
    """Whole baht typed as people write it: "1,250,000", "฿ 90 000" or "500000 บาท"."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = None
        self.parse_error = None
        text = _NOISE.sub("", self.raw or "")
        if not text:
            return
        if not _DIGITS.match(text):
            self.parse_error = _l("Enter a whole number of baht, like 1,250,000.")
        elif text.startswith("-"):
            self.parse_error = _l("An amount of money cannot be negative.")
        elif len(text) > 15 or int(text) > MAX_BAHT:
            self.parse_error = _l("This amount is too large (at most 1,000,000,000,000 baht).")
        else:
            self.data = int(text)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}" if isinstance(self.data, int) else ""

    def pre_validate(self, form):
        if getattr(self, "parse_error", None):
            raise ValidationError(self.parse_error)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    ident = as_id(value)
    # A tampered value (or one too large for the database): the service answers "that plan item does not exist".
    return ident if ident is not None else -1


def _checked_id(value) -> int:
    ident = as_id(value)
    if ident is None:
        raise ValueError(value)  # WTForms: "Invalid choice(s)..."
    return ident


class ProposalForm(FlaskForm):
    title = StringField(_l("Title of the project"), validators=[DataRequired(), Length(max=200), no_control_chars])
    objective = TextAreaField(_l("Objective (วัตถุประสงค์)"), validators=[DataRequired(), Length(max=5000), no_control_chars])
    target_output = TextAreaField(
        _l("Target and output (เป้าหมาย / ผลผลิตของโครงการ)"), validators=[DataRequired(), Length(max=5000), no_control_chars]
    )
    location_text = StringField(_l("Location (place, village, road)"), validators=[Optional(), Length(max=300), no_control_chars])
    subdistrict_codes = SelectMultipleField(_l("Subdistricts where the project takes place (optional)"), choices=[])
    estimated_cost = BahtField(_l("Estimated cost (baht)"), validators=[InputRequired(message=_l("Enter the estimated cost in baht."))])
    fiscal_year = FiscalYearField(
        _l("Fiscal year (Buddhist Era)"),
        validators=[InputRequired(message=_l("Enter a Buddhist-Era fiscal year such as 2570."))],
    )
    plan_item_id = SelectField(_l("Plan item the project serves"), coerce=_optional_int, validate_choice=False, choices=[])
    budget_years = HiddenField()
    budget_0 = BahtField()
    budget_1 = BahtField()
    budget_2 = BahtField()
    budget_3 = BahtField()
    budget_4 = BahtField()
    kpi = TextAreaField(_l("Indicators (KPI)"), validators=[DataRequired(), Length(max=5000), no_control_chars])
    expected_result = TextAreaField(_l("Expected result"), validators=[DataRequired(), Length(max=5000), no_control_chars])
    responsible_unit = StringField(_l("Responsible unit"), validators=[DataRequired(), Length(max=200), no_control_chars])
    idea_ids = MultiCheckboxField(_l("Ideas the proposal is built from"), coerce=_checked_id, choices=[], validate_choice=False)
    answer = TextAreaField(
        _l("Answer to the ideas' authors (optional)"), validators=[Optional(), Length(max=5000), no_control_chars]
    )

    def budget_fields(self) -> list[BahtField]:
        return [getattr(self, f"budget_{i}") for i in range(BUDGET_FIELDS)]


class StateForm(FlaskForm):
    to_state = SelectField(_l("New state"), choices=[], validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (published with the change)"), validators=[DataRequired(), Length(max=2000), no_control_chars])
    adopt = SelectField(_l("Final cost"), coerce=_optional_int, validate_choice=False, choices=[])


class EvaluatorForm(FlaskForm):
    evaluator_id = SelectField(_l("Evaluator"), coerce=_optional_int, validate_choice=False, choices=[])


class AddIdeaForm(FlaskForm):
    idea_id = IntField(_l("Number of the idea to add"), validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    idea_answer = TextAreaField(_l("Answer to the idea's author (optional)"), validators=[Optional(), Length(max=5000), no_control_chars])


YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


class AssessmentForm(FlaskForm):
    legal_authority_ok = RadioField(
        _l("Is the project within the legal authority of the body (อำนาจหน้าที่)?"), choices=YES_NO, validators=[InputRequired()]
    )
    technically_feasible = RadioField(_l("Is it technically feasible?"), choices=YES_NO, validators=[InputRequired()])
    cost_reasonable = RadioField(_l("Is the estimated cost reasonable?"), choices=YES_NO, validators=[InputRequired()])
    revised_cost = BahtField(_l("Revised cost estimate (baht, optional)"))
    recommendation = RadioField(
        _l("Recommendation"),
        choices=[SelectChoice("feasible", _l("Feasible")), SelectChoice("not_feasible", _l("Not feasible"))],
        validators=[InputRequired()],
    )
    summary = TextAreaField(
        _l("Reason for the public (short)"), validators=[DataRequired(), Length(max=2000), no_control_chars]
    )
    notes = TextAreaField(
        _l("Internal notes (seen only by officials and evaluators of the area)"),
        validators=[Optional(), Length(max=5000), no_control_chars],
    )
