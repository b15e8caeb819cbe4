"""`flask --app wsgi opendata build | publish | statistics`: the open-data files, the CKAN push, the figures."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from app.extensions import db

opendata_cli = click.Group("opendata", help="Open data: build the files, publish them to CKAN, refresh the statistics.")


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
@opendata_cli.command("publish")
@click.option("--ckan", "url", required=True, help="Base URL of the CKAN site, e.g. https://catalog.example.go.th")
@click.option("--organization", required=True, help="Name (slug) of the CKAN organization that owns the datasets.")
@click.option("--area", "areas", multiple=True, help="Publish only these scopes (TH for the country, or area codes); repeatable.")
@with_appcontext
def publish_command(url: str, organization: str, areas: tuple[str, ...]) -> None:
    """Create or update one CKAN dataset per open dataset and scope, with its CSV and JSON files.

    The API token is read from the CKAN_API_TOKEN environment variable, never from the command line.
    """
    from app.opendata.publish import PublishError, publish

    token = os.environ.get("CKAN_API_TOKEN", "").strip()
    if not token:
        raise click.UsageError("Set CKAN_API_TOKEN to an API token of a CKAN user who may edit the organization.")
    try:
        report = publish(url, organization, token, scopes=areas or None, echo=click.echo)
    except PublishError as error:
        db.session.commit()  # the audit entry of what went out before the error
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created {report.created}, updated {report.updated} datasets; "
               f"{report.resources_created} files added, {report.resources_updated} replaced, {report.resources_unchanged} unchanged")
