"""`flask areas load`: load or update the area registry."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db

areas_cli = click.Group("areas", help="The province and local-government registry.")


@areas_cli.command("load")
@with_appcontext
def load_command() -> None:
    """Load or update provinces, districts, subdistricts and the 7,850 local governments."""
    from app.areas.services import load_registry

    totals = {"provinces": 77, "local_governments": 7850}
    bars: dict[str, object] = {}

    def progress(stage: str, n: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = click.progressbar(length=totals.get(stage, 0), label=stage.replace("_", " ").ljust(18))
            bar.__enter__()
            bars[stage] = bar
        bar.update(n)

    report = load_registry(progress)
    for bar in bars.values():
        bar.__exit__(None, None, None)
    db.session.commit()
    click.echo(
        f"provinces {report.provinces}, districts {report.districts}, subdistricts {report.subdistricts}, "
        f"local governments {report.local_governments} (created {report.created}, updated {report.updated})"
    )
    click.echo(
        f"subdistricts covered by no local government: {report.uncovered_subdistricts}; "
        f"local governments covering no subdistrict: {report.lgs_without_subdistricts} "
        "(an administrator sets them on /admin/areas/<code>/subdistricts)"
    )
