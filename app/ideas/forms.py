"""Idea forms: the shape of input only; the rules live in ideas.services.

Every validator carries its own translated message (WTForms has no Thai catalogue).
"""
from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.validators import no_control_chars
from app.ideas.models import IdeaCategory
from app.ideas.services import DESCRIPTION_MAX, TITLE_MAX, IdeaInput


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _number(field) -> float | None:
    raw = (field.data or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(_l("Enter a number, for example 18.7883.")) from None
    if not math.isfinite(value):
        raise ValidationError(_l("Enter a number, for example 18.7883."))
    return value


class IdeaForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Enter a title.")),
            Length(max=TITLE_MAX, message=_l("The title must be %(n)d characters or fewer.", n=TITLE_MAX)),
            no_control_chars,
        ],
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    description = TextAreaField(
        _l("Description"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Describe your idea.")),
            Length(max=DESCRIPTION_MAX, message=_l("The description must be %(n)s characters or fewer.", n=f"{DESCRIPTION_MAX:,}")),
            no_control_chars,
        ],
        render_kw={"maxlength": DESCRIPTION_MAX, "rows": 10},
    )
    category = SelectField(_l("Category"), validate_choice=False)
    subdistrict_code = SelectField(_l("Subdistrict (optional)"), validate_choice=False)
    lat = StringField(_l("Latitude (optional)"), filters=[_strip], render_kw={"inputmode": "decimal", "maxlength": 20})
    lon = StringField(_l("Longitude (optional)"), filters=[_strip], render_kw={"inputmode": "decimal", "maxlength": 20})
    photos = MultipleFileField(_l("Photos (optional, up to 5)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    photo_token = HiddenField()
    submission_token = HiddenField()  # one-time (app.core.submissions): the same form twice makes one idea

    def __init__(self, subdistricts, locale: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("Choose a category"))] + [(c.value, c.label) for c in IdeaCategory]
        self.subdistrict_code.choices = [("", _l("Not in a particular subdistrict"))] + [
            (s.code, s.name(locale)) for s in subdistricts
        ]

    def validate_category(self, field):
        if field.data not in {c.value for c in IdeaCategory}:
            raise ValidationError(_l("Choose a category."))

    def validate_subdistrict_code(self, field):
        if field.data and field.data not in {code for code, _label in self.subdistrict_code.choices if code}:
            raise ValidationError(_l("Choose a subdistrict of this area."))

    def validate_lat(self, field):
        _number(field)

    def validate_lon(self, field):
        _number(field)

    def to_input(self) -> IdeaInput:
        try:
            lat, lon = _number(self.lat), _number(self.lon)
        except ValidationError:
            lat = lon = None
        return IdeaInput(
            title=self.title.data or "",
            description=self.description.data or "",
            category=IdeaCategory(self.category.data) if self.category.data in {c.value for c in IdeaCategory} else None,
            subdistrict_code=self.subdistrict_code.data or None,
            lat=lat,
            lon=lon,
        )


class ActionForm(FlaskForm):
    """A form with nothing but the CSRF token (withdraw)."""
