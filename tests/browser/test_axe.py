"""axe-core on every kind of page, as every role (#12.22).

The HTTP crawl of test_crawl.py finds the pages (one of each URL shape per
role); each is then opened in Chromium with the visitor's cookies, axe-core
(the npm package, installed by `make setup-dev` from package.json) is
injected, and any serious or critical violation fails the test. Only this
test's browser context bypasses the Content-Security-Policy, so that the
injected script can run; the site's own pages keep their policy.
"""
from __future__ import annotations

import json
import urllib.parse

import pytest

from tests.browser.conftest import ROOT
from tests.browser.test_crawl import OTHER_OFFICIAL, USERS, Visitor, _create_other_official, crawl

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES_PER_ROLE = 120
FAILING_IMPACTS = {"serious", "critical"}


def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup-dev` (it installs axe-core with npm from package.json)")
    return AXE.read_text(encoding="utf-8")


def _violations(page, source: str) -> list[dict]:
    page.add_script_tag(content=source)
    result = page.evaluate(
        "async () => JSON.stringify((await axe.run(document, {resultTypes: ['violations']})).violations)"
    )
    return [v for v in json.loads(result) if v.get("impact") in FAILING_IMPACTS]


@pytest.mark.browser
def test_axe_finds_no_serious_violation_on_any_page(browser, live_server):
    base = live_server["url"]
    source = _axe_source()
    _create_other_official(live_server["workdir"])
    host = urllib.parse.urlsplit(base).hostname
    problems: list[str] = []
    checked = 0
    for email in USERS:
        if email == OTHER_OFFICIAL:
            continue  # a resident of another province: the resident's crawl covers their pages
        visitor = Visitor(base)
        if email:
            visitor.sign_in(email)
        pages, _ = crawl(visitor, limit=PAGES_PER_ROLE, per_pattern=1)
        html = [p for p, r in pages.items() if r.status == 200 and "text/html" in r.content_type]
        context = browser.new_context(locale="th-TH", bypass_csp=True, viewport={"width": 1280, "height": 900})
        context.add_cookies([
            {"name": c.name, "value": c.value, "domain": host, "path": c.path or "/"} for c in visitor.jar
        ])
        page = context.new_page()
        page.set_default_timeout(15000)
        for path in html:
            page.goto(base + path)
            checked += 1
            for violation in _violations(page, source):
                targets = [" ".join(node["target"][:1]) for node in violation["nodes"][:3]]
                problems.append(f"[{email or 'anonymous'}] {path}: {violation['id']} ({violation['impact']}) {targets}")
        context.close()
    print(f"axe: {checked} pages")
    assert checked > 50
    assert not problems, "\n".join(problems[:80])
