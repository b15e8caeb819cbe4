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
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Any, Optional

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


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Files:
    """The CSV and JSON file of one dataset in one scope's folder."""

    def __init__(self, folder: Path, dataset: Dataset) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.csv_path = folder / f"{dataset.name}.csv"
        self.json_path = folder / f"{dataset.name}.json"
        # utf-8-sig writes the BOM that Excel needs to read Thai.
        self._csv_file: IO[str] = open(self.csv_path, "w", encoding="utf-8-sig", newline="")
        self._json_file: IO[str] = open(self.json_path, "w", encoding="utf-8", newline="\n")
        self._csv = csv.writer(self._csv_file, lineterminator="\r\n")
        self._csv.writerow([f.name for f in dataset.fields])
        self._names = [f.name for f in dataset.fields]
        self._json_file.write("[")
        self.rows = 0
        self.first_at: Optional[datetime] = None

    def write(self, csv_row: list, json_text: str) -> None:
        self._csv.writerow(csv_row)
        self._json_file.write(",\n" if self.rows else "\n")
        self._json_file.write(json_text)
        self.rows += 1

    def close(self) -> None:
        self._json_file.write("\n]\n" if self.rows else "]\n")
        self._csv_file.close()
        self._json_file.close()


@dataclass
class ScopeReport:
    code: str
    area_id: Optional[int]
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    ballots: list[dict[str, Any]] = field(default_factory=list)
    first_at: Optional[datetime] = None


@dataclass
class BuildReport:
    folder: Path
    built_at: datetime
    rows: dict[str, int]
    scopes: int
    seconds: float = 0.0


def _first_datetime(values: tuple, fields) -> Optional[datetime]:
    for f, v in zip(fields, values):
        if f.name == "created_at" and isinstance(v, datetime):
            return v
    return None


def _write_dataset(dataset: Dataset, ctx: Context, build: Path, scopes: dict[str, ScopeReport],
                   progress: Optional[Progress]) -> int:
    total = dataset.count(ctx)
    country = _Files(build / COUNTRY, dataset)
    area_files: Optional[_Files] = None
    area_id: Optional[int] = None
    done = 0
    pending = 0
    created_index = next((i for i, f in enumerate(dataset.fields) if f.name == "created_at"), None)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    names = [f.name for f in dataset.fields]

    def close_area() -> None:
        if area_files is not None and area_id is not None:
            area_files.close()
            report = scopes.setdefault(ctx.areas[area_id].code, ScopeReport(ctx.areas[area_id].code, area_id))
            report.datasets[dataset.name] = _file_report(area_files)
            if area_files.first_at is not None and (report.first_at is None or area_files.first_at < report.first_at):
                report.first_at = area_files.first_at

    for row_area, values in dataset.rows(ctx):
        if row_area != area_id:
            close_area()
            area_id = row_area
            area_files = _Files(build / ctx.areas[row_area].code, dataset)
        csv_row = [_csv_value(v) for v in values]
        json_text = dumps(dict(zip(names, [_json_value(v) for v in values])))
        country.write(csv_row, json_text)
        area_files.write(csv_row, json_text)
        if created_index is not None:
            created = values[created_index]
            if area_files.first_at is None or created < area_files.first_at:
                area_files.first_at = created
            if country.first_at is None or created < country.first_at:
                country.first_at = created
        done += 1
        pending += 1
        if progress is not None and pending >= 5000:
            progress(dataset.name, pending, total)
            pending = 0
    close_area()
    country.close()
    report = scopes[COUNTRY]
    report.datasets[dataset.name] = _file_report(country)
    if country.first_at is not None and (report.first_at is None or country.first_at < report.first_at):
        report.first_at = country.first_at
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
        catalog[dataset.name] = gdc.metadata(
            dataset, area, scope_code=report.code, built_at=built_at, first_at=report.first_at, base_url=ctx.base_url)
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
            (scope_folder / "datapackage.json").write_text(
                json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
            manifest_scopes[code] = {
                "area_id": report.area_id, "datasets": report.datasets, "ballots": report.ballots,
            }
        manifest = {"built_at": _iso(now), "rows": rows, "scopes": manifest_scopes}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
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
