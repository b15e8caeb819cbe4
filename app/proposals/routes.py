"""Proposal pages."""
from __future__ import annotations

from flask import Blueprint

from app.proposals import models  # noqa: F401  (register the tables)

bp = Blueprint("proposals", __name__, template_folder="templates")
