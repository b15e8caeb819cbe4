"""The plan-item select of the proposal form: each plan once, its items as a tree in order."""
import re

from tests.plans.factories import create_official, create_plan, lg, login


def test_plan_item_select_shows_each_plan_once_and_its_items_as_a_tree(client):
    items = [("1", "", "ยุทธศาสตร์ที่หนึ่ง"), ("2", "", "ยุทธศาสตร์ที่สอง"), ("1.1", "1", "กลยุทธ์ก"),
             ("2.1", "2", "กลยุทธ์ข"), ("1.1.1", "1.1", "แผนงานเคหะ"), ("1.2", "1", "กลยุทธ์ค")]
    plan = create_plan(lg(), items=items)
    official = create_official(lg())
    login(client, official)
    html = client.get("/proposals/new?area=3500102").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="plan_item_id".*?</select>', html, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)"', select)
    assert groups == [plan.title]
    group = select.split("<optgroup", 1)[1]
    labels = [re.sub(r"\s+", " ", label.replace("\u00a0", " ").replace("&nbsp;", " ")).strip()
              for label in re.findall(r"<option[^>]*>([^<]*)</option>", group)]
    assert labels == ["1 ยุทธศาสตร์ที่หนึ่ง", "1.1 กลยุทธ์ก", "1.1.1 แผนงานเคหะ", "1.2 กลยุทธ์ค", "2 ยุทธศาสตร์ที่สอง", "2.1 กลยุทธ์ข"]
    assert plan.title not in group.split("</optgroup>")[0].split(">", 1)[1]
