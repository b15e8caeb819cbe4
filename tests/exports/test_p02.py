"""The ผ.02 writers on hand-made rows (no database): layout, groups, numbers, totals, CSV safety."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from app.exports import p02
from app.exports.p02 import ExportMeta, ExportRow, GroupKey

YEARS = [2566, 2567, 2568, 2569, 2570]
LABELS = {
    "number": "ที่", "title": "โครงการ", "objective": "วัตถุประสงค์", "target": "เป้าหมาย (ผลผลิตของโครงการ)",
    "budget": "งบประมาณ (บาท)", "kpi": "ตัวชี้วัด (KPI)", "result": "ผลที่คาดว่าจะได้รับ",
    "unit": "หน่วยงานรับผิดชอบหลัก", "no_group": "ไม่ระบุ", "group_total": "รวม{group} {code} ({n} โครงการ)",
    "grand_total": "รวมทั้งสิ้น ({n} โครงการ)", "proposal_id": "เลขที่โครงการ", "state": "สถานะ",
    "year_budget": "งบประมาณ {year} (บาท)", "code_of": "รหัส{group}",
    "estimated_cost": "ราคาประมาณการ (บาท)", "final_cost": "ราคาประมาณการสุดท้าย (บาท)",
}
S1, S2 = GroupKey("1", "ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน"), GroupKey("2", "ยุทธศาสตร์การพัฒนาคุณภาพชีวิต")
P11, P12, P21 = GroupKey("1.1.1", "แผนงานเคหะและชุมชน"), GroupKey("1.2.1", "แผนงานการรักษาความสงบภายใน"), GroupKey("2.1.1", "แผนงานสาธารณสุข")


def meta() -> ExportMeta:
    return ExportMeta(
        title_lines=["รายละเอียดโครงการพัฒนา", "แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)",
                     "เทศบาลนครเชียงใหม่ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่"],
        years=YEARS, group1_label="ยุทธศาสตร์", group2_label="แผนงาน", labels=LABELS, note="หมายเหตุ",
    )


def row(group1, group2, title, amounts, **extra) -> ExportRow:
    values = dict(objective="เพื่อความสะดวก", target_output="ถนนยาว 200 เมตร", kpi="ร้อยละ 80",
                  expected_result="ประชาชนสัญจรสะดวก", responsible_unit="กองช่าง")
    values.update(extra)
    return ExportRow(group1=group1, group2=group2, title=title, amounts=tuple(amounts), **values)


ROWS = [
    row(S1, P11, "ก่อสร้างถนน คสล. ซอย 3", [500_000, None, None, None, None], estimated_cost=520_000,
        final_cost=500_000),
    row(S1, P11, "ปรับปรุงทางเท้า", [None, 1_200_000, 300_000, None, None]),
    row(S1, P12, "ติดตั้งไฟส่องสว่าง", [250_000, 250_000, None, None, None]),
    row(S2, P21, "=HYPERLINK(\"http://evil\",\"คลิก\")", [None, None, 75_000, None, None],
        objective="+1+1", kpi="-2", expected_result="@SUM(A1)", responsible_unit="\tกองสาธารณสุข"),
    row(S2, None, "รณรงค์ป้องกันไข้เลือดออก", [None, None, None, None, 40_000]),
]


def workbook_rows():
    out = io.BytesIO()
    assert p02.write_xlsx(meta(), iter(ROWS), out) == 5
    out.seek(0)
    wb = load_workbook(out)  # a real reader, not our writer
    ws = wb.worksheets[0]
    return ws, [[c.value for c in r] for r in ws.iter_rows()]


def test_title_rows_and_two_header_rows():
    ws, rows = workbook_rows()
    assert ws.title == "ผ.02"
    assert rows[0][0] == "แบบ ผ.02" and ws["A1"].alignment.horizontal == "right"
    assert [r[0] for r in rows[1:4]] == ["รายละเอียดโครงการพัฒนา", "แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)",
                                       "เทศบาลนครเชียงใหม่ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่"]
    header = rows.index(next(r for r in rows if r[0] == "ที่"))
    assert rows[header][:5] == ["ที่", "โครงการ", "วัตถุประสงค์", "เป้าหมาย (ผลผลิตของโครงการ)", "งบประมาณ (บาท)"]
    assert rows[header][9:] == ["ตัวชี้วัด (KPI)", "ผลที่คาดว่าจะได้รับ", "หน่วยงานรับผิดชอบหลัก"]
    assert rows[header + 1][4:9] == ["2566", "2567", "2568", "2569", "2570"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"E{header + 1}:I{header + 1}" in merged  # งบประมาณ spans the five years
    assert f"A{header + 1}:A{header + 2}" in merged
    assert "A1:L1" in merged
    assert ws.print_title_rows == f"${header + 1}:${header + 2}"
    assert ws.page_setup.orientation == "landscape"


def test_groups_numbers_and_totals():
    ws, rows = workbook_rows()
    first = [r[0] for r in rows]
    labels = [r[1] for r in rows]
    assert "ยุทธศาสตร์ 1 ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน" in first
    assert "แผนงาน 1.1.1 แผนงานเคหะและชุมชน" in first
    assert "แผนงาน: ไม่ระบุ" in first
    # the rows sit under their groups, numbered from 1 in each แผนงาน
    g = first.index("แผนงาน 1.1.1 แผนงานเคหะและชุมชน")
    assert rows[g + 1][:2] == [1, "ก่อสร้างถนน คสล. ซอย 3"]
    assert rows[g + 2][:2] == [2, "ปรับปรุงทางเท้า"]
    assert rows[g + 3][1] == "รวมแผนงาน 1.1.1 (2 โครงการ)"
    # a year without budget shows "-", in the rows and in the totals
    assert rows[g + 1][4:9] == [500_000, "-", "-", "-", "-"]
    assert rows[g + 3][4:9] == [500_000, 1_200_000, 300_000, "-", "-"]
    total_s1 = rows[labels.index("รวมยุทธศาสตร์ 1 (3 โครงการ)")]
    assert total_s1[4:9] == [750_000, 1_450_000, 300_000, "-", "-"]
    total_s2 = rows[labels.index("รวมยุทธศาสตร์ 2 (2 โครงการ)")]
    assert total_s2[4:9] == ["-", "-", 75_000, "-", 40_000]
    grand = rows[labels.index("รวมทั้งสิ้น (5 โครงการ)")]
    assert grand[4:9] == [750_000, 1_450_000, 375_000, "-", 40_000]
    assert sum(v for v in grand[4:9] if v != "-") == sum(sum(a or 0 for a in r.amounts) for r in ROWS)
    assert labels.index("รวมทั้งสิ้น (5 โครงการ)") == len(rows) - 1


def test_thai_font_baht_format_and_no_formulas():
    ws, rows = workbook_rows()
    cells = {c.value: c for r in ws.iter_rows() for c in r if c.value is not None}
    money = cells[500_000]
    assert money.number_format == "#,##0" and money.data_type == "n"
    assert cells["ก่อสร้างถนน คสล. ซอย 3"].font.name == "TH SarabunPSK"
    assert cells["ก่อสร้างถนน คสล. ซอย 3"].font.charset == 222
    # text that looks like a formula is stored as text, exactly as typed
    evil = cells['=HYPERLINK("http://evil","คลิก")']
    assert evil.data_type == "s"
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)


def test_csv_has_a_bom_and_neutralises_formulas():
    data = b"".join(p02.csv_chunks(meta(), iter(ROWS), batch=2))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:6] == ["รหัสยุทธศาสตร์", "ยุทธศาสตร์", "รหัสแผนงาน", "แผนงาน", "ที่", "โครงการ"]
    assert rows[0][8:15] == [f"งบประมาณ {y} (บาท)" for y in YEARS] + ["ราคาประมาณการ (บาท)", "ราคาประมาณการสุดท้าย (บาท)"]
    assert len(rows) == 1 + len(ROWS)
    evil = rows[4]
    assert evil[5] == "'=HYPERLINK(\"http://evil\",\"คลิก\")"
    assert evil[6] == "'+1+1"
    assert evil[15] == "'-2" and evil[16] == "'@SUM(A1)" and evil[17] == "'\tกองสาธารณสุข"
    assert rows[1][8:15] == ["500000", "", "", "", "", "520000", "500000"]
    assert rows[5][2:5] == ["", "", "1"]
    for r in rows:
        for value in r:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_empty_export_still_has_headers_and_a_zero_total():
    out = io.BytesIO()
    assert p02.write_xlsx(meta(), iter([]), out) == 0
    out.seek(0)
    rows = [[c.value for c in r] for r in load_workbook(out).worksheets[0].iter_rows()]
    assert rows[-1][1] == "รวมทั้งสิ้น (0 โครงการ)"
    assert b"".join(p02.csv_chunks(meta(), iter([]))).decode("utf-8-sig").count("\r\n") == 1


def test_a_one_year_plan_has_one_budget_column():
    m = meta()
    m.years = [2570]
    out = io.BytesIO()
    p02.write_xlsx(m, iter([row(S1, P11, "โครงการ", [100])]), out)
    out.seek(0)
    rows = [[c.value for c in r] for r in load_workbook(out).worksheets[0].iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "ที่")
    assert rows[header][4] == "งบประมาณ (บาท)" and rows[header + 1][4] == "2570"
    assert rows[header][5:8] == ["ตัวชี้วัด (KPI)", "ผลที่คาดว่าจะได้รับ", "หน่วยงานรับผิดชอบหลัก"]


LONG = ("ก่อสร้างถนนคอนกรีตเสริมเหล็กพร้อมรางระบายน้ำและไฟฟ้าส่องสว่างสาธารณะ ซอยวัดเกตการาม ชุมชนวัดเกต "
        "ตำบลวัดเกต ความยาวรวม 1,250 เมตร กว้าง 5 เมตร หนา 0.15 เมตร")


def test_row_heights_follow_the_wrapped_text_when_read_back():
    rows = [row(S1, P11, "ถนน", [1, None, None, None, None]),
            row(S1, P11, LONG, [1, None, None, None, None]),
            row(S1, P11, "ถนน", [1, None, None, None, None], kpi="\n".join(["ร้อยละ 80"] * 4))]
    out = io.BytesIO()
    p02.write_xlsx(meta(), iter(rows), out)
    out.seek(0)
    ws = load_workbook(out).worksheets[0]
    number = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value in ("ถนน", LONG)}
    short_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "ถนน")
    heights = {r: ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)}
    assert all(h for h in heights.values() if h is not None)
    one_line = heights[short_row]
    # the long title wraps to 4 or more lines of a 30-wide column; the row is that many lines high
    assert heights[number[LONG]] >= 4 * p02.LINE_POINTS > one_line
    # explicit line breaks count as lines too
    assert heights[short_row + 2] >= 4 * p02.LINE_POINTS
    # the header rows together hold "หน่วยงานรับผิดชอบหลัก" (16 wide) on two lines
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "ที่")
    assert heights[header] + heights[header + 1] >= 2 * p02.LINE_POINTS


def test_wrapped_lines_count_only_characters_that_take_width():
    # "ที่" is one letter with two marks above it: one character wide
    assert p02.visible_length("ที่") == 1
    assert p02.wrapped_lines("", 10) == 1 and p02.wrapped_lines(None, 10) == 1
    assert p02.wrapped_lines("ก" * 10, 10) == 2  # a full line, with the slack for word breaks
    assert p02.wrapped_lines("ก" * 8, 10) == 1
    assert p02.wrapped_lines("ก\nข", 10) == 2
    assert p02.wrapped_lines("ก" * 30, 10) == 4


def test_one_year_header_row_is_tall_enough_for_its_label_above_the_year():
    m = meta()
    m.years = [2570]
    out = io.BytesIO()
    p02.write_xlsx(m, iter([row(S1, P11, "โครงการ", [100])]), out)
    out.seek(0)
    ws = load_workbook(out).worksheets[0]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "ที่")
    label_lines = p02.wrapped_lines("งบประมาณ (บาท)", ws.column_dimensions["E"].width)
    assert ws.row_dimensions[header].height >= label_lines * p02.LINE_POINTS
    assert ws.cell(header + 1, 5).value == "2570"
