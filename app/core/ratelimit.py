"""Every rate limit of the site, in one place, each keyed by what the action is about.

Behind a carrier-grade NAT (Thai mobile networks put thousands of phones
behind one address) or a government office's single address, "one address"
is many people. So a limit is counted per account wherever the person is
signed in, per email typed for sign-in and password reset, and per address
only where there is nothing else to count by, with allowances such a shared
address will not reach.

Each rule has a setting `RATE_LIMIT_<NAME>` (environment or app config) in
the `limits` notation ("5 per 15 minutes;20 per day"); the README's table is
this module's `RULES`. Routes name their rule: `@limiter.limit(**rule("SEARCH"))`.

Failed sign-ins are counted per account (the email typed), and an account
that reaches `RATE_LIMIT_LOGIN_ACCOUNT` is locked, not the address it came
from: for the window of the limit reached (15 minutes after 5 failures, a
day after 20), during which no password is checked for it. Resetting the
password unlocks it. One address may fail `RATE_LIMIT_LOGIN_ADDRESS` times
(100 in 15 minutes), so no one address can lock out more than a handful of
accounts, and other people behind it still sign in.

The counters live where Flask-Limiter keeps its own (Redis when configured);
when that store does not answer they are kept in this process, as the
limiter's are.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from limits import RateLimitItem, RateLimitItemPerSecond, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.extensions import limiter

log = logging.getLogger(__name__)

ACCOUNT = "account"
ADDRESS = "address"
EMAIL = "email typed"
ACCOUNT_OR_ADDRESS = "account (address when signed out)"
ID_TYPED = "national ID typed"
API_KEY = "API key"


@dataclass(frozen=True)
class Rule:
    name: str
    default: str
    key: str
    counts: str  # what is counted, for the README

    @property
    def setting(self) -> str:
        return f"RATE_LIMIT_{self.name}"


RULES: tuple[Rule, ...] = (
    Rule("LOGIN_ADDRESS", "100 per 15 minutes", ADDRESS,
         "failed sign-ins from one address (a mobile network's shared address or an office NAT is many people)"),
    Rule("LOGIN_ACCOUNT", "5 per 15 minutes;20 per day", EMAIL,
         "failed sign-ins for one account; reaching it locks that account (not the address) for the window "
         "reached: 15 minutes, or a day after 20; resetting the password unlocks it"),
    Rule("REGISTER", "100 per hour", ADDRESS, "registration forms sent from one address"),
    Rule("PROVIDER_SIGN_IN", "300 per 15 minutes", ADDRESS,
         "sign-ins with ThaID, LINE or another provider started or returned from one address"),
    Rule("PASSWORD_RESET_ADDRESS", "100 per hour", ADDRESS, "reset links asked for from one address"),
    Rule("PASSWORD_RESET_EMAIL", "3 per hour", EMAIL, "reset links asked for one email address (no mail bombing)"),
    Rule("PASSWORD_RESET_SUBMIT", "100 per hour", ADDRESS, "new passwords sent from reset links"),
    Rule("PASSWORD_CHANGE", "10 per hour", ACCOUNT, "password changes (each a guess of the current password)"),
    Rule("RESEND_CONFIRMATION", "5 per hour", ACCOUNT, "confirmation emails sent again"),
    Rule("NATIONAL_ID", "10 per hour", ACCOUNT, "national ID numbers entered"),
    Rule("IDEA_PREVIEW", "60 per hour", ACCOUNT, "idea forms sent to the preview"),
    Rule("IDEA_SUBMIT", "5 per hour", ACCOUNT, "ideas submitted (only saved ones count)"),
    Rule("IDEA_EDIT", "30 per hour", ACCOUNT, "idea edits sent"),
    Rule("COMMENT", "6 per minute;60 per hour", ACCOUNT, "comments and replies posted or edited"),
    Rule("REPORT", "5 per minute;30 per hour", ACCOUNT, "reports of ideas and comments"),
    Rule("SUPPORT", "30 per minute;300 per hour", ACCOUNT, "supports given or withdrawn"),
    Rule("FOLLOW", "30 per minute;300 per hour", ACCOUNT, "follows and unfollows of ideas and areas"),
    Rule("SEARCH", "120 per minute", ACCOUNT_OR_ADDRESS, "idea searches"),
    Rule("SIMILAR", "240 per minute", ACCOUNT_OR_ADDRESS, "similar-idea look-ups while a title is typed"),
    Rule("RECEIPT_CHECK", "60 per minute", ACCOUNT_OR_ADDRESS, "ballot receipt checks"),
    Rule("EXPORT", "60 per minute", ACCOUNT_OR_ADDRESS, "plan exports (Excel, CSV, printable page) and asking for a prepared file (data download, large export, .pb)"),
    Rule("OFFICIAL_ACTION", "60 per minute", ACCOUNT,
         "officials' answers, referrals, merges and proposal moves"),
    Rule("PLAN_EDIT", "20 per minute", ACCOUNT, "plans created and plan files uploaded"),
    Rule("SELF_VERIFY_ACCOUNT", "5 per hour;10 per day", ACCOUNT,
         "tries to verify one's residency against the resident list (national ID and date of birth)"),
    Rule("SELF_VERIFY_ID", "5 per day", ID_TYPED,
         "tries with one national ID number, from any account (nobody guesses a neighbour's date of birth)"),
    Rule("RESIDENT_LIST_UPLOAD", "10 per hour", ACCOUNT, "resident lists uploaded by an official"),
    Rule("API", "120 per minute", ADDRESS, "requests to the JSON API (/api/v1/) from one address, without a valid API key"),
    Rule("API_KEY", "1200 per minute", API_KEY, "requests to the JSON API with one API key (X-API-Key), wherever they come from"),
)
BY_NAME = {r.name: r for r in RULES}


# --- keys ---------------------------------------------------------------------------


def by_address() -> str:
    """The client's address (the proxy's view of it when TRUSTED_PROXY_COUNT is set: app/core/proxies.py)."""
    return f"addr:{request.remote_addr or '?'}"


def by_account() -> str:
    """The signed-in account; its address only when signed out (the route then sends the reader to sign in)."""
    if getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return by_address()


def email_key(email: str | None) -> str:
    """An email as typed, normalised as accounts are found, and hashed: the counters hold no addresses."""
    from app.accounts.services import normalise_email  # the same spelling finds the same account

    normal = normalise_email(email or "")
    return "email:" + hashlib.sha256(normal.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def by_email_typed() -> str:
    return email_key(request.form.get("email"))


def by_national_id_typed() -> str:
    """The national ID typed in the form, hashed with a key (the counters hold no ID numbers)."""
    import hmac

    from app.accounts.national_id import normalise

    key = ("rate-limit:" + current_app.config["ID_HASH_KEY"]).encode()
    typed = normalise(request.form.get("sv-national_id") or request.form.get("national_id") or "")
    return "nid:" + hmac.new(key, typed.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:32]


def by_api_key() -> str:
    """The API key a request came with (app/api/http.py recognised it first)."""
    from app.api.http import request_api_key

    key = request_api_key()
    return f"apikey:{key.id}" if key is not None else by_address()


KEY_FUNCS: dict[str, Callable[[], str]] = {
    ACCOUNT: by_account, ADDRESS: by_address, EMAIL: by_email_typed, ACCOUNT_OR_ADDRESS: by_account,
    ID_TYPED: by_national_id_typed, API_KEY: by_api_key,
}


def rule(name: str, **options: Any) -> dict[str, Any]:
    """The arguments of `limiter.limit` for the rule `name`: its setting, read at each request, and its key."""
    found = BY_NAME[name]
    setting = found.setting
    return {"limit_value": lambda: current_app.config[setting], "key_func": KEY_FUNCS[found.key], **options}


def not_redirected(response) -> bool:
    """For `deduct_when`: a form that failed shows itself again; one that worked redirects."""
    return response.status_code != 302


def init_rate_limits(app: Flask) -> None:
    """Read each RATE_LIMIT_<NAME> (config, then environment, then the default) and refuse one that does not parse."""
    for r in RULES:
        value = app.config.get(r.setting) or os.environ.get(r.setting) or r.default
        try:
            parse_many(value)
        except ValueError as error:
            raise RuntimeError(f"{r.setting}={value!r} is not a rate limit such as {r.default!r}") from error
        app.config[r.setting] = value


# --- failed sign-ins and the account lock ---------------------------------------------

_memory = MovingWindowRateLimiter(MemoryStorage())
FAILURES = "rk-login-failures"
LOCK = "rk-login-lock"


def _counter() -> MovingWindowRateLimiter:
    if not getattr(limiter, "_storage_dead", False):
        try:
            return MovingWindowRateLimiter(limiter.storage)
        except Exception:  # noqa: BLE001 - a storage without moving windows: count here
            pass
    return _memory


def _run(action: Callable[[MovingWindowRateLimiter], Any]) -> Any:
    counter = _counter()
    try:
        return action(counter)
    except Exception:  # noqa: BLE001 - Redis down: this process counts, as Flask-Limiter does
        if counter is _memory:
            raise
        log.warning("rate limit storage unreachable: failed sign-ins counted in this process", exc_info=True)
        return action(_memory)


def _account_limits() -> list[RateLimitItem]:
    return parse_many(current_app.config[BY_NAME["LOGIN_ACCOUNT"].setting])


def _lock_item(limit: RateLimitItem) -> RateLimitItem:
    return RateLimitItemPerSecond(1, limit.get_expiry())


def login_locked_for(email: str | None) -> int:
    """Seconds for which the account of `email` is still locked (0: not locked)."""
    key = email_key(email)

    def remaining(counter: MovingWindowRateLimiter) -> int:
        left = 0
        for limit in _account_limits():
            lock = _lock_item(limit)
            if not counter.test(lock, LOCK, key):
                left = max(left, int(counter.get_window_stats(lock, LOCK, key).reset_time - time.time()) + 1)
        return left

    return _run(remaining)


def record_login_failure(email: str | None) -> int:
    """Count a failed sign-in for `email`; the seconds of the lock it starts (0: none)."""
    key = email_key(email)

    def count(counter: MovingWindowRateLimiter) -> int:
        locked = 0
        for limit in _account_limits():
            counter.hit(limit, FAILURES, key)
            if not counter.test(limit, FAILURES, key):  # the limit is reached: lock for its window
                counter.hit(_lock_item(limit), LOCK, key)
                locked = max(locked, limit.get_expiry())
        return locked

    locked = _run(count)
    if locked:
        log.info("account locked after failed sign-ins", extra={"lock_seconds": locked})
    return locked


def clear_login_failures(email: str | None) -> None:
    """Forget the failures and lock of `email` (after a successful sign-in or a password reset)."""
    key = email_key(email)

    def clear(counter: MovingWindowRateLimiter) -> None:
        for limit in _account_limits():
            counter.clear(limit, FAILURES, key)
            counter.clear(_lock_item(limit), LOCK, key)

    _run(clear)
