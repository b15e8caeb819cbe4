"""Plan forms: the shape of input only; the rules live in plans.services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from app.core.fields import FiscalYearField
from app.core.validators import no_control_chars


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def year_field(label) -> FiscalYearField:
    return FiscalYearField(
        label,
        validators=[InputRequired(message=_l("Enter a Buddhist-Era fiscal year, for example 2570."))],
    )


def title_field(label, required_message=None) -> StringField:
    """A title of up to 300 characters; required when `required_message` is given."""
    validators = [
        InputRequired(message=required_message) if required_message else Optional(),
        Length(max=300, message=_l("A title has at most %(max)d characters.", max=300)),
        no_control_chars,
    ]
    return StringField(label, filters=[_strip], validators=validators)


class PlanForm(FlaskForm):
    """Create a plan; the file is optional (items can be added one by one afterwards)."""

    start_year = year_field(_l("First fiscal year (Buddhist Era)"))
    title = title_field(_l("Plan title"))
    file = FileField(_l("Items from a file (optional, .xlsx or .csv)"))


class PlanEditForm(FlaskForm):
    start_year = year_field(_l("First fiscal year (Buddhist Era)"))
    title = title_field(_l("Plan title"), _l("Enter the plan's title."))


class ItemForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=20, message=_l("A code has at most %(max)d characters.", max=20)),
            no_control_chars,
        ],
    )
    title = title_field(_l("Item title"), _l("Enter the item's title."))


class UploadForm(FlaskForm):
    file = FileField(_l("Plan file (.xlsx or .csv)"))


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token (delete)."""
