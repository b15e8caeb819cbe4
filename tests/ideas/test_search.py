"""Thai-aware search: segmentation, the substring fallback, English, ranking, scope and visibility."""
from __future__ import annotations

from app.ideas.search import find_similar, search_ideas, tokenize
from app.ideas.text import highlight
from tests.ideas.factories import area, create_idea, create_user


def titles(result):
    return [hit.idea.title for hit in result.hits]


def test_tokenize_segments_thai_and_drops_stop_words():
    assert tokenize("ไฟฟ้าส่องสว่าง") == ["ไฟฟ้า", "ส่องสว่าง"]
    assert "ส่องสว่าง" in tokenize("ติดตั้งไฟส่องสว่างถนน")
    words = tokenize("ขอให้ซ่อมถนนที่หน้าโรงเรียนและตลาด")
    assert {"ซ่อม", "ถนน", "โรงเรียน", "ตลาด"} <= set(words)
    assert not {"ที่", "และ", "ขอ", "ให้"} & set(words)


def test_tokenize_english_digits_and_punctuation():
    assert tokenize("Street LIGHTS, near the school!") == ["street", "lights", "near", "school"]
    assert tokenize("หมู่ ๕ ซอย 12") == ["หมู่", "5", "ซอย", "12"]
    assert tokenize("<script>alert(1)</script>") == ["script", "alert", "1"]
    assert tokenize("") == [] and tokenize("   ๆ !!") == []


def test_segmented_words_match_across_different_compounds():
    idea = create_idea(title="ติดตั้งไฟส่องสว่างถนน", description="ถนนมืด")
    create_idea(title="ขุดลอกคลอง", description="น้ำท่วมทุกปี")
    result = search_ideas("ไฟฟ้าส่องสว่าง")
    assert titles(result) == [idea.title]


def test_substring_fallback_finds_short_words_and_parts_of_compounds():
    road = create_idea(title="ซ่อมถนนลูกรัง", description="เป็นหลุมเป็นบ่อ")  # newmm keeps ถนนลูกรัง whole
    light = create_idea(title="ขอไฟถนนสว่าง", description="กลางคืนมืด")  # ไฟถนน is one word
    assert set(titles(search_ideas("ถนน"))) == {road.title, light.title}
    assert titles(search_ideas("ไฟ")) == [light.title]
    assert titles(search_ideas("ลูกรัง")) == [road.title]


def test_english_search_is_case_insensitive_and_finds_word_parts():
    idea = create_idea(title="Street lights near Wat Suan Dok", description="It is dark at night.")
    create_idea(title="ต้นไม้ริมทาง", description="trees")
    assert titles(search_ideas("street light")) == [idea.title]
    assert titles(search_ideas("LIGHTS")) == [idea.title]
    assert titles(search_ideas("dark")) == [idea.title]


def test_ranking_title_before_body_more_words_first_then_newer():
    body_only = create_idea(title="ปรับปรุงตลาด", description="ควรมีที่จอดรถและไฟส่องสว่าง")
    title_old = create_idea(title="ไฟส่องสว่างซอยวัด", description="มืด")
    title_new = create_idea(title="ไฟส่องสว่างสวนสาธารณะ", description="มืด")
    both_words = create_idea(title="ไฟส่องสว่างตลาดเช้า", description="มืด")
    result = search_ideas("ไฟส่องสว่าง ตลาด")
    assert titles(result)[0] == both_words.title  # matches both words, in the title
    assert titles(result).index(body_only.title) == 1  # both words too (title + body)
    assert titles(result)[2:] == [title_new.title, title_old.title]  # one word each: newest first
    scores = {hit.idea.id: hit.matched_words for hit in result.hits}
    assert scores[both_words.id] == 3 and scores[title_old.id] == 2  # ไฟ | ส่องสว่าง | ตลาด


def test_search_in_one_area_and_visibility():
    city = create_idea(area_code="3500102", title="ทางเท้าชำรุด")
    province = create_idea(area_code="50", title="ทางเท้าแคบ")
    hidden = create_idea(area_code="50", title="ทางเท้าซ่อน")
    hidden.hidden_at = hidden.created_at
    pending = create_idea(area_code="50", title="ทางเท้ารอตรวจ")
    pending.pending_review = True
    assert set(titles(search_ideas("ทางเท้า"))) == {city.title, province.title}
    assert titles(search_ideas("ทางเท้า", area=area("3500102"))) == [city.title]
    assert len(search_ideas("ทางเท้า", include_hidden=True).hits) == 4


def test_queries_of_only_stop_words_or_nothing():
    create_idea(title="ทางเดินริมน้ำ", description="ร่มรื่น")
    assert search_ideas("").hits == []
    assert search_ideas("!!!").hits == []
    # "ทาง" is a stop word: the substring fallback still finds ทางเดิน
    assert titles(search_ideas("ทาง")) == ["ทางเดินริมน้ำ"]


def test_like_wildcards_in_the_query_are_literal():
    create_idea(title="สวนสาธารณะ", description="ปลูกต้นไม้")
    assert search_ideas("%").hits == [] and search_ideas("_").hits == []


def test_find_similar_limits_to_the_area():
    same = create_idea(area_code="5500107", title="ติดตั้งไฟส่องสว่างถนนขึ้นดอย")
    create_idea(area_code="3500102", title="ติดตั้งไฟส่องสว่างถนนในเมือง")
    assert find_similar(area("5500107"), "ไฟฟ้าส่องสว่าง") == [same]
    assert find_similar(area("5500107"), "") == []


def test_highlight_escapes_and_marks():
    html = str(highlight("<b>ไฟ</b> & ไฟถนน", ["ไฟถนน", "ไฟ"]))
    assert html == "&lt;b&gt;<mark>ไฟ</mark>&lt;/b&gt; &amp; <mark>ไฟถนน</mark>"
    assert str(highlight("<script>x</script>", [])) == "&lt;script&gt;x&lt;/script&gt;"
    assert "<mark>Light</mark>" in str(highlight("Light", ["light"]))


def test_results_beyond_the_first_page():
    author = create_user()
    for n in range(25):
        create_idea(author, title=f"ปลูกต้นไม้ {n}", description="สีเขียว")
    first = search_ideas("ต้นไม้", limit=20)
    second = search_ideas("ต้นไม้", limit=20, offset=20)
    assert first.total == 25 and len(first.hits) == 20 and len(second.hits) == 5
    assert not {h.idea.id for h in first.hits} & {h.idea.id for h in second.hits}


def test_gunicorn_workers_load_the_thai_dictionary_before_taking_requests():
    import runpy
    from pathlib import Path

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    conf["post_worker_init"](None)  # loads PyThaiNLP's dictionary; must not need a request
    assert tokenize("ไฟฟ้าส่องสว่าง") == ["ไฟฟ้า", "ส่องสว่าง"]
