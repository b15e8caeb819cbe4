"""How the Thai catalogues read to a Thai clerk: counting words after the number, no stray spaces inside a clause.

Thai writes "ผู้สนับสนุน 2 คน" (noun, number, counting word), never "2 ผู้สนับสนุน"; and
it puts a space between clauses, not between a name and the word that continues its
clause ("เจ้าหน้าที่ของเทศบาลนครเชียงใหม่จะตอบ", not "…เชียงใหม่ จะตอบ").
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, ngettext

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted((ROOT / "translations").glob("*/th/LC_MESSAGES/messages.po"))

# A name put into a sentence, then a space, then a word that continues the same clause.
_NAME = r"%\((?:area|forum|budget|cycle|from|to|title|group)\)s"
_STRAY_SPACE = re.compile(_NAME + r" (?:จะ|แล้ว|ของ|ว่า|ไปยัง|ได้|ใน)")
# A number followed directly by a noun that needs its own counting word.
_NUMBER_THEN_NOUN = re.compile(r"%\((?:num|n|count|votes|total|payers)\)[ds] (?:ผู้สนับสนุน|การสนับสนุน|ผู้ลงคะแนน|ผู้อยู่อาศัย|ผู้ใช้)")


def _thai_strings():
    for path in CATALOGUES:
        with path.open("rb") as fh:
            for message in read_po(fh, locale="th"):
                if not message.id:
                    continue
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    if text:
                        yield path.parts[-4], message.id, text


def test_the_catalogues_are_read():
    assert len(CATALOGUES) >= 10 and sum(1 for _ in _thai_strings()) > 1000


@pytest.mark.parametrize("pattern", [_STRAY_SPACE, _NUMBER_THEN_NOUN], ids=["stray space", "counting word"])
def test_no_catalogue_string_breaks_the_rule(pattern):
    bad = [(part, msgid, text) for part, msgid, text in _thai_strings() if pattern.search(text)]
    assert not bad, bad


def test_the_sentences_the_issue_quoted_read_as_thai(app):
    with app.test_request_context(), force_locale("th"):
        assert gettext("Thank you for voting in %(budget)s of %(cycle)s.", budget="ทั้งจังหวัดเชียงใหม่",
                       cycle="งบประมาณแบบมีส่วนร่วม จังหวัดเชียงใหม่") == \
            "ขอบคุณที่ร่วมลงคะแนนในงบประมาณแบบมีส่วนร่วม จังหวัดเชียงใหม่ (วงเงินทั้งจังหวัดเชียงใหม่)"
        assert gettext("Thank you: your idea has been submitted. Officials of %(area)s will answer it here.",
                       area="เทศบาลนครเชียงใหม่") == "ขอบคุณที่เสนอไอเดีย เจ้าหน้าที่ของเทศบาลนครเชียงใหม่จะตอบไว้ที่หน้านี้"
        assert ngettext("%(num)d paper ballot from %(forum)s was entered.", "%(num)d paper ballots from %(forum)s were entered.",
                        12, forum="ประชาคมชุมชนวัดเกต") == "บันทึกบัตรลงคะแนนกระดาษ 12 บัตร จากประชาคมชุมชนวัดเกตแล้ว"
        assert ngettext("%(status)s, %(num)d supporter", "%(status)s, %(num)d supporters", 2, status="ได้รับแล้ว") == \
            "ได้รับแล้ว ผู้สนับสนุน 2 คน"


# --- Read line by line (issue 12, point 9): the classes of defect that reading found. ---

def _entries():
    """(catalogue, msgid as text, is plural, Thai text) for every translated message."""
    for path in CATALOGUES:
        with path.open("rb") as fh:
            for message in read_po(fh, locale="th"):
                if not message.id:
                    continue
                plural = isinstance(message.id, tuple)
                msgid = " | ".join(message.id) if plural else message.id
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    if text:
                        yield path.parts[-4], msgid, plural, text


def _bad(check):
    return [(part, msgid[:60], text) for part, msgid, plural, text in _entries() if check(msgid, plural, text)]


# Thai has one plural form: a plural message carries msgstr[0] only, and the header says so.
def test_thai_catalogues_have_one_plural_form():
    for path in CATALOGUES:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="th")
        assert catalog.num_plurals == 1, path
        for message in catalog:
            if isinstance(message.id, tuple):
                assert len([s for s in message.string if s]) <= 1, (path, message.id)


# Flask-Babel merges the catalogues into one table, the later overwriting the earlier (core last):
# a msgid translated two ways in two catalogues shows only one of them, on every page.
def test_one_msgid_reads_the_same_in_every_catalogue():
    seen: dict[str, dict[str, str]] = {}
    for part, msgid, _plural, text in _entries():
        seen.setdefault(msgid, {})[part] = text
    differing = {msgid: by_part for msgid, by_part in seen.items() if len(set(by_part.values())) > 1}
    assert not differing, differing


# A counted thing comes as noun, number, counting word: "ผู้สนับสนุน 2 คน", "บัตรลงคะแนน 12 บัตร".
CLASSIFIERS = ("คน", "ราย", "รายการ", "บัตร", "โครงการ", "เรื่อง", "ครั้ง", "แห่ง", "ตำบล", "บทบาท", "รูป", "ภาพ",
               "เสียง", "คะแนน", "วัน", "แถว", "งาน", "ตัวอักษร", "ชั่วโมง", "นาที", "ปี", "วงเงิน", "ฉบับ",
               "เดือน", "สัปดาห์", "รอบ")
_COUNT = re.compile(r"%\((\w+)\)[ds](?:</\w+>)?( ?)(\S*)")


def test_a_counted_number_is_followed_by_its_counting_word():
    def check(msgid, plural, text):
        if not plural:
            return False
        for match in _COUNT.finditer(text):
            if match.group(1) in ("num", "n", "count") and not match.group(3).startswith(CLASSIFIERS):
                return True
        return False
    assert not _bad(check)


# "3 ไอเดีย", "2 ความคิดเห็น", "5 โครงการที่เสนอ": a noun right after the number, with no counting word.
_NUMBER_THEN_THING = re.compile(r"(?:%\(\w+\)d|%\((?:num|n|count|votes|payers|reports|links_destroyed)\)s) (?:ไอเดีย|ความคิดเห็น|ข้อเสนอ|การสนับสนุน|ผู้\w+|ประชาชน|บัญชี)")


def test_no_number_is_followed_by_a_bare_noun():
    assert not _bad(lambda msgid, plural, text: _NUMBER_THEN_THING.search(text))


# Spacing: no double space, no space at the ends (unless the English has one), none before a particle.
_PARTICLE = re.compile(r" (?:ค่ะ|คะ|ครับ|นะ|จ้ะ|จ้า)(?![\u0E00-\u0E7F])")


def test_no_stray_spaces():
    def check(msgid, plural, text):
        lines = text.split("\n")
        return ("  " in text or _PARTICLE.search(text)
                or any(line != line.strip() for line in lines)
                or (text != text.strip() and msgid == msgid.strip()))
    assert not _bad(check)


# Thai ends a question with words (หรือไม่, ใช่หรือไม่), not "?", and does not use ";" between clauses.
def test_no_latin_punctuation_after_thai_words():
    assert not _bad(lambda msgid, plural, text: re.search(r"[\u0E00-\u0E7F][?;]", text))


# The site speaks to people as ท่าน: never คุณ as a pronoun (it is kept only as the title before a
# name, "เรียน คุณ%(name)s"), and buttons do not speak as ฉัน.
_KHUN = re.compile(r"(?<!ขอบ)คุณ(?!%\(name\)s|ภาพ|สมบัติ|ค่า|ประโยชน์|ธรรม)")


def test_the_register_is_than():
    assert not _bad(lambda msgid, plural, text: _KHUN.search(text) or "ฉัน" in text or "ผม" in text.replace("ผมา", ""))


def test_every_mail_greets_the_same_way():
    def check(msgid, plural, text):
        return msgid.startswith("Hello %(name)s") and not text.startswith("เรียน คุณ%(name)s\n")
    assert not _bad(check)


# One word for one thing (DESIGN.md's domain words): residency is ถิ่นที่อยู่, the profile is ข้อมูลส่วนตัว,
# an idea is ไอเดีย (ความคิดเห็น is a comment), a phase of a cycle is ขั้นตอน, progress is ความคืบหน้า.
@pytest.mark.parametrize("english, thai, wrong", [
    ("residency", "ถิ่นที่อยู่", "ที่อยู่อาศัย"),
    ("profile", "ข้อมูลส่วนตัว", "โปรไฟล์"),
    ("supporting ideas", "ไอเดีย", "ความคิดเห็น"),
    ("idea collection", "ไอเดีย", "ความคิดเห็น"),
    (r"\bphases?\b", "ขั้นตอน", "ช่วง"),
    (r"(?<!in )\bprogress\b", "ความคืบหน้า", "ความก้าวหน้า"),
    ("final cost", "ราคาประมาณการสุดท้าย", "ค่าใช้จ่ายสุดท้าย"),
])
def test_one_word_for_one_thing(english, thai, wrong):
    def check(msgid, plural, text):
        return re.search(english, msgid.lower()) and (wrong in text or thai not in text)
    assert not _bad(check)


# English words left in Thai text: technical names may follow in brackets, as point 8 asks for add1.
_TECHNICAL_ONLY_IN_BRACKETS = re.compile(r"\b(?:add1|greedy)\b")


def test_technical_names_only_in_brackets():
    def check(msgid, plural, text):
        outside = re.sub(r"\([^)]*\)", "", text)
        return bool(_TECHNICAL_ONLY_IN_BRACKETS.search(outside))
    assert not _bad(check)


# Words the reading replaced, each with the word the site uses instead.
@pytest.mark.parametrize("wrong, instead", [
    ("โปรไฟล์", "ข้อมูลส่วนตัว (the profile page's own name)"),
    ("สมัครสมาชิก", "ลงทะเบียน (as the registration form and its messages say)"),
    ("ผู้มีสิทธิ์", "ผู้มีสิทธิ (Royal Institute spelling in the compound)"),
    ("เสียงสนับสนุน", "ผู้สนับสนุน … คน (a support is a person, counted in คน)"),
    ("แบบเลือกรับรอง", "แบบเลือกหลายโครงการ (approval ballot)"),
    ("เดี๋ยวนี้", "ทันที (written register)"),
    ("ค่าใช้จ่ายสุดท้าย", "ราคาประมาณการสุดท้าย (beside ราคาประมาณการ)"),
    ("ข้อเสนอแนะ", "ไอเดีย (the site's one word for an idea; DESIGN.md allows both, the pages use ไอเดีย)"),
    ("สิทธิ์", "สิทธิ (ผู้มีสิทธิ, ผู้มาใช้สิทธิ, as the cycle pages write it)"),
    ("ผลตัวอย่าง", "ผลเบื้องต้น (a preview of results, not a sample)"),
    ("ผู้นี้", "บุคคลนี้ (ผู้นี้ is spoken Thai; the forms write บุคคลนี้)"),
])
def test_replaced_words_stay_replaced(wrong, instead):
    assert not _bad(lambda msgid, plural, text: wrong in text), instead


# Thai ends a sentence with a space or a line, not a full stop (abbreviations such as พ.ศ. and อบต. keep theirs).
def test_no_full_stop_after_a_thai_phrase():
    assert not _bad(lambda msgid, plural, text: re.search(r"[\u0E00-\u0E7F]{4}\.(?:\s|$)", text))


# A province named inside a sentence is จังหวัดเชียงใหม่ ("เจ้าหน้าที่ของเชียงใหม่จะตอบ" reads as a
# street name); Bangkok is no จังหวัด; a local government's name is already whole; English is unchanged.
def test_an_area_inside_a_sentence_has_its_whole_thai_name(app):
    from sqlalchemy import select

    from app.areas.models import Area
    from app.extensions import db

    areas = {a.code: a for a in db.session.scalars(select(Area).where(Area.code.in_(["50", "10", "3500102"])))}
    assert areas["50"].title("th") == "จังหวัดเชียงใหม่" and areas["50"].title("en") == areas["50"].name_en
    assert areas["10"].title("th") == "กรุงเทพมหานคร"
    assert areas["3500102"].title("th") == "เทศบาลนครเชียงใหม่"
    with app.test_request_context(), force_locale("th"):
        rendered = app.jinja_env.from_string('{{ _("Ideas for %(area)s", area=a|areaname) }}').render(a=areas["50"])
        assert rendered == "ไอเดียสำหรับจังหวัดเชียงใหม่"


# An idea is ไอเดีย; ความคิดเห็น is a comment. (The API's first catalogue called every idea ความคิดเห็น.)
def test_an_idea_is_never_called_a_comment():
    def check(msgid, plural, text):
        return (re.search(r"\bideas?\b", msgid, re.I) and "ความคิดเห็น" in text and "ไอเดีย" not in text
                and not re.search(r"comment|opinion|discuss|repl", msgid, re.I))
    assert not _bad(check)
