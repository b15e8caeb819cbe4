"""The results chart reads on a phone: names and figures are HTML text, bars are SVG rectangles."""
import re

from app.cycles import results, services, voting
from app.cycles.models import BallotKind, Phase, TallyRule
from app.extensions import db
from tests.cycles import factories as f

LONG = "โครงการปรับปรุงภูมิทัศน์และติดตั้งไฟส่องสว่างพลังงานแสงอาทิตย์ริมคลองแม่ข่าตลอดแนวสามกิโลเมตร"


def published(official):
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = f.add_budget_with_projects(official, cycle, costs=(600_000, 500_000, 300_000))
    budget.projects[0].title = LONG
    for picks, count in {(0,): 99, (1,): 40, (2,): 1}.items():
        voting.write_paper_ballots(budget.id, None, {budget.projects[i].id: 1 for i in picks}, count)
    services.override_phase(official, cycle, Phase.RESULTS, "ปิดการลงคะแนน")
    results.compute_results(official, cycle)
    db.session.commit()
    return cycle, budget


def test_chart_names_and_figures_are_text(official, client):
    cycle, budget = published(official)
    html = client.get(f"/cycles/{cycle.id}/results", headers={"Accept-Language": "th"}).get_data(as_text=True)
    chart = html[html.index('<figure class="result-chart"'):html.index("</figure>")]
    rows = re.findall(r'<li class="chart-row[^"]*">(.*?)</li>', chart, re.S)
    assert len(rows) == 3
    # The whole name, never cut, outside the SVG (it wraps and keeps the page's font size).
    assert LONG in rows[0] and "<text" not in chart
    # Every bar has its figure, the longest one too (it was left unlabelled at 99 %).
    # (winners first: the 300,000 project fits after the first, the 500,000 one does not)
    assert "99 คะแนนเสียง" in rows[0] and "1 คะแนนเสียง" in rows[1] and "40 คะแนนเสียง" in rows[2]
    widths = [int(w) for w in re.findall(r'<rect x="0" y="0" width="(\d+)" height="20" fill="#(?:15803d|6b7280)"', chart)]
    assert widths[1:] == [1000, 10, 404]  # after the budget-used bar: thousandths of the longest bar
    # Screen readers read each row as its name, whether it was selected, and its figure.
    assert "(ได้รับเลือก)" in rows[0] and 'aria-hidden="true"' in rows[0]
