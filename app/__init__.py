"""Ruamkhit (ร่วมคิด): participatory budgeting for Thai provinces and local governments.

`create_app` builds the application: configuration, extensions, blueprints,
CLI commands, error pages and security headers. Blueprints are imported here,
inside the factory, so that no module imports another at its bottom.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import CONFIGS, Config

BASE_DIR = Path(__file__).resolve().parent.parent


def create_app(config: str | type[Config] = "development", **overrides) -> Flask:
    config_cls = CONFIGS[config] if isinstance(config, str) else config
    config_cls.validate()

    app = Flask(
        __name__,
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(Path(config_cls.INSTANCE_DIR)),
    )
    app.config.from_object(config_cls)
    app.config.update(overrides)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(_translation_directories()))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from app.core.urls import init_public_urls

    init_public_urls(app)
    from app.core.ratelimit import init_rate_limits

    init_rate_limits(app)
    _init_extensions(app)
    from app.core.edge import init_edge
    from app.core.pagecache import init_page_cache

    init_edge(app)  # before the page cache, which then wraps it

    init_page_cache(app)
    from app.jobs import init_jobs

    init_jobs(app)
    _register_blueprints(app)
    _register_cli(app)
    _init_request_hooks(app)

    from app.core.errors import init_error_handlers
    from app.core.security import init_security_headers
    from app.core.templating import init_templating

    init_error_handlers(app)
    init_security_headers(app)
    init_templating(app)
    from app import permissions

    permissions.init_app(app)
    from app.core.observability import init_observability
    from app.core.proxies import init_trusted_proxies

    init_observability(app)  # outside the page cache and the edge: their answers get an id and are counted
    init_trusted_proxies(app)  # last: the outermost layer, so every other one sees the client's address
    return app


def _translation_directories() -> list[str]:
    """One catalogue directory per domain, "core" last.

    Flask-Babel merges them in order and keeps the plural rule of the last one
    it loads; a domain whose catalogue is missing would bring English plurals
    ("27 ideas") into Thai pages, so the always-present core catalogue goes last.
    """
    parts = sorted(p for p in (BASE_DIR / "translations").glob("*") if p.is_dir())
    parts.sort(key=lambda p: p.name == "core")
    return [str(p) for p in parts]


def _init_extensions(app: Flask) -> None:
    from app.core.locale import select_locale
    from app.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"])
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to continue.")

    from app.accounts.models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        try:
            raw_id, version = user_id.split(":", 1)
            user = db.session.get(User, int(raw_id))
        except (ValueError, TypeError):
            return None
        if user is None or str(user.session_version) != version or user.deleted_at is not None:
            return None
        return user


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Enforce foreign keys on SQLite and let SQLAlchemy manage transactions.

    pysqlite's own transaction handling breaks SAVEPOINT (which the tests and
    nested transactions use), so it is turned off and BEGIN is emitted by the
    engine's "begin" hook below.
    """
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not _is_memory(dbapi_connection):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def _is_memory(dbapi_connection) -> bool:
    try:
        row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    except Exception:  # pragma: no cover - defensive, the pragma always exists
        return True
    return not row or not row[2]


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


def _register_blueprints(app: Flask) -> None:
    # The order is the order of the sections that domains add to area, idea and
    # proposal pages (plans, then ideas, then engagement ...).
    from app.accounts.routes import bp as accounts_bp
    from app.admin.routes import bp as admin_bp
    from app.api.routes import bp as api_bp
    from app.areas.routes import bp as areas_bp
    from app.core.routes import bp as core_bp
    from app.cycles.routes import bp as cycles_bp
    from app.jobs.routes import bp as jobs_bp
    from app.engagement.routes import bp as engagement_bp
    from app.exports.routes import bp as exports_bp
    from app.ideas.routes import bp as ideas_bp
    from app.media.routes import bp as media_bp
    from app.moderation.routes import bp as moderation_bp
    from app.notifications.routes import bp as notifications_bp
    from app.opendata.routes import bp as opendata_bp
    from app.plans.routes import bp as plans_bp
    from app.privacy.routes import bp as privacy_bp
    from app.proposals.routes import bp as proposals_bp
    from app.triage.routes import bp as triage_bp

    for blueprint in (
        core_bp, areas_bp, accounts_bp, admin_bp, plans_bp, ideas_bp, engagement_bp, moderation_bp,
        notifications_bp, media_bp, proposals_bp, triage_bp, cycles_bp, exports_bp, privacy_bp, jobs_bp, api_bp,
        opendata_bp,
    ):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app.accounts.cli import users_cli
    from app.api.cli import api_cli
    from app.areas.cli import areas_cli
    from app.core.cli import translations_cli
    from app.cycles.cli import cycles_cli
    from app.demo.cli import demo_cli
    from app.jobs.cli import jobs_cli
    from app.media.cli import media_cli
    from app.moderation.cli import moderation_cli
    from app.privacy.cli import privacy_cli
    from app.opendata.cli import opendata_cli
    from app.tally.cli import tally_command

    app.cli.add_command(areas_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(translations_cli)
    app.cli.add_command(tally_command)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(cycles_cli)
    app.cli.add_command(opendata_cli)
    app.cli.add_command(api_cli)


def _init_request_hooks(app: Flask) -> None:
    from app.audit.services import set_request_ip

    @app.before_request
    def remember_ip() -> None:
        # Behind a reverse proxy, TRUSTED_PROXY_COUNT makes remote_addr the client's (app/core/proxies.py).
        set_request_ip(request.remote_addr)
