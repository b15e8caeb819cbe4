"""Accessibility checks applied to every HTML page the tests fetch (as GOV.UK Notify does)."""
from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

LABELLED_EXEMPT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.h1_count = 0
        self.h1_text: list[str] = []
        self.title_text: list[str] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self._in_h1 = 0
        self._in_title = False
        self._label_depth = 0
        self.lang: str | None = None

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if "id" in attr and attr["id"]:
            self.ids.append(attr["id"])
        if tag == "html":
            self.lang = attr.get("lang")
        elif tag == "h1":
            self.h1_count += 1
            self._in_h1 += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "label":
            self._label_depth += 1
            if attr.get("for"):
                self.label_for.add(attr["for"])
        elif tag in ("input", "select", "textarea"):
            kind = (attr.get("type") or "text").lower() if tag == "input" else tag
            if kind not in LABELLED_EXEMPT_TYPES:
                self.inputs.append({
                    "tag": tag, "id": attr.get("id"), "name": attr.get("name"),
                    "aria": attr.get("aria-label") or attr.get("aria-labelledby") or attr.get("title"),
                    "wrapped": "yes" if self._label_depth else None,
                })

    def handle_endtag(self, tag):
        if tag == "h1" and self._in_h1:
            self._in_h1 -= 1
        elif tag == "title":
            self._in_title = False
        elif tag == "label" and self._label_depth:
            self._label_depth -= 1

    def handle_data(self, data):
        if self._in_h1:
            self.h1_text.append(data)
        if self._in_title:
            self.title_text.append(data)


def _norm(text: str) -> str:
    return " ".join(text.split())


def check_page(html: str) -> None:
    """Assert one h1, a <title> that starts with it, a lang, unique ids and labelled inputs."""
    parser = _PageParser()
    parser.feed(html)
    assert parser.lang in ("th", "en"), "the <html> element has no lang"
    assert parser.h1_count == 1, f"expected one <h1>, found {parser.h1_count}"
    h1 = _norm("".join(parser.h1_text))
    title = _norm("".join(parser.title_text))
    assert h1, "the <h1> is empty"
    assert title.startswith(h1), f"<title> {title!r} does not start with the h1 {h1!r}"
    duplicates = [i for i, n in Counter(parser.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for field in parser.inputs:
        labelled = field["aria"] or field["wrapped"] or (field["id"] and field["id"] in parser.label_for)
        assert labelled, f"{field['tag']} name={field['name']!r} id={field['id']!r} has no label"
