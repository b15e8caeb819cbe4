"""Account forms: the shape of input only; rules live in accounts.services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.core.validators import no_control_chars

PASSWORD_MIN = 10


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254), Email(message=_l("Enter an email address like name@example.com."), check_deliverability=False)],
    )
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(min=2, max=100), no_control_chars]
    )
    province_code = SelectField(_l("Province where you live"), validators=[DataRequired()])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=200, message=_l("The password must have between %(min)d and %(max)d characters."))],
    )
    password_again = PasswordField(
        _l("Password again"), validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))]
    )
    consent = BooleanField(_l("I have read the personal data notice and agree to it"))

    def __init__(self, provinces, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province_code.choices = [("", _l("Choose a province"))] + [(p.code, p.label) for p in provinces]

    def validate_consent(self, field):
        if not field.data:
            raise ValidationError(_l("You must accept the personal data notice to register."))
