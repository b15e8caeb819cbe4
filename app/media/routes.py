"""Serving stored images: /media/<name>, with their own content type and nosniff."""
from __future__ import annotations

from flask import Blueprint, abort, send_file

from app.media.storage import CONTENT_TYPES, image_path

bp = Blueprint("media", __name__)


@bp.get("/media/<name>")
def serve(name: str):
    path = image_path(name)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=CONTENT_TYPES[path.suffix], max_age=7 * 24 * 3600, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    # A random name never changes content: browsers and proxies may keep it.
    response.cache_control.immutable = True
    return response
