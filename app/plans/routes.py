"""Plan pages: public tree views, and the officials' forms and uploads."""
from __future__ import annotations

from flask import Blueprint

from app.plans import models  # noqa: F401  (register the tables)

bp = Blueprint("plans", __name__, template_folder="templates")
