"""WTForms' own messages ("This field is required.", "Not a valid choice."...) in the user's language.

WTForms ships no Thai catalogue, so a form whose validators rely on its
built-in messages showed them in English on Thai pages. Flask-WTF looks for
the translations on `request.wtforms_translations`; we put there an object
that reads our own catalogues, where the messages below are translated.
"""
from __future__ import annotations

from flask import request
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

# Marked for extraction only: WTForms passes these msgids (and formats them itself).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid choice."),
    _l("Not a valid choice"),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid Choice: could not coerce"),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Invalid input."),
    _l("Invalid email address."),
    lazy_ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Field must be equal to %(other_name)s."),
    _l("Invalid value, must be one of: %(values)s."),
)


class _CatalogueTranslations:
    """The interface Flask-WTF expects (ugettext/ungettext), answered from our catalogues, unformatted."""

    def ugettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)

    gettext = ugettext
    ngettext = ungettext


def use_catalogue_for_wtforms() -> None:
    """Before each request (registered by the core blueprint on the whole app)."""
    request.wtforms_translations = _CatalogueTranslations()
