"""A small streaming writer for one-sheet .xlsx files (SpreadsheetML), fast enough for 10,000 proposals.

openpyxl builds a Python object for every cell and serialises it through
ElementTree; for the ผ.02 export of 10,000 proposals (about 120,000 cells)
that takes several seconds. This writer formats each row straight into XML
text and streams it into the zip entry, so time grows with the number of
cells at string-formatting speed and memory does not grow at all.

It writes only what the form needs: text (inline strings, never formulas,
so nothing typed by a user can run in Excel), whole numbers, row heights, a fixed list of
cell styles, column widths, merged cells, a frozen header, print titles and
an A4 landscape page set-up. The result opens in Excel, LibreOffice and
openpyxl.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Optional, Sequence, Union
from xml.sax.saxutils import escape, quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline, return).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = {'"': "&quot;"}


@dataclass(frozen=True)
class Font:
    name: str
    size: int
    bold: bool = False
    charset: Optional[int] = None  # 222 = Thai: lets Excel substitute a Thai font when `name` is missing
    family: int = 2


@dataclass(frozen=True)
class Style:
    """One cell format: a font, an optional solid fill, a thin box border or none, alignment, number format."""

    font: Font
    fill: Optional[str] = None  # RGB hex, e.g. "D9E2F3"
    border: bool = False
    horizontal: Optional[str] = None  # left, center, right
    vertical: Optional[str] = None  # top, center, bottom
    wrap: bool = False
    number_format: int = 0  # built-in format id: 0 General, 3 "#,##0"


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def clean_text(value: object) -> str:
    return _ILLEGAL.sub("", "" if value is None else str(value))


def _styles_xml(styles: Sequence[Style]) -> str:
    fonts: list[Font] = []
    fills: list[str] = []
    for style in styles:
        if style.font not in fonts:
            fonts.append(style.font)
        if style.fill and style.fill not in fills:
            fills.append(style.fill)

    def font_xml(f: Font) -> str:
        charset = f'<charset val="{f.charset}"/>' if f.charset is not None else ""
        return (f'<font>{"<b/>" if f.bold else ""}<sz val="{f.size}"/><name val={quoteattr(f.name)}/>'
                f'<family val="{f.family}"/>{charset}</font>')

    fill_xml = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
    fill_xml += [f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill></fill>'
                 for rgb in fills]
    side = '<{0} style="thin"><color rgb="FF000000"/></{0}>'
    borders = ('<border><left/><right/><top/><bottom/><diagonal/></border>'
               f'<border>{side.format("left")}{side.format("right")}{side.format("top")}{side.format("bottom")}<diagonal/></border>')
    xfs = []
    for style in styles:
        attrs = (f'numFmtId="{style.number_format}" fontId="{fonts.index(style.font)}" '
                 f'fillId="{fills.index(style.fill) + 2 if style.fill else 0}" borderId="{1 if style.border else 0}" xfId="0" '
                 'applyFont="1" applyBorder="1" applyFill="1" applyNumberFormat="1" applyAlignment="1"')
        align = []
        if style.horizontal:
            align.append(f'horizontal="{style.horizontal}"')
        if style.vertical:
            align.append(f'vertical="{style.vertical}"')
        if style.wrap:
            align.append('wrapText="1"')
        xfs.append(f'<xf {attrs}><alignment {" ".join(align)}/></xf>' if align else f"<xf {attrs}/>")
    return (
        f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
        f'<fonts count="{len(fonts)}">{"".join(font_xml(f) for f in fonts)}</fonts>'
        f'<fills count="{len(fill_xml)}">{"".join(fill_xml)}</fills>'
        f'<borders count="2">{borders}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


class SheetWriter:
    """Write one worksheet row by row into an .xlsx package.

    `styles[0]` is the default format. Cells are given as (value, style index)
    pairs, or None for an empty cell; strings are always written as text.
    Call `close()` once at the end (or use the writer as a context manager).
    """

    def __init__(self, out: Union[BinaryIO, str], sheet_title: str, styles: Sequence[Style],
                 widths: Sequence[float] = (), freeze_rows: int = 0, landscape: bool = True,
                 fit_to_width: bool = True, batch: int = 200):
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.sheet_title = (clean_text(sheet_title).replace("'", "")[:31] or "Sheet1")
        self.styles = list(styles)
        self.landscape = landscape
        self.fit_to_width = fit_to_width
        self.print_title_rows: Optional[tuple[int, int]] = None
        self.merges: list[str] = []
        self.rows_written = 0
        self._batch = batch
        self._pending: list[str] = []
        self._letters = [column_letter(i) for i in range(1, 65)]
        self._write_fixed_parts()
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        view = ('<sheetView workbookViewId="0"/>' if not freeze_rows else
                f'<sheetView workbookViewId="0"><pane ySplit="{freeze_rows}" topLeftCell="A{freeze_rows + 1}" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView>')
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
        self._write(
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f'<sheetPr><pageSetUpPr fitToPage="{1 if fit_to_width else 0}"/></sheetPr>'
            f"<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight=\"21\"/>"
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
        )

    def __enter__(self) -> "SheetWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self, text: str) -> None:
        self._sheet.write(text.encode("utf-8"))

    def append(self, cells: Sequence[Optional[tuple[object, int]]], height: Optional[float] = None) -> int:
        """Write the next row; return its 1-based number.

        `height` (points) is stored as a custom row height: neither Excel nor
        LibreOffice grows a row to fit wrapped text when it opens a file, so a
        row with long text must say how tall it is.
        """
        self.rows_written += 1
        r = self.rows_written
        letters = self._letters
        parts = [f'<row r="{r}" ht="{height:.2f}" customHeight="1">' if height else f'<row r="{r}">']
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            value, style = cell
            ref = f"{letters[index]}{r}"
            if value is None:
                if style:
                    parts.append(f'<c r="{ref}" s="{style}"/>')
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                text = escape(clean_text(value))
                space = ' xml:space="preserve"' if text != text.strip() else ""
                parts.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            else:
                parts.append(f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>')
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= self._batch:
            self._flush()
        return r

    def merge(self, first_col: int, first_row: int, last_col: int, last_row: int) -> None:
        self.merges.append(f"{self._letters[first_col - 1]}{first_row}:{self._letters[last_col - 1]}{last_row}")

    def _flush(self) -> None:
        if self._pending:
            self._write("".join(self._pending))
            self._pending.clear()

    def close(self) -> None:
        self._flush()
        merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in self.merges)
        fit = ' fitToWidth="1" fitToHeight="0"' if self.fit_to_width else ""
        self._write(
            "</sheetData>"
            + (f'<mergeCells count="{len(self.merges)}">{merges}</mergeCells>' if self.merges else "")
            + '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            + f'<pageSetup paperSize="9" orientation="{"landscape" if self.landscape else "portrait"}"{fit}/>'
            + "</worksheet>"
        )
        self._sheet.close()
        title = escape(self.sheet_title, _ESCAPES)
        defined = ""
        if self.print_title_rows:
            first, last = self.print_title_rows
            defined = (f'<definedNames><definedName name="_xlnm.Print_Titles" localSheetId="0">'
                       f"'{title}'!${first}:${last}</definedName></definedNames>")
        self._zip.writestr("xl/workbook.xml", (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets>{defined}</workbook>'))
        self._zip.close()

    def _write_fixed_parts(self) -> None:
        z = self._zip
        z.writestr("[Content_Types].xml", (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            "</Types>"))
        z.writestr("_rels/.rels", (
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>'))
        z.writestr("xl/styles.xml", _styles_xml(self.styles))
