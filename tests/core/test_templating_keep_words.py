"""keep_words: Thai words of narrow table headers are kept whole, text stays escaped."""
from __future__ import annotations

from app.core.templating import keep_words


def test_thai_words_are_wrapped_whole_and_text_is_escaped():
    html = str(keep_words("หน่วยงานรับผิดชอบหลัก <b>"))
    assert '<span class="keep-word">รับผิดชอบ</span>' in html
    assert html.count('<span class="keep-word">') == 3
    assert "<wbr>" in html and "&lt;b&gt;" in html and "<b>" not in html


def test_text_without_thai_is_left_as_it_is():
    assert str(keep_words("Main responsible unit")) == "Main responsible unit"
