"""`flask --app wsgi cycles close-due`: close the vote of every cycle whose voting has ended (hourly from cron)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db

cycles_cli = click.Group("cycles", help="Budgeting cycles: closing the vote.")


@cycles_cli.command("close-due")
@click.option("--vacuum-full", is_flag=True, help="On PostgreSQL, VACUUM FULL the ballot tables afterwards (locks them while it runs).")
@click.option("--no-vacuum", is_flag=True, help="Do not VACUUM the ballot tables afterwards.")
@with_appcontext
def close_due_command(vacuum_full: bool, no_vacuum: bool) -> None:
    """Destroy the voter-ballot links of every cycle whose voting has ended; running it again closes nothing more."""
    from app.cycles.closing import close_due, vacuum_ballots

    reports = close_due()
    db.session.commit()
    for report in reports:
        click.echo(f"cycle {report.cycle_id}: closed, {report.ballots} ballots rewritten, {report.links_destroyed} voter links destroyed")
    if reports and not no_vacuum and db.engine.dialect.name == "postgresql":
        if vacuum_ballots(full=vacuum_full):
            click.echo("ballot tables vacuumed" + (" (full)" if vacuum_full else ""))
        else:
            click.echo("ballot tables busy: not vacuumed now (autovacuum or the next run will)")
    click.echo(f"closed: {len(reports)}")
