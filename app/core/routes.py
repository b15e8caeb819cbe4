"""Site-wide pages: home, about, the language switch, health and the development outbox."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.locale import LANG_COOKIE
from app.core.mail import plain_body, read_outbox
from app.core.wtforms_i18n import use_catalogue_for_wtforms
from app.extensions import db
from app.permissions import is_admin, require

bp = Blueprint("core", __name__, template_folder="templates")
# WTForms' built-in messages ("This field is required."...) in Thai too, on every page.
bp.before_app_request(use_catalogue_for_wtforms)


@bp.record_once
def _bounded_int_urls(state) -> None:
    """Every blueprint registered after this one (all of them) reads `<int:...>` with a maximum."""
    from app.core.converters import IdConverter

    state.app.url_map.converters["int"] = IdConverter


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths are followed after a form, never another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.get("/")
def home():
    from app.areas.services import list_provinces
    from app.core.locale import current_locale

    return render_template("core/home.html", provinces=list_provinces(locale=current_locale()))


# Browsers and phones ask for these at the site's root whatever the page says.
_ROOT_ICONS = {
    "favicon.ico": "favicon.ico",
    "apple-touch-icon.png": "apple-touch-icon.png",
    "apple-touch-icon-precomposed.png": "apple-touch-icon.png",
}


@bp.get("/<any(" + ", ".join(f'"{name}"' for name in _ROOT_ICONS) + "):name>")
def root_icon(name: str):
    from flask import send_from_directory

    folder = current_app.static_folder + "/icons"
    return send_from_directory(folder, _ROOT_ICONS[name], max_age=7 * 24 * 3600)


@bp.get("/about")
def about():
    return render_template("core/about.html")


def _back_with_language(lang: str, next_url: str | None):
    """A redirect to `next_url` (or home) that remembers `lang` in the cookie, if it is one of ours."""
    response = redirect(safe_next(next_url, url_for("core.home")))
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
        )
    return response


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    response = _back_with_language(lang, request.form.get("next"))
    if lang in current_app.config["LANGUAGES"] and current_user.is_authenticated and current_user.locale != lang:
        current_user.locale = lang
        db.session.commit()
    return response


@bp.get("/language/<lang>")
def switch_language(lang: str):
    """The switch readers who are not signed in get: a plain link, so the page carries no form token.

    It only sets the language cookie (harmless if another site links here);
    signed-in users get the form above, which also saves their setting.
    """
    return _back_with_language(lang, request.args.get("next"))


@bp.get("/healthz")
def health():
    """Liveness: the process answers. It reads nothing, so a database outage does not get workers restarted."""
    return _no_store({"status": "ok"}, 200)


@bp.get("/readyz")
def ready():
    """Readiness: the database and (when configured) Redis answer; 503 while one of them does not."""
    from app.core.health import readiness

    checks = readiness(current_app)
    ok = all(state in ("ok", "not configured") for state in checks.values())
    return _no_store({"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503)


def _no_store(body: dict, code: int):
    response = current_app.json.response(body)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    if code == 503:
        from app.core.errors import RETRY_AFTER_SECONDS

        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@bp.get("/dev/outbox")
def dev_outbox():
    if not current_app.config.get("DEV_OUTBOX_PAGE"):
        abort(404)
    require(is_admin(current_user))
    return render_template("core/outbox.html", messages=read_outbox(), plain_body=plain_body)
