"""Idea pages."""
from __future__ import annotations

from flask import Blueprint

from app.ideas import models  # noqa: F401  (registers the models with the metadata)

bp = Blueprint("ideas", __name__, template_folder="templates")
