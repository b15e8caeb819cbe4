"""`flask moderation digest`: email each moderator what is waiting in their areas (run it from cron)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

moderation_cli = click.Group("moderation", help="Moderation tasks.")


@moderation_cli.command("digest")
@click.option("--base-url", envvar="RUAMKHIT_BASE_URL", default="http://127.0.0.1:5000", show_default=True,
              help="Public address of the site, for the links in the emails (or RUAMKHIT_BASE_URL; "
                   "SERVER_NAME, when configured, names the host).")
@click.option("--dry-run", is_flag=True, help="Print who would be emailed without sending anything.")
@with_appcontext
def digest_command(base_url: str, dry_run: bool) -> None:
    """Email each moderator a summary of the reported items waiting in their areas."""
    from app.moderation.services import send_digests

    with current_app.test_request_context("/", base_url=base_url):
        sent = send_digests(dry_run=dry_run)
    for user, count in sent:
        click.echo(f"{'would email' if dry_run else 'emailed'} {user.email}: {count} waiting")
    click.echo(f"{len(sent)} moderator(s) {'would be ' if dry_run else ''}emailed.")
