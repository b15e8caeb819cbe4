"""Browser tests: a real server in a subprocess, driven by headless Chromium through Playwright.

The server is the development configuration on its own SQLite database,
prepared exactly as `make run` prepares it (migrations, area registry, Thai
demo), so the flows run against what a newcomer sees. These tests are
skipped, with the reason, when no Chromium is installed.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit and Path(explicit).exists():
        return explicit
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    if chromium_path() is None:
        skip = pytest.mark.skip(reason="no Chromium found (install Debian's chromium or set CHROMIUM_PATH)")
        for item in items:
            # Only the tests that drive Chromium; the HTTP crawl needs just the server.
            if "tests/browser" in str(item.fspath) and "browser" in item.fixturenames:
                item.add_marker(skip)


# The browser tests talk to their own server; they need neither the unit
# tests' app context nor their rolled-back session, so both are replaced here.
@pytest.fixture(autouse=True)
def _app_context():
    yield


@pytest.fixture(autouse=True)
def db():
    yield


@pytest.fixture(autouse=True)
def _reset_limits():
    yield


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def run_live_server(extra_env: dict[str, str] | None = None):
    """A server with the demo loaded, on its own database: {"url", "outbox", "workdir"}.

    `extra_env` adds settings (tests/browser/test_thaid.py points THAID_* at the tests' provider).
    """
    workdir = Path(tempfile.mkdtemp(prefix="ruamkhit-live-"))
    env = {
        **os.environ,
        "RUAMKHIT_ENV": "development",
        "RUAMKHIT_INSTANCE": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'live.db'}",
        "UPLOAD_DIR": str(workdir / "uploads"),
        "OUTBOX_DIR": str(workdir / "outbox"),
        "RATE_LIMIT_LOGIN_ADDRESS": "1000 per minute", "RATE_LIMIT_LOGIN_ACCOUNT": "1000 per minute",
        # Jobs (notifications, mail) run inside the request, so that what a page shows next is
        # already there; the real worker, killed mid-job, is tested in tests/jobs/test_worker.py.
        "JOBS_BACKEND": "immediate",
        "PYTHONWARNINGS": "ignore",
        **(extra_env or {}),
    }
    env.pop("TEST_DATABASE_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["areas", "load"], ["demo", "load"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"  # the links in the emails it sends
    log = open(workdir / "server.log", "wb")
    server = subprocess.Popen(
        flask + ["run", "--host", "127.0.0.1", "--port", str(port), "--without-threads"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError((workdir / "server.log").read_text())
            time.sleep(0.3)
    else:
        server.kill()
        raise RuntimeError("the live server did not start")
    try:
        yield {"url": base, "outbox": workdir / "outbox", "workdir": workdir}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server():
    """Base URL of a running server with the demo loaded."""
    with run_live_server() as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="th-TH", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def sign_in(page, base_url: str, email: str, password: str = "ruamkhit-demo") -> None:
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form:not(.lang-switch):not(.inline-form) button[type=submit]")
    page.wait_for_load_state()


def open_menu(page) -> None:
    """On a phone the header's links sit behind the "Menu" button (a <details>, no script needed)."""
    menu = page.locator("header details.nav-menu")
    if menu.count() and not menu.evaluate("el => el.open") and page.locator("header .nav-toggle").is_visible():
        page.click("header .nav-toggle")
