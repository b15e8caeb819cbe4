"""Open-data pages and downloads (/open-data) and the public statistics pages (/statistics).

Everything here is public and read-only. The downloads are the files of the latest complete build,
served as static files; a request for a file or a dataset that does not exist gets a
problem+json 404 (RFC 9457) in the reader's language, as the API's errors are.
"""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.areas.models import Area
from app.core.locale import current_locale
from app.extensions import db
from app.opendata import build as builder
from app.opendata import pages
from app.opendata.datasets import DATASETS
from app.opendata.models import StatisticsSnapshot  # noqa: F401  (the model, for the migrations' check)
from app.opendata.statistics import COUNTRY, REFRESH_MINUTES, snapshot
from app.permissions import is_admin, require

bp = Blueprint("opendata", __name__, template_folder="templates")

DATA_FILE = re.compile(r"^(datapackage\.json|[a-z_]{1,40}\.(csv|json)|ballots-cycle[0-9]{1,9}-budget[0-9]{1,9}\.pb)$")
SCOPE = re.compile(r"^(TH|[0-9]{2}|[0-9]{7})$")
MIMETYPES = {"csv": "text/csv", "json": "application/json", "pb": "text/plain"}


@bp.record_once
def _setup(state) -> None:
    state.app.extensions.setdefault("ruamkhit_nav", []).extend([
        (_l("Statistics"), "opendata.statistics_country"),
        (_l("Open data"), "opendata.index"),
    ])


def problem(status: int, title: str, detail: str) -> Response:
    import json

    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/problem+json",
                    headers={"Content-Language": current_locale()})


@bp.app_template_filter("filesize")
def filesize(n: int) -> str:
    """1.2 MB, 35 kB, 512 B: sizes of the downloads."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _built_at(manifest):
    from datetime import datetime

    return datetime.fromisoformat(manifest["built_at"]) if manifest else None


def _area_or_404(code: str) -> Area:
    area = db.session.scalar(select(Area).where(Area.code == code)) if SCOPE.match(code) else None
    if area is None:
        abort(404)
    return area


def _area_names(codes) -> dict[str, Area]:
    codes = [c for c in codes if c != COUNTRY]
    if not codes:
        return {}
    return {a.code: a for a in db.session.scalars(select(Area).where(Area.code.in_(codes)))}


# --- open data -------------------------------------------------------------------------------


@bp.get("/open-data")
def index():
    manifest = builder.read_manifest()
    scopes = manifest["scopes"] if manifest else {}
    areas = _area_names(scopes)
    thai = current_locale() == "th"
    name = (lambda a: a.sort_th) if thai else (lambda a: a.name_en.casefold())
    provinces = sorted((a for a in areas.values() if a.is_province), key=name)
    local = sorted((a for a in areas.values() if not a.is_province), key=lambda a: (a.province_code, name(a)))
    return render_template(
        "opendata/index.html", manifest=manifest, built_at=_built_at(manifest), scope=scopes.get(COUNTRY), code=COUNTRY, area=None,
        datasets=DATASETS, provinces=provinces, local=local, can_build=is_admin(current_user),
    )


@bp.get("/open-data/<code>")
def area_data(code: str):
    if code == COUNTRY:
        return redirect(url_for(".index"))
    area = _area_or_404(code)
    manifest = builder.read_manifest()
    scope = manifest["scopes"].get(code) if manifest else None
    return render_template("opendata/area.html", manifest=manifest, built_at=_built_at(manifest), scope=scope, code=code, area=area,
                           datasets=DATASETS, can_build=False)


@bp.post("/open-data/build")
def request_build():
    require(is_admin(current_user))
    from app.opendata.jobs import enqueue_build

    job = enqueue_build(current_user)
    db.session.commit()
    flash(_("The open-data files are being built. This page shows the new files once the job is done."), "success")
    return redirect(url_for("jobs.progress", job_id=job.id))


@bp.get("/open-data/<code>/<path:filename>")
def download(code: str, filename: str):
    folder = builder.current_build()
    if not SCOPE.match(code) or not DATA_FILE.match(filename) or folder is None or not (folder / code / filename).is_file():
        return problem(404, _("Unknown dataset"), _(
            "There is no open-data file %(file)s for %(scope)s. The list of datasets is at %(url)s.",
            file=filename[:80], scope=code[:10], url=url_for(".index", _external=False)))
    extension = filename.rsplit(".", 1)[1]
    response = send_from_directory(folder / code, filename, mimetype=MIMETYPES[extension], max_age=3600,
                                   as_attachment=extension != "json" or filename != "datapackage.json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    if extension in ("csv", "pb"):
        response.mimetype = f"{MIMETYPES[extension]}"
        response.headers["Content-Type"] = f"{MIMETYPES[extension]}; charset=utf-8"
    return response


# --- statistics ------------------------------------------------------------------------------


def _statistics_page(code: str, area: Area | None):
    row = snapshot(code)
    data = row.data if row is not None else None
    province_ranking = None
    if area is not None and not area.is_province and area.parent is not None:
        parent = snapshot(area.parent.code)
        if parent is not None and parent.data.get("ranking") is not None:
            province_ranking = pages._ranking_rows(parent.data["ranking"][: pages.RANKING_SHOWN], current_locale())
    return render_template(
        "opendata/statistics.html", area=area, code=code,
        view=pages.view(data, current_locale()) if data is not None else None,
        province_ranking=province_ranking, refresh_minutes=REFRESH_MINUTES,
    )


@bp.get("/statistics")
def statistics_country():
    return _statistics_page(COUNTRY, None)


@bp.get("/statistics/<code>")
def statistics_area(code: str):
    if code == COUNTRY:
        return redirect(url_for(".statistics_country"))
    return _statistics_page(code, _area_or_404(code))


@bp.get("/statistics/<code>/<chart>.csv")
def statistics_csv(code: str, chart: str):
    row = snapshot(code) if SCOPE.match(code) else None
    if chart not in pages.CHARTS or row is None:
        return problem(404, _("Unknown dataset"), _(
            "There are no statistics %(chart)s for %(scope)s.", chart=chart[:40], scope=code[:10]))
    text = pages.chart_csv(row.data, chart, current_locale())
    return Response("\ufeff" + text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="ruamkhit_statistics_{code}_{chart}.csv"',
        "Content-Type": "text/csv; charset=utf-8", "Access-Control-Allow-Origin": "*",
    })
