"""Officials' and administrators' pages."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.permissions import require

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/")
@login_required
def dashboard():
    require(current_user.is_official)
    return render_template("admin/dashboard.html", roles=current_user.roles)
