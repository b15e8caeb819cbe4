"""linkify: escaped first, paragraphs kept, only http(s) links clickable."""
from app.ideas.text import linkify, snippet


def test_plain_text_is_escaped_and_paragraphs_kept():
    html = str(linkify("<b>หนา</b> & \"quotes\"\nบรรทัดใหม่\n\nย่อหน้าใหม่"))
    assert html == (
        "<p>&lt;b&gt;หนา&lt;/b&gt; &amp; &#34;quotes&#34;<br>\nบรรทัดใหม่</p>\n<p>ย่อหน้าใหม่</p>"
    )


def test_links_are_clickable_with_rel_and_trailing_punctuation_left_out():
    html = str(linkify("ดูที่ https://example.com/a?b=1&c=2. และ (http://x.th/p)"))
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.com/a?b=1&amp;c=2</a>.' in html
    assert '(<a href="http://x.th/p" rel="nofollow ugc noopener">http://x.th/p</a>)' in html


def test_scripts_and_other_schemes_are_never_links():
    html = str(linkify('javascript:alert(1) <a href="javascript:x">y</a> data:text/html,<script>'))
    assert "<a " not in html and "<script" not in html
    html = str(linkify('https://ok.th/"onmouseover="alert(1)'))
    assert 'href="https://ok.th/"' in html and 'onmouseover="' not in html
    assert str(linkify("https://")) == "<p>https://</p>"


def test_empty_text_and_windows_newlines():
    assert str(linkify("")) == "" and str(linkify(None)) == ""
    assert str(linkify("a\r\n\r\nb")) == "<p>a</p>\n<p>b</p>"


def test_snippet_centres_on_the_first_match():
    text = "ก" * 300 + " ไฟถนน " + "ข" * 300
    piece = snippet(text, ["ไฟถนน"], length=100)
    assert "ไฟถนน" in piece and piece.startswith("…") and piece.endswith("…")
