"""URL converters: an `<int:...>` id past what the database holds is simply no page (404), not a crash."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from app.core.validators import MAX_ID


class IdConverter(IntegerConverter):
    """`int` with a default maximum: /ideas/99999999999999999999 overflowed the database driver (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
