"""`flask moderation digest`: email each moderator what is waiting in their areas (run it from cron)."""
from __future__ import annotations

from contextlib import nullcontext

import click
from flask.cli import with_appcontext

moderation_cli = click.Group("moderation", help="Moderation tasks.")


@moderation_cli.command("digest")
@click.option("--base-url", default=None,
              help="Public address of the site for the links in the emails; PUBLIC_BASE_URL by default.")
@click.option("--dry-run", is_flag=True, help="Print who would be emailed without sending anything.")
@with_appcontext
def digest_command(base_url: str | None, dry_run: bool) -> None:
    """Email each moderator a summary of the reported items waiting in their areas."""
    from app.core.urls import base_url_override, normalise_base_url
    from app.extensions import db
    from app.moderation.services import send_digests

    if base_url:
        try:
            base_url = normalise_base_url(base_url)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--base-url") from error
    with base_url_override(base_url) if base_url else nullcontext():
        sent = send_digests(dry_run=dry_run)
        db.session.commit()  # the email jobs go to the queue with this commit
    for user, count in sent:
        click.echo(f"{'would email' if dry_run else 'emailed'} {user.email}: {count} waiting")
    click.echo(f"{len(sent)} moderator(s) {'would be ' if dry_run else ''}emailed.")
