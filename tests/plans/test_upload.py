"""Uploading a plan file: good files, wrong headers, wrong types, big files, formulas and macros."""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.plans import services, upload
from app.plans.models import PlanItem, PlanKind
from tests.plans.factories import create_official, create_plan, lg, province

HEADER = ["level", "code", "parent_code", "title"]
GOOD = [
    [1, "1", None, "ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน"],
    [2, "1.1", "1", "ก่อสร้างและปรับปรุงถนน"],
    [3, "1.1.1", "1.1", "แผนงานเคหะและชุมชน"],
    [3, "1.1.2", None, "แผนงานอุตสาหกรรมและการโยธา"],  # blank parent: the nearest level-2 row above
    [1, "2", None, "ยุทธศาสตร์การพัฒนาคุณภาพชีวิต"],
    [2, "2.1", "2", "ส่งเสริมสุขภาพ"],
]


def xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    if header:
        ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in r] for r in rows])
    return out.getvalue().encode(encoding)


def empty_plan():
    return create_plan(lg(), items=[])


def run(plan, data: bytes, filename: str):
    rows = upload.parse_upload(upload.read_upload(io.BytesIO(data), filename))
    return services.import_items(create_official(plan.area), plan, rows, filename)


def item_count(plan) -> int:
    return db.session.scalar(select(func.count(PlanItem.id)).where(PlanItem.plan_id == plan.id))


def problem(exc) -> str:
    return " ".join([str(exc.value), *exc.value.details])


@pytest.mark.parametrize("filename, maker", [("plan.xlsx", xlsx), ("plan.csv", csv_bytes),
                                              ("แผน.CSV", lambda rows: csv_bytes(rows, encoding="cp874"))])
def test_a_good_file_builds_the_tree(filename, maker):
    plan = empty_plan()
    result = run(plan, maker(GOOD), filename)
    assert (result.created, result.updated) == (6, 0)
    items = {i.code: i for i in plan.items}
    assert items["1.1.2"].parent.code == "1.1" and items["1.1.2"].level == 3
    assert [i.code for i in services.tree_order(plan)] == ["1", "1.1", "1.1.1", "1.1.2", "2", "2.1"]
    assert items["2"].title == "ยุทธศาสตร์การพัฒนาคุณภาพชีวิต"


def test_numbers_typed_as_codes_and_thai_headers_are_understood():
    plan = empty_plan()
    data = xlsx([[1.0, 1, None, "ยุทธศาสตร์"], ["๒", 1.1, 1, "กลยุทธ์"]], header=["ระดับ", "รหัส", "รหัสรายการหลัก", "ชื่อรายการ"])
    run(plan, data, "plan.xlsx")
    assert sorted((i.level, i.code) for i in plan.items) == [(1, "1"), (2, "1.1")]


def test_uploading_again_updates_titles_by_code_and_keeps_the_rest():
    plan = create_plan(lg())
    result = run(plan, csv_bytes([[1, "1", None, "ยุทธศาสตร์ด้านโครงสร้างพื้นฐาน (ปรับปรุง)"], [2, "1.2", "1", "กลยุทธ์ใหม่"]]), "p.csv")
    assert (result.created, result.updated) == (1, 1)
    items = {i.code: i.title for i in plan.items}
    assert items["1"] == "ยุทธศาสตร์ด้านโครงสร้างพื้นฐาน (ปรับปรุง)" and "2.1.1" in items and "1.2" in items


@pytest.mark.parametrize("kind, area", [(PlanKind.LOCAL_DEVELOPMENT, lg), (PlanKind.PROVINCIAL_ACTION, province)])
def test_the_sample_files_import_cleanly(kind, area):
    for maker, name in ((upload.sample_xlsx, "sample.xlsx"), (upload.sample_csv, "sample.csv")):
        plan = create_plan(area(), 2570 if name.endswith("xlsx") else 2569, items=[])
        result = run(plan, maker(kind), name)
        assert result.created == len(upload.SAMPLE_ROWS[kind])
    wb = load_workbook(io.BytesIO(upload.sample_xlsx(kind)))
    assert [c.value for c in wb.worksheets[0][1]] == HEADER
    assert upload.sample_csv(kind).startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("header, fragments", [
    (["level", "code", "parent_code"], ["title", "แถวที่ 1"]),
    (["level", "code", "parent_code", "name"], ["title", "name"]),
    (["ระดับ", "code", "parent", "title"], ["parent_code", "parent"]),
    (["level", "code", "parent_code", "title", "budget"], ["budget"]),
    (["level", "level", "parent_code", "title"], ["level"]),
])
def test_a_wrong_header_names_the_column(header, fragments):
    plan = empty_plan()
    for maker, name in ((xlsx, "p.xlsx"), (csv_bytes, "p.csv")):
        with pytest.raises(services.PlanError) as exc:
            run(plan, maker([[1, "1", None, "x", "y"][:len(header)]], header=header), name)
        for fragment in fragments:
            assert fragment in problem(exc)
    assert item_count(plan) == 0


def test_wrong_types_are_reported_with_row_numbers_and_nothing_is_imported():
    from datetime import datetime

    plan = empty_plan()
    rows = GOOD + [
        ["abc", "9", None, "ระดับไม่ใช่ตัวเลข"],   # row 8
        [4, "9.9", "9", "ระดับเกิน"],              # row 9
        [1, "3", None, datetime(2024, 1, 1)],      # row 10
        [1, "มี ช่องว่าง", None, "รหัสผิด"],         # row 11
        [1, None, None, "ไม่มีรหัส"],               # row 12
        [1, "4", None, "ก" * 301],                 # row 13
        [True, "5", None, "ค่าตรรกะ"],              # row 14
    ]
    with pytest.raises(services.PlanError) as exc:
        run(plan, xlsx(rows), "p.xlsx")
    text = problem(exc)
    for row in (8, 9, 10, 11, 12, 13, 14):
        assert f"แถวที่ {row} " in text, row
    assert "แถวที่ 2 " not in text
    assert str(exc.value).startswith("ไม่ได้นำเข้าไฟล์")
    assert item_count(plan) == 0


def test_tree_mistakes_are_reported_and_nothing_is_imported():
    plan = empty_plan()
    rows = [
        [1, "1", None, "ยุทธศาสตร์"],
        [2, "1.1", "1", "กลยุทธ์"],
        [2, "1.1", "1", "รหัสซ้ำ"],            # row 4: duplicate code
        [3, "1.1.1", "9", "ไม่มีรายการหลัก"],     # row 5: unknown parent
        [3, "1.1.2", "1", "ข้ามระดับ"],          # row 6: parent at the wrong level
        [1, "2", "1", "ระดับ 1 มีรายการหลัก"],   # row 7
        [2, "5.1", None, "ใต้ยุทธศาสตร์ 1"],       # row 8: a blank parent means the level-1 row above: fine
        [1, "6", None, "ยุทธศาสตร์ 6"],            # row 9
        [3, "6.1.1", None, "ไม่มีระดับ 2 ด้านบน"],   # row 10: no level-2 row since the last level 1
    ]
    with pytest.raises(services.PlanError) as exc:
        run(plan, csv_bytes(rows), "p.csv")
    text = problem(exc)
    assert "แถวที่ 4: รหัส 1.1 ซ้ำกับแถวที่ 3" in text
    assert "แถวที่ 5: ไม่พบรหัสรายการหลัก 9" in text
    assert "แถวที่ 6: รายการหลัก 1 อยู่ระดับ 1" in text
    assert "แถวที่ 7: รายการระดับ 1 ต้องไม่มีรหัสรายการหลัก" in text
    assert "แถวที่ 8" not in text and "แถวที่ 9" not in text
    assert "แถวที่ 10: รายการระดับ 3 ต้องมีรหัสรายการหลัก" in text
    assert item_count(plan) == 0


def test_an_existing_code_may_not_move():
    plan = create_plan(lg())
    with pytest.raises(services.PlanError) as exc:
        run(plan, csv_bytes([[2, "2.1", "1", "ย้ายไปยุทธศาสตร์ 1"]]), "p.csv")
    assert "รหัส 2.1 มีอยู่แล้วในแผนแต่อยู่คนละตำแหน่ง" in problem(exc)
    assert {i.code: i.parent.code for i in plan.items if i.parent}["2.1"] == "2"


def test_a_10_mb_file_is_refused():
    plan = empty_plan()
    big = b"level,code,parent_code,title\r\n" + b"1,1,,x" * (10 * 1024 * 1024 // 6)
    assert len(big) >= 10 * 1024 * 1024
    with pytest.raises(services.PlanError) as exc:
        run(plan, big, "big.csv")
    assert "ไฟล์มีขนาดเกิน 2 MB" in str(exc.value)
    assert item_count(plan) == 0


def test_too_many_rows_are_refused():
    rows = [[1, str(n), None, f"ยุทธศาสตร์ {n}"] for n in range(1, upload.MAX_ROWS + 2)]
    with pytest.raises(services.PlanError) as exc:
        run(empty_plan(), csv_bytes(rows), "p.csv")
    assert "มากกว่า 2000 แถว" in str(exc.value)


def test_a_workbook_that_unpacks_to_a_huge_size_is_refused():
    data = io.BytesIO(xlsx(GOOD))
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (upload.MAX_UNPACKED_BYTES + 1))
    assert len(data.getvalue()) < upload.MAX_UPLOAD_BYTES
    with pytest.raises(services.PlanError) as exc:
        run(empty_plan(), data.getvalue(), "p.xlsx")
    assert "ขยายออก" in str(exc.value)


def _with_cached_formula(data: bytes, cell: str, formula: str, cached: str | None) -> bytes:
    """Rewrite one cell of sheet1 as a formula with (or without) the value Excel saved with it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = content.decode()
                value = f"<v>{cached}</v>" if cached is not None else ""
                xml, n = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)', f'<c r="{cell}" t="str"><f>{formula}</f>{value}</c>', xml)
                assert n == 1
                content = xml.encode()
            dst.writestr(info, content)
    return out.getvalue()


def test_formulas_are_never_calculated_only_saved_values_are_read():
    plan = empty_plan()
    data = _with_cached_formula(xlsx(GOOD), "D2", 'CONCATENATE("ยุทธศาสตร์","ที่คำนวณไว้")', "ยุทธศาสตร์ที่บันทึกไว้")
    run(plan, data, "p.xlsx")
    assert {i.code: i.title for i in plan.items}["1"] == "ยุทธศาสตร์ที่บันทึกไว้"

    plan2 = create_plan(lg(), 2571, items=[])
    data = _with_cached_formula(xlsx(GOOD), "A3", "1+1", None)  # a formula with no saved value
    with pytest.raises(services.PlanError) as exc:
        run(plan2, data, "p.xlsx")
    assert "แถวที่ 3 คอลัมน์ level: ไม่มีระดับ (ระบบไม่คำนวณสูตร" in problem(exc)
    assert item_count(plan2) == 0


def test_formula_text_in_a_csv_is_kept_as_text():
    plan = empty_plan()
    run(plan, csv_bytes([[1, "1", None, "=HYPERLINK(\"http://evil\")"]]), "p.csv")
    assert plan.items[0].title == "=HYPERLINK(\"http://evil\")"  # neutralised when exported, never run


def test_macros_are_refused():
    plan = empty_plan()
    with pytest.raises(services.PlanError) as exc:
        run(plan, xlsx(GOOD), "plan.xlsm")
    assert ".xlsm" in str(exc.value)
    data = io.BytesIO(xlsx(GOOD))
    with zipfile.ZipFile(data, "a") as z:
        z.writestr("xl/vbaProject.bin", b"Attribute VB_Name = \"Module1\"\nSub AutoOpen()\nEnd Sub\n")
    with pytest.raises(services.PlanError) as exc:
        run(plan, data.getvalue(), "plan.xlsx")
    assert "มาโคร" in str(exc.value)
    assert item_count(plan) == 0


@pytest.mark.parametrize("data, filename, fragment", [
    (b"not a zip", "p.xlsx", "ไม่ใช่ไฟล์ Excel"),
    (b"PK\x03\x04broken", "p.xlsx", "ไม่ใช่ไฟล์ Excel"),
    (b"level,code\x00", "p.csv", "ไม่ใช่ไฟล์ CSV"),
    (b"", "p.csv", "ไฟล์ว่างเปล่า"),
    (b"level,code,parent_code,title\r\n", "p.csv", "ไม่มีข้อมูลใต้แถวหัวตาราง"),
    (b"x", "p.xls", ".xls"),
    (b"x", "p.ods", "กรุณาอัปโหลดไฟล์ Excel"),
    (b"x", "noextension", "กรุณาอัปโหลดไฟล์ Excel"),
    ("level,code\n".encode("utf-16"), "p.csv", "CSV UTF-8"),
])
def test_broken_files_get_a_clear_message(data, filename, fragment):
    with pytest.raises(services.PlanError) as exc:
        run(empty_plan(), data, filename)
    assert fragment in problem(exc)
