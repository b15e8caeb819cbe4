"""Account forms: the shape of input only; rules live in accounts.services.

Every validator carries its own translated message: WTForms ships no Thai
catalogue, so its built-in messages would appear in English.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from app.accounts import national_id
from app.accounts.services import DISPLAY_NAME_MAX, DISPLAY_NAME_MIN, PASSWORD_MAX, PASSWORD_MIN
from app.core.fields import DateInputField
from app.core.validators import no_control_chars

PASSWORD_LENGTH_MESSAGE = _l(
    "The password must have between %(min)d and %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def email_field(label=None) -> EmailField:
    return EmailField(
        label or _l("Email"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most %(max)d characters.", max=254)),
            Email(message=_l("Enter an email address like name@example.com."), check_deliverability=False, allow_smtputf8=False),
        ],
        render_kw={"autocomplete": "email"},
    )


def new_password_fields(label=_l("New password"), again_label=_l("New password again")):
    """The choose-a-password pair used by registration, reset and change of password."""
    password = PasswordField(
        label,
        validators=[
            InputRequired(message=_l("Enter a password.")),
            Length(min=PASSWORD_MIN, max=PASSWORD_MAX, message=PASSWORD_LENGTH_MESSAGE),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    again = PasswordField(
        again_label,
        validators=[
            InputRequired(message=_l("Enter the password a second time.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, again


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("The email or password is not correct.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    email = email_field()
    display_name = StringField(
        _l("Display name"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the name to show next to your ideas.")),
            Length(
                min=DISPLAY_NAME_MIN, max=DISPLAY_NAME_MAX,
                message=_l("The display name must have between %(min)d and %(max)d characters.", min=DISPLAY_NAME_MIN, max=DISPLAY_NAME_MAX),
            ),
            no_control_chars,
        ],
    )
    province_code = SelectField(_l("Province where you live"), validate_choice=False)
    password, password_again = new_password_fields(_l("Password"), _l("Password again"))
    consent = BooleanField(_l("I have read the personal data notice and agree to it"))

    def __init__(self, provinces, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [("", _l("Choose a province"))] + [(p.code, p.label) for p in provinces]

    def validate_province_code(self, field):
        if field.data not in {code for code, _label in self.province_code.choices if code}:
            raise ValidationError(_l("Choose the province where you live."))

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("You must accept the personal data notice to register."))


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, password_again = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            InputRequired(message=_l("Enter your current password.")),
            Length(max=PASSWORD_MAX, message=_l("Your current password is not correct.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_again = new_password_fields()


class ProfileForm(FlaskForm):
    """Display name, language, notifications and subdistrict (choices: the person's province)."""

    display_name = StringField(
        _l("Display name"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the name to show next to your ideas.")),
            Length(
                min=DISPLAY_NAME_MIN, max=DISPLAY_NAME_MAX,
                message=_l("The display name must have between %(min)d and %(max)d characters.", min=DISPLAY_NAME_MIN, max=DISPLAY_NAME_MAX),
            ),
            no_control_chars,
        ],
    )
    locale = SelectField(_l("Language"), validate_choice=False)
    email_notifications = BooleanField(_l("Send me notifications by email"))
    subdistrict_code = SelectField(_l("Subdistrict where you live"), validate_choice=False)

    def __init__(self, subdistricts, locale: str, *args, **kwargs):
        super().__init__(*args, prefix="profile", **kwargs)
        self.locale.choices = [("th", "ไทย"), ("en", "English")]
        groups: dict[str, list[tuple[str, str]]] = {}
        self._subdistrict_codes = set()
        for sub in subdistricts:
            groups.setdefault(sub.district.name(locale), []).append((sub.code, sub.name(locale)))
            self._subdistrict_codes.add(sub.code)
        # WTForms renders a dict of lists as <optgroup>s: one per district.
        self.subdistrict_code.choices = {"": [("", _l("Not specified"))], **groups}

    def validate_locale(self, field):
        if field.data not in ("th", "en"):
            raise ValidationError(_l("Choose Thai or English."))

    def validate_subdistrict_code(self, field):
        if field.data and field.data not in self._subdistrict_codes:
            raise ValidationError(_l("Choose a subdistrict of your province."))


class ProvinceForm(FlaskForm):
    province_code = SelectField(_l("Province where you live"), validate_choice=False)

    def __init__(self, provinces, *args, **kwargs):
        super().__init__(*args, prefix="province", **kwargs)
        self.province_code.choices = [(p.code, p.label) for p in provinces]

    def validate_province_code(self, field):
        if field.data not in {code for code, _label in self.province_code.choices}:
            raise ValidationError(_l("Choose the province where you live."))


def _national_id_field() -> StringField:
    """The 13-digit national ID as people type it (the check digit is checked by the forms)."""
    return StringField(
        _l("National ID number (13 digits)"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter the 13 digits of your national ID number.")),
            Length(max=30, message=_l("This national ID number is not valid: check the 13 digits.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class NationalIdForm(FlaskForm):
    national_id = _national_id_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="nid", **kwargs)

    def validate_national_id(self, field):
        if not national_id.is_valid(field.data or ""):
            raise ValidationError(_l("This national ID number is not valid: check the 13 digits."))


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (resend the email, sign out...)."""


class SelfVerifyForm(FlaskForm):
    """National ID and date of birth, compared with the area's resident list (never stored as typed)."""

    national_id = _national_id_field()
    birth_date = DateInputField(_l("Date of birth"), validators=[DataRequired(message=_l("Enter your date of birth."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="sv", **kwargs)


class ProviderAccountForm(FlaskForm):
    """The first sign-in with a provider: what the account needs that the provider did not say."""

    email = email_field()
    display_name = RegisterForm.display_name
    province_code = SelectField(_l("Province where you live"), validate_choice=False)
    consent = BooleanField(_l("I have read the personal data notice and agree to it"))

    def __init__(self, provinces, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [("", _l("Choose a province"))] + [(p.code, p.label) for p in provinces]

    validate_province_code = RegisterForm.validate_province_code
    validate_consent = RegisterForm.validate_consent
