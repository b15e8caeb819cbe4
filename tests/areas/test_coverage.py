"""Which subdistricts a local government covers: the registry's rules and their result on real data."""
from __future__ import annotations

from sqlalchemy import select

from app.areas import services
from app.areas.coverage import LG, Sub, registry_coverage
from app.areas.models import lg_subdistricts
from app.extensions import db


def codes(lg_code: str) -> set[str]:
    return services.subdistrict_codes_of(services.get_local_government(lg_code))


def test_rules_on_a_made_up_district():
    subs = [Sub("990101", "ในเมือง", "9901"), Sub("990102", "บ้านนา", "9901"), Sub("990103", "ทุ่งใหญ่", "9901"),
            Sub("990104", "หนองบัว", "9901"), Sub("990201", "บ้านนา", "9902")]
    lgs = [
        LG("3990101", "city_municipality", "เมืองสมมุติ", "9901"),            # named after no subdistrict: principal
        LG("5990102", "subdistrict_municipality", "บ้านนา", "9901", 15.0, 100.0),
        LG("6990103", "subdistrict_admin_org", "บ้านนา", "9901"),             # shares บ้านนา with the เทศบาลตำบล
        LG("6990104", "subdistrict_admin_org", "ทุ่งใหญ่", "9901", 15.5, 100.5),
        LG("5990105", "subdistrict_municipality", "ตลาดเก่า", "9901", 15.45, 100.45),  # office nearest ทุ่งใหญ่'s
        LG("5990106", "subdistrict_municipality", "ไม่มีพิกัด", "9901"),        # no office location: nothing
    ]
    got = registry_coverage(lgs, subs)
    assert got["5990102"] == got["6990103"] == {"990102"}  # not 990201, the บ้านนา of another district
    assert got["6990104"] == {"990103"}
    assert got["3990101"] == {"990101", "990104"}
    assert got["5990105"] == {"990103"}
    assert got["5990106"] == set()


def test_the_twelve_local_governments_of_mueang_chiang_mai():
    assert codes("3500102") == {"500101", "500102", "500103", "500104", "500105", "500106", "500115"}
    assert codes("5500107") == {"500108"}  # เทศบาลตำบลสุเทพ: ตำบลสุเทพ only
    assert codes("4500103") == {"500109"}  # เทศบาลเมืองแม่เหียะ
    assert codes("5500105") == codes("6500112") == {"500107"}  # ช้างเผือก: the เทศบาลตำบล and the อบต. share it
    assert services.subdistrict_codes_of(services.get_local_government("2500101")) is None  # อบจ.: the province
    assert services.subdistrict_codes_of(services.get_local_government(services.BMA_CODE)) is None
    assert services.area_covers(services.get_local_government("5500107"), "500108")
    assert not services.area_covers(services.get_local_government("5500107"), "500101")
    assert services.area_covers(services.get_province("50"), "500101")
    assert not services.area_covers(services.get_province("50"), "400101")


def test_subdistricts_of_lists_the_covered_ones_only():
    suthep = services.get_local_government("5500107")
    assert [s.code for s in services.subdistricts_of(suthep)] == ["500108"]
    assert len(services.subdistricts_of(services.get_province("50"))) > 200


def test_almost_every_local_government_has_subdistricts():
    report = services.load_registry()
    assert report.created == 0 and report.updated == 0
    assert report.lgs_without_subdistricts < 150  # of 7,773 placed by district
    assert report.uncovered_subdistricts < 400  # of 7,436
    rows = db.session.scalar(select(db.func.count()).select_from(lg_subdistricts))
    assert rows > 7_700


def test_load_keeps_an_administrators_choice_and_restores_on_request(db):
    from tests.accounts.factories import create_admin

    admin = create_admin()
    suthep = services.get_local_government("5500107")
    assert services.set_lg_subdistricts(admin, suthep, ["500108", "500110"])
    services.load_registry()
    assert codes("5500107") == {"500108", "500110"}
    assert services.restore_registry_subdistricts(admin, suthep)
    assert codes("5500107") == {"500108"} and suthep.subdistricts_edited_at is None
