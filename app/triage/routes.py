"""Triage pages."""
from __future__ import annotations

from flask import Blueprint

from app.triage import models  # noqa: F401  (register the tables)

bp = Blueprint("triage", __name__, template_folder="templates")
