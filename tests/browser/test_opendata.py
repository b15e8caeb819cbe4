"""Statistics and open-data pages in a real browser (#15.5, #15.8): readable at 360 and 1280 px in Thai
and English, charts drawn by the app (nothing loaded from another host), each chart with its table."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def figures(live_server):
    """The hourly job's work, run once on the live server's database (its demo ideas and cycles)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{live_server['workdir'] / 'live.db'}", "PYTHONWARNINGS": "ignore"}
    env.pop("TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "opendata", "statistics"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return live_server


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("locale,heading,ranking", [
    ("th-TH", "สถิติของทั้งประเทศ", "พื้นที่เรียงตามความเร็วในการตอบ"),
    ("en-GB", "Statistics of the whole country", "Areas ranked by response time"),
])
def test_statistics_pages_read_at_phone_and_desktop_width(browser, figures, width, locale, heading, ranking):
    base = figures["url"]
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900},
                                  extra_http_headers={"Accept-Language": locale[:2]})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(base) else None)
    for path in ("/statistics", "/statistics/50", "/open-data"):
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than {width} px"
    page.goto(base + "/statistics")
    assert page.locator("h1").inner_text() == heading
    assert page.get_by_role("heading", name=ranking).count() == 1
    # Every chart has a table next to it and a CSV link.
    assert page.locator(".stat-block").count() >= 7
    assert page.locator(".stat-block table").count() >= 6
    assert page.locator("a.stat-csv").count() >= 7
    first_bar = page.locator(".chart-row .chart-label").first
    assert first_bar.is_visible() and first_bar.bounding_box()["height"] >= 12  # text at the page's size
    assert outside == []
    context.close()
