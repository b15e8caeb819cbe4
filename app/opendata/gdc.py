"""GD Catalog metadata: the fields Thailand's government data catalog asks of every dataset.

The names and allowed values are those of the CKAN extension ckanext-thai_gdc (the DGA/NSO/BDI
minimum metadata), so that an agency's CKAN running it accepts the package as we send it and
GD Catalog harvests it. Required for every data type: data_type, title, maintainer,
maintainer_email, tags, notes (description), objective, update_frequency_unit (with its
interval), geo_coverage, data_source, data_format, data_category, license_id. We also fill the
optional fields that apply: data_language, url, created_date, last_updated_date, accessible_condition,
data_collect and data_support for record data; first_year_of_data, last_year_of_data,
unit_of_measure, unit_of_multiplier, calculation_method, disaggregate for statistical data.

The values come from the area (its name, kind and so its geographic coverage) and from the
settings (OPENDATA_MAINTAINER, OPENDATA_MAINTAINER_EMAIL, falling back to the data controller's
name and email of the privacy notice).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from flask import current_app

from app.areas.models import Area, LGType
from app.core.formatting import buddhist_year

# Allowed values, as ckanext-thai_gdc spells them.
DATA_TYPE_RECORD = "ข้อมูลระเบียน"
DATA_TYPE_STATISTICS = "ข้อมูลสถิติ"
OBJECTIVE_SERVICE = "เพื่อการให้บริการประชาชน"
OBJECTIVE_MISSION = "พันธกิจหน่วยงาน"
GEO_COUNTRY, GEO_PROVINCE, GEO_LOCAL = "ประเทศ", "จังหวัด", "เทศบาล/อบต."
CATEGORY_PUBLIC = "ข้อมูลสาธารณะ"
LICENSE = "Open Data Common"
FREQUENCY_UNIT_DAY = "วัน"
DATA_FORMATS = ("CSV", "JSON")

REQUIRED_FIELDS = (
    "data_type", "title", "name", "maintainer", "maintainer_email", "tags", "notes", "objective",
    "update_frequency_unit", "update_frequency_interval", "geo_coverage", "data_source", "data_format",
    "data_category", "license_id",
)


def geo_coverage(area: Optional[Area]) -> str:
    """ประเทศ for the country, จังหวัด for a province or its อบจ. (whose territory is the province),
    เทศบาล/อบต. for every other local government."""
    if area is None:
        return GEO_COUNTRY
    if area.is_province or area.lg_type in (LGType.PROVINCIAL_ADMIN_ORG, None):
        return GEO_PROVINCE
    return GEO_LOCAL


def maintainer() -> tuple[str, str]:
    config = current_app.config
    name = config.get("OPENDATA_MAINTAINER") or config.get("CONTROLLER_NAME") or "ร่วมคิด (Ruamkhit)"
    email = config.get("OPENDATA_MAINTAINER_EMAIL") or config.get("CONTROLLER_EMAIL") or ""
    return name, email


def package_name(scope_code: str, dataset_name: str) -> str:
    """The CKAN package name: lowercase letters, digits, - and _, 2 to 100 characters."""
    return f"ruamkhit-{scope_code.lower()}-{dataset_name.replace('_', '-')}"


def metadata(dataset, area: Optional[Area], *, scope_code: str, built_at: datetime, first_at: Optional[datetime],
             base_url: str) -> dict[str, Any]:
    """The GD Catalog fields of one dataset of one scope (the whole country when `area` is None)."""
    from flask_babel import force_locale

    with force_locale("th"):
        title_th = str(dataset.title)
        notes_th = str(dataset.description)
    where_th = area.name_th if area is not None else "ทั้งประเทศ"
    name, email = maintainer()
    statistical = dataset.statistical
    out: dict[str, Any] = {
        "data_type": DATA_TYPE_STATISTICS if statistical else DATA_TYPE_RECORD,
        "title": f"{title_th} ({where_th})",
        "name": package_name(scope_code, dataset.name),
        "maintainer": name,
        "maintainer_email": email,
        "tags": list(dataset.keywords) + ([area.name_th] if area is not None else []),
        "notes": notes_th,
        "objective": [OBJECTIVE_SERVICE, OBJECTIVE_MISSION],
        "update_frequency_unit": FREQUENCY_UNIT_DAY,
        "update_frequency_interval": "1",
        "geo_coverage": geo_coverage(area),
        "data_source": f"ร่วมคิด (Ruamkhit) {base_url}" + (f" — {area.name_th}" if area is not None else ""),
        "data_format": list(DATA_FORMATS),
        "data_category": CATEGORY_PUBLIC,
        "license_id": LICENSE,
        # Optional fields that apply.
        "data_language": ["ไทย"],
        "url": f"{base_url}/open-data" + (f"/{area.code}" if area is not None else ""),
        "last_updated_date": built_at.date().isoformat(),
        "accessible_condition": "ดาวน์โหลดได้โดยไม่ต้องลงทะเบียน ไม่มีข้อมูลส่วนบุคคล",
    }
    if first_at is not None:
        out["created_date"] = first_at.date().isoformat()
    if statistical:
        out.update({
            "first_year_of_data": str(buddhist_year((first_at or built_at).year)),
            "last_year_of_data": str(buddhist_year(built_at.year)),
            "unit_of_measure": "เรื่อง / วัน" if dataset.name == "response_times" else "คะแนนเสียง",
            "unit_of_multiplier": "หน่วย",
            "calculation_method": notes_th,
            "disaggregate": ["ขอบเขตเชิงภูมิศาสตร์หรือเชิงพื้นที่"],
        })
    else:
        out.update({"data_collect": "ไม่มี", "data_support": "ไม่มี"})
    return out


def missing_fields(meta: dict[str, Any]) -> list[str]:
    """Required GD Catalog fields that are empty (the publish command refuses to send those)."""
    return [key for key in REQUIRED_FIELDS if not meta.get(key)]
