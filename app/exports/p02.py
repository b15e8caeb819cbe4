"""Writers for the project form แบบ ผ.02: Excel, CSV and the events a printable page walks.

This module knows nothing about the database: it takes an `ExportMeta` (the
title rows, the column labels and the plan's years) and an iterable of
`ExportRow`s already sorted by group, and writes them out. Rows stream
through: the Excel file is written row by row by `app.exports.xlsx` and the
CSV is produced chunk by chunk, so memory does not grow with the number of
proposals.

Group totals and the grand total are numbers computed here (never formulas),
so they are right in any reader, including openpyxl.
"""
from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Optional, Union

from app.exports.xlsx import Font, SheetWriter, Style

# Excel has no way to embed a font in .xlsx: the cells name TH SarabunPSK (the
# government's standard Thai font) with the Thai character set, so Excel falls
# back to another Thai font where it is not installed.
THAI_FONT = "TH SarabunPSK"
THAI_CHARSET = 222
BAHT_FORMAT = "#,##0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class GroupKey:
    code: str
    title: str


@dataclass
class ExportRow:
    """One proposal as the form shows it; `amounts` line up with `ExportMeta.years`."""

    group1: Optional[GroupKey]
    group2: Optional[GroupKey]
    title: str
    objective: str
    target_output: str
    amounts: tuple[Optional[int], ...]
    kpi: str
    expected_result: str
    responsible_unit: str
    proposal_id: Optional[int] = None
    state: str = ""
    estimated_cost: Optional[int] = None
    final_cost: Optional[int] = None


@dataclass
class ExportMeta:
    """Everything around the rows, already in the reader's language."""

    title_lines: list[str]
    years: list[int]
    group1_label: str  # ยุทธศาสตร์ / ประเด็นการพัฒนา
    group2_label: str  # แผนงาน
    labels: dict[str, str]  # column and total labels, see LABEL_KEYS
    sheet_title: str = "ผ.02"
    note: str = ""
    form_label: str = "แบบ ผ.02"  # printed at the top right of the form, as on the paper form

    def header_row(self) -> list[str]:
        lab = self.labels
        return [lab["number"], lab["title"], lab["objective"], lab["target"], *self.year_headers(),
                lab["kpi"], lab["result"], lab["unit"]]

    def year_headers(self) -> list[str]:
        return [str(year) for year in self.years]

    @property
    def width(self) -> int:
        return 7 + len(self.years)


LABEL_KEYS = ("number", "title", "objective", "target", "budget", "kpi", "result", "unit", "no_group",
              "group_total", "grand_total", "proposal_id", "state", "year_budget", "code_of",
              "estimated_cost", "final_cost")
EMPTY_AMOUNT = "-"  # what the form shows in a year without budget


def shown_amount(amount: Optional[int]) -> Optional[int]:
    """The amount a cell of the form shows, or None where the form shows "-" (no budget that year)."""
    return amount if amount else None


def neutralise(text: object) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula ('=1+1 stays text)."""
    value = "" if text is None else str(text)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# -- grouping -----------------------------------------------------------------

@dataclass
class Totals:
    count: int = 0
    sums: list[int] = field(default_factory=list)

    def add(self, amounts: Iterable[Optional[int]]) -> None:
        self.count += 1
        for index, amount in enumerate(amounts):
            if amount:
                self.sums[index] += amount


@dataclass
class Event:
    """One step of the form: a group header, a proposal row, or a total row."""

    kind: str  # "group1", "group2", "row", "total2", "total1", "grand"
    key: Optional[GroupKey] = None
    row: Optional[ExportRow] = None
    number: int = 0
    totals: Optional[Totals] = None


def walk(rows: Iterable[ExportRow], years: int) -> Iterator[Event]:
    """Turn rows sorted by (group1, group2) into headers, numbered rows and totals.

    Rows are numbered from 1 within each group2 (แผนงาน), as the form does.
    """
    grand = Totals(sums=[0] * years)
    g1 = g2 = None
    t1 = t2 = None
    started = False
    number = 0
    for row in rows:
        if not started or row.group1 != g1:
            if started:
                yield Event("total2", key=g2, totals=t2)
                yield Event("total1", key=g1, totals=t1)
            g1, g2 = row.group1, row.group2
            t1, t2 = Totals(sums=[0] * years), Totals(sums=[0] * years)
            number = 0
            started = True
            yield Event("group1", key=g1)
            yield Event("group2", key=g2)
        elif row.group2 != g2:
            yield Event("total2", key=g2, totals=t2)
            g2 = row.group2
            t2 = Totals(sums=[0] * years)
            number = 0
            yield Event("group2", key=g2)
        number += 1
        t1.add(row.amounts)
        t2.add(row.amounts)
        grand.add(row.amounts)
        yield Event("row", row=row, number=number)
    if started:
        yield Event("total2", key=g2, totals=t2)
        yield Event("total1", key=g1, totals=t1)
    yield Event("grand", totals=grand)


def group_heading(meta: ExportMeta, level: int, key: Optional[GroupKey]) -> str:
    label = meta.group1_label if level == 1 else meta.group2_label
    if key is None:
        return f"{label}: {meta.labels['no_group']}"
    return f"{label} {key.code} {key.title}"


def total_label(meta: ExportMeta, event: Event) -> str:
    if event.kind == "grand":
        return meta.labels["grand_total"].format(n=event.totals.count)
    level = 1 if event.kind == "total1" else 2
    label = meta.group1_label if level == 1 else meta.group2_label
    code = event.key.code if event.key else meta.labels["no_group"]
    return meta.labels["group_total"].format(group=label, code=code, n=event.totals.count)


# -- Excel --------------------------------------------------------------------

COLUMN_WIDTHS = {"number": 5, "title": 30, "objective": 30, "target": 26, "year": 13, "kpi": 22, "result": 26, "unit": 16}
# Cell formats, by index in the workbook's style sheet (0 is the default).
(DEFAULT, TITLE, NOTE, HEADER, GROUP1, GROUP2, TEXT, NUMBER, MONEY, TOTAL, TOTAL_MONEY, LABEL, DASH,
 TOTAL_DASH) = range(14)
BAHT_FORMAT_ID = 3  # Excel's built-in "#,##0"

# Row heights. Neither Excel nor LibreOffice grows a row to fit wrapped text
# when it opens a file (LibreOffice keeps the stored height, Excel the default
# one), so every row states its height, estimated from its text: the number of
# lines a cell wraps to is its visible characters (Thai vowel and tone marks
# above and below take no width) over what one line of its column holds.
# The figures are measured in LibreOffice with Garuda, the widest of the Thai
# fonts it substitutes for TH SarabunPSK, so the estimate errs towards a row
# a line too tall rather than text cut off.
CHARS_PER_WIDTH = 1.0  # characters of 14 pt Thai text per unit of column width
WRAP_SLACK = 1.15  # lines break between words, so a line holds a little less than its width
LINE_POINTS = 21.0  # one line of 14 pt Thai text with its marks above and below
ROW_PADDING = 4.0


def table_context(meta: ExportMeta, rows: Iterable[ExportRow]) -> dict:
    """What the ผ.02 table template (exports/_p02.html) needs: the printable page and the job's file."""
    return {"meta": meta, "events": walk(rows, len(meta.years)), "group_heading": group_heading,
            "total_label": total_label, "empty_amount": EMPTY_AMOUNT}


def visible_length(text: str) -> int:
    """Characters that take width on a line: not the combining marks above and below Thai letters."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


def wrapped_lines(text: object, width: float, size: int = 14) -> int:
    """How many lines `text` takes in a wrapped cell `width` characters wide (at least one)."""
    if text is None or text == "":
        return 1
    per_line = max(1.0, width * CHARS_PER_WIDTH * 14 / size)
    return sum(max(1, math.ceil(visible_length(part) * WRAP_SLACK / per_line)) for part in str(text).split("\n"))


def row_height(cells: Iterable[tuple[object, float]], size: int = 14) -> float:
    """The height in points of a row whose cells are (text, width) pairs."""
    lines = max((wrapped_lines(text, width, size) for text, width in cells), default=1)
    return round(lines * LINE_POINTS * size / 14 + ROW_PADDING, 2)


def _styles() -> list[Style]:
    def font(bold: bool = False, size: int = 14) -> Font:
        return Font(THAI_FONT, size, bold=bold, charset=THAI_CHARSET)

    return [
        Style(font()),
        Style(font(True, 16), horizontal="center", vertical="center"),
        Style(font(False, 12), horizontal="center"),
        Style(font(True), fill="D9E2F3", border=True, horizontal="center", vertical="center", wrap=True),
        Style(font(True), fill="E2EFDA", border=True, vertical="center", wrap=True),
        Style(font(True), fill="F2F2F2", border=True, vertical="center", wrap=True),
        Style(font(), border=True, vertical="top", wrap=True),
        Style(font(), border=True, horizontal="center", vertical="top"),
        Style(font(), border=True, vertical="top", number_format=BAHT_FORMAT_ID),
        Style(font(True), fill="FFF2CC", border=True, horizontal="right", vertical="top", wrap=True),
        Style(font(True), fill="FFF2CC", border=True, vertical="top", number_format=BAHT_FORMAT_ID),
        Style(font(True), horizontal="right", vertical="center"),
        Style(font(), border=True, horizontal="center", vertical="top"),
        Style(font(True), fill="FFF2CC", border=True, horizontal="center", vertical="top"),
    ]


def _amount_cell(amount: Optional[int], money: int, dash: int) -> tuple[object, int]:
    shown = shown_amount(amount)
    return (EMPTY_AMOUNT, dash) if shown is None else (shown, money)


def write_xlsx(meta: ExportMeta, rows: Iterable[ExportRow], out: Union[BinaryIO, str]) -> int:
    """Write the form to `out` (a path or a binary file); return the number of proposals written."""
    width = meta.width
    n_years = len(meta.years)
    first_year_col = 5
    # One year column must still hold "งบประมาณ (บาท)" above its year on a line or two.
    year_width = COLUMN_WIDTHS["year"] if n_years > 1 else COLUMN_WIDTHS["year"] + 3
    widths = [COLUMN_WIDTHS["number"], COLUMN_WIDTHS["title"], COLUMN_WIDTHS["objective"], COLUMN_WIDTHS["target"],
              *[year_width] * n_years, COLUMN_WIDTHS["kpi"], COLUMN_WIDTHS["result"], COLUMN_WIDTHS["unit"]]
    table_width = sum(widths)
    text_widths = widths[:4] + widths[first_year_col - 1 + n_years:]
    # the form label, the titles, the note, a blank line
    header_top = 1 + len(meta.title_lines) + (1 if meta.note else 0) + 2
    sheet = SheetWriter(out, meta.sheet_title or "ผ.02", _styles(), widths=widths, freeze_rows=header_top + 1)

    def spanning(text: str, style: int, boxed: bool = True, size: int = 14) -> None:
        """A row whose first cell spans the table (boxed rows carry the border on every cell)."""
        r = sheet.append([(text, style)] + ([(None, style)] * (width - 1) if boxed else []),
                         height=row_height([(text, table_width)], size))
        sheet.merge(1, r, width, r)

    spanning(meta.form_label, LABEL, boxed=False)
    for line in meta.title_lines:
        spanning(line, TITLE, boxed=False, size=16)
    if meta.note:
        spanning(meta.note, NOTE, boxed=False, size=12)
    sheet.append([])  # a blank line between the titles and the table

    # Two header rows: "งบประมาณ (บาท)" spans the year columns, the years sit below it;
    # the other headings span both rows, so the two rows together must hold the longest.
    head = meta.header_row()
    top = [(text, HEADER) for text in head]
    for offset in range(n_years):
        top[first_year_col - 1 + offset] = (meta.labels["budget"] if offset == 0 else None, HEADER)
    other_heads = head[:first_year_col - 1] + head[first_year_col - 1 + n_years:]
    spanned = row_height(zip(other_heads, text_widths))
    budget_height = row_height([(meta.labels["budget"], year_width * n_years)])
    year_height = row_height([(year, year_width) for year in meta.year_headers()])
    sheet.append(top, height=max(budget_height, spanned - year_height))
    sheet.append([(None, HEADER)] * (first_year_col - 1) + [(text, HEADER) for text in meta.year_headers()]
                 + [(None, HEADER)] * 3, height=year_height)
    for col in [*range(1, first_year_col), *range(first_year_col + n_years, width + 1)]:
        sheet.merge(col, header_top, col, header_top + 1)
    if n_years > 1:
        sheet.merge(first_year_col, header_top, first_year_col + n_years - 1, header_top)
    sheet.print_title_rows = (header_top, header_top + 1)

    written = 0
    blank_total = [(None, TOTAL)] * 3
    label_width = sum(widths[1:4])
    for event in walk(rows, n_years):
        if event.kind == "row":
            r = event.row
            texts = [r.title, r.objective, r.target_output, r.kpi, r.expected_result, r.responsible_unit]
            sheet.append([
                (event.number, NUMBER), (r.title, TEXT), (r.objective, TEXT), (r.target_output, TEXT),
                *[_amount_cell(amount, MONEY, DASH) for amount in r.amounts],
                (r.kpi, TEXT), (r.expected_result, TEXT), (r.responsible_unit, TEXT),
            ], height=row_height(zip(texts, text_widths[1:])))
            written += 1
        elif event.kind in ("group1", "group2"):
            spanning(group_heading(meta, 1 if event.kind == "group1" else 2, event.key),
                     GROUP1 if event.kind == "group1" else GROUP2)
        else:
            label = total_label(meta, event)
            number = sheet.append([
                (None, TOTAL), (label, TOTAL), (None, TOTAL), (None, TOTAL),
                *[_amount_cell(amount, TOTAL_MONEY, TOTAL_DASH) for amount in event.totals.sums], *blank_total,
            ], height=row_height([(label, label_width)]))
            sheet.merge(2, number, 4, number)
    sheet.close()
    return written


# -- CSV ----------------------------------------------------------------------

def csv_header(meta: ExportMeta) -> list[str]:
    lab = meta.labels
    return [
        lab["code_of"].format(group=meta.group1_label), meta.group1_label,
        lab["code_of"].format(group=meta.group2_label), meta.group2_label,
        lab["number"], lab["title"], lab["objective"], lab["target"],
        *[lab["year_budget"].format(year=year) for year in meta.years],
        lab["estimated_cost"], lab["final_cost"],
        lab["kpi"], lab["result"], lab["unit"], lab["proposal_id"], lab["state"],
    ]


def csv_chunks(meta: ExportMeta, rows: Iterable[ExportRow], batch: int = 500) -> Iterator[bytes]:
    """The CSV in UTF-8 with a byte-order mark (Excel needs it to read Thai), a few hundred rows per chunk.

    Only numbers are written unquoted; every text cell is neutralised against
    formula injection.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in csv_header(meta)])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for event in walk(rows, len(meta.years)):
        if event.kind != "row":
            continue
        r = event.row
        writer.writerow([
            neutralise(r.group1.code if r.group1 else ""), neutralise(r.group1.title if r.group1 else ""),
            neutralise(r.group2.code if r.group2 else ""), neutralise(r.group2.title if r.group2 else ""),
            event.number, neutralise(r.title), neutralise(r.objective), neutralise(r.target_output),
            *["" if amount is None else amount for amount in r.amounts],
            "" if r.estimated_cost is None else r.estimated_cost, "" if r.final_cost is None else r.final_cost,
            neutralise(r.kpi), neutralise(r.expected_result), neutralise(r.responsible_unit),
            "" if r.proposal_id is None else r.proposal_id, neutralise(r.state),
        ])
        pending += 1
        if pending >= batch:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue().encode("utf-8")
