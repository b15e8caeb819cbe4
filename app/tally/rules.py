"""The rules the app offers, by name, with their completions and explanations.

`tally(election, rule, completion)` is the one entry point the web app
needs; `greedy` and `equal_shares` are the same rules called directly.
Rule names: `greedy`, `greedy-no-skip`, `greedy-threshold` and `mes`.
MES completions: `none` (budget / voters for each voter, what is left stays
unspent), `greedy` (then greedy by votes on what is left), `add1` (see
`app.tally.mes`) and `add1+greedy` (add1, then greedy on what is left).
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from app.tally.greedy import GREEDY_VARIANTS, greedy_fill, run_greedy
from app.tally.mes import EqualShares, MesRun
from app.tally.outcome import Explanation, Outcome, TallyError
from app.tally.pb import Election, parse_decimal
from app.tally.profile import Profile, build_profile

__all__ = [
    "COMPLETIONS",
    "RULES",
    "add1_search",
    "equal_shares",
    "greedy",
    "rule_from_meta",
    "tally",
]

RULES = (*GREEDY_VARIANTS, "mes")
COMPLETIONS = ("add1", "greedy", "add1+greedy", "none")


def greedy(election: Election | Profile, variant: str = "greedy", threshold: Decimal | int | str | None = None) -> Outcome:
    """Greedy by votes; greedy-threshold reads META `min_project_score_threshold` unless given."""
    profile = election if isinstance(election, Profile) else build_profile(election)
    if variant == "greedy-threshold" and threshold is None:
        if not isinstance(election, Election) or "min_project_score_threshold" not in election.meta:
            raise TallyError("greedy-threshold needs a threshold: META min_project_score_threshold is missing")
        threshold = election.meta["min_project_score_threshold"]
    value = parse_decimal(str(threshold)) if threshold is not None else None
    return run_greedy(profile, variant, value if variant == "greedy-threshold" else None)


def equal_shares(election: Election | Profile, completion: str = "add1") -> Outcome:
    """The Method of Equal Shares with a completion (see the module docstring)."""
    if completion not in COMPLETIONS:
        raise TallyError(f"unknown completion {completion!r} (expected one of {', '.join(COMPLETIONS)})")
    profile = election if isinstance(election, Profile) else build_profile(election)
    engine = EqualShares(profile)
    details: dict[str, Decimal | int | str] = {}
    if profile.num_voters == 0:
        run = MesRun(Fraction(0), [], [], 0)
    elif completion.startswith("add1"):
        final_budget, runs, start = add1_search(engine)
        run = engine.run(final_budget, record=True)
        details = {
            "voter_budget": profile.money(int(final_budget)),
            "start_voter_budget": profile.money(int(start)),
            "increments": int((final_budget - start) / profile.money_scale),
            "runs": runs,
        }
    else:
        run = engine.run(Fraction(profile.budget, profile.num_voters), record=True)
        details = {"voter_budget": _money(profile, Fraction(profile.budget, profile.num_voters))}
    explanations = _mes_explanations(profile, engine, run)
    selected = run.selected
    details["rounds"] = len(run.rounds)
    details["mes_cost"] = profile.money(sum(profile.costs[c] for c in selected))
    if completion in ("greedy", "add1+greedy"):
        added, completion_explanations = greedy_fill(profile, selected)
        selected = selected + added
        for pid, e in completion_explanations.items():
            before = explanations.get(pid)
            if e.code == "completion_did_not_fit" and before is not None and before.code == "mes_unaffordable":
                # Keep why equal shares passed it over beside why the completion did.
                e = Explanation(e.code, {**before.values, **e.values})
            completion_explanations[pid] = e
        explanations.update(completion_explanations)
    return Outcome(
        rule="mes",
        completion=completion,
        selected=tuple(profile.project_ids[c] for c in selected),
        cost=profile.money(sum(profile.costs[c] for c in selected)),
        budget=profile.money(profile.budget),
        explanations={pid: explanations[pid] for pid in profile.project_ids},
        details=details,
    )


def add1_search(engine: EqualShares) -> tuple[Fraction, int, Fraction]:
    """The add1 budget per voter (scaled), the number of MES runs made, and the start.

    Equal to the plain definition: start at floor(budget / voters) whole
    currency units, add one unit while the next run's outcome still fits
    the budget. Runs proven to give the current outcome are skipped (see
    `app.tally.mes`).
    """
    profile = engine.profile
    step = profile.money_scale
    start = Fraction((profile.budget // (profile.num_voters * step)) * step)
    limit = profile.budget
    # From this budget per voter on, every voter can pay for everything
    # alone, so every candidate is selected and nothing changes any more.
    # (When every candidate fits the budget, the plain loop would never end:
    # its outcome is then the one at the first step past this point.)
    saturation = sum(profile.costs[c] for c in engine.candidates)
    last = start + max(0, -((start - saturation) // step)) * step
    current = engine.run(start, limit=limit)
    runs = 1
    budget = start
    # Jumps are tried once two single steps in a row were certified (the
    # outcome seems to be on a plateau), and grow while they succeed; on
    # elections whose outcome changes every few steps they would only cost.
    streak = 0
    jump = 2
    while budget < saturation:
        if streak >= 2:
            target = min(budget + jump * step, last)
            trial = engine.run(target, limit=limit, reference=current, certify_only=True)
            runs += 1
            if trial.certified:
                budget, current = target, trial
                jump *= 2
                continue
            streak, jump = 0, 2
        following = engine.run(budget + step, limit=limit, reference=current)
        runs += 1
        if following.exceeded or following.cost > limit:
            break
        budget, current = budget + step, following
        streak = streak + 1 if following.certified else 0
    return budget, runs, start


def _money(profile: Profile, amount: Fraction) -> Decimal:
    return Decimal(amount.numerator) / Decimal(amount.denominator) / profile.money_scale


def _mes_explanations(profile: Profile, engine: EqualShares, run: MesRun) -> dict[str, Explanation]:
    explanations: dict[str, Explanation] = {}
    scale = profile.money_scale
    for c in run.free:
        explanations[profile.project_ids[c]] = Explanation("free", {"votes": profile.votes[c]})
    for number, chosen in enumerate(run.rounds, start=1):
        c = chosen.project
        price = chosen.exact if chosen.exact is not None else chosen.rho
        values: dict[str, Decimal | Fraction | float | int | str] = {
            "round": number,
            "votes": profile.votes[c],
            "full_payers": chosen.full_payers,
            "exhausted_payers": chosen.exhausted_payers,
            "exhausted_paid": chosen.exhausted_paid / scale,
        }
        if profile.kind == "approval":
            values["share"] = float(price) * profile.costs[c] / scale
        else:
            values["price_per_point"] = float(price) * profile.point_scale / scale
        explanations[profile.project_ids[c]] = Explanation("mes_selected", values)
    # What the budget itself had left when equal shares stopped (the voters' shares
    # together may exceed the budget after add1 raised them).
    budget_left = profile.money(profile.budget - sum(profile.costs[c] for c in run.selected))
    for c, money in run.money_left.items():
        explanations[profile.project_ids[c]] = Explanation(
            "mes_unaffordable",
            {"votes": profile.votes[c], "supporters_money": money / scale, "cost": profile.money(profile.costs[c]),
             "budget_left": budget_left},
        )
    for c in range(profile.num_projects):
        project_id = profile.project_ids[c]
        if project_id not in explanations:
            explanations[project_id] = Explanation("no_supporters", {"cost": profile.money(profile.costs[c])})
    return explanations


def tally(
    election: Election,
    rule: str,
    completion: str | None = None,
    *,
    threshold: Decimal | int | str | None = None,
) -> Outcome:
    """Apply `rule` (greedy, greedy-no-skip, greedy-threshold, mes) to an election.

    `completion` applies to mes only (default add1); `threshold` to
    greedy-threshold only (default: META min_project_score_threshold).
    """
    if rule in GREEDY_VARIANTS:
        if completion not in (None, "none"):
            raise TallyError(f"rule {rule} takes no completion (got {completion!r})")
        return greedy(election, rule, threshold)
    if rule == "mes":
        return equal_shares(election, completion or "add1")
    raise TallyError(f"unknown rule {rule!r} (expected one of {', '.join(RULES)})")


def rule_from_meta(meta: dict[str, str]) -> tuple[str, str | None] | None:
    """The (rule, completion) that a file's META `rule` names, if this module has it."""
    name = meta.get("rule", "").strip().lower()
    if name in GREEDY_VARIANTS:
        return name, None
    if name == "equalshares":
        return "mes", "none"
    if name.startswith("equalshares/") and name.removeprefix("equalshares/") in COMPLETIONS:
        return "mes", name.removeprefix("equalshares/")
    return None
