"""The request edge of the API: one place for what every endpoint does the same way.

- Query strings are read by the endpoint's query model (app/api/schemas.py):
  an unknown parameter, a repeated one, a page larger than 100, a date that
  does not parse: 400 with the reasons, never a 500.
- Cursors are opaque: base64url of a small JSON array naming the list and the
  last key served. The list goes on after that key (keyset), so a page deep
  in the list costs what the first does, and a row added meanwhile neither
  repeats nor skips one. A cursor that is not one we gave out is a 400.
- Every answer has an ETag (a hash of its body, which already depends on
  the language asked for: Vary: Accept-Language) and, where its data has
  times, a Last-Modified; If-None-Match (which wins, RFC 9110 §13.2.2) or
  If-Modified-Since answer 304. An If-None-Match that is not a list of
  entity tags is a 400; an If-Modified-Since that is not an HTTP date is
  ignored, as RFC 9110 §13.1.3 requires.
- Errors are application/problem+json (RFC 9457) in the language of
  Accept-Language (Thai when it names neither Thai nor English).
- CORS: GET (and HEAD) from any origin; no credentials are ever used.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, TypeVar

from flask import Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from werkzeug.http import http_date, parse_date

from app.api import schemas as s
from app.core.validators import MAX_ID

PROBLEM_MIME = "application/problem+json"
Q = TypeVar("Q", bound=s.Query)

TITLES = {
    400: _l("Bad request"),
    401: _l("API key not accepted"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    406: _l("Not acceptable"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Service unavailable"),
}
DETAILS = {
    400: _l("The request could not be understood."),
    401: _l("The API key sent in X-API-Key is unknown or was revoked. Send a valid key, or none for the public rate limit."),
    404: _l("There is nothing at this address."),
    405: _l("The API only reads: use GET."),
    406: _l("The API answers in JSON only."),
    429: _l("Too many requests from this address or key. Wait a moment and try again; an API key gives a higher limit."),
    500: _l("An error occurred on our side. Please try again later."),
    503: _l("The service cannot reach its database at the moment. Please try again in a few minutes."),
}
# The anchor of each kind of problem on the documentation page (its `type` URI).
KINDS = {400: "bad-request", 401: "api-key", 404: "not-found", 405: "method", 406: "not-acceptable",
         429: "rate-limit", 500: "server-error", 503: "unavailable"}


class ApiProblem(Exception):
    """Raised anywhere under /api/: answered as problem+json."""

    def __init__(self, status: int, detail: Any = None, *, invalid: list[tuple[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(str(detail or ""))
        self.status = status
        self.detail = detail
        self.invalid = invalid
        self.headers = headers or {}


def problem_response(status: int, detail: Any = None, *, invalid: list[tuple[str, str]] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    from app.core.locale import current_locale
    from app.core.urls import absolute_url

    known = status if status in TITLES else (400 if 400 <= status < 500 else 500)
    body = s.Problem(
        type=absolute_url("api.docs", _anchor="problem-" + KINDS[known]),
        title=str(TITLES[known]), status=status, detail=str(detail or DETAILS[known]),
        invalid_params=[s.InvalidParam(name=n, reason=r) for n, r in invalid] if invalid else None,
    )
    response = Response(body.model_dump_json(exclude_none=True), status=status, mimetype=PROBLEM_MIME)
    response.headers["Content-Language"] = current_locale()
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Language"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# --- query strings ---------------------------------------------------------------------------------

PARAM_REASONS = {
    "cursor": _l("The cursor is not one this API gave out for this list. Start again from the first page, without a cursor."),
    "limit": _l("limit must be a whole number from 1 to %(max)s.", max=s.MAX_PAGE),
    "since": _l("since must be a date written YYYY-MM-DD, such as 2026-01-31."),
    "updated_since": _l("updated_since must be a date and time with its UTC offset, such as 2026-01-31T08:00:00Z."),
    "area": _l("area must be a province's 2-digit code or a local government's 7-digit code."),
    "province": _l("province must be a 2-digit province code."),
    "subdistrict": _l("subdistrict must be a 6-digit subdistrict code."),
    "fiscal_year": _l("fiscal_year must be a Buddhist-Era year, such as 2569."),
}


def _reason(name: str, error_type: str, model: type[s.Query]) -> str:
    if error_type == "extra_forbidden":
        allowed = ", ".join(model.model_fields)
        return _("Unknown parameter. This list takes: %(allowed)s.", allowed=allowed or "-")
    if name in PARAM_REASONS:
        return str(PARAM_REASONS[name])
    field = model.model_fields.get(name)
    choices = _enum_choices(field.annotation) if field is not None else None
    if choices:
        return _("%(name)s must be one of: %(choices)s.", name=name, choices=", ".join(choices))
    return _("The value of %(name)s is not valid.", name=name)


def _enum_choices(annotation: Any) -> list[str] | None:
    from enum import Enum
    from typing import get_args

    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return [m.value for m in candidate]
    return None


def parse_query(model: type[Q]) -> Q:
    """The query string as `model`, or ApiProblem(400) saying what is wrong with each parameter."""
    invalid: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for name in request.args:
        given = request.args.getlist(name)
        if len(given) > 1:
            invalid.append((name, _("Give this parameter once.")))
        else:
            values[name] = given[0]
    if not invalid:
        try:
            return model.model_validate(values)
        except ValidationError as error:
            seen = set()
            for item in error.errors(include_url=False, include_input=False):
                name = str(item["loc"][0]) if item["loc"] else "?"
                if name not in seen:
                    seen.add(name)
                    invalid.append((name, _reason(name, item["type"], model)))
    raise ApiProblem(400, _("Some parameters are not valid."), invalid=invalid)


def bad_param(name: str, reason: Any) -> ApiProblem:
    return ApiProblem(400, _("Some parameters are not valid."), invalid=[(name, str(reason))])


def to_utc(value: datetime, name: str) -> datetime:
    """An aware datetime in UTC; a time so near year 1 or 9999 that UTC cannot hold it is a bad parameter."""
    try:
        return value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise bad_param(name, PARAM_REASONS.get(name, _l("This time cannot be read."))) from None


# --- cursors ------------------------------------------------------------------------------------------


def encode_cursor(list_name: str, key: Any) -> str:
    raw = json.dumps([list_name, key], separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(list_name: str, token: str | None, kind: type) -> Any:
    """The key a cursor carries, None for no cursor, ApiProblem(400) for anything we did not give out."""
    if token is None:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        if not re.fullmatch(r"[A-Za-z0-9_-]+=*", padded):
            raise ValueError
        name, key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError):
        raise bad_param("cursor", PARAM_REASONS["cursor"]) from None
    if name != list_name or type(key) is not kind:  # bool is not int here: type(), not isinstance()
        raise bad_param("cursor", PARAM_REASONS["cursor"])
    if kind is int and not 0 <= key <= MAX_ID:
        raise bad_param("cursor", PARAM_REASONS["cursor"])
    if kind is str and (len(key) > 20 or not key.isascii() or not key.isalnum()):
        raise bad_param("cursor", PARAM_REASONS["cursor"])
    return key


def next_link(cursor: str | None) -> str | None:
    """The address of the next page: this request's own, with the cursor replaced."""
    if cursor is None:
        return None
    from urllib.parse import urlencode

    from app.core.urls import absolute_link

    args = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"] + [("cursor", cursor)]
    return absolute_link(request.path + "?" + urlencode(args))


# --- conditional answers ----------------------------------------------------------------------------

_ETAG = r'\s*(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"\s*'
_ETAG_LIST = re.compile(rf"\s*\*\s*|{_ETAG}(?:,{_ETAG})*")


@dataclass
class Conditions:
    etags: list[str] | None
    any_etag: bool
    modified_since: datetime | None


def read_conditions() -> Conditions:
    raw = request.headers.get("If-None-Match")
    etags: list[str] | None = None
    any_etag = False
    if raw is not None:
        if not _ETAG_LIST.fullmatch(raw):
            raise ApiProblem(400, _('If-None-Match must be "*" or a list of entity tags such as "abc123" (with the quotes).'))
        any_etag = raw.strip() == "*"
        etags = [] if any_etag else [t.strip().removeprefix("W/") for t in raw.split(",")]
    since = None
    if raw is None and request.headers.get("If-Modified-Since"):
        since = parse_date(request.headers["If-Modified-Since"])  # None when it is no date: ignored (RFC 9110)
    return Conditions(etags, any_etag, since)


def json_response(model: BaseModel, modified: datetime | None) -> Response:
    """The model as JSON with its validators; 304 when the client's copy is current."""
    conditions = read_conditions()
    body = model.model_dump_json().encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if modified is not None:
        modified = modified.astimezone(timezone.utc).replace(microsecond=0)
    headers = {"ETag": etag, "Vary": "Accept-Language", "Cache-Control": "public, max-age=60"}
    if modified is not None:
        headers["Last-Modified"] = http_date(modified)
    not_modified = False
    if conditions.etags is not None:
        not_modified = conditions.any_etag or etag in conditions.etags
    elif conditions.modified_since is not None and modified is not None:
        not_modified = modified <= conditions.modified_since.astimezone(timezone.utc)
    if not_modified:
        return Response(status=304, headers=headers)
    from app.core.locale import current_locale

    response = Response(body, mimetype="application/json", headers=headers)
    response.headers["Content-Language"] = current_locale()
    return response


def latest(times: Iterable[datetime | None]) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


# --- API keys ---------------------------------------------------------------------------------------

KEY_HEADER = "X-API-Key"
_UNCHECKED = object()


def request_api_key():
    """The valid API key of this request (None: none sent, or not valid); looked up once a request."""
    from flask import g

    found = g.get("api_key", _UNCHECKED)
    if found is _UNCHECKED:
        raw = request.headers.get(KEY_HEADER)
        found = None
        if raw is not None:
            from app.api.keys import active_key

            found = active_key(raw.strip())
        g.api_key = found
        g.api_key_refused = raw is not None and found is None
    return found


def has_valid_key() -> bool:
    return request_api_key() is not None


def has_no_valid_key() -> bool:
    return request_api_key() is None


def refuse_bad_key() -> None:
    """A key that was sent but is unknown or revoked is refused, rather than quietly served as anonymous."""
    from flask import g

    request_api_key()
    if g.get("api_key_refused"):
        raise ApiProblem(401, headers={"WWW-Authenticate": f'ApiKey header="{KEY_HEADER}"'})


# --- CORS ---------------------------------------------------------------------------------------------

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since, X-API-Key",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Language, Retry-After, "
                                     "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
    "Access-Control-Max-Age": "86400",
}


def add_cors(response: Response) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers[name] = value
    return response


def problem_kinds() -> list[tuple[str, str, str, int]]:
    """(anchor, title, detail, status) of every kind of problem, for the documentation page."""
    return [(KINDS[code], str(TITLES[code]), str(DETAILS[code]), code) for code in KINDS]
