"""Chapter 4's three UN Cox models, statsmodels PHReg engine against the Newton engine, in one run.

The models are built as ``book/chapters/04-soft-balancing/02-table2.md`` builds them:
``soft_balancing.un_frame`` of the book's design, then ``soft_balancing.fit_table2`` for the
samples all / us / no_us (Breslow ties, clustered by country). The study calls
``ratify.models.fit_cox``; this script routes that call to one engine at a time (``using``) and
times each fit, covariance and residuals included (the frame is built, or read from the cache,
before the clock starts). It also checks the two engines agree.

A multiverse universe differs from the default in one or two choices, so it can start Newton from
the default universe's estimates: the warm-start part fits two neighbouring universes (the
intervention window of the ``window-1`` variant; Efron ties) cold and warm.

The last part times the two UN treaty universes (``treaty_universe``: ``mtdsg``, the book's, and
``mtdsg+ieadb``) side by side: reading the candidate treaties and actions, building the risk set
and adding the covariates (``build_un_frame``, not the cache), and fitting the three UN models.
``--universes`` runs only that part.

Usage: python benchmarks/cox_chapter4.py [--repeat N] [--universes]
Set OPENBLAS_NUM_THREADS=1 to time one core (as one worker of a process pool would run).
"""

from __future__ import annotations

import argparse
import time
from contextlib import contextmanager
from functools import partial

import numpy as np

import ratify.models
from ratify.studies import soft_balancing as sb

SAMPLES = {"ls_un_all": "all", "ls_un_us": "us", "ls_un_no_us": "no_us"}
NEIGHBOURS = {"window-1": (dict(intervention_window=1), "breslow"), "efron": ({}, "efron")}


@contextmanager
def using(**options):
    """Make the study's ``fit_cox`` calls pass ``options`` (e.g. ``engine=``, ``init=``)."""
    original = ratify.models.fit_cox
    ratify.models.fit_cox = partial(original, **options)
    try:
        yield
    finally:
        ratify.models.fit_cox = original


def timed_fit(frame, sample: str, ties: str, repeat: int, **options):
    """Best-of-``repeat`` wall and CPU seconds of one Table 2 column, and the fit."""
    best_wall = best_cpu = np.inf
    for _ in range(repeat):
        with using(**options):
            wall, cpu = time.perf_counter(), time.process_time()
            fit = sb.fit_table2(frame, sample, name=sample, label=sample, ties=ties)
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, fit


def largest_difference(a, b) -> float:
    """Largest relative difference of coefficients and standard errors between two fits."""
    se_a, se_b = np.sqrt(np.diag(a.cov)), np.sqrt(np.diag(b.cov))
    return float(max(np.max(np.abs(a.params - b.params) / np.abs(b.params)), np.max(np.abs(se_a - se_b) / se_b)))


def universes(repeat: int) -> None:
    """Build and fit seconds of the UN sample under each treaty universe, side by side."""
    print("UN treaty universes: candidate treaties and actions (sb.un_inputs: parsed once, then from the derived "
          "cache), build (risk set + covariates) and the three UN fits (Newton, cold); wall seconds, best of "
          f"{repeat} for build and fits")
    rows = {}
    for universe in ("mtdsg", "mtdsg+ieadb"):
        design = sb.Design(treaty_universe=universe)
        wall = time.perf_counter()
        inputs = sb.un_inputs(sb.FIRST_YEAR, design.end_year, universe)
        read = time.perf_counter() - wall
        build = np.inf
        for _ in range(repeat):
            wall = time.perf_counter()
            frame = sb.build_un_frame(*inputs, design)
            build = min(build, time.perf_counter() - wall)
        fits = {name: timed_fit(frame, sample, "breslow", repeat, engine="newton")
                for name, sample in SAMPLES.items()}
        rows[universe] = {"treaties": frame.attrs["treaties"], "rows": len(frame), "inputs": read, "build": build,
                          **{name: f[0] for name, f in fits.items()}}
    names = list(rows)
    print(f"{'':24s} " + " ".join(f"{n:>12s}" for n in names) + f" {'ratio':>7s}")
    for key in ("treaties", "rows", "inputs", "build", *SAMPLES):
        a, b = (rows[n][key] for n in names)
        cells = [f"{v:12,d}" if isinstance(v, int) else f"{v:12.2f}" for v in (a, b)]
        print(f"{key + (' s' if key in ('inputs', 'build', *SAMPLES) else ''):24s} {' '.join(cells)} {b / a:7.2f}")
    totals = {n: rows[n]["build"] + sum(rows[n][m] for m in SAMPLES) for n in names}
    print(f"{'build + three fits s':24s} {totals[names[0]]:12.2f} {totals[names[1]]:12.2f} "
          f"{totals[names[1]] / totals[names[0]]:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fits per model and engine; the best time counts")
    parser.add_argument("--universes", action="store_true", help="only the treaty-universe comparison")
    args = parser.parse_args()
    if args.universes:
        universes(args.repeat)
        return
    un = sb.un_frame(sb.Design())  # the book's choices

    print("Chapter 4 UN models, default universe (Breslow ties, clustered by country); "
          f"best of {args.repeat}, wall / CPU seconds")
    print(f"{'model':12s} {'rows':>8s} {'covs':>4s} {'PHReg':>15s} {'Newton':>15s} {'ratio (CPU)':>11s} "
          f"{'steps':>5s} {'max rel diff':>12s}")
    totals = np.zeros(4)
    default_estimates = {}
    for name, sample in SAMPLES.items():
        old_wall, old_cpu, old = timed_fit(un, sample, "breslow", args.repeat, engine="phreg")
        new_wall, new_cpu, new = timed_fit(un, sample, "breslow", args.repeat, engine="newton")
        default_estimates[sample] = dict(zip(new.result.terms.term, new.params))
        totals += (old_wall, old_cpu, new_wall, new_cpu)
        print(f"{name:12s} {new.result.n:8,d} {len(new.params):4d} {old_wall:6.2f} / {old_cpu:6.2f} "
              f"{new_wall:6.2f} / {new_cpu:6.2f} {new_cpu / old_cpu:11.3f} "
              f"{new.result.specification['iterations']:5d} {largest_difference(new, old):12.1e}")
    print(f"{'three models':12s} {'':8s} {'':4s} {totals[0]:6.2f} / {totals[1]:6.2f} "
          f"{totals[2]:6.2f} / {totals[3]:6.2f} {totals[3] / totals[1]:11.3f}")
    print(f"ratio (Newton / PHReg): wall {totals[2] / totals[0]:.3f}, CPU {totals[3] / totals[1]:.3f}; "
          f"speed-up x{totals[1] / totals[3]:.1f} (CPU)")

    print("\nWarm start: neighbouring universes, Newton from zeros vs from the default universe's estimates")
    print(f"{'universe':9s} {'model':12s} {'cold CPU s':>10s} {'warm CPU s':>10s} {'steps':>9s} {'ratio':>6s} "
          f"{'max rel diff':>12s}")
    for universe, (changes, ties) in NEIGHBOURS.items():
        frame = sb.un_frame(sb.Design.from_changes(changes))
        cold_total = warm_total = 0.0
        for name, sample in SAMPLES.items():
            _, cold_cpu, cold = timed_fit(frame, sample, ties, args.repeat, engine="newton")
            _, warm_cpu, warm = timed_fit(frame, sample, ties, args.repeat, engine="newton",
                                          init=default_estimates[sample])
            cold_total, warm_total = cold_total + cold_cpu, warm_total + warm_cpu
            steps = f"{cold.result.specification['iterations']} -> {warm.result.specification['iterations']}"
            print(f"{universe:9s} {name:12s} {cold_cpu:10.2f} {warm_cpu:10.2f} {steps:>9s} "
                  f"{warm_cpu / cold_cpu:6.3f} {largest_difference(warm, cold):12.1e}")
        print(f"{universe:9s} {'three models':12s} {cold_total:10.2f} {warm_total:10.2f} {'':>9s} "
              f"{warm_total / cold_total:6.3f}")
    print()
    universes(args.repeat)


if __name__ == "__main__":
    main()
