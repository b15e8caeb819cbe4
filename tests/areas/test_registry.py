from sqlalchemy import func, select

from app.areas import services
from app.areas.models import Area, AreaKind, LGType, Subdistrict


def test_registry_counts(db):
    provinces = db.session.scalar(select(func.count()).where(Area.kind == AreaKind.PROVINCE))
    lgs = db.session.scalar(select(func.count()).where(Area.kind == AreaKind.LOCAL_GOVERNMENT))
    assert provinces == 77
    assert lgs == 7850
    assert db.session.scalar(select(func.count()).select_from(Subdistrict)) == 7436


def test_bangkok_is_a_special_local_government_of_province_10(db):
    bma = services.get_local_government(services.BMA_CODE)
    assert bma.name_th == "กรุงเทพมหานคร"
    assert bma.lg_type is LGType.SPECIAL_ADMIN_AREA
    assert bma.province.code == "10"


def test_loading_again_creates_nothing(db):
    report = services.load_registry()
    assert report.created == 0
    assert report.updated == 0


def test_full_names_carry_the_type(db):
    lg = services.get_local_government("3500102")
    assert lg.name_th == "เทศบาลนครเชียงใหม่"
    assert lg.name_en == "Chiang Mai City Municipality"
    assert lg.province.code == "50"
