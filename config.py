"""Configuration classes, read from the environment.

`create_app` takes one of these classes (or its name). Production refuses to
start without real secrets: a default SECRET_KEY, ID_HASH_KEY or BALLOT_HASH_KEY
in production would let anyone forge sessions, reverse the hashes of national ID
numbers or tie ballots to their voters while voting is open.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_PATH = Path(os.environ.get("RUAMKHIT_INSTANCE", BASE_DIR / "instance"))

DEV_SECRET = "dev-secret-change-me"
DEV_ID_HASH_KEY = "dev-id-hash-key-change-me"
DEV_BALLOT_HASH_KEY = "dev-ballot-hash-key-change-me"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{INSTANCE_PATH / name}"


THAID_DEFAULT_SCOPES = "openid pid given_name family_name birthdate address"
LINE_ISSUER = "https://access.line.me"


def _oidc_providers() -> list[dict]:
    """Sign-in providers (app/accounts/oidc.py): ThaID, those named in OIDC_PROVIDERS, LINE Login.

    A provider without its issuer and client ID is not configured: it has no button.
    """
    env = os.environ
    found: list[dict] = []
    if env.get("THAID_ISSUER") and env.get("THAID_CLIENT_ID"):
        found.append({
            "name": "thaid", "label": "ThaID", "issuer": env["THAID_ISSUER"], "client_id": env["THAID_CLIENT_ID"],
            "client_secret": env.get("THAID_CLIENT_SECRET", ""), "scopes": env.get("THAID_SCOPES") or THAID_DEFAULT_SCOPES,
            "pid_claim": env.get("THAID_PID_CLAIM") or "pid", "verifies_residency": True,
        })
    for name in _list("OIDC_PROVIDERS"):
        key = "OIDC_" + name.upper().replace("-", "_") + "_"
        if not (env.get(key + "ISSUER") and env.get(key + "CLIENT_ID")):
            continue
        found.append({
            "name": name.lower(), "label": env.get(key + "LABEL") or name, "issuer": env[key + "ISSUER"],
            "client_id": env[key + "CLIENT_ID"], "client_secret": env.get(key + "CLIENT_SECRET", ""),
            "scopes": env.get(key + "SCOPES") or "openid pid given_name family_name",
            # An empty OIDC_<NAME>_PID_CLAIM makes a provider that proves an account only, as LINE does.
            "pid_claim": env.get(key + "PID_CLAIM", "pid") or None,
        })
    if env.get("LINE_CHANNEL_ID") and env.get("LINE_CHANNEL_SECRET"):
        found.append({
            "name": "line", "label": "LINE", "issuer": env.get("LINE_ISSUER") or LINE_ISSUER,
            "client_id": env["LINE_CHANNEL_ID"], "client_secret": env["LINE_CHANNEL_SECRET"],
            "scopes": env.get("LINE_SCOPES") or "openid profile email", "pid_claim": None,
            "secret_signs_id_token": True,
        })
    return found


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    ID_HASH_KEY = os.environ.get("ID_HASH_KEY", DEV_ID_HASH_KEY)
    # Links a voter to their own ballot while voting is open, so they can change it. Its own
    # secret, never derived from SECRET_KEY (which every app server and every session signer
    # holds); the link itself is destroyed when voting closes (app/cycles/closing.py).
    BALLOT_HASH_KEY = os.environ.get("BALLOT_HASH_KEY", DEV_BALLOT_HASH_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("ruamkhit.db"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    INSTANCE_DIR = str(INSTANCE_PATH)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_PATH / "uploads"))
    OUTBOX_DIR = os.environ.get("OUTBOX_DIR", str(INSTANCE_PATH / "outbox"))

    # Mail: SMTP when MAIL_SERVER is set, otherwise the local outbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Ruamkhit <no-reply@ruamkhit.local>")

    BABEL_DEFAULT_LOCALE = "th"
    BABEL_DEFAULT_TIMEZONE = "Asia/Bangkok"
    LANGUAGES = ("th", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # "Remember me" keeps a browser signed in this long (Flask-Login's default is 365 days).
    REMEMBER_DAYS = int(os.environ.get("REMEMBER_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_DAYS)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 30 * 1024 * 1024

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        os.environ["REDIS_URL"] if os.environ.get("REDIS_URL") else "memory://"
    )
    # Every limit is a RATE_LIMIT_<NAME> setting, read and checked by app/core/ratelimit.py.
    # Redis down must not mean nobody can sign in: each process then counts in its own memory
    # (the routes' own limits, per process), logs it, and goes back to Redis once it answers.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A limit that cannot be counted (Redis died between the check and the count) is logged, not a 500.
    RATELIMIT_SWALLOW_ERRORS = True
    # A Redis that stops answering costs each request at most this long before the fallback takes over.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    # Busy public pages are served from a cache to readers who are not signed in (app/core/pagecache.py).
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "30"))
    PAGE_CACHE_LOCAL_SECONDS = float(os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "1"))

    # Personal data (app/privacy): who the data controller and the DPO are, shown on /privacy.
    CONTROLLER_NAME = os.environ.get("CONTROLLER_NAME", "")
    CONTROLLER_NAME_EN = os.environ.get("CONTROLLER_NAME_EN", "")
    CONTROLLER_ADDRESS = os.environ.get("CONTROLLER_ADDRESS", "")
    CONTROLLER_EMAIL = os.environ.get("CONTROLLER_EMAIL", "")
    CONTROLLER_PHONE = os.environ.get("CONTROLLER_PHONE", "")
    DPO_NAME = os.environ.get("DPO_NAME", "")
    DPO_EMAIL = os.environ.get("DPO_EMAIL", "")
    DPO_PHONE = os.environ.get("DPO_PHONE", "")
    # Retention (flask privacy purge), in days. An unconfirmed account is a typo or a bot after a month;
    # 90 days is what the Computer-Related Crime Act (s.26) asks service providers to keep traffic data.
    UNCONFIRMED_ACCOUNT_DAYS = int(os.environ.get("UNCONFIRMED_ACCOUNT_DAYS", "30"))
    IP_RETENTION_DAYS = int(os.environ.get("IP_RETENTION_DAYS", "90"))
    ACCESS_LOG_RETENTION_DAYS = int(os.environ.get("ACCESS_LOG_RETENTION_DAYS", "730"))
    OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "14"))
    # Finished background jobs (app/jobs): an email job holds the address and the message.
    JOBS_RETENTION_DAYS = int(os.environ.get("JOBS_RETENTION_DAYS", "30"))
    # Files a job builds for one person (a data download, a large export): where (shared by the web
    # processes and the workers) and for how many days they can be downloaded before the purge removes them.
    JOB_FILES_DIR = os.environ.get("JOB_FILES_DIR", str(INSTANCE_PATH / "job-files"))
    JOB_FILE_DAYS = int(os.environ.get("JOB_FILE_DAYS", "2"))
    # Above this many proposals a plan's ผ.02 file (Excel or CSV) is built by a job for the signed-in
    # reader who asks; smaller ones are served at once, to anyone.
    EXPORT_INLINE_ROWS = int(os.environ.get("EXPORT_INLINE_ROWS", "2000"))
    # Above this many ballots a budget's .pb download is built by a job, the same way.
    PB_INLINE_BALLOTS = int(os.environ.get("PB_INLINE_BALLOTS", "20000"))
    # An uploaded resident list (national ID numbers in clear) is deleted by its job; one whose job failed, after this.
    RESIDENT_LIST_UPLOAD_RETENTION_DAYS = int(os.environ.get("RESIDENT_LIST_UPLOAD_RETENTION_DAYS", "1"))

    # Background jobs (app/jobs): "redis" (REDIS_URL), "sqlite" (a queue file under instance/, nothing
    # to install) or "immediate" (run inside the request: tests). `flask --app wsgi jobs worker` runs them.
    # Open data (app/opendata): where the built files live, and the contact GD Catalog shows for them.
    OPENDATA_DIR = os.environ.get("OPENDATA_DIR", str(INSTANCE_PATH / "opendata"))
    OPENDATA_MAINTAINER = os.environ.get("OPENDATA_MAINTAINER", "")  # default: CONTROLLER_NAME
    OPENDATA_MAINTAINER_EMAIL = os.environ.get("OPENDATA_MAINTAINER_EMAIL", "")  # default: CONTROLLER_EMAIL
    JOBS_BACKEND = os.environ.get("JOBS_BACKEND") or ("redis" if os.environ.get("REDIS_URL") else "sqlite")
    JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or None
    JOBS_SQLITE_PATH = os.environ.get("JOBS_SQLITE_PATH") or str(INSTANCE_PATH / "jobs-queue.sqlite3")
    # A running job's lease, renewed every third of it by its worker: a job whose worker died runs again after it.
    JOBS_LEASE_SECONDS = float(os.environ.get("JOBS_LEASE_SECONDS", "60"))
    JOBS_SWEEP_SECONDS = float(os.environ.get("JOBS_SWEEP_SECONDS", "30"))
    # A due job that has waited this long without starting is handed to the queue again.
    JOBS_REPUSH_SECONDS = float(os.environ.get("JOBS_REPUSH_SECONDS", "300"))

    EMAIL_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 2 * 3600
    DEV_OUTBOX_PAGE = False
    PREFERRED_URL_SCHEME = "http"
    # The site's public address: every absolute link in mail and feeds (app/core/urls.py), never the Host header.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    # Hosts answered besides PUBLIC_BASE_URL's own; any other Host header gets 400 (app/core/edge.py).
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS")
    # How many reverse proxies stand in front (X-Forwarded-For/-Proto are believed from that many); 0 ignores them.
    TRUSTED_PROXY_COUNT = os.environ.get("TRUSTED_PROXY_COUNT", "0")
    # Logs (app/core/observability.py): "json" (one object a line) or "text"; /metrics only for these addresses.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_ALLOWED_IPS = os.environ.get("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
    # Sign-in with ThaID, other OpenID Connect providers and LINE (README, "Sign-in with ThaID and LINE").
    OIDC_PROVIDERS = _oidc_providers()

    @classmethod
    def validate(cls) -> None:
        """Hook for configurations that must refuse to start."""


class DevelopmentConfig(Config):
    DEBUG = False
    DEV_OUTBOX_PAGE = True
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"  # `make run`
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS", "127.0.0.1,localhost")


class TestingConfig(Config):
    TESTING = True
    # `make test` runs the SQLite pass with TEST_DATABASE_URL set but empty.
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None
    JOBS_BACKEND = "immediate"  # a test that needs the real worker says so (tests/jobs)
    PAGE_CACHE_SECONDS = 0  # tests of the page cache turn it on
    SERVER_NAME = "localhost"
    PUBLIC_BASE_URL = None  # http://localhost, from SERVER_NAME
    TRUSTED_HOSTS: list[str] = []
    DEV_OUTBOX_PAGE = True
    UPLOAD_DIR = os.environ.get("TEST_UPLOAD_DIR", "/tmp/ruamkhit-test-uploads")
    OPENDATA_DIR = os.environ.get("TEST_OPENDATA_DIR", "/tmp/ruamkhit-test-opendata")
    OUTBOX_DIR = os.environ.get("TEST_OUTBOX_DIR", "/tmp/ruamkhit-test-outbox")
    # Job files are named by job id, which every test database starts again: one folder per process.
    JOB_FILES_DIR = os.environ.get("TEST_JOB_FILES_DIR") or f"/tmp/ruamkhit-test-job-files-{os.getpid()}"
    MAIL_SERVER = None
    BALLOT_HASH_KEY = "test-ballot-hash-key"  # distinct from every other key, as production requires
    # Argon2 at full cost takes ~0.3 s a hash; tests create hundreds of users.
    PASSWORD_HASH_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    OIDC_PROVIDERS: list = []  # tests start their own provider (tests/accounts/oidc_provider.py)


class ProductionConfig(Config):
    # Mail written to the local outbox (no MAIL_SERVER) is not kept: the next purge removes it.
    OUTBOX_RETENTION_DAYS = 0
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @classmethod
    def validate(cls) -> None:
        # Re-read the environment: the class attributes were read at import
        # time, and the values checked must be the values used.
        cls.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        cls.ID_HASH_KEY = os.environ.get("ID_HASH_KEY", "")
        cls.BALLOT_HASH_KEY = os.environ.get("BALLOT_HASH_KEY", "")
        cls.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
        cls.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
        cls.SERVER_NAME = os.environ.get("SERVER_NAME") or None
        cls.TRUSTED_HOSTS = _list("TRUSTED_HOSTS")
        missing = []
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEV_SECRET or len(cls.SECRET_KEY) < 32:
            missing.append("SECRET_KEY (at least 32 characters, not the default)")
        if not cls.ID_HASH_KEY or cls.ID_HASH_KEY == DEV_ID_HASH_KEY or len(cls.ID_HASH_KEY) < 32:
            missing.append("ID_HASH_KEY (at least 32 characters, not the default)")
        if (not cls.BALLOT_HASH_KEY or cls.BALLOT_HASH_KEY == DEV_BALLOT_HASH_KEY or len(cls.BALLOT_HASH_KEY) < 32
                or cls.BALLOT_HASH_KEY in (cls.SECRET_KEY, cls.ID_HASH_KEY)):
            missing.append("BALLOT_HASH_KEY (at least 32 characters, not the default, not the same as another key)")
        if not cls.SQLALCHEMY_DATABASE_URI:
            missing.append("DATABASE_URL")
        if not cls.PUBLIC_BASE_URL and not cls.SERVER_NAME:
            missing.append("PUBLIC_BASE_URL (the site's public address, e.g. https://ruamkhit.example.go.th)")
        jobs_backend = os.environ.get("JOBS_BACKEND") or ("redis" if os.environ.get("REDIS_URL") else "sqlite")
        if jobs_backend == "redis" and not (os.environ.get("REDIS_URL") or os.environ.get("JOBS_REDIS_URL")):
            missing.append("REDIS_URL (the job queue; or JOBS_BACKEND=sqlite on a single machine)")
        if jobs_backend == "immediate":
            missing.append("JOBS_BACKEND redis or sqlite (immediate runs jobs inside requests: for tests only)")
        cls.OIDC_PROVIDERS = _oidc_providers()
        for provider in cls.OIDC_PROVIDERS:
            # Discovery, keys and tokens over plain HTTP could be swapped on the way: a forged ThaID.
            if not provider["issuer"].startswith("https://"):
                missing.append(f"an https:// issuer for the sign-in provider {provider['name']} (not {provider['issuer']})")
        if missing:
            raise RuntimeError("Refusing to start in production without: " + ", ".join(missing))


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
