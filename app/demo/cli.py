"""`flask demo load`: load the Thai demo (idempotent)."""
from __future__ import annotations

import importlib

import click
from flask.cli import with_appcontext

from app.demo import models as _models  # noqa: F401  (the demo_objects table)
from app.extensions import db

demo_cli = click.Group("demo", help="The Thai demo data.")

# Domain loaders run in this order after the base accounts; each is idempotent.
DOMAIN_LOADERS: list[str] = ["app.plans.demo", "app.ideas.demo", "app.engagement.demo", "app.proposals.demo", "app.cycles.demo"]


@demo_cli.command("load")
@with_appcontext
def load_command() -> None:
    """Create the demo province, local governments, accounts and content."""
    from app.demo import base

    accounts = base.load()
    for module_name in DOMAIN_LOADERS:
        importlib.import_module(module_name).load()
    db.session.commit()
    click.echo("Demo accounts (password for all: %s):" % base.DEMO_PASSWORD)
    for acc in accounts:
        role = acc.role.value if acc.role else "resident (verified)"
        click.echo(f"  {acc.email:<32} {role:<20} {acc.name}")
