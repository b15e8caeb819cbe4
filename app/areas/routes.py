"""Public pages of the area registry: /provinces, /p/<code>, /lg/<code>."""
from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, render_template, request

from app.areas import services
from app.areas.search import names_lg_type
from app.core.locale import current_locale

bp = Blueprint("areas", __name__, template_folder="templates")


@bp.get("/provinces")
def list_provinces():
    q = request.args.get("q", "").strip()[:100]
    locale = current_locale()
    provinces = services.list_provinces(q or None, locale)
    # A search that names a kind of local government ("อบต.ช้างเผือก") or matches no province
    # ("ช้างเผือก") lists the local governments it finds anywhere.
    lgs = services.search_local_governments(q, locale) if q and (not provinces or names_lg_type(q)) else []
    return render_template("areas/provinces.html", provinces=provinces, q=q, lgs=lgs, lg_limit=services.LG_SEARCH_LIMIT)


@bp.get("/p/<code>")
def show_province(code: str):
    province = services.get_province(code)
    if province is None:
        abort(404)
    q = request.args.get("q", "").strip()[:100]
    lgs = services.local_governments_of(province, q or None, current_locale())
    groups = [(lg_type, list(items)) for lg_type, items in groupby(lgs, key=lambda a: a.lg_type)]
    return render_template(
        "areas/province.html", province=province, groups=groups, q=q, total=len(lgs),
        area_sections=area_sections(province),
    )


@bp.get("/lg/<code>")
def show_local_government(code: str):
    lg = services.get_local_government(code)
    if lg is None:
        abort(404)
    from flask_login import current_user

    from app.permissions import can_manage_areas

    return render_template(
        "areas/local_government.html", lg=lg, subdistricts=services.subdistricts_of(lg),
        area_sections=area_sections(lg),
        can_edit_subdistricts=can_manage_areas(current_user) and not services.covers_whole_province(lg),
    )


@bp.app_context_processor
def area_labels():
    from app.areas.labels import LG_TYPE_LABEL_ONE, LG_TYPE_LABELS

    return {"lg_type_labels": LG_TYPE_LABELS, "lg_type_label_one": LG_TYPE_LABEL_ONE}


def area_sections(area) -> list[tuple[str, dict]]:
    """Sections other domains add to an area's page (ideas, proposals, cycles...).

    A domain registers a provider, a callable(area) -> (template name, context)
    or None, by appending it to app.extensions["ruamkhit_area_sections"].
    """
    from flask import current_app

    sections = []
    for provider in current_app.extensions.get("ruamkhit_area_sections", []):
        section = provider(area)
        if section is not None:
            sections.append(section)
    return sections
