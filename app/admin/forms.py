"""Forms of the officials' and administrators' pages (shape of input only)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.accounts.labels import ROLE_LABELS
from app.accounts.models import ResidencyState, Role
from app.core.validators import no_control_chars

QUERY_MAX = 100


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class _SearchForm(FlaskForm):
    """A GET form: no CSRF token, and its values come from the query string."""

    class Meta:
        csrf = False


def _area_code_field(label) -> StringField:
    return StringField(
        label,
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=7, message=_l("An area code has 2 digits (a province) or 7 digits (a local government).")),
            no_control_chars,
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class ResidentSearchForm(_SearchForm):
    q = StringField(
        _l("Name or email"),
        filters=[_strip],
        validators=[Optional(), Length(max=QUERY_MAX, message=_l("Search with at most %(max)d characters.", max=QUERY_MAX)), no_control_chars],
    )
    state = SelectField(_l("Verification"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [
            ("", _l("Everyone")),
            (ResidencyState.WAITING.value, _l("Waiting for verification")),
            (ResidencyState.VERIFIED.value, _l("Verified")),
            (ResidencyState.NO_ID.value, _l("No national ID number")),
        ]

    def validate_state(self, field):
        if field.data and field.data not in {s.value for s in ResidencyState}:
            raise ValidationError(_l("Choose one of the verification states."))

    @property
    def state_value(self) -> ResidencyState | None:
        try:
            return ResidencyState(self.state.data) if self.state.data else None
        except ValueError:
            return None


class RoleFilterForm(_SearchForm):
    role = SelectField(_l("Role"), validate_choice=False)
    area = _area_code_field(_l("Area code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [("", _l("All roles"))] + [(r.value, label) for r, label in ROLE_LABELS.items()]

    def validate_role(self, field):
        if field.data and field.data not in {r.value for r in Role}:
            raise ValidationError(_l("Choose a role from the list."))


class AssignRoleForm(FlaskForm):
    email = EmailField(
        _l("Email of the person"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the email address of the person.")),
            Length(max=254, message=_l("An email address has at most %(max)d characters.", max=254)),
            Email(message=_l("Enter an email address like name@example.com."), check_deliverability=False, allow_smtputf8=False),
        ],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(_l("Role"), validate_choice=False)
    area_code = _area_code_field(_l("Area code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="assign", **kwargs)
        self.role.choices = [(r.value, label) for r, label in ROLE_LABELS.items()]

    def validate_role(self, field):
        if field.data not in {r.value for r in Role}:
            raise ValidationError(_l("Choose a role from the list."))


class AuditFilterForm(_SearchForm):
    # The options are the registry's groups and actions (app/audit/actions.py); any start of a code
    # still filters (a link may carry one), so the choice is not checked against the list.
    action = SelectField(
        _l("Action"),
        filters=[_strip],
        choices=[],
        validate_choice=False,
        validators=[Optional(), Length(max=80, message=_l("Search with at most %(max)d characters.", max=80)), no_control_chars],
    )

    def __init__(self, *args, **kwargs):
        from app.audit.actions import action_choices

        super().__init__(*args, **kwargs)
        choices = action_choices()
        value = self.action.data
        if value and value not in {code for code, _label in choices}:
            choices.insert(1, (value, value))
        self.action.choices = choices
    actor = StringField(
        _l("Email of who did it"),
        filters=[_strip],
        validators=[Optional(), Length(max=254, message=_l("Search with at most %(max)d characters.", max=254)), no_control_chars],
    )
    area = _area_code_field(_l("Area code"))


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


class LGSubdistrictsForm(FlaskForm):
    """An administrator's choice of the subdistricts a local government covers (checked by the service)."""

    subdistricts = SelectMultipleField(_l("Subdistricts this local government covers"), choices=[], validate_choice=False)
    restore = BooleanField()  # the "go back to the registry's assignment" button


class ResidentListForm(FlaskForm):
    file = FileField(_l("Resident list (.csv or .xlsx)"))
