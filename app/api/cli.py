"""`flask --app wsgi api keys create|list|revoke`: the administrators' handling of API keys."""
from __future__ import annotations

import click

from app.api import keys
from app.api.models import ApiKey
from app.extensions import db

api_cli = click.Group("api", help="The open JSON API.")
keys_cli = click.Group("keys", help="API keys: a higher rate limit for one holder.")
api_cli.add_command(keys_cli)


@keys_cli.command("create")
@click.argument("name")
def create_command(name: str) -> None:
    """Make a key for NAME (who holds it and what for); the key is printed once and never stored."""
    try:
        key, raw = keys.create_key(None, name)
    except keys.ApiKeyError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Key {key.id} for {key.name}:")
    click.echo(raw)
    click.echo("Give it to its holder now: only its hash is kept. They send it in the X-API-Key header.")


@keys_cli.command("list")
def list_command() -> None:
    """Every key: its number, first characters, holder and whether it is revoked."""
    rows = keys.list_keys()
    if not rows:
        click.echo("No API keys.")
    for key in rows:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M} UTC" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{key.prefix}…\t{state}\t{key.name}")


@keys_cli.command("revoke")
@click.argument("key_id", type=click.IntRange(1, 2**31 - 1))
def revoke_command(key_id: int) -> None:
    """Revoke key KEY_ID at once: requests with it are refused (401)."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.ClickException(f"No API key {key_id}.")
    try:
        keys.revoke_key(None, key)
    except keys.ApiKeyError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Key {key.id} ({key.name}) is revoked.")
