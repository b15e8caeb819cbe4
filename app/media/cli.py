"""`flask media cleanup`: remove uploaded photos that nothing refers to (run it from cron)."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

media_cli = click.Group("media", help="Uploaded photos.")


@media_cli.command("cleanup")
@click.option("--hours", type=click.IntRange(min=25), default=48, show_default=True,
              help="Keep unreferenced photos younger than this (a form may still use them).")
@click.option("--dry-run", is_flag=True, help="List what would be removed, remove nothing.")
@with_appcontext
def cleanup_command(hours: int, dry_run: bool) -> None:
    """Remove photos uploaded for forms that were never sent (e.g. an idea preview never confirmed)."""
    from app.media.cleanup import remove_orphans

    removed = remove_orphans(timedelta(hours=hours), dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(f"{verb} {len(removed)} unreferenced photo(s)")
    for name in removed:
        click.echo(f"  {name}")
