"""Reading a plan from an uploaded Excel (.xlsx) or CSV file, and the sample files.

The file has one header row and one row per item:

    level, code, parent_code, title

`level` is 1, 2 or 3; `code` is the item's code in the plan (e.g. 1, 1.2,
1.2.3); `parent_code` is the code of the item one level up (blank at level 1;
blank at levels 2-3 means the nearest row above it one level up); `title` is
the item's name. The Thai column names ระดับ, รหัส, รหัสรายการหลัก and ชื่อรายการ
are accepted too.

Only values are read: a workbook is opened with `data_only=True`, so a formula
contributes the value Excel last saved with it and is never calculated here;
macro-enabled workbooks are refused. The size, the number of rows and the
unpacked size of a workbook are capped, so that a small upload cannot expand
into a large one. Reading stops at the end of the real data: after
MAX_BLANK_RUN empty rows in a row, and after MAX_SCANNED_ROWS rows at most (a
40 KB workbook can hold 39 MB of empty, formatted cells). A workbook that
unpacks to more than INLINE_UNPACKED_BYTES is imported by a background job
(app/plans/jobs.py) with its progress shown, instead of inside the request.
"""
from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.validators import strip_control_chars
from app.plans.models import MAX_LEVEL, PlanKind
from app.plans.services import CODE_RE, ItemRow, PlanError, rows_error
from app.core.numbers import parse_int

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
# A real plan's sheet unpacks to a few hundred kilobytes; more than this is read by a job.
INLINE_UNPACKED_BYTES = 2 * 1024 * 1024
MAX_BLANK_RUN = 200
MAX_SCANNED_ROWS = 3 * MAX_ROWS + MAX_BLANK_RUN
MAX_TITLE = 300
COLUMNS = ("level", "code", "parent_code", "title")
ALLOWED_EXTENSIONS = ("xlsx", "csv")
ALIASES = {
    "level": "level", "ระดับ": "level",
    "code": "code", "รหัส": "code",
    "parent_code": "parent_code", "parent code": "parent_code", "รหัสรายการหลัก": "parent_code",
    "title": "title", "ชื่อรายการ": "title", "ชื่อ": "title",
}


@dataclass
class Upload:
    filename: str
    data: bytes


def read_upload(stream, filename: str) -> Upload:
    """Read at most MAX_UPLOAD_BYTES from a file stream; refuse anything bigger."""
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PlanError(_l("The file is larger than %(mb)d MB. A plan file is usually a few kilobytes: remove other sheets, pictures and formatting, or save it as CSV.",
                           mb=MAX_UPLOAD_BYTES // (1024 * 1024)))
    if not data:
        raise PlanError(_l("The file is empty."))
    return Upload(filename=filename or "", data=data)


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def unpacked_size(upload: Upload) -> int:
    """What an .xlsx unpacks to (its own size for any other file); 0 when it is not a zip at all."""
    if extension(upload.filename) != "xlsx":
        return len(upload.data)
    try:
        return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(upload.data)).infolist())
    except (zipfile.BadZipFile, ValueError):
        return 0


def needs_job(upload: Upload) -> bool:
    """Is this file too large to read inside a request? (It is then imported by a background job.)"""
    return unpacked_size(upload) > INLINE_UNPACKED_BYTES


def parse_upload(upload: Upload, progress=None) -> list[ItemRow]:
    ext = extension(upload.filename)
    if ext in ("xlsm", "xltm", "xlam"):
        raise PlanError(_l("Macro-enabled workbooks (.xlsm) are not accepted. Save the file as an Excel workbook (.xlsx) or CSV."))
    if ext == "xls":
        raise PlanError(_l("The old Excel format (.xls) is not accepted. Save the file as an Excel workbook (.xlsx) or CSV."))
    if ext == "xlsx":
        table = _xlsx_rows(upload.data, progress)
    elif ext == "csv":
        table = _csv_rows(upload.data)
    else:
        raise PlanError(_l("Upload an Excel workbook (.xlsx) or a CSV file."))
    return parse_table(table)


def _xlsx_rows(data: bytes, progress=None) -> list[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise PlanError(_l("This is not a valid Excel workbook (.xlsx). Open it in Excel and save it again, or save it as CSV."))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise PlanError(_l("The workbook contains macros, which are not accepted. Save it as an Excel workbook (.xlsx) without macros, or as CSV."))
    if unpacked > MAX_UNPACKED_BYTES:
        raise PlanError(_l("The workbook is too large once unpacked. Keep only the plan's sheet, or save it as CSV."))
    try:
        with warnings.catch_warnings():
            # Workbooks from other programs carry extensions openpyxl warns about.
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_vba=False, keep_links=False)
            try:
                ws = wb.worksheets[0]
                rows: list[tuple[int, tuple]] = []
                # The sheet's own claim of its size (it may be a million rows of empty cells).
                declared = min(int(getattr(ws, "max_row", 0) or 0), MAX_SCANNED_ROWS) or MAX_SCANNED_ROWS
                blank_run = 0
                for number, values in enumerate(ws.iter_rows(max_col=len(COLUMNS) + 10, values_only=True), start=1):
                    if progress is not None and number % 250 == 0:
                        progress(number, declared)
                    if number > MAX_SCANNED_ROWS:
                        break
                    if _blank(values):
                        blank_run += 1
                        if blank_run >= MAX_BLANK_RUN:
                            break  # past the real data: the rest is empty formatted cells
                        continue
                    blank_run = 0
                    rows.append((number, values))
                    if len(rows) > MAX_ROWS + 1:
                        break
            finally:
                wb.close()
    except PlanError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise PlanError(_l("This is not a valid Excel workbook (.xlsx). Open it in Excel and save it again, or save it as CSV."))
    return rows


def _csv_rows(data: bytes) -> list[tuple[int, tuple]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel on Thai Windows saves "CSV (Comma delimited)" in TIS-620 / Windows-874.
            text = data.decode("cp874")
        except UnicodeDecodeError:
            raise PlanError(_l("The CSV file is not in UTF-8 (or Thai Windows) encoding. In Excel, save it as \"CSV UTF-8\"."))
    if "\x00" in text:
        raise PlanError(_l("This does not look like a CSV file."))
    rows: list[tuple[int, tuple]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for values in reader:
            if _blank(values):
                continue
            rows.append((reader.line_num, tuple(values)))
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise PlanError(_l("The CSV file could not be read (%(error)s).", error=str(exc)))
    return rows


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _header_name(value) -> str:
    return " ".join(str(value).strip().lower().split()) if value is not None else ""


def parse_table(table: list[tuple[int, tuple]]) -> list[ItemRow]:
    """Check the header and the type of every cell; return the rows or raise with every problem found."""
    if not table:
        raise PlanError(_l("The file is empty."))
    header_row, header = table[0]
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        name = _header_name(cell)
        if not name:
            continue
        column = ALIASES.get(name)
        if column is None:
            unknown.append(str(cell).strip())
        elif column in positions:
            raise PlanError(_l("The header names the column %(column)s twice.", column=column))
        else:
            positions[column] = index
    missing = [c for c in COLUMNS if c not in positions]
    if missing:
        if unknown:
            raise PlanError(_l("The header row (row %(row)d) lacks the column %(missing)s; found instead: %(found)s. The header must be: %(expected)s.",
                               row=header_row, missing=", ".join(missing), found=", ".join(unknown), expected=", ".join(COLUMNS)))
        raise PlanError(_l("The header row (row %(row)d) lacks the column %(missing)s. The header must be: %(expected)s.",
                           row=header_row, missing=", ".join(missing), expected=", ".join(COLUMNS)))
    if unknown:
        raise PlanError(_l("The header row (row %(row)d) has a column this file format does not know: %(found)s. The header must be: %(expected)s.",
                           row=header_row, found=", ".join(unknown), expected=", ".join(COLUMNS)))
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise PlanError(_l("The file has more than %(n)d rows; a plan has far fewer items. Check that it is the right file.", n=MAX_ROWS))
    if not body:
        raise PlanError(_l("The file has no rows below the header."))

    rows: list[ItemRow] = []
    errors: list[str] = []
    for number, values in body:
        def cell(column: str):
            index = positions[column]
            return values[index] if index < len(values) else None

        try:
            level = _level(cell("level"), number)
            code = _code(cell("code"), number, "code")
            parent = cell("parent_code")
            parent_code = None if parent is None or (isinstance(parent, str) and not parent.strip()) else _code(parent, number, "parent_code")
            title = _title(cell("title"), number)
        except PlanError as exc:
            errors.append(str(exc))
            continue
        rows.append(ItemRow(row=number, level=level, code=code, parent_code=parent_code, title=title))
    if errors:
        raise rows_error(errors)
    return rows


def _describe(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _level(value, row: int) -> int:
    number: int | None = None
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        number = parse_int(value, thai_digits=True)  # ๐-๙ as Thai clerks type them; never "²" or "١"
    if number is None or not 1 <= number <= MAX_LEVEL:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise PlanError(_("Row %(row)d, column level: the level is empty (formulas are not calculated; type the number 1, 2 or 3).", row=row))
        raise PlanError(_("Row %(row)d, column level: expected 1, 2 or 3, found %(value)s.", row=row, value=_describe(value)))
    return number


def _code(value, row: int, column: str) -> str:
    if isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        raise PlanError(_("Row %(row)d, column %(column)s: expected a code such as 1.2, found %(value)s.",
                          row=row, column=column, value=_describe(value)))
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # Excel stores a code typed as 1.2 as a number; 1.10 cannot be told from 1.1 (see the sample file).
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = ""
    if not text:
        raise PlanError(_("Row %(row)d, column %(column)s: the code is empty (formulas are not calculated; type the code).",
                          row=row, column=column))
    if not CODE_RE.match(text):
        raise PlanError(_("Row %(row)d, column %(column)s: %(value)s is not a code: use up to 20 letters, digits, dots, dashes or slashes, without spaces.",
                          row=row, column=column, value=_describe(text)))
    return text


def _title(value, row: int) -> str:
    if value is None or isinstance(value, bool) or isinstance(value, (datetime, date, time)):
        if value is None:
            raise PlanError(_("Row %(row)d, column title: the title is empty (formulas are not calculated; type the text).", row=row))
        raise PlanError(_("Row %(row)d, column title: expected text, found %(value)s.", row=row, value=_describe(value)))
    text = " ".join(strip_control_chars(str(value)).split())
    if not text:
        raise PlanError(_("Row %(row)d, column title: the title is empty (formulas are not calculated; type the text).", row=row))
    if len(text) > MAX_TITLE:
        raise PlanError(_("Row %(row)d, column title: the title has %(n)d characters; at most %(max)d are allowed.",
                          row=row, n=len(text), max=MAX_TITLE))
    return text


# -- sample files ---------------------------------------------------------------

SAMPLE_ROWS: dict[PlanKind, list[tuple[int, str, str, str]]] = {
    PlanKind.PROVINCIAL_ACTION: [
        (1, "1", "", "พัฒนาเศรษฐกิจสร้างสรรค์และการท่องเที่ยวเชิงคุณภาพ"),
        (2, "1.1", "1", "แผนงานพัฒนาแหล่งท่องเที่ยวและบริการ"),
        (3, "1.1.1", "1.1", "โครงการยกระดับมาตรฐานแหล่งท่องเที่ยวชุมชน"),
        (3, "1.1.2", "1.1", "โครงการส่งเสริมการท่องเที่ยวเชิงวัฒนธรรมล้านนา"),
        (1, "2", "", "การบริหารจัดการทรัพยากรธรรมชาติและสิ่งแวดล้อม"),
        (2, "2.1", "2", "แผนงานแก้ไขปัญหาหมอกควันและไฟป่า"),
        (3, "2.1.1", "2.1", "โครงการเฝ้าระวังและดับไฟป่าโดยชุมชน"),
    ],
    PlanKind.LOCAL_DEVELOPMENT: [
        (1, "1", "", "ยุทธศาสตร์การพัฒนาโครงสร้างพื้นฐาน"),
        (2, "1.1", "1", "ก่อสร้างและปรับปรุงถนน ทางเท้า และระบบระบายน้ำ"),
        (3, "1.1.1", "1.1", "แผนงานเคหะและชุมชน"),
        (1, "2", "", "ยุทธศาสตร์การพัฒนาคุณภาพชีวิต"),
        (2, "2.1", "2", "ส่งเสริมสุขภาพและการป้องกันโรค"),
        (3, "2.1.1", "2.1", "แผนงานสาธารณสุข"),
        (2, "2.2", "2", "ส่งเสริมการศึกษาและการเรียนรู้ตลอดชีวิต"),
        (3, "2.2.1", "2.2", "แผนงานการศึกษา"),
    ],
}


def sample_csv(kind: PlanKind) -> bytes:
    """A sample CSV in UTF-8 with a BOM, so that Excel shows the Thai text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(SAMPLE_ROWS[kind])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sample_xlsx(kind: PlanKind) -> bytes:
    """A sample workbook: the plan sheet first (codes stored as text), then a sheet explaining the columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "plan"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for level, code, parent, title in SAMPLE_ROWS[kind]:
        ws.append([level, code, parent or None, title])
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "@"  # codes are text: 1.10 must not become 1.1
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 14
    ws.column_dimensions["D"].width = 70
    help_sheet = wb.create_sheet("help")
    for line in help_lines(kind):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 110
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def help_lines(kind: PlanKind) -> list[str]:
    from app.plans.services import level_name

    return [
        _("Only the first sheet is read. Keep the header row: %(columns)s.", columns=", ".join(COLUMNS)),
        _("level: 1 = %(one)s, 2 = %(two)s, 3 = %(three)s.", one=level_name(kind, 1), two=level_name(kind, 2), three=level_name(kind, 3)),
        _("code: the item's code in the plan, e.g. 1, 1.2, 1.2.3 (type codes as text so that 1.10 stays 1.10)."),
        _("parent_code: the code of the item one level up; blank on level 1 (a blank on level 2 or 3 means the nearest row above one level up)."),
        _("title: the item's name, up to %(n)d characters. Only values are read: formulas are not calculated and macros are refused.", n=MAX_TITLE),
        _("An item whose code is already in the plan gets the new title; new codes are added; nothing is deleted."),
    ]
