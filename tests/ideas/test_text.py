"""linkify: escaped first, paragraphs kept, only http(s) links clickable."""
from app.ideas.text import highlight, linkify, snippet


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


def test_addresses_without_a_scheme_are_links():
    html = str(linkify("ดูรายละเอียดที่ www.chiangmai.go.th ครับ"))
    assert '<a href="http://www.chiangmai.go.th" rel="nofollow ugc noopener">www.chiangmai.go.th</a> ครับ' in html
    html = str(linkify("เว็บไซต์www.chiangmai.go.th/news?id=1."))  # Thai puts no space before it
    assert '<a href="http://www.chiangmai.go.th/news?id=1" rel="nofollow ugc noopener">www.chiangmai.go.th/news?id=1</a>.' in html
    assert '<a href="http://cmu.ac.th"' in str(linkify("มหาวิทยาลัย cmu.ac.th"))
    assert "<a " not in str(linkify("อีเมล info@chiangmai.go.th หรือ www. หรือ abc.go.thai"))
    html = str(linkify("https://x.th/go/www.y.com"))
    assert html.count("<a ") == 1 and 'href="https://x.th/go/www.y.com"' in html


def test_highlight_marks_whole_thai_words():
    # newmm alone cuts ขอติดตั้งไฟ as ขอ|ติด|ตั้งไฟ, which marked ขอติด<mark>ตั้งไฟ</mark>.
    assert str(highlight("ขอติดตั้งไฟส่องสว่างถนน", ["ตั้งไฟ"])) == "ขอ<mark>ติดตั้งไฟ</mark>ส่องสว่างถนน"
    assert str(highlight("ขอติดตั้งไฟส่องสว่างถนน", ["ถนน", "ส่อง"])) == "ขอติดตั้งไฟ<mark>ส่องสว่างถนน</mark>"
    assert str(highlight("street lights", ["LIGHT"])) == "street <mark>lights</mark>"
    assert str(highlight("<b>ไฟ</b>", ["ไฟ"])) == "&lt;b&gt;<mark>ไฟ</mark>&lt;/b&gt;"
    assert str(highlight("ไม่มีคำนี้", ["ถนน"])) == "ไม่มีคำนี้"


def test_marks_have_no_padding_that_would_open_gaps_in_thai():
    import re
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "static" / "css"
    for css in static.glob("*.css"):
        for rule in re.findall(r"(?:^|\})\s*([^{}]*\bmark\b[^{}]*)\{([^}]*)\}", css.read_text(encoding="utf-8")):
            assert "padding" not in rule[1], f"{css.name}: {rule[0].strip()} has padding"
