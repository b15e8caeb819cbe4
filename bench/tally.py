"""Benchmark the tally rules against pabutools on one .pb file.

    python bench/tally.py FILE.pb [--skip-pabutools-add1] [--skip-pabutools] [--repeat N]

Runs our greedy, MES and MES + add1, and pabutools' greedy_utilitarian_welfare
and method_of_equal_shares (cost utilities for approval ballots; points, or
Borda over the ballot's positions, otherwise), the latter also with
voter_budget_increment=1 for add1. Each rule runs in a fresh process so that
its peak memory (resident set) is its own; times exclude reading the file,
which is timed apart. Prints each time (wall clock and CPU), the ratios, the
peak memory and whether the winners agree. pabutools' add1 starts at budget /
voters (not its floor) and stops at the first exhaustive outcome; where it
differs from ours the script replays its procedure with our engine and says
where it stopped.

pabutools (GPL-3.0) is a development dependency; only this script and the
tests import it, never the app.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OURS = ("ours-greedy", "ours-mes", "ours-add1")
THEIRS = ("pabutools-greedy", "pabutools-mes", "pabutools-add1")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _ours(task: str, path: str, repeat: int) -> dict:
    from app.tally.mes import EqualShares
    from app.tally.pb import read_pb
    from app.tally.profile import build_profile
    from app.tally.rules import equal_shares, greedy

    (election, read_wall, read_cpu) = _timed(lambda: read_pb(path))
    profile, profile_wall, profile_cpu = _timed(lambda: build_profile(election))
    rule = {
        "ours-greedy": lambda: greedy(profile),
        "ours-mes": lambda: equal_shares(profile, "none"),
        "ours-add1": lambda: equal_shares(profile, "add1"),
    }[task]
    best = None
    for _ in range(repeat):
        outcome, wall, cpu = _timed(rule)
        if best is None or wall < best[1]:
            best = (outcome, wall, cpu)
    outcome, wall, cpu = best
    result = {
        "wall": wall,
        "cpu": cpu,
        "read_wall": read_wall + profile_wall,
        "read_cpu": read_cpu + profile_cpu,
        "selected": list(outcome.selected),
        "details": {k: str(v) for k, v in outcome.details.items()},
        "voters": profile.num_voters,
        "distinct_ballots": profile.num_groups,
        "projects": profile.num_projects,
    }
    if task == "ours-add1":
        result["pabutools_style"] = _pabutools_style_add1(EqualShares(profile))
    result["peak_mb"] = _peak_mb()
    return result


def _pabutools_style_add1(engine) -> dict:
    """pabutools' voter_budget_increment=1 procedure, replayed with our engine.

    Start at budget / voters; add 1 per run; stop at an outcome that is
    exhaustive (no other supported project fits what is left), or before
    one that does not fit the budget.
    """
    profile = engine.profile
    costs = profile.costs
    step = profile.money_scale
    budget = Fraction(profile.budget, profile.num_voters)
    current = engine.run(budget)
    while True:
        spent = sum(costs[c] for c in current.selected)
        chosen = set(current.selected)
        if all(c in chosen or spent + costs[c] > profile.budget for c in engine.candidates):
            reason = "exhaustive"
            break
        following = engine.run(budget + step)
        if sum(costs[c] for c in following.selected) > profile.budget:
            reason = "next run over budget"
            break
        budget, current = budget + step, following
    return {
        "selected": [profile.project_ids[c] for c in current.selected],
        "voter_budget": float(budget / step),
        "stopped_because": reason,
    }


def _theirs(task: str, path: str) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pabutools.election import (
            AbstractApprovalProfile,
            AbstractOrdinalProfile,
            Additive_Cardinal_Sat,
            AdditiveSatisfaction,
            Cost_Sat,
        )
        from pabutools.election.pabulib import parse_pabulib
        from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
        from pabutools.tiebreaking import TieBreakingRule

    (instance, profile), read_wall, read_cpu = _timed(lambda: parse_pabulib(path))
    approval = isinstance(profile, AbstractApprovalProfile)
    ordinal = isinstance(profile, AbstractOrdinalProfile)

    def borda(inst, prof, ballot, project, pre):
        return len(ballot) - ballot.index(project) if project in ballot else 0

    def score_times_cost(inst, prof, ballot, project, pre):
        score = borda(inst, prof, ballot, project, pre) if ordinal else ballot.get(project, 0)
        return score * project.cost

    class Borda(AdditiveSatisfaction):
        def __init__(self, inst, prof, ballot):
            AdditiveSatisfaction.__init__(self, inst, prof, ballot, borda)

    class ScoreTimesCost(AdditiveSatisfaction):
        def __init__(self, inst, prof, ballot):
            AdditiveSatisfaction.__init__(self, inst, prof, ballot, score_times_cost)

    mes_sat = Cost_Sat if approval else (Borda if ordinal else Additive_Cardinal_Sat)
    greedy_sat = Cost_Sat if approval else ScoreTimesCost
    # Our tie-breaking: lower cost, then more supporters, then project id.
    supporters = {p: 0 for p in instance}
    for ballot in profile:
        for p in ballot:
            if approval or ordinal or ballot[p] > 0:
                supporters[p] += 1
    mes_ties = TieBreakingRule(lambda inst, prof, p: (p.cost, -supporters[p], p.name))
    greedy_ties = TieBreakingRule(lambda inst, prof, p: (p.cost, p.name))
    rule = {
        "pabutools-greedy": lambda: greedy_utilitarian_welfare(instance, profile, sat_class=greedy_sat, tie_breaking=greedy_ties),
        "pabutools-mes": lambda: method_of_equal_shares(instance, profile, sat_class=mes_sat, tie_breaking=mes_ties),
        "pabutools-add1": lambda: method_of_equal_shares(
            instance, profile, sat_class=mes_sat, tie_breaking=mes_ties, voter_budget_increment=1
        ),
    }[task]
    outcome, wall, cpu = _timed(rule)
    return {
        "wall": wall,
        "cpu": cpu,
        "read_wall": read_wall,
        "read_cpu": read_cpu,
        "selected": [p.name for p in outcome],
        "peak_mb": _peak_mb(),
    }


def _child(task: str, path: str, repeat: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), path, "--task", task, "--repeat", str(repeat)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{task} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(name: str, r: dict) -> str:
    return f"{name:18} {r['wall']:10.3f} s {r['cpu']:10.3f} s {r['peak_mb']:10.0f} MB   ({len(r['selected'])} selected)"


def _why(agrees: bool, stopped_because: str) -> str:
    if not agrees:
        return "unexplained, look into it"
    if stopped_because == "exhaustive":
        return "they differ only because pabutools stopped at the first exhaustive outcome"
    return "they differ only because pabutools starts at budget / voters, not at its whole-number floor"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", metavar="FILE.pb")
    parser.add_argument("--skip-pabutools-add1", action="store_true", help="skip pabutools' MES + add1 (minutes on large files)")
    parser.add_argument("--skip-pabutools", action="store_true", help="run only our rules")
    parser.add_argument("--repeat", type=int, default=1, help="run each of our rules N times and keep the fastest")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        result = _ours(args.task, args.path, args.repeat) if args.task in OURS else _theirs(args.task, args.path)
        print(json.dumps(result))
        return

    results = {task: _child(task, args.path, args.repeat) for task in OURS}
    theirs = [] if args.skip_pabutools else [t for t in THEIRS if not (t == "pabutools-add1" and args.skip_pabutools_add1)]
    for task in theirs:
        results[task] = _child(task, args.path, 1)

    info = results["ours-mes"]
    print(f"{Path(args.path).name}: {info['voters']:,} voters, {info['distinct_ballots']:,} distinct ballots, {info['projects']} projects")
    print(f"reading the file: ours {info['read_wall']:.3f} s wall, {info['read_cpu']:.3f} s CPU (with grouping the ballots)", end="")
    if "pabutools-mes" in results:
        theirs_read = results["pabutools-mes"]
        print(f"; pabutools {theirs_read['read_wall']:.3f} s wall, {theirs_read['read_cpu']:.3f} s CPU")
    else:
        print()
    print(f"{'rule':18} {'wall':>12} {'CPU':>12} {'peak memory':>13}")
    for task in (*OURS, *theirs):
        print(_row(task, results[task]))
    add1 = results["ours-add1"]["details"]
    print(f"our add1: voter budget {add1['start_voter_budget']} -> {add1['voter_budget']} "
          f"({add1['increments']} increments, {add1['runs']} MES runs)")
    for ours, pabutools in zip(OURS, THEIRS):
        if pabutools not in results:
            continue
        a, b = results[ours], results[pabutools]
        ratio = b["wall"] / a["wall"] if a["wall"] else float("inf")
        print(f"{ours[5:]:7} pabutools / ours: time x{ratio:,.0f}, memory x{b['peak_mb'] / a['peak_mb']:,.1f}", end="; ")
        if ours == "ours-greedy":
            same = set(a["selected"]) == set(b["selected"])
        else:
            same = a["selected"] == b["selected"] if ours == "ours-mes" else set(a["selected"]) == set(b["selected"])
        print("same winners" if same else "DIFFERENT winners")
        if ours == "ours-add1" and not same:
            replay = a["pabutools_style"]
            agrees = set(replay["selected"]) == set(b["selected"])
            print(f"        pabutools' procedure replayed with our engine stops at voter budget "
                  f"{replay['voter_budget']:,.2f} ({replay['stopped_because']}) with "
                  f"{'the same' if agrees else 'OTHER'} winners as pabutools: "
                  + _why(agrees, replay["stopped_because"]))


if __name__ == "__main__":
    main()
