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
