"""The cost of each proportionality check, and their figures on every shared pabulib file.

    .venv/bin/python bench/proportionality.py [--data DIR] [--cost-file FILE.pb] [--ilp-seconds S] [--skip-lp]

Part 1 times each check on one large file (default: Warszawa 2026, 61,668
voters, 51,202 distinct ballots, 83 projects) for the greedy and the
equal-shares (add1) outcome: the EJR search, the EJR integer program
(HiGHS), the equal-shares price system and its check, the priceability LP
(HiGHS) and the satisfaction figures. Part 2 prints, for every .pb file in
the folder, what `outcome_checks` (the page's checks) says of the greedy
and the equal-shares outcome. Wall-clock seconds on this machine.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.tally.ejr import check_ejr_up_to_one  # noqa: E402
from app.tally.pb import read_pb  # noqa: E402
from app.tally.priceability import check_price_system, is_priceable  # noqa: E402
from app.tally.profile import build_profile  # noqa: E402
from app.tally.proportionality import mes_system_of, outcome_checks, satisfaction  # noqa: E402
from app.tally.rules import equal_shares, greedy  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "pabulib"


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    print(f"  {label:<44} {time.perf_counter() - start:8.3f} s")
    return value


def cost_of_checks(path: Path, skip_lp: bool, ilp_seconds: float) -> None:
    print(f"== Cost of each check on {path.name}")
    election = timed("read the file", lambda: read_pb(path))
    profile = timed("group the ballots (profile)", lambda: build_profile(election))
    print(f"  {profile.num_voters:,} voters, {profile.num_groups:,} distinct ballots, {profile.num_projects} projects")
    outcomes = {
        "greedy": timed("tally: greedy", lambda: greedy(election)),
        "equal shares (add1)": timed("tally: equal shares with add1", lambda: equal_shares(election, "add1")),
    }
    for name, outcome in outcomes.items():
        print(f" -- {name}: {len(outcome.selected)} projects funded")
        search = timed("EJR up to one: search of cohesive sets", lambda: check_ejr_up_to_one(profile, outcome.selected, max_violations=10_000))
        print(f"     satisfied={search.satisfied}, {search.sets_examined:,} sets examined, {len(search.violations)} violating sets"
              + (f", smallest: {search.smallest.projects} ({search.smallest.group_size} voters, {search.smallest.needed} needed)" if search.smallest else ""))
        if ilp_seconds > 0:
            ilp = timed(f"EJR up to one: integer program (HiGHS, {ilp_seconds:.0f} s max)",
                        lambda: check_ejr_up_to_one(profile, outcome.selected, method="ilp", time_limit=ilp_seconds))
            print(f"     satisfied={ilp.satisfied}" + (f", smallest: {ilp.smallest.projects}" if ilp.smallest
                                                           else " (not decided in time)" if ilp.satisfied is None else ""))
        system = mes_system_of(profile, outcome)
        if system is not None:
            error = timed("price system of the equal-shares run, checked", lambda: check_price_system(profile, mes_system_of(profile, outcome)))
            print(f"     largest violation of C2/C3/C5: {error / profile.money_scale:.3g} (currency units)")
        if not skip_lp:
            lp = timed("priceability LP (HiGHS, 300 s max)", lambda: is_priceable(profile, outcome.selected, time_limit=300))
            print(f"     priceable={lp.priceable}")
        timed("satisfaction figures", lambda: satisfaction(profile, outcome.selected))
        timed("outcome_checks (what the results page runs)", lambda: outcome_checks(profile, outcome))


def figures(folder: Path) -> None:
    print(f"== The checks on every file in {folder}")
    print(f"{'file':<58} {'rule':<13} {'funded':>6} {'with1':>6} {'cost%':>6} {'EJR-1':<26} {'priceable':<10} {'s':>6}")
    for path in sorted(folder.glob("*.pb")):
        election = read_pb(path)
        profile = build_profile(election)
        for name, outcome in (("greedy", greedy(election)), ("mes/add1", equal_shares(election, "add1"))):
            start = time.perf_counter()
            checks = outcome_checks(profile, outcome)
            seconds = time.perf_counter() - start
            sat = checks["satisfaction"]
            if not checks["applicable"]:
                ejr, priced = "n/a (not approval)", "n/a"
            else:
                e = checks["ejr"]
                if e["satisfied"]:
                    ejr = "holds"
                elif e["satisfied"] is None:
                    ejr = f"undecided (|T|<={e['complete_up_to']})"
                else:
                    v = e["violations"][0]
                    ejr = f"FAILS {'+'.join(v['projects'])[:10]}: {v['group_size']}/{v['needed']}"
                p = checks["priceable"]
                priced = {True: "yes", False: "no", None: "not run"}[p["priceable"]] + (f" ({p['method']})" if p["method"] != "lp" else "")
            print(f"{path.name[:58]:<58} {name:<13} {len(outcome.selected):>6} {100 * sat['voters_with_funded']:>5.1f}% "
                  f"{100 * sat['avg_cost_share']:>5.1f}% {ejr:<26} {priced:<10} {seconds:>6.2f}")
    print("with1: voters with a funded project; cost%: average share of a voter's voted-for cost funded;"
          " EJR-1 FAILS T: group size / voters needed for the smallest violation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cost-file", type=Path, default=None)
    parser.add_argument("--ilp-seconds", type=float, default=120.0, help="HiGHS time limit for the EJR integer program on the large file (0: skip)")
    parser.add_argument("--skip-lp", action="store_true", help="skip the priceability LP on the large file (about 2 minutes)")
    args = parser.parse_args()
    cost_of_checks(args.cost_file or args.data / "Poland_Warszawa_2026.pb", args.skip_lp, args.ilp_seconds)
    figures(args.data)


if __name__ == "__main__":
    main()
