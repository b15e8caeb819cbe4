"""Writers for the project form แบบ ผ.02: Excel, CSV and the events a printable page walks.

This module knows nothing about the database: it takes an `ExportMeta` (the
title rows, the column labels and the plan's years) and an iterable of
`ExportRow`s already sorted by group, and writes them out. Rows stream
through: the Excel file is written with openpyxl's write-only workbook and
the CSV is produced chunk by chunk, so memory does not grow with the number
of proposals.

Group totals and the grand total are numbers computed here (never formulas),
so they are right in any reader, including openpyxl.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Optional, Union

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
              "group_total", "grand_total", "proposal_id", "state", "year_budget", "code_of")


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


def _styles():
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    def font(bold: bool = False, size: int = 14) -> Font:
        return Font(name=THAI_FONT, size=size, bold=bold, charset=THAI_CHARSET, family=2)

    top = Alignment(vertical="top", wrap_text=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return [
        NamedStyle("p02_title", font=font(True, 16), alignment=Alignment(horizontal="center", vertical="center")),
        NamedStyle("p02_note", font=font(False, 12), alignment=Alignment(horizontal="center")),
        NamedStyle("p02_header", font=font(True), alignment=center, border=box,
                   fill=PatternFill("solid", fgColor="D9E2F3")),
        NamedStyle("p02_group1", font=font(True), alignment=Alignment(vertical="center", wrap_text=True), border=box,
                   fill=PatternFill("solid", fgColor="E2EFDA")),
        NamedStyle("p02_group2", font=font(True), alignment=Alignment(vertical="center", wrap_text=True), border=box,
                   fill=PatternFill("solid", fgColor="F2F2F2")),
        NamedStyle("p02_text", font=font(), alignment=top, border=box),
        NamedStyle("p02_number", font=font(), alignment=Alignment(horizontal="center", vertical="top"), border=box),
        NamedStyle("p02_money", font=font(), alignment=Alignment(vertical="top"), border=box, number_format=BAHT_FORMAT),
        NamedStyle("p02_total", font=font(True), alignment=Alignment(horizontal="right", vertical="top", wrap_text=True),
                   border=box, fill=PatternFill("solid", fgColor="FFF2CC")),
        NamedStyle("p02_total_money", font=font(True), alignment=Alignment(vertical="top"), border=box,
                   number_format=BAHT_FORMAT, fill=PatternFill("solid", fgColor="FFF2CC")),
    ]


def _clean(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def write_xlsx(meta: ExportMeta, rows: Iterable[ExportRow], out: Union[BinaryIO, str]) -> int:
    """Write the form to `out` (a path or a binary file); return the number of proposals written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    for style in _styles():
        wb.add_named_style(style)
    ws = wb.create_sheet(_clean(meta.sheet_title)[:31] or "ผ.02")
    width = meta.width
    n_years = len(meta.years)
    last = get_column_letter(width)
    widths = [COLUMN_WIDTHS["number"], COLUMN_WIDTHS["title"], COLUMN_WIDTHS["objective"], COLUMN_WIDTHS["target"],
              *[COLUMN_WIDTHS["year"]] * n_years, COLUMN_WIDTHS["kpi"], COLUMN_WIDTHS["result"], COLUMN_WIDTHS["unit"]]
    for index, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = w
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    def cell(value, style: str):
        c = WriteOnlyCell(ws, value=value if not isinstance(value, str) else _clean(value))
        if c.data_type == "f":
            c.data_type = "s"  # text that looks like a formula stays text
        c.style = style
        return c

    row_index = 0

    def merged(text: str, style: str, boxed: bool = True) -> None:
        """A row whose first cell spans the table (boxed rows carry the border on every cell)."""
        nonlocal row_index
        row_index += 1
        ws.append([cell(text, style)] + ([cell(None, style) for _ in range(width - 1)] if boxed else []))
        ws.merged_cells.add(f"A{row_index}:{last}{row_index}")

    for line in meta.title_lines:
        merged(line, "p02_title", boxed=False)
    if meta.note:
        merged(meta.note, "p02_note", boxed=False)
    row_index += 1
    ws.append([])  # a blank line between the title and the table

    # Two header rows: "งบประมาณ (บาท)" spans the year columns, the years sit below it.
    head = meta.header_row()
    first_year_col = 5
    top_row = [cell(text, "p02_header") for text in head]
    for offset in range(n_years):
        top_row[first_year_col - 1 + offset] = cell(meta.labels["budget"] if offset == 0 else None, "p02_header")
    ws.append(top_row)
    row_index += 1
    header_top = row_index
    ws.append([cell(None, "p02_header") for _ in range(first_year_col - 1)]
              + [cell(text, "p02_header") for text in meta.year_headers()]
              + [cell(None, "p02_header") for _ in range(3)])
    row_index += 1
    for col in list(range(1, first_year_col)) + list(range(first_year_col + n_years, width + 1)):
        letter = get_column_letter(col)
        ws.merged_cells.add(f"{letter}{header_top}:{letter}{row_index}")
    if n_years > 1:
        ws.merged_cells.add(f"{get_column_letter(first_year_col)}{header_top}:{get_column_letter(first_year_col + n_years - 1)}{header_top}")
    ws.print_title_rows = f"{header_top}:{row_index}"
    ws.freeze_panes = f"A{row_index + 1}"

    written = 0
    for event in walk(rows, n_years):
        if event.kind in ("group1", "group2"):
            merged(group_heading(meta, 1 if event.kind == "group1" else 2, event.key), "p02_" + event.kind)
        elif event.kind == "row":
            r = event.row
            ws.append([
                cell(event.number, "p02_number"), cell(r.title, "p02_text"), cell(r.objective, "p02_text"),
                cell(r.target_output, "p02_text"),
                *[cell(amount, "p02_money") for amount in r.amounts],
                cell(r.kpi, "p02_text"), cell(r.expected_result, "p02_text"), cell(r.responsible_unit, "p02_text"),
            ])
            row_index += 1
            written += 1
        else:
            row_index += 1
            ws.append([
                cell(None, "p02_total"), cell(total_label(meta, event), "p02_total"),
                cell(None, "p02_total"), cell(None, "p02_total"),
                *[cell(amount, "p02_total_money") for amount in event.totals.sums],
                cell(None, "p02_total"), cell(None, "p02_total"), cell(None, "p02_total"),
            ])
            ws.merged_cells.add(f"B{row_index}:D{row_index}")
    wb.save(out)
    return written


# -- CSV ----------------------------------------------------------------------

def csv_header(meta: ExportMeta) -> list[str]:
    lab = meta.labels
    return [
        lab["code_of"].format(group=meta.group1_label), meta.group1_label,
        lab["code_of"].format(group=meta.group2_label), meta.group2_label,
        lab["number"], lab["title"], lab["objective"], lab["target"],
        *[lab["year_budget"].format(year=year) for year in meta.years],
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
