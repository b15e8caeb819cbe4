"""The data download: a ZIP with everything the site holds about one person, built by a job.

Inside: `README.txt` (what each file and field means, in the person's
language), `data.json` (every dataset, machine-readable, with the field
descriptions), one CSV file per dataset (UTF-8 with BOM, so that Excel reads
Thai) and the photos the person uploaded under `photos/`. The datasets and
their fields come from the registry (`app.privacy.registry`).

The ZIP is written to a sink that hands its bytes on every 64 KiB, so that
memory stays small whatever the size. The person asks for it on their
privacy page; the job `privacy.export` (app/privacy/jobs.py) writes it into a
file only they can download (app/jobs/files.py), as a whole account with
hundreds of photos is too large to build inside a request.
"""
from __future__ import annotations

import csv
import enum
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import IO, Any

from flask_babel import gettext as _

from app.accounts.models import User
from app.core.timeutil import utcnow
from app.exports.p02 import neutralise
from app.extensions import db
from app.privacy.notice import current_notice
from app.privacy.registry import Dataset, datasets

FORMAT = "ruamkhit-personal-data"
FORMAT_VERSION = 1
CHUNK = 64 * 1024
YIELD_PER = 1000


class _Sink:
    """A write-only file for zipfile (which then writes data descriptors instead of seeking back)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return str(value)
    return neutralise(value)


def _rows(dataset: Dataset, user_id: int) -> Iterator[tuple]:
    result = db.session.execute(dataset.query(user_id), execution_options={"yield_per": YIELD_PER})
    yield from result


def filename(user: User) -> str:
    return f"ruamkhit-my-data-{utcnow():%Y%m%d}.zip"


def notes() -> dict[str, str]:
    return {
        "national_id": _("We never keep your national ID number. We keep only a keyed hash of it (HMAC), which cannot be turned back into the number; the hash is not included because it means nothing without the server's key."),
        "voting": _("The voting file lists the budgets in which you voted, not how you voted. Ballots are stored apart from voters, and once voting closes every link between a voter and a ballot is destroyed: the site can no longer tell which ballot was yours."),
        "official_access": _("The official_access file lists each time an official opened your personal data."),
    }


def _readme(user: User, items: list[Dataset]) -> str:
    lines = [
        _("Your data on Ruamkhit"),
        "",
        _("Generated on %(at)s (UTC) for account %(id)s, under version %(version)s of the privacy notice.",
          at=utcnow().isoformat(timespec="seconds"), id=user.id, version=current_notice().version),
        "",
        _("data.json holds everything below in one machine-readable file; each .csv file holds one part (UTF-8 with BOM). Dates are in UTC (ISO 8601). The photos/ folder holds the photos you uploaded."),
        "",
    ]
    for text in notes().values():
        lines += [text, ""]
    for dataset in items:
        lines.append(f"{dataset.name}.csv")
        for f in dataset.fields:
            lines.append(f"  {f.name}: {f.description}")
        lines.append("")
    return "\n".join(lines)


def _json_pieces(user: User, items: list[Dataset]) -> Iterator[str]:
    head = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": utcnow().isoformat(),
        "account_id": user.id,
        "notice_version": current_notice().version,
        "notes": notes(),
        "fields": {d.name: {f.name: str(f.description) for f in d.fields} for d in items},
    }
    yield json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "datasets": {'
    for i, dataset in enumerate(items):
        names = [f.name for f in dataset.fields]
        yield ("," if i else "") + f"\n  {json.dumps(dataset.name)}: ["
        first = True
        for row in _rows(dataset, user.id):
            record = {name: _plain(value) for name, value in zip(names, row)}
            yield ("" if first else ",") + "\n   " + json.dumps(record, ensure_ascii=False, default=str)
            first = False
        yield "\n  ]"
    yield "\n }\n}\n"


def _csv_pieces(user: User, dataset: Dataset) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f.name for f in dataset.fields])
    yield "\ufeff" + buffer.getvalue()
    for row in _rows(dataset, user.id):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_cell(v) for v in row])
        yield buffer.getvalue()


def _photo_files(user: User) -> list[str]:
    from app.privacy.datasets import PHOTOS

    return [row[2] for row in _rows(PHOTOS, user.id)]


def stream_zip(user: User, progress: Callable[[int, int], None] | None = None) -> Iterator[bytes]:
    """The ZIP's bytes, a chunk at a time; `progress(done, total)` after each file put in it."""
    from app.media.storage import image_path

    items = datasets()
    photos = _photo_files(user)
    total = 2 + len(items) + len(photos)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def entry(name: str, pieces):
        with archive.open(name, "w") as fh:
            for piece in pieces:
                fh.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
                if sink.size >= CHUNK:
                    yield sink.take()

    try:
        yield from entry("README.txt", [_readme(user, items)])
        step()
        yield from entry("data.json", _json_pieces(user, items))
        step()
        for dataset in items:
            yield from entry(f"{dataset.name}.csv", _csv_pieces(user, dataset))
            step()
        for name in photos:
            step()
            path = image_path(name)
            if path is None or not path.is_file():
                continue
            # Photos are already compressed: store them as they are.
            info = zipfile.ZipInfo(f"photos/{name}", date_time=utcnow().timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            with path.open("rb") as src, archive.open(info, "w") as fh:
                while block := src.read(CHUNK):
                    fh.write(block)
                    if sink.size >= CHUNK:
                        yield sink.take()
    finally:
        archive.close()
    yield sink.take()


def write_zip(user: User, out: IO[bytes], progress: Callable[[int, int], None] | None = None) -> None:
    """Write the person's ZIP into an open binary file (the job's file)."""
    for chunk in stream_zip(user, progress):
        out.write(chunk)
