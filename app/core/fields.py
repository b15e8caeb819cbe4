"""Form fields shared by every domain: dates and fiscal years typed in the reader's calendar.

A date is one text input, not the browser's `type=date` picker: that picker
speaks the Common Era whatever the page's language (a Thai clerk typing
2569 gets year 2569 CE), looks different in every browser and is missing
in some. One text field with a placeholder (วว/ดด/ปปปป) works without
JavaScript, takes a date pasted from a letter, and is read by one parser
(app.core.dates) for every form; three selects would need a fixed list of
years and three labels for one answer.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import ValidationError

from app.core.numbers import parse_int
from app.core.dates import DateInputError, date_pattern_hint, date_placeholder, format_date_input, parse_date_input, parse_fiscal_year


def _locale() -> str:
    from flask import has_request_context

    if not has_request_context():
        return "th"
    from app.core.locale import current_locale

    return current_locale()


class _ParsedField(StringField):
    """A text input whose value is parsed once; a parse error is reported by pre_validate."""

    parse_error = None

    def parse(self, text: str):
        raise NotImplementedError

    def show(self, value) -> str:
        return "" if value is None else str(value)

    def process_formdata(self, valuelist):
        self.parse_error = None
        self.data = None
        if not valuelist:
            return
        try:
            self.data = self.parse(valuelist[0])
        except DateInputError as error:
            self.parse_error = error.message

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.show(self.data)

    def pre_validate(self, form):
        if self.parse_error is not None:
            raise ValidationError(self.parse_error)


class DateInputField(_ParsedField):
    """A date typed as day/month/year in the reader's calendar: Buddhist Era in Thai, Common Era in English."""

    def __init__(self, label=None, validators=None, **kwargs):
        self.locale = _locale()
        render_kw = {"placeholder": str(date_placeholder(self.locale)), "autocomplete": "off", "spellcheck": "false",
                     "class": "date-input", **(kwargs.pop("render_kw", None) or {})}
        kwargs.setdefault("description", date_pattern_hint(self.locale))
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def parse(self, text):
        return parse_date_input(text, self.locale)

    def show(self, value):
        return format_date_input(value, self.locale)


class FiscalYearField(_ParsedField):
    """A fiscal year, always named in the Buddhist Era (ปีงบประมาณ 2570) in both languages."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def parse(self, text):
        return parse_fiscal_year(text)


class IntField(IntegerField):
    """IntegerField read by the one integer parser (app.core.numbers): ASCII digits only.

    WTForms' own IntegerField calls int(), which takes "١٢" (Arabic-Indic digits) and "1_000" and
    numbers of any length; here anything but an optional minus and 0-9 is a form error.
    """

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0]
        if text is None or not str(text).strip():
            self.data = None
            return
        number = parse_int(str(text), signed=True)
        if number is None:
            self.data = None
            raise ValueError(str(_l("Enter a whole number using the digits 0-9.")))
        self.data = number
