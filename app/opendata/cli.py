"""`flask --app wsgi opendata build | publish | statistics`: the open-data files, the CKAN push, the figures."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db

opendata_cli = click.Group("opendata", help="Open data: build the files, refresh the statistics.")


@opendata_cli.command("build")
@with_appcontext
def build_command() -> None:
    """Write every dataset (CSV and JSON, datapackage.json) for the country and each area with data."""
    from app.opendata.build import build
    from app.opendata.datasets import DATASETS

    bars: dict[str, object] = {}

    def progress(name: str, n: int, total: int) -> None:
        bar = bars.get(name)
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=name.ljust(15))
            bar.__enter__()
            bars[name] = bar
        bar.update(n)

    width = max(len(d.name) for d in DATASETS)
    report = build(progress)
    for bar in bars.values():
        bar.__exit__(None, None, None)
    for name, rows in report.rows.items():
        click.echo(f"{name.ljust(width)}  {rows:>10,} rows" if name != "ballots" else f"{name.ljust(width)}  {rows:>10,} .pb files")
    click.echo(f"{report.scopes:,} packages (the country and each area with data) in {report.folder} in {report.seconds:.1f} s")


@opendata_cli.command("statistics")
@with_appcontext
def statistics_command() -> None:
    """Recompute the statistics of the country and every area (the hourly job does the same)."""
    from app.opendata.statistics import refresh_statistics

    report = refresh_statistics()
    db.session.commit()
    click.echo(f"statistics of {report.scopes:,} scopes refreshed in {report.seconds:.1f} s")
