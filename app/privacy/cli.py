"""`flask --app wsgi privacy purge`: run every retention rule (daily from cron)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.core.timeutil import utcnow
from app.extensions import db

privacy_cli = click.Group("privacy", help="Personal data: retention rules.")


@privacy_cli.command("purge")
@with_appcontext
def purge_command() -> None:
    """Run every retention rule and print what each removed; running it again removes nothing more."""
    from flask_babel import force_locale

    from app.privacy.retention import describe, run_all

    with force_locale("en"):
        results = run_all(utcnow())
        db.session.commit()
        for rule, count in results:
            click.echo(f"{rule.key}: {count} ({describe(rule)})")
        click.echo(f"total: {sum(count for _, count in results)}")
