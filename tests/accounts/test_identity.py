"""The address claim read into a subdistrict of the registry (app/accounts/identity.py), without HTTP."""
from __future__ import annotations

import pytest

from app.accounts.identity import subdistrict_of_address


@pytest.mark.parametrize("address, code", [
    ("123 หมู่ 1 ต.ศรีภูมิ อ.เมืองเชียงใหม่ จ.เชียงใหม่ 50200", "500101"),
    ("45/6 ถนนราชดำริ แขวงลุมพินี เขตปทุมวัน กรุงเทพมหานคร 10330", "100704"),
    ({"formatted": "123 หมู่ 1 ตำบลศรีภูมิ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200"}, "500101"),
    ({"street_address": "123 หมู่ 1", "locality": "ต.ศรีภูมิ อ.เมืองเชียงใหม่", "region": "เชียงใหม่",
      "postal_code": "50200"}, "500101"),
    ({"subdistrict": "ศรีภูมิ", "district": "เมืองเชียงใหม่", "province": "เชียงใหม่"}, "500101"),
])
def test_an_address_that_names_one_subdistrict(address, code):
    found = subdistrict_of_address(address)
    assert found is not None and found.code == code


@pytest.mark.parametrize("address", [
    None, "", 42, ["ต.ศรีภูมิ"], {"formatted": None},
    "ต.วังทอง",  # nine subdistricts have this name: not one residence
    "ต.ไม่มีชื่อนี้ อ.เมือง จ.เชียงใหม่",
    "123 ถนนห้วยแก้ว เชียงใหม่",  # no subdistrict named
    "ต." + "ก" * 5000,
])
def test_an_address_that_does_not_name_one_subdistrict(address):
    assert subdistrict_of_address(address) is None
