"""WTForms validators shared by every domain."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# C0/C1 control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_control_chars(form, field) -> None:
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(_l("This field contains characters that are not allowed."))


def strip_control_chars(value: str | None) -> str | None:
    return _CONTROL.sub("", value) if isinstance(value, str) else value


# The largest id an INTEGER primary key holds (PostgreSQL's int4; SQLite refuses ints past 2**63).
MAX_ID = 2**31 - 1


def as_id(value) -> int | None:
    """A row id from a form or URL, or None when it is not one (tampered, negative, too large to look up)."""
    from app.core.numbers import parse_int

    return parse_int(value, minimum=1, maximum=MAX_ID)
