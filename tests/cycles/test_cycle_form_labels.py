"""The cycle form's option labels read as plain Thai; a technical name may only follow in brackets."""
import re

from tests.cycles.test_routes import login


def test_completion_options_say_in_thai_what_they_do(client, official):
    login(client, official)
    html = client.get("/cycles/new?area=50").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="completion".*?</select>', html, re.S).group(0)
    labels = re.findall(r"<option[^>]*>([^<]+)</option>", select)
    assert len(labels) == 4
    for label in labels:
        outside_brackets = re.sub(r"\([^)]*\)", "", label)
        assert not re.search(r"[A-Za-z]", outside_brackets), label
        assert re.search(r"[\u0e00-\u0e7f]", label), label
