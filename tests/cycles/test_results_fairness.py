"""True reasons (#13.1), proportionality checks shown (#13.7) and the other rule beside the official one (#13.8)."""
from __future__ import annotations

import html
import re

from flask import current_app
from flask_babel import force_locale

from app.cycles import results, services, voting
from app.cycles.models import BallotKind, Completion, Phase, TallyRule
from app.extensions import db
from tests.cycles import factories as f
from tests.cycles.test_routes import login


def cast(budget, groups):
    for picks, count in groups.items():
        voting.write_paper_ballots(budget.id, None, {budget.projects[i].id: 1 for i in picks}, count)
    db.session.flush()


def close(official, cycle):
    services.override_phase(official, cycle, Phase.RESULTS, "ปิดการลงคะแนน")


def page(client, cycle, lang="en") -> str:
    client.set_cookie("lang", lang)
    response = client.get(f"/cycles/{cycle.id}/results")
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def words(result, budget, index, lang="en") -> str:
    with current_app.test_request_context(), force_locale(lang):
        return results.explanation_text(result.outcome["explanations"][budget.projects[index].pb_project_id], "approval")


def mes_cycle(official):
    """100 voters, ฿1,000,000, equal shares with no completion: ฿10,000 each.

    60 want projects 1 and 2 (฿600,000, ฿500,000), 40 want 3 and 4 (฿300,000, ฿200,000).
    The 60 pay ฿8,333 each for project 2, the 40 ฿5,000 each for project 4; then
    project 3's supporters have ฿200,000 left (฿100,000 short) while ฿300,000 of the
    budget is unspent, and project 1's have ฿100,000 while it costs more than is left.
    """
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.MES, completion=Completion.NONE)
    budget = f.add_budget_with_projects(official, cycle, costs=(600_000, 500_000, 300_000, 200_000))
    cast(budget, {(0, 1): 60, (2, 3): 40})
    close(official, cycle)
    return cycle, budget


def test_equal_shares_names_the_reason_that_decided(official):
    cycle, budget = mes_cycle(official)
    results.compute_results(official, cycle)
    result = services.published_result(budget)
    assert result.outcome["selected"] == [budget.projects[1].pb_project_id, budget.projects[3].pb_project_id]
    # The budget could have paid: the shares decided.
    shares = words(result, budget, 2)
    assert "supporters' shares ran out: in the final round they had ฿200,000 left together, ฿100,000 short of its cost of ฿300,000" in shares
    assert "The budget left (฿300,000) could have paid for it" in shares
    # The budget could not have paid: that is named first.
    budget_first = words(result, budget, 0)
    assert budget_first.startswith("Not selected: only ฿300,000 of the budget was left, less than its cost of ฿600,000.")
    assert "(together ฿100,000, ฿500,000 short)" in budget_first
    thai = words(result, budget, 2, "th")
    assert "฿100,000" in thai and "ส่วนแบ่ง" in thai and thai != shares


def test_equal_shares_page_explains_the_count_checks_and_compares_with_greedy(client, official):
    cycle, budget = mes_cycle(official)
    results.compute_results(official, cycle)
    db.session.commit()
    text = page(client, cycle)
    assert "How the Method of Equal Shares counted" in text
    assert "Every voter gets an equal share of the budget: the budget divided by the number of voters." in text
    assert "Starting share per voter (budget ÷ voters) ฿10,000" in text
    assert "Rounds in the final count 2 rounds" in text
    assert "Left unspent ฿300,000 (30%)" in text
    assert "Some projects would fit in what is left (โครงการที่ 3 (งบทั้งจังหวัด))" in text
    # Satisfaction: equal shares (official) beside greedy, which funds 2, 3 and 4.
    # Average share of each voter's approved cost funded: (60 x 5/11 + 40 x 2/5) / 100 = 43.3%; greedy 67.3%.
    assert re.search(r"Method of Equal Shares Official rule 100% 43\.3%", text)
    assert re.search(r"Greedy by votes \(for comparison only\) 100% 67\.3%", text)
    assert "Greedy by votes would have funded instead: โครงการที่ 3 (งบทั้งจังหวัด)." in text
    assert "Fair to groups (extended justified representation, up to one project): holds." in text
    assert "Priceable: yes." in text
    assert "Who paid for what (equal shares, each voter starting with ฿10,000)" in text
    assert "โครงการที่ 2 (งบทั้งจังหวัด) ฿8,333 60 0" in text
    assert "โครงการที่ 4 (งบทั้งจังหวัด) ฿5,000 40 0" in text
    thai = page(client, cycle, "th")
    assert "วิธีแบ่งส่วนเท่ากันนับคะแนนอย่างไร" in thai and "วิธีที่ใช้จริง" in thai and "เป็นไปตามเกณฑ์" in thai


def greedy_cycle(official):
    """10 voters, ฿100,000: six want project 1 (฿70,000), four want 2 and 3 (฿20,000 each).

    Greedy takes 1 then 2; 3 no longer fits the ฿10,000 left. The four are owed ฿40,000
    of projects and got ฿20,000: extended justified representation fails.
    """
    cycle = f.create_cycle(official, kind=BallotKind.APPROVAL, rule=TallyRule.GREEDY)
    budget = f.add_budget_with_projects(official, cycle, amount=100_000, costs=(70_000, 20_000, 20_000))
    cast(budget, {(0,): 6, (1, 2): 4})
    close(official, cycle)
    return cycle, budget


def test_greedy_names_the_under_represented_group_on_the_preview(client, official):
    cycle, budget = greedy_cycle(official)
    results.compute_preview(official, cycle)
    db.session.commit()
    login(client, official)
    text = page(client, cycle)
    assert "Preview, not published." in text
    assert "Not selected: when its turn came (projects are taken by votes), only ฿10,000 of the budget was left, less than its cost of ฿20,000." in text
    assert "Fair to groups (extended justified representation, up to one project): does not hold." in text
    assert "4 voters voted for all of: โครงการที่ 2 (งบทั้งจังหวัด), โครงการที่ 3 (งบทั้งจังหวัด) (together ฿40,000)." in text
    assert "The shares of 4 voters are enough to pay for that, yet none of them got more than ฿20,000" in text
    assert re.search(r"Greedy by votes Official rule 100% ", text)
    assert re.search(r"Method of Equal Shares \(for comparison only\)", text)
    assert "Method of Equal Shares would have funded instead: โครงการที่ 3 (งบทั้งจังหวัด)." in text
    assert "Priceable: no." in text
    thai = page(client, cycle, "th")
    assert "ไม่เป็นไปตามเกณฑ์" in thai and "ผู้ลงคะแนน 4 คนเลือกทุกโครงการต่อไปนี้" in thai


def test_a_result_without_checks_still_shows(client, official):
    """Results computed before the checks existed carry no "fairness": the page shows them without it."""
    cycle, budget = greedy_cycle(official)
    results.compute_results(official, cycle)
    result = services.published_result(budget)
    outcome = dict(result.outcome)
    outcome.pop("fairness")
    result.outcome = outcome
    db.session.commit()
    text = page(client, cycle)
    assert "Projects, their votes and cost" in text
    assert "Proportionality checks" not in text


def test_every_voters_payments_download_and_match_the_published_ballots(client, official):
    from app.tally.pb import parse_pb

    cycle, budget = mes_cycle(official)
    url = f"/cycles/{cycle.id}/budgets/{budget.id}/payments.csv"
    results.compute_preview(official, cycle)
    db.session.commit()
    assert client.get(url).status_code == 404  # the preview's are the area's officials' only
    results.publish_results(official, cycle)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "voter_id,project_id,payment"
    rows = [line.split(",") for line in lines[1:]]
    pb = parse_pb(client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/ballots.pb").get_data(as_text=True))
    votes = {b.voter_id: set(b.projects) for b in pb.ballots}
    second, fourth = budget.projects[1].pb_project_id, budget.projects[3].pb_project_id
    assert {pid for _, pid, _ in rows} == {second, fourth}
    for voter, pid, _ in rows:
        assert pid in votes[voter]  # a voter pays only for what she voted for
    assert abs(sum(float(p) for _, pid, p in rows if pid == second) - 500_000) < 1
    assert abs(sum(float(p) for _, pid, p in rows if pid == fourth) - 200_000) < 1
    assert len(rows) == 100
    assert url in client.get(f"/cycles/{cycle.id}/results").get_data(as_text=True)


def test_no_payments_for_a_greedy_result(client, official):
    cycle, budget = greedy_cycle(official)
    results.compute_results(official, cycle)
    db.session.commit()
    assert client.get(f"/cycles/{cycle.id}/budgets/{budget.id}/payments.csv").status_code == 404
    assert client.get(f"/cycles/{cycle.id}/budgets/999999/payments.csv").status_code == 404
