"""`flask users ...`: account administration from the shell."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.extensions import db

users_cli = click.Group("users", help="User accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="Administrator", show_default=True)
@with_appcontext
def create_admin_command(email: str, password: str, display_name: str) -> None:
    """Create the first national administrator (or make an existing account one)."""
    from app.accounts import services

    # No request here to choose a language from: the shell speaks English.
    with force_locale("en"):
        try:
            user = services.create_admin(email, password, display_name)
        except services.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Administrator {user.email} (id {user.id}) is ready.")
