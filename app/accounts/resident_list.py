"""Self-verification against an area's resident list (issue 14.3).

An official of a local government (or of a province, for the province) uploads
the list of eligible residents as CSV or xlsx with the columns
`national_id`, `birth_date` (day/month/year in the Buddhist Era) and
`subdistrict` (its 6-digit code or its Thai name; it must be one the area
covers), and optionally `house_number`, which is read past and never kept.
The file is checked whole: every problem is named by its row, and one problem
stores nothing. Of each row only a keyed hash of (national ID, date of birth)
and the subdistrict are kept; a new upload replaces the area's list, and
verifications made from an older list stay until an official withdraws them.

A resident who types their national ID and date of birth on their profile is
verified at once when they match a row of a list of an area that covers their
subdistrict, for that subdistrict. A mismatch says only that the details could
not be verified (never whether the ID is on a list), is audited without the
number, and is rate-limited per account and per ID (RATE_LIMIT_SELF_VERIFY_*).
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from app.accounts import national_id
from app.accounts.models import ResidencyMethod, ResidentList, ResidentListEntry, User
from app.areas.models import Area, Subdistrict
from app.audit.services import record
from app.core.dates import DateInputError, parse_date_input
from app.core.timeutil import utcnow
from app.extensions import db

MAX_ROWS = 150_000  # a เทศบาลนคร has about 100,000 voters
MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS_SHOWN = 50
_CHUNK = 5_000

_HEADERS = {
    "national_id": "national_id", "เลขประจำตัวประชาชน": "national_id",
    "birth_date": "birth_date", "วันเกิด": "birth_date",
    "subdistrict": "subdistrict", "ตำบล": "subdistrict",
    "house_number": "house_number", "บ้านเลขที่": "house_number",
}


class ResidentListError(ValueError):
    """A resident list that cannot be stored: `problems` are (row number or None, message)."""

    def __init__(self, problems: list[tuple[int | None, Any]]):
        super().__init__(str(problems[0][1]) if problems else "")
        self.problems = problems


def _key() -> bytes:
    return ("resident-list:" + current_app.config["ID_HASH_KEY"]).encode()


def list_digest(raw_id: str, born: date, key: bytes | None = None, _base: Any = None) -> str:
    """The keyed hash of (national ID, date of birth) a list row and a resident's entry are compared by."""
    message = f"{national_id.normalise(raw_id)}:{born.isoformat()}".encode()
    if _base is not None:  # a list of 100,000 rows keys the HMAC once and copies it
        h = _base.copy()
        h.update(message)
        return h.hexdigest()
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


_SIMPLE_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
_ID13 = re.compile(r"^\d{13}$", re.ASCII)


def _birth_date(text: str) -> date | None:
    """The common day/month/Buddhist-year form read fast; anything else by the site's date parser."""
    match = _SIMPLE_DATE.match(text)
    if match:
        year = int(match.group(3))
        if 2400 <= year <= 2700:
            try:
                return date(year - 543, int(match.group(2)), int(match.group(1)))
            except ValueError:
                pass
    return parse_date_input(text, "th")


def _valid_id(text: str) -> bool:
    if _ID13.match(text):
        d = [ord(c) - 48 for c in text]
        return (11 - (13 * d[0] + 12 * d[1] + 11 * d[2] + 10 * d[3] + 9 * d[4] + 8 * d[5] + 7 * d[6] + 6 * d[7]
                      + 5 * d[8] + 4 * d[9] + 3 * d[10] + 2 * d[11]) % 11) % 10 == d[12]
    return national_id.is_valid(text)


# --- reading the file -------------------------------------------------------------

def _rows_csv(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ResidentListError([(None, _l("The CSV file must be saved as UTF-8."))]) from None
    yield from csv.reader(io.StringIO(text))


def _rows_xlsx(data: bytes) -> Iterator[list[Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise ResidentListError([(None, _l("This is not an Excel (.xlsx) file."))]) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ResidentListError([(None, _l("Workbooks with macros are not accepted: save it as .xlsx or CSV."))])
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ResidentListError([(None, _l("This Excel file cannot be read."))]) from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield ["" if v is None else v for v in row]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass
class ParsedList:
    rows: list[tuple[str, str]] = field(default_factory=list)  # (digest, subdistrict code)


Progress = Callable[[int, int], None]


def check_upload(filename: str, data: bytes) -> None:
    """What the request checks before the file goes to a job: its kind and size."""
    if len(data) > MAX_BYTES:
        raise ResidentListError([(None, _l("The file is larger than %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024)))])
    if not (filename or "").lower().endswith((".csv", ".xlsx")):
        raise ResidentListError([(None, _l("Upload a CSV or an Excel (.xlsx) file."))])
    if not data.strip():
        raise ResidentListError([(None, _l("The file is empty."))])
    # A CSV far past the limit is refused at once, not after its first 150,000 rows are read.
    if (filename or "").lower().endswith(".csv") and data.count(b"\n") > MAX_ROWS + 2:
        raise ResidentListError([(None, _l("The list has more than %(max)s rows.", max=f"{MAX_ROWS:,}"))])


def estimated_rows(filename: str, data: bytes) -> int:
    """About how many rows a file has, for the progress bar (a CSV's lines; an xlsx's stated dimension)."""
    if (filename or "").lower().endswith(".csv"):
        return max(0, data.count(b"\n") - 1)
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        try:
            return max(0, (book.worksheets[0].max_row or 0) - 1)
        finally:
            book.close()
    except Exception:  # a damaged file is reported by the parser, with its message
        return 0


def parse_resident_list(area: Area, filename: str, data: bytes, progress: Progress | None = None,
                        total: int = 0) -> ParsedList:
    """Read and check a whole file; ResidentListError names every problem by its row.

    `progress(done, total)` is called every few thousand rows (the rows checked of `total`).
    """
    from app.areas.services import subdistricts_of

    check_upload(filename, data)
    rows = _rows_xlsx(data) if (filename or "").lower().endswith(".xlsx") else _rows_csv(data)
    subs = subdistricts_of(area)
    by_code = {s.code: s.code for s in subs}
    by_name = {s.name_th: s.code for s in subs}
    key = _key()
    base = hmac.new(key, digestmod=hashlib.sha256)
    problems: list[tuple[int | None, Any]] = []
    parsed = ParsedList()
    seen: dict[str, int] = {}
    columns: dict[str, int] | None = None
    for number, row in enumerate(rows, start=1):
        if columns is None:
            names = [_HEADERS.get(_cell_text(c).lower()) for c in row]
            columns = {name: i for i, name in enumerate(names) if name}
            missing = [c for c in ("national_id", "birth_date", "subdistrict") if c not in columns]
            if missing:
                raise ResidentListError([(1, _l("The first row must name the columns national_id, birth_date and subdistrict."))])
            continue
        if not any(_cell_text(c) for c in row):
            continue
        if len(problems) >= MAX_ERRORS_SHOWN:
            problems.append((None, _l("The first %(num)d problems are shown; the file may have more after row %(row)d.",
                                      num=MAX_ERRORS_SHOWN, row=number - 1)))
            break
        if number - 1 > MAX_ROWS:
            raise ResidentListError([(None, _l("The list has more than %(max)s rows.", max=f"{MAX_ROWS:,}"))])
        if progress is not None and number % _CHUNK == 0:
            progress(number, max(total, number))

        def cell(name: str) -> Any:
            i = columns[name]
            return row[i] if i < len(row) else ""

        values = {name: cell(name) for name in ("national_id", "birth_date", "subdistrict")}
        if any(isinstance(v, str) and v.startswith("=") for v in values.values()):
            problems.append((number, _l("A cell holds a formula: type the values themselves.")))
            continue
        raw_id = _cell_text(values["national_id"])
        if not _valid_id(raw_id):
            problems.append((number, _l("The national ID number is not valid (13 digits with a check digit).")))
            continue
        born_value = values["birth_date"]
        try:
            if isinstance(born_value, datetime):
                born = born_value.date()
            elif isinstance(born_value, date):
                born = born_value
            else:
                born = _birth_date(_cell_text(born_value))
            if born is None:
                raise DateInputError(_l("The date of birth is missing."))
            if born > date.today():
                raise DateInputError(_l("The date of birth is in the future."))
        except DateInputError as error:
            problems.append((number, error.message))
            continue
        sub_text = _cell_text(values["subdistrict"])
        code = by_code.get(sub_text) or by_name.get(sub_text.removeprefix("ตำบล").removeprefix("แขวง"))
        if code is None:
            problems.append((number, _l("The subdistrict %(name)s is not one of %(area)s.", name=sub_text[:60], area=area.name_th)))
            continue
        digest = list_digest(raw_id, born, _base=base)
        if digest in seen:
            problems.append((number, _l("The same person is already on row %(row)d.", row=seen[digest])))
            continue
        seen[digest] = number
        parsed.rows.append((digest, code))
    if columns is None:
        raise ResidentListError([(None, _l("The file is empty."))])
    if problems:
        raise ResidentListError(problems)
    if not parsed.rows:
        raise ResidentListError([(None, _l("The file has no residents."))])
    return parsed


def store_resident_list(official: User, area: Area, filename: str, data: bytes,
                        progress: Progress | None = None) -> ResidentList:
    """Check the file whole and replace the area's list with it (all or nothing).

    With `progress`, reading the rows is the first half of the work and storing them the second.
    """
    from app.permissions import can_verify_resident

    if not can_verify_resident(official, area):
        raise ResidentListError([(None, _l("You are not an official of this area."))])
    total = estimated_rows(filename, data) if progress is not None else 0
    parsed = parse_resident_list(area, filename, data, progress=(
        None if progress is None else (lambda done, of: progress(done, 2 * of))), total=total)
    total = len(parsed.rows)
    current = db.session.scalar(select(ResidentList).where(ResidentList.area_id == area.id))
    if current is None:
        current = ResidentList(area_id=area.id)
        db.session.add(current)
        db.session.flush()
    else:
        db.session.execute(delete(ResidentListEntry).where(ResidentListEntry.list_id == current.id))
    current.uploaded_by_id = official.id
    current.uploaded_at = utcnow()
    current.row_count = len(parsed.rows)
    for start in range(0, len(parsed.rows), _CHUNK):
        db.session.execute(insert(ResidentListEntry), [
            {"list_id": current.id, "digest": d, "subdistrict_code": c} for d, c in parsed.rows[start:start + _CHUNK]
        ])
        if progress is not None:
            progress(total + min(total, start + _CHUNK), 2 * total)
    db.session.flush()
    record(official, "resident_list.upload", area, area=area, details={"rows": current.row_count})
    return current


def resident_list_of(area: Area) -> ResidentList | None:
    return db.session.scalar(select(ResidentList).where(ResidentList.area_id == area.id))


# --- a resident verifies themselves -------------------------------------------------

class SelfVerifyError(ValueError):
    """Self-verification refused (a translatable message that reveals nothing about the list)."""


NO_MATCH = _l("We could not verify your residency with these details. Check your national ID number, your date of birth and your subdistrict, or ask an official of your area.")


def self_verify(user: User, raw_id: str, born: date) -> Area:
    """Verify `user` against the lists of the areas that cover their subdistrict. Returns the list's area."""
    from app.accounts.services import AccountError, set_national_id
    from app.areas.services import area_covers

    if user.residency_verified:
        raise SelfVerifyError(_l("Your residency is already verified."))
    if user.subdistrict_code is None:
        raise SelfVerifyError(_l("Choose your subdistrict in your profile first."))
    if not national_id.is_valid(raw_id or ""):
        raise SelfVerifyError(_l("This national ID number is not valid: check the 13 digits."))
    owner = db.session.scalar(select(User.id).where(
        User.national_id_hash == national_id.keyed_hash(raw_id, current_app.config["ID_HASH_KEY"])
    ))
    if owner is not None and owner != user.id:  # checked before the list, so it tells nothing about it
        raise SelfVerifyError(_l("This national ID number is already linked to another account."))
    digest = list_digest(raw_id, born)
    found = db.session.execute(
        select(ResidentList, ResidentListEntry.subdistrict_code)
        .join(ResidentListEntry, ResidentListEntry.list_id == ResidentList.id)
        .where(ResidentListEntry.digest == digest)
    ).all()
    match = next(
        (lst for lst, code in found if code == user.subdistrict_code and area_covers(lst.area, user.subdistrict_code)),
        None,
    )
    if match is None:
        record(user, "resident.self_verify_failed", user)
        raise SelfVerifyError(NO_MATCH)
    try:
        set_national_id(user, raw_id)
    except AccountError as error:  # a race with another account taking the number
        raise SelfVerifyError(str(error)) from None
    user.residency_verified_at = utcnow()
    user.residency_verified_by_id = None
    user.residency_method = ResidencyMethod.RESIDENT_LIST
    user.residency_area_id = match.area_id
    db.session.flush()
    record(user, "resident.self_verify", user, area=match.area, details={"subdistrict": user.subdistrict_code})
    return match.area


def verified_counts(area: Area) -> dict[ResidencyMethod, int]:
    """How many residents of the area are verified, by method (for the officials' residents page)."""
    from sqlalchemy import func

    from app.accounts.services import residents_query

    stmt = residents_query(area).where(User.residency_verified_at.is_not(None)).order_by(None)
    sub = stmt.subquery()
    rows = db.session.execute(select(sub.c.residency_method, func.count()).group_by(sub.c.residency_method))
    counts = {m: 0 for m in ResidencyMethod}
    for method, n in rows:
        counts[ResidencyMethod(method) if isinstance(method, str) else (method or ResidencyMethod.IN_PERSON)] += n
    return counts


def resident_list_areas_for(user: User) -> list[Area]:
    """The areas with a resident list that covers the person's subdistrict (none: no self-verification)."""
    from app.areas.services import area_covers

    if user.subdistrict_code is None or user.residency_verified:
        return []
    lists = db.session.scalars(
        select(ResidentList).join(Area, Area.id == ResidentList.area_id).where(Area.province_code == user.province_code)
    )
    return [lst.area for lst in lists if area_covers(lst.area, user.subdistrict_code)]
