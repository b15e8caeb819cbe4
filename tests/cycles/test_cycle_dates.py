"""The cycle form reads its dates in the reader's calendar and keeps the phases around the fiscal year."""
from datetime import date, timedelta

from sqlalchemy import select

from app.core.dates import format_date_input
from app.core.formatting import fiscal_year
from app.cycles.models import Cycle
from app.cycles.phases import bangkok_today
from app.cycles.services import phase_window
from app.extensions import db
from tests.cycles import factories as f
from tests.cycles.test_routes import login


def form_data(title, locale="th", start=None, fy=None):
    t = start or bangkok_today()
    days = [t + timedelta(days=n) for n in (0, 10, 20, 30, 40, 60)]
    names = ["ideas_from", "supports_from", "review_from", "voting_from", "results_from", "implementation_from"]
    return {
        "title": title, "fiscal_year": str(fy or fiscal_year(days[-1])), "description": "", "total_budget": "5000000",
        "ballot_kind": "approval", "min_projects": "1", "max_projects": "3", "rule": "greedy", "completion": "add1",
        "accepted_methods": ["in_person", "thaid", "resident_list"],
        **{name: format_date_input(day, locale) for name, day in zip(names, days)},
    }


def _cycle(title):
    return db.session.scalar(select(Cycle).where(Cycle.title == title))


def test_thai_dates_are_buddhist_era_and_shown_back_so(client, official):
    login(client, official)
    t = bangkok_today()
    data = form_data("วันที่ไทย")
    # The date the issue saw stored as 3112: typed as the year comes first, in the Buddhist Era.
    data["ideas_from"] = f"{t.year + 543}-{t.month:02d}-{t.day:02d}"
    assert client.post("/cycles/new?area=50", data=data).status_code == 302
    cycle = _cycle("วันที่ไทย")
    assert cycle.ideas_from == t and cycle.voting_from == t + timedelta(days=30)
    edit = client.get(f"/cycles/{cycle.id}/edit").get_data(as_text=True)
    assert f'value="{format_date_input(t, "th")}"' in edit and 'type="date"' not in edit
    assert 'placeholder="วว/ดด/ปปปป"' in edit
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert str(t.year + 543) in page and str(t.year + 1086) not in page


def test_a_common_era_year_on_a_thai_form_is_refused_with_what_it_expects(client, official):
    login(client, official)
    data = form_data("ปีผิด")
    data["voting_from"] = format_date_input(bangkok_today() + timedelta(days=30), "en")  # 2026 on a Thai page
    page = client.post("/cycles/new?area=50", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "error-summary" in html and "ปีพุทธศักราช" in html
    assert _cycle("ปีผิด") is None
    # What was typed comes back as typed.
    assert f'value="{data["voting_from"]}"' in html and f'value="{data["ideas_from"]}"' in html


def test_english_dates_are_common_era(client, official):
    login(client, official)
    client.set_cookie("lang", "en")
    assert client.post("/cycles/new?area=50", data=form_data("English dates", "en")).status_code == 302
    cycle = _cycle("English dates")
    assert cycle.ideas_from == bangkok_today()
    edit = client.get(f"/cycles/{cycle.id}/edit").get_data(as_text=True)
    assert f'value="{format_date_input(bangkok_today(), "en")}"' in edit
    refused = client.post("/cycles/new?area=50", data=form_data("BE on English page", "th"))
    assert refused.status_code == 200 and "Buddhist-era year" in refused.get_data(as_text=True)


def test_phases_must_lie_around_their_fiscal_year(client, official):
    first, last = phase_window(2570)
    assert (first, last) == (date(2025, 10, 1), date(2027, 9, 30))
    login(client, official)
    too_late = form_data("ช้าเกินไป", start=date(2027, 9, 1), fy=2570)  # implementation on 31 October 2027
    page = client.post("/cycles/new?area=50", data=too_late)
    assert page.status_code == 200 and "30 กันยายน 2570" in page.get_data(as_text=True)
    too_early = form_data("เร็วเกินไป", start=date(2025, 9, 1), fy=2570)
    assert "1 ตุลาคม 2568" in client.post("/cycles/new?area=50", data=too_early).get_data(as_text=True)
    assert _cycle("ช้าเกินไป") is None and _cycle("เร็วเกินไป") is None
    fits = form_data("พอดี", start=date(2025, 10, 1), fy=2570)
    assert client.post("/cycles/new?area=50", data=fits).status_code == 302


def test_forum_and_progress_dates_use_the_same_field(client, official, knapsack):
    cycle, budget = knapsack
    login(client, official)
    today = bangkok_today()
    p = budget.projects
    bad = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/paper", data={
        "forum_name": "ประชาคมหมู่ 1", "forum_date": format_date_input(today, "en"), "count": "3", "project": [str(p[0].id)],
    })
    assert bad.status_code == 200 and "ปีพุทธศักราช" in bad.get_data(as_text=True)
    ok = client.post(f"/cycles/{cycle.id}/budgets/{budget.id}/paper", data={
        "forum_name": "ประชาคมหมู่ 1", "forum_date": format_date_input(today, "th"), "count": "3", "project": [str(p[0].id)],
    })
    assert ok.status_code == 302
    from app.cycles.models import PaperBatch

    assert db.session.scalar(select(PaperBatch.forum_date).where(PaperBatch.forum_name == "ประชาคมหมู่ 1")) == today


def test_manage_page_says_what_voting_waits_for_and_warns_of_costly_projects(client, official):
    from app.cycles import services

    cycle = f.create_cycle(official)  # voting started two days ago, no budget yet
    login(client, official)
    page = client.get(f"/cycles/{cycle.id}/manage").get_data(as_text=True)
    assert "เพิ่มวงเงินงบประมาณอย่างน้อยหนึ่งวงเงิน" in page
    # Not locked out: a budget can still be added, and its ballot built.
    assert client.post(f"/cycles/{cycle.id}/budgets/new", data={"name": "งบเมือง", "amount": "500000"}).status_code == 302
    budget = cycle.budgets[0]
    page = client.get(f"/cycles/{cycle.id}/manage").get_data(as_text=True)
    assert "งบเมือง" in page and "ยังไม่มีโครงการ" in page
    refused = client.post(f"/cycles/{cycle.id}/phase", data={"phase": "voting", "reason": "เปิดเอง"})
    db.session.refresh(cycle)
    assert cycle.phase_override is None, refused
    services.add_project(official, budget, "ศูนย์เด็กเล็ก", 500_000)
    db.session.flush()
    from app.cycles.models import CycleProject

    db.session.add(CycleProject(cycle_id=cycle.id, budget_id=budget.id, title="สะพานใหญ่", cost=900_000, pb_project_id="x"))
    db.session.flush()
    db.session.refresh(budget)
    page = client.get(f"/cycles/{cycle.id}/manage").get_data(as_text=True)
    assert "สะพานใหญ่" in page and "ไม่สามารถได้รับเลือก" in page
