"""Crawl the demo site as every kind of user, over plain HTTP (no browser needed).

For anonymous visitors, a resident, the demo officials, the evaluator, the
administrator and a provincial official of another province (40, ขอนแก่น),
breadth-first GET every same-site link from a few starting pages, in Thai and
a sample in English, and check that nothing answers 5xx, that every HTML page
passes the accessibility checks of tests/helpers/pages.py, and that Thai pages
show Buddhist Era years only. The official of province 40 must then get 403 on
the officials' pages of province 50 that the administrator's crawl found.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tests.browser.conftest import ROOT
from tests.helpers.pages import check_page

PASSWORD = "ruamkhit-demo"
OTHER_OFFICIAL = "official40@qa.ruamkhit.th"
START_PAGES = (
    "/", "/provinces", "/p/50", "/lg/3500102", "/admin/", "/triage", "/proposals?area=50",
    "/moderation/", "/notifications/",
)
MAX_PAGES = 400            # per user and language
PER_PATTERN = 3            # pages per URL shape (/ideas/<n>, /proposals?area=&state=...)
MAX_DOWNLOAD = 2 * 1024 * 1024
ENGLISH_SAMPLE = 40
SKIP_PATHS = re.compile(r"^/(logout|language|static/|media/|dev/outbox)")

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
    "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
GREGORIAN_DATE = re.compile(
    "(?:" + "|".join(re.escape(m) for m in THAI_MONTHS) + r")\s*(?:20(?:2[4-7]))(?!\d)"
)

# Officials' pages of province 50 (and its local governments) an official of 40 must not open.
PROTECTED = re.compile(
    r"^/(admin/areas/[0-9]+/residents"
    r"|triage/ideas/\d+$"
    r"|proposals/\d+/edit$"
    r"|moderation/(ideas|comments)/\d+/(hide|restore)$"
    r"|plans/\d+/(edit|upload|items/new)$"
    r"|(p/50|lg/3500102|lg/5500107)/plans/new$)"
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.csrf: str | None = None

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "a" and attr.get("href"):
            self.links.append(attr["href"])
        elif tag == "input" and (attr.get("name") or "").endswith("csrf_token") and self.csrf is None:
            self.csrf = attr.get("value")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Result:
    status: int
    content_type: str
    body: str
    location: str | None = None


@dataclass
class Visitor:
    base: str
    lang: str = "th"
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: dict | None = None) -> Result:
        headers = {"Accept-Language": self.lang}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            resp = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            resp = error
        with resp:
            length = int(resp.headers.get("Content-Length") or 0)
            raw = b"" if length > MAX_DOWNLOAD else resp.read(MAX_DOWNLOAD + 1)
            ctype = resp.headers.get("Content-Type", "")
            text = raw.decode("utf-8", "replace") if "text/html" in ctype else ""
            return Result(resp.status, ctype, text, resp.headers.get("Location"))

    def sign_in(self, email: str) -> None:
        form = _Links()
        form.feed(self.request("/login").body)
        result = self.request("/login", {"csrf_token": form.csrf, "email": email, "password": PASSWORD})
        assert result.status == 302, f"{email} could not sign in ({result.status})"

    def switch_language(self, lang: str) -> None:
        """The language switch on every page (its cookie wins over a signed-in user's own setting)."""
        home = self.request("/").body
        if 'action="/language"' in home:  # signed in: a form that also saves the setting
            form = _Links()
            form.feed(home)
            result = self.request("/language", {"csrf_token": form.csrf, "lang": lang, "next": "/"})
        else:  # not signed in: a plain link, so the page can be cached
            assert f'href="/language/{lang}?next=/"' in home, "the page has no language switch"
            result = self.request(f"/language/{lang}?next=/")
        assert result.status == 302, f"the language switch answered {result.status}"
        self.lang = lang


def _normalise(base: str, current: str, href: str) -> str | None:
    url = urllib.parse.urljoin(base + current, href)
    parts = urllib.parse.urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base or not parts.path:
        return None
    if SKIP_PATHS.match(parts.path):
        return None
    query = urllib.parse.urlencode(sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + ("?" + query if query else "")


def _shape(path: str) -> str:
    parts = urllib.parse.urlsplit(path)
    # /ideas/12 and /ideas/13 share a shape, and so do ?area=50&page=2 and ?area=3500102&page=3:
    # PER_PATTERN of each is enough to see every template with its parameters.
    path_shape = re.sub(r"/\d+(?=/|$)", "/<n>", parts.path)
    return path_shape + "?" + "&".join(sorted({k for k, _ in urllib.parse.parse_qsl(parts.query)}))


def check_thai(html: str, path: str) -> list[str]:
    problems = []
    if "ค.ศ." in html:
        problems.append(f"{path}: shows ค.ศ.")
    for match in GREGORIAN_DATE.finditer(html):
        problems.append(f"{path}: Gregorian year in a Thai date {match.group(0)!r}")
    return problems


def crawl(visitor: Visitor, starts=START_PAGES, limit=MAX_PAGES, per_pattern=PER_PATTERN) -> tuple[dict[str, Result], list[str]]:
    """Breadth-first GET of same-site links; returns the pages by path and the problems found."""
    queue = deque(p for p in starts)
    seen: set[str] = set(queue)
    shapes: dict[str, int] = {}
    pages: dict[str, Result] = {}
    problems: list[str] = []
    while queue and len(pages) < limit:
        path = queue.popleft()
        result = visitor.request(path)
        pages[path] = result
        if result.status >= 500:
            problems.append(f"{path}: {result.status}")
            continue
        if result.status in (301, 302, 303, 307, 308) and result.location:
            links = [result.location]
        elif result.status == 200 and "text/html" in result.content_type:
            try:
                check_page(result.body)
            except AssertionError as error:
                problems.append(f"{path}: {error}")
            if visitor.lang == "th":
                problems.extend(check_thai(result.body, path))
            parser = _Links()
            parser.feed(result.body)
            links = parser.links
        else:
            continue
        for href in links:
            target = _normalise(visitor.base, path, href)
            if target is None or target in seen:
                continue
            seen.add(target)
            shape = _shape(target)
            if shapes.get(shape, 0) >= per_pattern:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(target)
    return pages, problems


def _create_other_official(workdir) -> None:
    """A verified account in province 40 (the command line's way of creating people)."""
    script = (
        "from app import create_app\n"
        "from app.extensions import db\n"
        "from app.accounts import services\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    if services.get_user_by_email({OTHER_OFFICIAL!r}) is None:\n"
        f"        services.create_user({OTHER_OFFICIAL!r}, {PASSWORD!r}, 'ทดสอบ ขอนแก่น', '40',"
        " consent=True, email_verified=True)\n"
        "        db.session.commit()\n"
    )
    env = {
        **os.environ,
        "RUAMKHIT_ENV": "development",
        "RUAMKHIT_INSTANCE": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'live.db'}",
        "UPLOAD_DIR": str(workdir / "uploads"),
        "OUTBOX_DIR": str(workdir / "outbox"),
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True)


def _make_provincial_official(admin: Visitor, email: str, province: str) -> None:
    """The administrator gives the role through /admin/roles, as a person would."""
    form = _Links()
    form.feed(admin.request("/admin/roles").body)
    result = admin.request("/admin/roles", {
        "assign-csrf_token": form.csrf, "assign-email": email, "assign-role": "provincial_official",
        "assign-area_code": province,
    })
    assert result.status == 302, f"the role was not assigned ({result.status})"


USERS = (
    None,
    "resident1@demo.ruamkhit.th",
    "official@demo.ruamkhit.th",
    "officer@demo.ruamkhit.th",
    "evaluator@demo.ruamkhit.th",
    "admin@demo.ruamkhit.th",
    OTHER_OFFICIAL,
)


def test_crawl_every_user(live_server):
    base = live_server["url"]
    started = time.monotonic()
    _create_other_official(live_server["workdir"])
    problems: list[str] = []
    admin_pages: dict[str, Result] = {}
    counts = {}
    for email in USERS:
        visitor = Visitor(base)
        if email:
            visitor.sign_in(email)
        if email == "admin@demo.ruamkhit.th":
            _make_provincial_official(visitor, OTHER_OFFICIAL, "40")
        pages, found = crawl(visitor)
        problems.extend(f"[{email or 'anonymous'}] {p}" for p in found)
        counts[email or "anonymous"] = len(pages)
        if email == "admin@demo.ruamkhit.th":
            admin_pages = pages
        # A sample of the same pages in English.
        html_pages = [p for p, r in pages.items() if r.status == 200 and "text/html" in r.content_type]
        visitor.switch_language("en")
        for path in html_pages[:: max(1, len(html_pages) // ENGLISH_SAMPLE)]:
            result = visitor.request(path)
            if result.status >= 500:
                problems.append(f"[{email or 'anonymous'}] en {path}: {result.status}")
            elif result.status == 200 and "text/html" in result.content_type:
                try:
                    check_page(result.body)
                    assert 'lang="en"' in result.body[:300], "the page is not in English"
                except AssertionError as error:
                    problems.append(f"[{email or 'anonymous'}] en {path}: {error}")
        # Switching also saved the language on the account: put Thai back, since the
        # browser tests that follow sign in as the same demo users on the same server.
        visitor.switch_language("th")

    # The official of province 40 is refused the officials' pages of province 50.
    other = Visitor(base)
    other.sign_in(OTHER_OFFICIAL)
    protected = [p for p, r in admin_pages.items() if r.status == 200 and PROTECTED.match(urllib.parse.urlsplit(p).path)]
    assert len(protected) >= 5, f"the admin's crawl found too few officials' pages: {protected}"
    for path in protected:
        result = other.request(path)
        if result.status != 403:
            problems.append(f"[{OTHER_OFFICIAL}] {path}: expected 403, got {result.status}")
        else:
            try:
                check_page(result.body)
            except AssertionError as error:
                problems.append(f"[{OTHER_OFFICIAL}] {path} (403 page): {error}")

    elapsed = time.monotonic() - started
    print(f"crawl: {counts}, {len(protected)} protected pages, {elapsed:.0f} s")
    assert not problems, "\n".join(problems[:80])
