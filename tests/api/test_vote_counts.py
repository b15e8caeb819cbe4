"""Issue 15.4: vote counts are never served while voting is open, by the API or by the HTML pages."""
from __future__ import annotations

import json

import pytest

from app.cycles.voting import voting_open
from tests.api import data as seed

COUNTS = (str(seed.VOTING_BALLOTS), f"{seed.VOTING_BALLOTS:,}", "๔๓๒๑", "๔,๓๒๑")


@pytest.fixture
def w():
    world = seed.world()
    assert voting_open(world.voting)
    return world


def shows_no_count(text: str) -> bool:
    return not any(count in text for count in COUNTS)


def test_the_api_serves_no_count_while_voting_is_open(client, w):
    cycle = client.get(f"/api/v1/cycles/{w.voting.id}").get_json()
    text = json.dumps(cycle)
    assert shows_no_count(text) and "votes" not in text and "ballots" not in text
    assert cycle["results"] is None and all(p["selected"] is None for b in cycle["budgets"] for p in b["projects"])
    results = client.get(f"/api/v1/cycles/{w.voting.id}/results")
    assert results.status_code == 404 and results.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/cycles/{w.voting.id}/progress").get_json()["projects"] == []
    assert shows_no_count(client.get("/api/v1/cycles?limit=100").get_data(as_text=True))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_html_pages_show_no_count_while_voting_is_open(client, w, lang):
    client.set_cookie("lang", lang)
    for url in (f"/cycles/{w.voting.id}", f"/cycles/{w.voting.id}/results", f"/cycles/{w.voting.id}/progress",
                "/cycles/", f"/p/50"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert shows_no_count(page.get_data(as_text=True)), url
    budget = w.voting.budgets[0]
    assert client.get(f"/cycles/{w.voting.id}/budgets/{budget.id}/ballots.pb").status_code == 404
    # ... while the published cycle beside it does show its count (so the test can fail).
    assert "16" in client.get(f"/cycles/{w.published.id}/results").get_data(as_text=True)
