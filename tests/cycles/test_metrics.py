"""The votes-cast counter of /metrics follows the ballots stored, online and on paper."""
from __future__ import annotations

from prometheus_client import REGISTRY

from app.cycles.phases import bangkok_today
from tests.cycles.test_routes import be, login, vote_url


def votes(source: str) -> float:
    return REGISTRY.get_sample_value("ruamkhit_votes_cast_total", {"source": source}) or 0.0


def test_votes_cast_are_counted_once_stored_and_refused_ones_are_not(client, knapsack, voter, official):
    cycle, budget = knapsack
    p = [x.id for x in budget.projects]
    online, paper = votes("online"), votes("paper")
    login(client, voter)
    assert client.post(vote_url(cycle, budget), data={"project": [str(p[0])]}).status_code == 302
    assert client.post(vote_url(cycle, budget), data={"project": [str(p[0])] * 2}).status_code == 200  # refused
    assert votes("online") == online + 1
    client.post("/logout")
    login(client, official)
    sent = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/paper", data={
        "forum_name": "ประชาคมหมู่ 3", "forum_date": be(bangkok_today()), "count": "12", "project": [str(p[0])],
    })
    assert sent.status_code == 302 and votes("paper") == paper + 12
    assert 'ruamkhit_votes_cast_total{source="paper"}' in client.get("/metrics").get_data(as_text=True)
