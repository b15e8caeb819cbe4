"""One integer parser for all user input (issue 10.9): ASCII digits only, bounded; "²", "١", "-1" and huge
numbers are a form error, a 404 or a default, never a 500."""
from __future__ import annotations

import io

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired, NumberRange

from app.core.fields import IntField
from app.core.numbers import int_arg, is_ascii_digits, parse_int
from app.core.validators import MAX_ID, as_id

HUGE = "9" * 40
BAD = ["²", "١", "١٢", "1²", "-1", HUGE, "1_000", "+1", "1.0", "1e3", "", " ", "๓", "\u0663", "0x10", "ⅷ"]


@pytest.mark.parametrize("text,expected", [
    ("0", 0), ("42", 42), (" 7 ", 7), ("0042", 42), ("2147483647", 2147483647),
])
def test_parse_int_reads_ascii_digits(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", BAD)
def test_parse_int_refuses_everything_else(text):
    assert "²".isdigit() and "١".isdigit()  # what Python's str.isdigit lets through
    assert parse_int(text) is None


def test_parse_int_options():
    assert parse_int("-5", signed=True) == -5 and parse_int("-5") is None
    assert parse_int("๒", thai_digits=True) == 2 and parse_int("๒") is None
    assert parse_int("²", thai_digits=True) is None and parse_int("١", thai_digits=True) is None
    assert parse_int("5", minimum=1, maximum=4) is None and parse_int("0", minimum=1) is None
    assert parse_int(3) == 3 and parse_int(True) is None and parse_int(None) is None and parse_int(2.0) is None
    assert parse_int("1" * 19) == int("1" * 19) and parse_int("1" * 20) is None


def test_as_id_and_codes():
    assert as_id("12") == 12 and as_id(str(MAX_ID)) == MAX_ID
    for text in ("١", "²", "0", "-1", str(MAX_ID + 1), HUGE, "1_0"):
        assert as_id(text) is None, text
    assert is_ascii_digits("3500102") and not is_ascii_digits("50²") and not is_ascii_digits("") and not is_ascii_digits(None)


@pytest.mark.parametrize("query,expected", [
    ("", 1), ("page=3", 3), ("page=²", 1), ("page=١", 1), ("page=-1", 1), ("page=0", 1), (f"page={HUGE}", 1),
    ("page=999999", 50),
])
def test_int_arg(app, query, expected):
    with app.test_request_context(f"/?{query}"):
        assert int_arg("page", 1, maximum=50) == expected


class _Form(FlaskForm):
    class Meta:
        csrf = False

    count = IntField("count", validators=[InputRequired(), NumberRange(min=1, max=100)])


@pytest.mark.parametrize("text", ["²", "١", "1_000", "+1", "1.5"])
def test_int_field_refuses_non_ascii_digits_with_a_message(app, text):
    with app.test_request_context("/"):
        form = _Form(formdata=MultiDict({"count": text}))
        assert not form.validate()
        assert form.count.data is None and form.count.errors


@pytest.mark.parametrize("text,ok", [("5", True), ("-1", False), (HUGE, False), ("", False)])
def test_int_field_range(app, text, ok):
    with app.test_request_context("/"):
        form = _Form(formdata=MultiDict({"count": text}))
        assert form.validate() is ok, form.count.errors


# --- through the routes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE])
def test_cycle_ballot_assignment(client, value):
    from tests.cycles import factories as cf
    from tests.proposals.test_services import make, moved
    from app.proposals.models import ProposalState as P

    official = cf.create_official("50")
    cycle = cf.create_cycle(official)
    proposal = moved(make("50", actor=official, fiscal_year=cycle.fiscal_year), P.UNDER_ASSESSMENT, P.FEASIBLE,
                     P.SHORTLISTED, actor=official)
    cf_login(client, official, cf.PASSWORD)
    response = client.post(f"/cycles/{cycle.id}/ballot", data={"action": "assign", f"budget-{proposal.id}": value})
    assert response.status_code == 200
    assert "error-summary" in response.get_data(as_text=True)
    assert not any(p.proposal_id == proposal.id for b in cycle.budgets for p in b.projects)


@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE])
def test_cycle_budget_amount_is_a_form_error(client, value):
    from tests.cycles import factories as cf
    from app.cycles.models import Phase

    official = cf.create_official("50")
    cycle = cf.create_cycle(official)
    cycle.phase_override = Phase.REVIEW
    cf_login(client, official, cf.PASSWORD)
    response = client.post(f"/cycles/{cycle.id}/budgets/new", data={"name": "งบ", "amount": value})
    assert response.status_code == 200 and "error-summary" in response.get_data(as_text=True)
    assert not cycle.budgets


@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE])
def test_idea_edit_remove_photo(client, value):
    from tests.ideas.factories import create_idea, create_user, sign_in

    user = create_user(name="มานี มีนา")
    sign_in(client, user)
    idea = create_idea(user)
    response = client.post(f"/ideas/{idea.id}/edit", data={
        "title": "ชื่อใหม่ของไอเดีย", "description": "รายละเอียดที่ยาวพอสมควร", "category": "safety",
        "subdistrict_code": "", "lat": "", "lon": "", "remove_photo": value,
    })
    assert response.status_code == 302  # a number that is no photo of the idea removes nothing


@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE, "2570,²"])
def test_proposal_edit_budget_years(client, value):
    from tests.proposals.test_routes import form_data, sign_in
    from tests.proposals.test_services import make
    from tests.triage.factories import official

    officer = official("3500102")
    proposal = make("3500102", actor=officer)
    sign_in(client, officer)
    response = client.post(f"/proposals/{proposal.id}/edit", data=form_data(budget_years=value, title="ชื่อที่เปลี่ยน"))
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "error" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE])
def test_proposal_add_idea_number(client, value):
    from tests.proposals.test_routes import sign_in
    from tests.proposals.test_services import make
    from tests.triage.factories import official

    officer = official("3500102")
    proposal = make("3500102", actor=officer)
    sign_in(client, officer)
    response = client.post(f"/proposals/{proposal.id}/ideas", data={"idea_id": value})
    assert response.status_code == 200 and "error" in response.get_data(as_text=True)
    assert not proposal.ideas


@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE, "๒"])
def test_plan_csv_level_column(client, value):
    from sqlalchemy import select

    from app.extensions import db
    from app.plans.models import PlanItem
    from tests.plans.factories import create_official, create_plan, lg, login

    plan = create_plan(lg(), items=[])
    login(client, create_official(lg()))
    body = f"level,code,parent_code,title\r\n1,1,,ยุทธศาสตร์\r\n{value},1.1,1,กลยุทธ์\r\n".encode("utf-8-sig")
    response = client.post(f"/plans/{plan.id}/upload", data={"file": (io.BytesIO(body), "p.csv")},
                           content_type="multipart/form-data")
    items = db.session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id)).all()
    if value == "๒":  # Thai digits are what Thai clerks type: level 2
        assert response.status_code == 302 and sorted(i.level for i in items) == [1, 2]
    else:
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "แถวที่ 3 คอลัมน์ level" in page and not items


@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE])
def test_xlsx_level_cell(value):
    from openpyxl import Workbook

    from app.plans import upload
    from app.plans.services import PlanError

    wb = Workbook()
    wb.active.append(["level", "code", "parent_code", "title"])
    wb.active.append([value, "1", None, "ยุทธศาสตร์"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(PlanError):
        upload.parse_upload(upload.read_upload(io.BytesIO(out.getvalue()), "p.xlsx"))


@pytest.mark.parametrize("value", ["²", "١", "-1", HUGE])
def test_page_numbers_and_ids_in_queries(client, value):
    from tests.accounts.factories import create_user, sign_in
    from tests.cycles import factories as cf
    from tests.ideas.factories import create_idea

    admin = cf.create_official("50")
    from app.accounts import services as accounts
    from app.accounts.models import Role

    accounts.assign_role(None, admin, Role.ADMIN, None)
    idea = create_idea(create_user())
    cf_login(client, admin, cf.PASSWORD)
    for url in (f"/admin/audit?page={value}", f"/notifications/?page={value}", f"/moderation/?page={value}",
                f"/ideas/search?q=ถนน&page={value}", f"/proposals?page={value}", f"/triage?page={value}", f"/admin/privacy/access?page={value}",
                f"/ideas/{idea.id}/comments/new?reply_to={value}", f"/proposals/new?area=50&idea={value}"):
        response = client.get(url)
        expected = 404 if "reply_to" in url else 200  # a reply to no comment is no page
        assert response.status_code == expected, (url, response.status_code)


def cf_login(client, user, password):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("value", ["50010²", "５００１０１", "٥٠٠١٠١"])
def test_idea_list_subdistrict_filter(client, value):
    assert client.get(f"/p/50/ideas?subdistrict={value}").status_code == 200
