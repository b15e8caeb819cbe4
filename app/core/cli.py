"""`flask translations extract|update|compile|check`: the Thai and English catalogues.

Each domain keeps its own catalogue in translations/<part>/ (so that domains
can be worked on side by side); "core" covers the factory, app/core and the
shared templates. Flask-Babel merges all of them at run time.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("th", "en")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "_n:1,2"]

translations_cli = click.Group("translations", help="Thai and English message catalogues.")


def parts() -> list[str]:
    return sorted(p.name for p in TRANSLATIONS.iterdir() if p.is_dir()) if TRANSLATIONS.is_dir() else []


def part_inputs(part: str) -> list[str]:
    app_dir = ROOT / "app"
    if part == "core":
        own = {p for p in parts() if p != "core"}
        inputs = [str(p) for p in sorted(app_dir.glob("*.py"))]
        inputs += [str(p) for p in sorted(app_dir.iterdir()) if p.is_dir() and p.name not in own and p.name != "__pycache__"]
        return inputs
    return [str(app_dir / part)]


def _babel(args: list[str]) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(part: str, output: Path) -> None:
    _babel(["extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "--sort-output",
            "-o", str(output), *part_inputs(part)])


@translations_cli.command("extract")
@click.argument("part", required=False)
def extract_command(part: str | None) -> None:
    """Extract messages and merge them into each catalogue (keeps existing translations)."""
    for name in [part] if part else parts():
        directory = TRANSLATIONS / name
        pot = directory / "messages.pot"
        extract(name, pot)
        for locale in LOCALES:
            po = directory / locale / "LC_MESSAGES" / "messages.po"
            if po.exists():
                _babel(["update", "-i", str(pot), "-d", str(directory), "-l", locale, "--no-fuzzy-matching", "--ignore-obsolete"])
            else:
                _babel(["init", "-i", str(pot), "-d", str(directory), "-l", locale])
        click.echo(f"{name}: extracted")


@translations_cli.command("compile")
def compile_command() -> None:
    """Compile every catalogue to .mo (run by make run and make test)."""
    for name in parts():
        if any((TRANSLATIONS / name).glob("*/LC_MESSAGES/messages.po")):
            _babel(["compile", "-d", str(TRANSLATIONS / name)])


def missing_translations(part: str, locale: str = "th") -> list[str]:
    """Messages used in the code that the catalogue does not translate."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(part, pot)
        with pot.open("rb") as fh:
            wanted = {m.id for m in read_po(fh) if m.id}
    po = TRANSLATIONS / part / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return sorted(str(w) for w in wanted)
    with po.open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for msgid in wanted:
        msg = catalog.get(msgid)
        if msg is None or msg.fuzzy or not (all(msg.string) if isinstance(msg.string, tuple) else msg.string):
            missing.append(msgid if isinstance(msgid, str) else msgid[0])
    return sorted(missing)


@translations_cli.command("check")
def check_command() -> None:
    """List messages without a Thai translation; exit 1 if there are any."""
    total = 0
    for name in parts():
        for msgid in missing_translations(name):
            click.echo(f"{name}: {msgid}")
            total += 1
    if total:
        click.echo(f"{total} messages lack a Thai translation")
        sys.exit(1)
    click.echo("All messages have a Thai translation.")
