"""Forms of the cycles pages (shape of input only; the services check the rules).

The ballot itself is not a WTForm: its fields depend on the ballot and it
is read by voting.parse_ballot_form, so that a tampered form gets a message
naming what is wrong.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.accounts.labels import RESIDENCY_METHOD_LABELS
from app.core.fields import DateInputField, FiscalYearField, IntField
from app.core.validators import as_id, no_control_chars
from app.cycles.models import BallotKind, Completion, Phase, ProgressStatus, TallyRule
from app.cycles.phases import PHASE_LABELS
from app.proposals.forms import MultiCheckboxField

MAX_BAHT = 10**12

BALLOT_KIND_LABELS = {
    BallotKind.APPROVAL: _l("Approval: choose between a least and a most number of projects"),
    BallotKind.KNAPSACK: _l("Knapsack: choose projects whose total cost fits the budget"),
    BallotKind.CUMULATIVE: _l("Cumulative: spread a number of points over projects"),
    BallotKind.RANKING: _l("Ranking: put your top projects in order"),
}
RULE_LABELS = {
    TallyRule.GREEDY: _l("Greedy by votes: take projects by votes, skip what does not fit"),
    TallyRule.GREEDY_NO_SKIP: _l("Greedy by votes, stopping at the first project that does not fit"),
    TallyRule.GREEDY_THRESHOLD: _l("Greedy by votes, only projects with at least a threshold of votes"),
    TallyRule.MES: _l("Method of Equal Shares: each group of voters gets projects in proportion to its size"),
}
# What each completion does, in a clerk's words; the technical name (as pabulib and the tally CLI call it) in brackets.
COMPLETION_LABELS = {
    Completion.ADD1: _l("Raise everyone's equal share step by step until the budget is used up (technical name: add1)"),
    Completion.ADD1_GREEDY: _l(
        "Raise everyone's equal share until the budget is used up, then give what is left to the projects "
        "with the most votes that still fit (technical name: add1 + greedy)"
    ),
    Completion.GREEDY: _l("Give what is left to the projects with the most votes that still fit (technical name: greedy)"),
    Completion.NONE: _l("Nothing more: what is left stays unspent"),
}


def _optional_int(label, low=0, high=1_000_000):
    return IntField(label, validators=[Optional(), NumberRange(min=low, max=high)])



def _budget_id(value) -> int:
    ident = as_id(value)
    if ident is None:
        raise ValueError(value)  # WTForms: "Not a valid choice"
    return ident

class CycleForm(FlaskForm):
    title = StringField(_l("Cycle title"), validators=[DataRequired(), Length(max=200), no_control_chars])
    fiscal_year = FiscalYearField(_l("Fiscal year (Buddhist Era)"), validators=[InputRequired(message=_l("Enter the fiscal year, for example 2570."))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000), no_control_chars])
    total_budget = IntField(_l("Total budget (baht)"), validators=[InputRequired(), NumberRange(min=1, max=MAX_BAHT)])
    ideas_from = DateInputField(_l("Idea collection starts"), validators=[InputRequired()])
    supports_from = DateInputField(_l("Supports start"), validators=[InputRequired()])
    review_from = DateInputField(_l("Review starts"), validators=[InputRequired()])
    voting_from = DateInputField(_l("Voting opens"), validators=[InputRequired()])
    results_from = DateInputField(_l("Voting closes and results start"), validators=[InputRequired()])
    implementation_from = DateInputField(_l("Implementation starts"), validators=[InputRequired()])
    ballot_kind = SelectField(_l("Ballot"), choices=[SelectChoice(k.value, label) for k, label in BALLOT_KIND_LABELS.items()])
    min_projects = _optional_int(_l("Approval: least number of projects"), 1, 1000)
    max_projects = _optional_int(_l("Approval: most number of projects"), 1, 1000)
    min_share_percent = _optional_int(_l("Knapsack: least share of the budget to spend (%)"), 0, 100)
    points_total = _optional_int(_l("Cumulative: points each voter spreads"), 1, 1000)
    points_max = _optional_int(_l("Cumulative: most points on one project"), 1, 1000)
    rank_k = _optional_int(_l("Ranking: how many projects each voter ranks"), 1, 100)
    rule = SelectField(_l("Tally rule"), choices=[SelectChoice(r.value, label) for r, label in RULE_LABELS.items()])
    completion = SelectField(_l("Method of Equal Shares: completion"), choices=[SelectChoice(c.value, label) for c, label in COMPLETION_LABELS.items()])
    threshold = _optional_int(_l("Greedy with threshold: least votes (or points) a project needs"), 1, 10**9)
    accepted_methods = MultiCheckboxField(
        _l("Residents may vote when their residency was verified by"),
        choices=[SelectChoice(m.value, label) for m, label in RESIDENCY_METHOD_LABELS.items()],
    )

    def validate_accepted_methods(self, field) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one way of verifying residency."))


class BudgetForm(FlaskForm):
    name = StringField(_l("Name of the budget"), validators=[DataRequired(), Length(max=200), no_control_chars])
    amount = IntField(_l("Amount (baht)"), validators=[InputRequired(), NumberRange(min=1, max=MAX_BAHT)])
    subdistricts = SelectMultipleField(_l("Subdistricts whose residents vote in this budget (none: the whole area)"), choices=[])


class ProjectForm(FlaskForm):
    title = StringField(_l("Project title"), validators=[DataRequired(), Length(max=300), no_control_chars])
    cost = IntField(_l("Cost (baht)"), validators=[InputRequired(), NumberRange(min=1, max=MAX_BAHT)])
    budget = SelectField(_l("Budget"), choices=[], coerce=_budget_id, validate_choice=False)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000), no_control_chars])


class PhaseForm(FlaskForm):
    phase = SelectField(
        _l("Phase"),
        choices=[SelectChoice("", _l("Follow the dates"))] + [SelectChoice(p.value, label) for p, label in PHASE_LABELS.items()],
        validate_choice=True,
    )
    reason = StringField(_l("Reason (shown in the audit log)"), validators=[Optional(), Length(max=500), no_control_chars])


class PaperBatchForm(FlaskForm):
    forum_name = StringField(_l("Village forum (ประชาคมหมู่บ้าน)"), validators=[DataRequired(), Length(max=200), no_control_chars])
    forum_date = DateInputField(_l("Date of the forum"), validators=[InputRequired()])
    count = IntField(_l("Number of identical ballots"), default=1, validators=[InputRequired(), NumberRange(min=1, max=100_000)])
    ids_checked = BooleanField(_l("This forum checked ID cards and recorded its voters on this page"))


class PaperVoterForm(FlaskForm):
    """An officer at a forum that checks ID cards types a voter's national ID (kept only as a keyed hash)."""

    forum_name = StringField(_l("Village forum (ประชาคมหมู่บ้าน)"), validators=[DataRequired(), Length(max=200), no_control_chars])
    forum_date = DateInputField(_l("Date of the forum"), validators=[InputRequired()])
    national_id = StringField(
        _l("National ID number on the voter's ID card (13 digits)"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[DataRequired(message=_l("Enter the 13 digits of the national ID number.")),
                    Length(max=30, message=_l("This national ID number is not valid: check the 13 digits on the ID card."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="pv", **kwargs)


class ReceiptForm(FlaskForm):
    code = StringField(_l("Receipt code"), validators=[DataRequired(), Length(max=40), no_control_chars])


class ImportForm(FlaskForm):
    file = FileField(_l("pabulib .pb file"), validators=[FileRequired()])


class ProgressForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[])
    percent = IntField(_l("Percentage done"), validators=[InputRequired(), NumberRange(min=0, max=100)])
    happened_on = DateInputField(_l("Date"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000), no_control_chars])
    photos = MultipleFileField(_l("Photos (JPEG, PNG or WebP, up to 4)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from app.cycles.progress import STATUS_LABELS

        self.status.choices = [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()]


PROGRESS_STATUSES = {s.value: s for s in ProgressStatus}
PHASES = {p.value: p for p in Phase}
