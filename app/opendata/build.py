"""Building the open-data files: CSV (UTF-8 with BOM) and JSON per dataset, for the country and each area.

`build()` streams each dataset's rows once, in area order, writing every row to the country's file
and to its area's file (opened when the area changes), so memory stays flat whatever the number
of rows. Each scope's folder gets a `datapackage.json` (Frictionless Data Package: every field with
its type and constraints, the licence, the sources, and the GD Catalog metadata), and the whole
build a `manifest.json` that the /open-data page reads (when each file was built, rows, sizes).

A build is written into a new folder and becomes current only when complete (the CURRENT file
names it, replaced atomically), so a download never sees half a build; the previous build is kept
for downloads already under way, older ones are removed.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Optional

import orjson
from flask import current_app
from sqlalchemy import select

from app.core.timeutil import utcnow
from app.extensions import db
from app.opendata import gdc
from app.opendata.datasets import DATASETS, Context, Dataset
from app.opendata.statistics import COUNTRY

Progress = Callable[[str, int, int], None]  # (dataset name, rows done since last call, total rows of the dataset)
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
PROFILE = "tabular-data-package"
LICENSE = {"name": "open-data-common", "title": "Open Data Common", "path": "https://data.go.th/pages/conditions-of-use"}


def output_dir() -> Path:
    return Path(current_app.config.get("OPENDATA_DIR") or Path(current_app.instance_path) / "opendata")


def current_build() -> Optional[Path]:
    """The folder of the latest complete build, or None before the first."""
    root = output_dir()
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    folder = root / name
    return folder if name and folder.is_dir() else None


def read_manifest() -> Optional[dict[str, Any]]:
    folder = current_build()
    if folder is None:
        return None
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- writing rows ------------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


CHUNK = 2000  # rows encoded together, then written to the country's file and the area's


class _Files:
    """The CSV and JSON file of one dataset in one scope's folder (written as bytes, already encoded)."""

    def __init__(self, folder: Path, dataset: Dataset) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.csv_path = folder / f"{dataset.name}.csv"
        self.json_path = folder / f"{dataset.name}.json"
        self._csv_file: IO[bytes] = open(self.csv_path, "wb")
        self._json_file: IO[bytes] = open(self.json_path, "wb")
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow([f.name for f in dataset.fields])
        # The BOM that Excel needs to read Thai, then the header.
        self._csv_file.write(b"\xef\xbb\xbf" + header.getvalue().encode("utf-8"))
        self._json_file.write(b"[")
        self.rows = 0
        self.first_at: Optional[str] = None  # the earliest created_at (ISO text), for the GD Catalog dates

    def write(self, csv_bytes: bytes, json_bytes: bytes, count: int) -> None:
        self._csv_file.write(csv_bytes)
        self._json_file.write(b",\n" if self.rows else b"\n")
        self._json_file.write(json_bytes)
        self.rows += count

    def close(self) -> None:
        self._json_file.write(b"\n]\n" if self.rows else b"]\n")
        self._csv_file.close()
        self._json_file.close()


@dataclass
class ScopeReport:
    code: str
    area_id: Optional[int]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    ballots: list[dict[str, Any]] = field(default_factory=list)
    first_at: Optional[str] = None


@dataclass
class BuildReport:
    folder: Path
    built_at: datetime
    rows: dict[str, int]
    scopes: int
    seconds: float = 0.0


def _earliest(a: Optional[str], b: Optional[str]) -> Optional[str]:
    return b if a is None or (b is not None and b < a) else a


def _write_dataset(dataset: Dataset, ctx: Context, build: Path, scopes: dict[str, ScopeReport],
                   progress: Optional[Progress]) -> int:
    """Stream the rows once; each chunk is encoded once (csv into text, orjson into bytes) and the same
    bytes go to the country's file and to the area's."""
    total = dataset.count(ctx)
    country = _Files(build / COUNTRY, dataset)
    names = [f.name for f in dataset.fields]
    booleans = [i for i, f in enumerate(dataset.fields) if f.type == "boolean"]
    created_index = next((i for i, f in enumerate(dataset.fields) if f.name == "created_at"), None)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    dumps = orjson.dumps
    chunk: list[bytes] = []
    state: dict[str, Any] = {"area_id": None, "files": None}
    done = 0

    def flush() -> None:
        if not chunk:
            return
        csv_bytes = buffer.getvalue().encode("utf-8")
        json_bytes = b",\n".join(chunk)
        country.write(csv_bytes, json_bytes, len(chunk))
        state["files"].write(csv_bytes, json_bytes, len(chunk))
        buffer.seek(0)
        buffer.truncate()
        chunk.clear()

    def close_area() -> None:
        files, area_id = state["files"], state["area_id"]
        if files is None:
            return
        files.close()
        code = ctx.areas[area_id].code
        report = scopes.setdefault(code, ScopeReport(code, area_id))
        report.datasets[dataset.name] = _file_report(files)
        report.first_at = _earliest(report.first_at, files.first_at)

    for row_area, values in dataset.rows(ctx):
        if row_area != state["area_id"]:
            flush()
            close_area()
            state["area_id"], state["files"] = row_area, _Files(build / ctx.areas[row_area].code, dataset)
        if created_index is not None:
            files = state["files"]
            files.first_at = _earliest(files.first_at, values[created_index])
        if booleans:
            row = list(values)
            for i in booleans:
                row[i] = "true" if row[i] else "false"
            writer.writerow(row)
        else:
            writer.writerow(values)
        chunk.append(dumps(dict(zip(names, values))))
        done += 1
        if len(chunk) >= CHUNK:
            flush()
            if progress is not None:
                progress(dataset.name, CHUNK, total)
    pending = len(chunk)
    flush()
    close_area()
    country.close()
    report = scopes[COUNTRY]
    report.datasets[dataset.name] = _file_report(country)
    for scope in scopes.values():
        if scope.code != COUNTRY:
            report.first_at = _earliest(report.first_at, scope.first_at)
    if progress is not None:
        progress(dataset.name, pending, total)
    return done


def _file_report(files: _Files) -> dict[str, Any]:
    return {
        "rows": files.rows,
        "csv": files.csv_path.name, "csv_bytes": files.csv_path.stat().st_size,
        "json": files.json_path.name, "json_bytes": files.json_path.stat().st_size,
    }


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


# --- ballots -----------------------------------------------------------------------------------


def _write_ballots(ctx: Context, build: Path, scopes: dict[str, ScopeReport]) -> int:
    """The anonymous .pb file of every budget whose cycle shows its ballots (voting closed), as today."""
    from app.cycles.models import Cycle
    from app.cycles.results import export_allowed, export_pb

    written = 0
    for cycle in db.session.scalars(select(Cycle).order_by(Cycle.area_id, Cycle.id)):
        if not export_allowed(cycle):
            continue
        code = ctx.areas[cycle.area_id].code
        for budget in sorted(cycle.budgets, key=lambda b: (b.position, b.id)):
            if not budget.projects:
                continue
            text = export_pb(cycle, budget)
            filename = f"ballots-cycle{cycle.id}-budget{budget.id}.pb"
            entry = {"cycle_id": cycle.id, "budget_id": budget.id, "file": filename, "fiscal_year": cycle.fiscal_year,
                     "title": cycle.title, "budget_name": budget.name}
            for scope in (code, COUNTRY):
                folder = build / scope
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / filename
                path.write_text(text, encoding="utf-8", newline="\n")
                scopes.setdefault(scope, ScopeReport(scope, cycle.area_id if scope != COUNTRY else None)).ballots.append(
                    {**entry, "bytes": path.stat().st_size})
            written += 1
    return written


# --- descriptors -------------------------------------------------------------------------------


def _datapackage(report: ScopeReport, ctx: Context, built_at: datetime, folder: Path) -> dict[str, Any]:
    from flask_babel import force_locale

    area = ctx.areas.get(report.area_id) if report.area_id is not None else None
    where_en = area.name_en if area is not None else "Thailand"
    where_th = area.name_th if area is not None else "ทั้งประเทศ"
    resources = []
    catalog = {}
    for dataset in DATASETS:
        files = report.datasets.get(dataset.name)
        if files is None:
            continue
        with force_locale("en"):
            title_en, description_en = str(dataset.title), str(dataset.description)
        # An empty JSON file ([]) has no keys for Frictionless to read a header from: it is served and
        # listed on the page, and the package describes it once it holds rows (its CSV always has a header).
        for fmt in ("csv", "json") if files["rows"] else ("csv",):
            path = folder / files[fmt]
            resource: dict[str, Any] = {
                "name": f"{dataset.name.replace('_', '-')}-{fmt}",
                "path": files[fmt],
                "title": f"{title_en} — {where_en} ({fmt.upper()})",
                "description": description_en,
                "format": fmt,
                "mediatype": "text/csv" if fmt == "csv" else "application/json",
                "encoding": "utf-8-sig" if fmt == "csv" else "utf-8",
                "profile": "tabular-data-resource",
                "schema": dataset.schema(),
            }
            if fmt == "csv":
                # Frictionless checks size and hash of the CSV it reads; it parses JSON as a stream of
                # objects and counts no bytes, so the JSON's size is given on the page, not here.
                resource.update({"bytes": files["csv_bytes"], "hash": _hash(path),
                                 "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True}})
            resources.append(resource)
        first_at = datetime.fromisoformat(report.first_at) if report.first_at else None
        catalog[dataset.name] = gdc.metadata(
            dataset, area, scope_code=report.code, built_at=built_at, first_at=first_at, base_url=ctx.base_url)
    for ballot in report.ballots:
        path = folder / ballot["file"]
        resources.append({
            "name": ballot["file"].removesuffix(".pb"),
            "path": ballot["file"],
            "title": f"Anonymous ballots (pabulib .pb) — cycle {ballot['cycle_id']}, budget {ballot['budget_id']}",
            "description": "Every ballot of the budget, without any voter, in the pabulib format: anyone can recompute the result.",
            "format": "pb", "mediatype": "text/plain", "encoding": "utf-8",
            "bytes": ballot["bytes"], "hash": _hash(path),
        })
    return {
        "profile": PROFILE if not report.ballots else "data-package",
        "name": f"ruamkhit-{report.code.lower()}",
        "title": f"Ruamkhit open data — {where_en} / ข้อมูลเปิดร่วมคิด — {where_th}",
        "description": "Ideas, proposals, plans, participatory budgeting cycles, results, ballots and response times. "
                       "Only what the public pages show: nothing personal, no vote count while voting is open.",
        "homepage": f"{ctx.base_url}/open-data" + (f"/{area.code}" if area is not None else ""),
        "created": _iso(built_at),
        "licenses": [LICENSE],
        "sources": [
            {"title": "Ruamkhit (ร่วมคิด)", "path": ctx.base_url},
            {"title": "Area codes: DOPA provinces and subdistricts (GeoThai, CC-BY-4.0), DLA local government codes"},
        ],
        "keywords": sorted({k for d in DATASETS if d.name in report.datasets for k in d.keywords}),
        "resources": resources,
        "gdc_catalog": catalog,
    }


# --- the build ---------------------------------------------------------------------------------


def _context(now: datetime) -> Context:
    from app.areas.models import Area
    from app.core.urls import public_base_url

    areas = {a.id: a for a in db.session.scalars(select(Area))}
    return Context(areas=areas, now=now, base_url=public_base_url().rstrip("/"))


def build(progress: Optional[Progress] = None, now: Optional[datetime] = None) -> BuildReport:
    """Write every dataset for the country and each area with data, then make that build current."""
    import time

    from app.opendata.statistics import response_times_by_area

    started = time.monotonic()
    now = now or utcnow()
    root = output_dir()
    root.mkdir(parents=True, exist_ok=True)
    name = f"build-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
    folder = root / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    ctx = _context(now)
    ctx.response_times, _ = response_times_by_area(now)
    scopes: dict[str, ScopeReport] = {COUNTRY: ScopeReport(COUNTRY, None)}
    rows: dict[str, int] = {}
    try:
        for dataset in DATASETS:
            rows[dataset.name] = _write_dataset(dataset, ctx, folder, scopes, progress)
        rows["ballots"] = _write_ballots(ctx, folder, scopes)
        manifest_scopes = {}
        for code, report in scopes.items():
            scope_folder = folder / code
            scope_folder.mkdir(exist_ok=True)
            package = _datapackage(report, ctx, now, scope_folder)
            (scope_folder / "datapackage.json").write_bytes(orjson.dumps(package, option=orjson.OPT_INDENT_2))
            manifest_scopes[code] = {
                "area_id": report.area_id, "datasets": report.datasets, "ballots": report.ballots,
            }
        manifest = {"built_at": _iso(now), "rows": rows, "scopes": manifest_scopes}
        (folder / MANIFEST).write_bytes(orjson.dumps(manifest))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _make_current(root, name)
    return BuildReport(folder=folder, built_at=now, rows=rows, scopes=len(scopes), seconds=time.monotonic() - started)


def _make_current(root: Path, name: str) -> None:
    previous = current_build()
    pointer = root / f".{CURRENT}.tmp"
    pointer.write_text(name, encoding="utf-8")
    os.replace(pointer, root / CURRENT)
    keep = {name, previous.name if previous is not None else None}
    for old in root.glob("build-*"):
        if old.name not in keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
