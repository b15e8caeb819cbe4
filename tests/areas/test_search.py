"""Areas in Thai dictionary order in SQL (sort_th), and found by their short and other names."""
from __future__ import annotations

from sqlalchemy import select

from app.areas import services
from app.areas.models import Area, AreaKind, LGType
from app.areas.search import parse
from app.core.collation import thai_sort_key
from app.extensions import db


def _names(areas):
    return [a.name_th for a in areas]


def test_provinces_are_listed_in_thai_dictionary_order_by_sql(db):
    names = _names(services.list_provinces())
    assert names.index("อ่างทอง") < names.index("อุบลราชธานี")
    # เชียงใหม่ sits among the จ/ช (เช- after ชุ-, as in the dictionary), not at the very end
    assert names.index("จันทบุรี") < names.index("ชุมพร") < names.index("เชียงราย") < names.index("เชียงใหม่") < names.index("ตรัง")
    assert names[-1] == "อุบลราชธานี" and names[-2] == "อุทัยธานี"
    assert names == sorted(names, key=thai_sort_key)


def test_provinces_in_english_are_alphabetical(db):
    names = [p.name_en for p in services.list_provinces(locale="en")]
    assert names == sorted(names, key=str.lower) and names[0] == "Amnat Charoen"


def test_sort_key_is_filled_on_insert_and_when_the_name_changes(db):
    area = Area(kind=AreaKind.LOCAL_GOVERNMENT, code="9999999", name_th="เทศบาลตำบลทดสอบ", name_en="Test",
                province_code="50", parent_id=services.get_province("50").id, lg_type=LGType.SUBDISTRICT_MUNICIPALITY)
    db.session.add(area)
    db.session.flush()
    assert area.sort_th == thai_sort_key("เทศบาลตำบลทดสอบ")
    area.name_th = "เทศบาลตำบลแก้ไข"
    db.session.flush()
    assert db.session.scalar(select(Area.sort_th).where(Area.code == "9999999")) == thai_sort_key("เทศบาลตำบลแก้ไข")


def test_every_loaded_area_has_its_key(db):
    wrong = [a.code for a in db.session.scalars(select(Area)) if a.sort_th != thai_sort_key(a.name_th)]
    assert not wrong


def test_local_governments_are_by_kind_then_in_dictionary_order(db):
    lgs = services.local_governments_of(services.get_province("50"))
    kinds = [a.lg_type for a in lgs]
    assert kinds == sorted(kinds, key=list(LGType).index)
    sao = [a.name_th for a in lgs if a.lg_type is LGType.SUBDISTRICT_MUNICIPALITY]
    assert sao == sorted(sao, key=thai_sort_key) and sao != sorted(sao)


def test_other_names_find_their_province(db):
    assert _names(services.list_provinces("โคราช")) == ["นครราชสีมา"]
    assert _names(services.list_provinces("korat")) == ["นครราชสีมา"]
    assert _names(services.list_provinces("Korat")) == ["นครราชสีมา"]
    assert _names(services.list_provinces("กทม")) == ["กรุงเทพมหานคร"]
    assert _names(services.list_provinces("กทม.")) == ["กรุงเทพมหานคร"]
    assert _names(services.list_provinces("จังหวัดเชียงใหม่")) == ["เชียงใหม่"]
    assert _names(services.list_provinces("chiangmai")) == ["เชียงใหม่"]
    assert "กรุงเทพมหานคร" in _names(services.search_local_governments("กทม"))


def test_abbreviations_of_local_governments(db):
    assert parse("อบต.ช้างเผือก").lg_type is LGType.SUBDISTRICT_ADMIN_ORG
    assert parse("ทม. ช้างเผือก").lg_type is LGType.TOWN_MUNICIPALITY
    assert parse("ทมิฬ").lg_type is None  # two letters without a dot are a name, not an abbreviation
    found = services.search_local_governments("อบต.ช้างเผือก")
    assert {a.code for a in found} == {"6451105", "6500112", "6961203"}
    assert all(a.lg_type is LGType.SUBDISTRICT_ADMIN_ORG for a in found)
    assert {a.code for a in services.search_local_governments("ทต.ช้างเผือก")} == {"5500105"}
    cm = services.get_province("50")
    assert [a.code for a in services.local_governments_of(cm, "อบต. ช้างเผือก")] == ["6500112"]
    assert [a.code for a in services.local_governments_of(cm, "ทน.เชียงใหม่")] == ["3500102"]
    assert [a.name_th for a in services.search_local_governments("อบจ.เชียงใหม่")] == ["องค์การบริหารส่วนจังหวัดเชียงใหม่"]


def test_wildcards_in_a_query_are_plain_characters(db):
    assert services.list_provinces("%") == [] and services.list_provinces("_") == []
