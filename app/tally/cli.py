"""The `tally` command: count a `.pb` file with a rule and show why each project won or lost.

Registered on the Flask app (`flask --app wsgi tally FILE.pb --rule mes`)
and runnable alone (`python -m app.tally FILE.pb --rule mes`). A file that
cannot be read, or a rule that cannot apply, gives one line on stderr and
exit status 1.
"""
from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import click

from app.tally.outcome import Explanation, TallyError
from app.tally.pb import PbFormatError, read_pb
from app.tally.rules import COMPLETIONS, RULES, tally

__all__ = ["tally_command", "describe"]


@click.command("tally")
@click.argument("path", metavar="FILE.pb", type=click.Path())
@click.option("--rule", type=click.Choice(RULES), required=True, help="The rule to count with.")
@click.option(
    "--completion",
    type=click.Choice(COMPLETIONS),
    default=None,
    help="MES only: how to use the money MES leaves (default add1).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def tally_command(path: str, rule: str, completion: str | None, as_json: bool) -> None:
    """Count FILE.pb (pabulib format) with RULE; print the selected projects and why."""
    try:
        election = read_pb(path)
        outcome = tally(election, rule, completion)
    except (PbFormatError, TallyError) as error:
        raise click.ClickException(f"{path}: {error}") from None
    except OSError as error:
        raise click.ClickException(f"{path}: {error.strerror or error}") from None
    if as_json:
        click.echo(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"rule: {outcome.rule}" + (f" (completion {outcome.completion})" if outcome.completion else ""))
    click.echo(f"selected: {' '.join(outcome.selected) if outcome.selected else '(none)'}")
    click.echo(f"cost: {_amount(outcome.cost)} of {_amount(outcome.budget)}")
    for key, value in outcome.details.items():
        click.echo(f"{key.replace('_', ' ')}: {_amount(value)}")
    for project_id, explanation in outcome.explanations.items():
        mark = "+" if project_id in outcome.selected else "-"
        click.echo(f"{mark} {project_id}: {describe(explanation)}")


def describe(explanation: Explanation) -> str:
    """An explanation in plain English (the web app words them itself, in Thai or English)."""
    v = {key: _amount(value) for key, value in explanation.values.items()}
    code = explanation.code
    texts = {
        "selected": "selected with score {score}; {remaining} left after it",
        "did_not_fit": "score {score}, but its cost {cost} did not fit the remaining {remaining}",
        "not_reached": "not considered: counting stopped at {stopped_at}, which did not fit",
        "below_threshold": "score {score} is below the threshold {threshold}",
        "free": "costs nothing and has {votes} supporters",
        "mes_selected": "selected in round {round}: {full_payers} supporters paid their share"
        + (" of {share}" if "share" in v else " ({price_per_point} per point)")
        + ", {exhausted_payers} paid all they had left ({exhausted_paid})",
        "mes_unaffordable": "its {votes} supporters had {supporters_money} left, less than its cost {cost}",
        "no_supporters": "nobody voted for it",
        "completion_selected": "added by the greedy completion; {remaining} left after it",
        "completion_did_not_fit": "greedy completion: its cost {cost} did not fit the remaining {remaining}",
    }
    template = texts.get(code)
    return template.format(**v) if template else f"{code} {v}"


def _amount(value: object) -> str:
    if isinstance(value, (int, Decimal, Fraction, float)) and not isinstance(value, bool):
        if value == int(value):
            return f"{int(value):,}"
        return f"{float(value):,.2f}"
    return str(value)

