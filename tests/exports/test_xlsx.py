"""The streaming .xlsx writer: what openpyxl (a real reader) finds in its files."""
from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from app.exports.xlsx import Font, SheetWriter, Style, column_letter

STYLES = [Style(Font("TH SarabunPSK", 14, charset=222)), Style(Font("TH SarabunPSK", 14, bold=True), fill="FFF2CC", border=True,
                                                            number_format=3, horizontal="right", wrap=True)]


def written(rows, **kwargs):
    out = io.BytesIO()
    with SheetWriter(out, kwargs.pop("title", "ผ.02"), STYLES, **kwargs) as sheet:
        for row in rows:
            sheet.append(row)
        last = sheet.append([("ชื่อเรื่องยาวทั้งแถว", 0)])
        sheet.merge(1, last, 3, last)
        sheet.print_title_rows = (2, 2)
    return out.getvalue()


def test_values_styles_and_escaping_survive_a_round_trip():
    data = written([
        [("ชื่อ & <ที่ตั้ง> \"อาคาร\"", 0), ("  ช่องว่างหน้าหลัง  ", 0), ("ควบคุม\x00\x07ตัวอักษร", 0)],
        [(1_234_567, 1), (-5, 1), (None, 1), None, ("=1+1", 0), (True, 0), (2.5, 0)],
    ], widths=[10, 20, 30], freeze_rows=1)
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert ws.title == "ผ.02"
    assert [c.value for c in ws[1]][:3] == ["ชื่อ & <ที่ตั้ง> \"อาคาร\"", "  ช่องว่างหน้าหลัง  ", "ควบคุมตัวอักษร"]
    row = ws[2]
    assert row[0].value == 1_234_567 and row[0].number_format == "#,##0" and row[0].font.b
    assert row[0].fill.fgColor.rgb == "FFFFF2CC" and row[0].border.left.style == "thin"
    assert row[0].alignment.horizontal == "right" and row[0].alignment.wrap_text
    assert row[1].value == -5 and row[2].value is None
    assert row[4].value == "=1+1" and row[4].data_type == "s"
    assert row[5].value == "True" and row[6].value == 2.5
    assert ws[1][0].font.name == "TH SarabunPSK" and ws[1][0].font.charset == 222
    assert {str(r) for r in ws.merged_cells.ranges} == {"A3:C3"} and ws["A3"].value == "ชื่อเรื่องยาวทั้งแถว"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 20
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9


def test_the_package_has_the_parts_excel_needs_and_no_formulas():
    data = written([[("=HYPERLINK(\"x\")", 0)]], title="it's a sheet")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[0] == "[Content_Types].xml"
    assert {"_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
            "xl/worksheets/sheet1.xml"} <= set(names)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert load_workbook(io.BytesIO(data)).worksheets[0].title == "its a sheet"


def test_column_letters():
    assert [column_letter(n) for n in (1, 12, 26, 27, 52, 53)] == ["A", "L", "Z", "AA", "AZ", "BA"]
