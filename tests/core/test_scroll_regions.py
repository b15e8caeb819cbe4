"""Every sideways-scrolling box is reachable by keyboard and named (axe: scrollable-region-focusable)."""
import re
from pathlib import Path

from flask import render_template_string

ROOT = Path(__file__).resolve().parents[2]


def test_scroll_region_is_a_named_focusable_region(app):
    with app.test_request_context("/"):
        html = render_template_string('<div class="table-scroll"{{ scroll_region("<Audit> log") }}></div>')
    assert html == ('<div class="table-scroll" role="region" tabindex="0" aria-label="&lt;Audit&gt; log"'
                    ' data-hint="เลื่อนไปด้านข้างเพื่อดูตารางทั้งหมด"></div>')


def test_every_table_scroll_in_the_templates_uses_it():
    missing = []
    for template in (ROOT / "app").rglob("*.html"):
        for match in re.finditer(r'<div class="table-scroll"([^>]*)>', template.read_text(encoding="utf-8")):
            if "scroll_region(" not in match.group(1):
                missing.append(str(template.relative_to(ROOT)))
    assert missing == []


def test_no_table_sits_in_a_box_that_does_not_scroll():
    """`table-wrap` has no style: a wide table inside it ran off a 360 px phone (the privacy notice did)."""
    wrapped = [str(t.relative_to(ROOT)) for t in (ROOT / "app").rglob("*.html") if 'class="table-wrap"' in t.read_text(encoding="utf-8")]
    assert wrapped == []
