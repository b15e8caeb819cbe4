"""Publishing the open datasets to a CKAN catalog (an agency's CKAN, which GD Catalog harvests).

One CKAN dataset per open dataset and scope (`ruamkhit-th-ideas`, `ruamkhit-50-ideas`, ...), with
the GD Catalog fields of ckanext-thai_gdc at the top level (as ckanext-scheming stores them) and
two resources, the CSV and the JSON file, uploaded with `resource_create` / `resource_update`.

Idempotent: a dataset that exists is updated (`package_update`, keeping its resources), a file
whose SHA-256 the catalog already has is not sent again, and a second run creates nothing. Every
dataset's required metadata is checked before the first call, so a missing maintainer email
stops the run with nothing sent.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from app.opendata import gdc
from app.opendata.build import current_build, read_manifest
from app.opendata.datasets import DATASETS

USER_AGENT = "ruamkhit-opendata/1 (+ckanapi)"


class PublishError(Exception):
    """The publish run cannot go on; the message says why (in English: it is an operator's command)."""


@dataclass
class PublishReport:
    created: int = 0
    updated: int = 0
    resources_created: int = 0
    resources_updated: int = 0
    resources_unchanged: int = 0


@dataclass(frozen=True)
class _Item:
    scope: str
    dataset: str
    meta: dict[str, Any]
    files: list[tuple[str, Path]]  # (format, path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _items(scopes: Optional[Iterable[str]]) -> list[_Item]:
    manifest = read_manifest()
    folder = current_build()
    if manifest is None or folder is None:
        raise PublishError("No open-data build yet: run `flask --app wsgi opendata build` first.")
    wanted = set(scopes) if scopes else None
    if wanted:
        unknown = sorted(wanted - set(manifest["scopes"]))
        if unknown:
            raise PublishError(f"No open data for: {', '.join(unknown)} (scopes are TH or area codes with data).")
    items: list[_Item] = []
    for code in sorted(manifest["scopes"]):
        if wanted is not None and code not in wanted:
            continue
        package = json.loads((folder / code / "datapackage.json").read_text(encoding="utf-8"))
        for dataset in DATASETS:
            files = manifest["scopes"][code]["datasets"].get(dataset.name)
            meta = package["gdc_catalog"].get(dataset.name)
            if files is None or meta is None:
                continue
            items.append(_Item(code, dataset.name, meta, [
                ("CSV", folder / code / files["csv"]), ("JSON", folder / code / files["json"])]))
    return items


def package_dict(meta: dict[str, Any], organization: str) -> dict[str, Any]:
    """The CKAN package: the standard fields, and every GD Catalog field at the top level."""
    out = {key: value for key, value in meta.items() if key != "tags"}
    out.update({
        "owner_org": organization,
        "tags": [{"name": tag} for tag in meta["tags"]],
        "allow_harvest": "True",  # ckanext-thai_gdc: let GD Catalog list the dataset
    })
    return out


def publish(url: str, organization: str, token: str, *, scopes: Optional[Iterable[str]] = None,
            echo: Callable[[str], None] = lambda message: None, session=None) -> PublishReport:
    import ckanapi

    items = _items(scopes)
    problems = [f"{i.scope}/{i.dataset}: {', '.join(gdc.missing_fields(i.meta))}" for i in items if gdc.missing_fields(i.meta)]
    if problems:
        raise PublishError(
            "GD Catalog requires these fields, which are empty (set OPENDATA_MAINTAINER and "
            "OPENDATA_MAINTAINER_EMAIL, then build again): " + "; ".join(problems))
    report = PublishReport()
    with ckanapi.RemoteCKAN(url, apikey=token, user_agent=USER_AGENT, session=session) as ckan:
        try:
            ckan.action.organization_show(id=organization)
        except ckanapi.NotFound:
            raise PublishError(f"The catalog has no organization {organization!r}.") from None
        except ckanapi.NotAuthorized:
            raise PublishError("The catalog refused the API token (CKAN_API_TOKEN).") from None
        except ckanapi.CKANAPIError as error:
            raise PublishError(f"The catalog at {url} did not answer as CKAN does: {error}") from None
        try:
            for item in items:
                try:
                    _publish_one(ckan, item, organization, report, echo)
                except ckanapi.ValidationError as error:
                    raise PublishError(f"{item.meta['name']}: the catalog refused the metadata: {error}") from None
                except ckanapi.NotAuthorized:
                    raise PublishError(f"{item.meta['name']}: the token may not edit datasets of {organization!r}.") from None
        except PublishError as error:
            if report.created or report.updated:  # some datasets went out before the error: say which
                _audit(url, organization, report, str(error))
            raise
    _audit(url, organization, report, None)
    return report


def _audit(url: str, organization: str, report: PublishReport, error: Optional[str]) -> None:
    """What went to the catalog, in the audit log (the caller commits): publishing is run from the
    command line, so the entry has no person; it names the catalog, never the token."""
    from app.audit.services import record

    details: dict[str, Any] = {
        "catalog": url, "organization": organization, "created": report.created, "updated": report.updated,
        "files_added": report.resources_created, "files_replaced": report.resources_updated,
    }
    if error:
        details["error"] = error[:500]
    record(None, "opendata.publish", details=details)


def _publish_one(ckan, item: _Item, organization: str, report: PublishReport, echo) -> None:
    import ckanapi

    data = package_dict(item.meta, organization)
    try:
        existing = ckan.action.package_show(id=data["name"])
    except ckanapi.NotFound:
        existing = None
    if existing is None:
        package = ckan.action.package_create(**data)
        report.created += 1
        echo(f"created {data['name']}")
    else:
        # package_update replaces the whole dataset: pass its resources back so that they stay.
        package = ckan.action.package_update(id=existing["id"], resources=existing.get("resources", []), **data)
        report.updated += 1
        echo(f"updated {data['name']}")
    by_name = {r.get("name"): r for r in package.get("resources", [])}
    for fmt, path in item.files:
        name = path.name
        digest = _sha256(path)
        fields = {"name": name, "format": fmt, "hash": digest,
                  "mimetype": "text/csv" if fmt == "CSV" else "application/json",
                  "description": f"{item.meta['title']} ({fmt})"}
        current = by_name.get(name)
        if current is not None and current.get("hash") == digest:
            report.resources_unchanged += 1
            continue
        with open(path, "rb") as handle:
            if current is None:
                ckan.call_action("resource_create", {"package_id": package["id"], **fields}, files={"upload": handle})
                report.resources_created += 1
            else:
                ckan.call_action("resource_update", {"id": current["id"], **fields}, files={"upload": handle})
                report.resources_updated += 1
