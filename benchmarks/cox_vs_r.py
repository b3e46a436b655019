"""Time our Cox helper against R's coxph on the same ~725,000-row country-treaty-year frame.

The frame is real: every COW state x MTDSG treaty adopted 1946-2015 (UNTC 2015
scrape), clock = years since adoption, event = first consent, 10 country-year
covariates from the panel verbs, complete cases, clustered by country, Efron ties.
Both programs read the same CSV; each time covers the fit and the robust variance.

Usage: python benchmarks/cox_vs_r.py [--rows N] [--csv PATH] [--engine auto|newton|phreg]
(needs Rscript with survival; ``auto`` is what the book uses, ``phreg`` the statsmodels engine)

It prints both fit times measured inside each program, and the frame it wrote, so the
whole processes (start-up and CSV reading included) can also be timed side by side:
    farm-bench -n 5 --timeout 600 -- .venv/bin/python benchmarks/fit_cox.py PATH --vs 'Rscript benchmarks/fit_coxph.R PATH'
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ratify.models import fit_cox
from ratify.panels import (add_capabilities, add_democracy, add_gdp_per_capita, add_ideal_point, add_igo_count,
                           add_legal_origin, add_population, state_years)
from ratify.risksets import treaty_risk_set
from ratify.sources import read_untc_index, read_untc_participants

COVARIATES = ["polity2", "xconst", "bmr_democracy", "ln_gdppc", "ln_population", "cinc", "igo_full",
              "ideal_point", "agree_usa", "common_law"]

R_SCRIPT = """
suppressMessages(library(survival))
d <- read.csv("{csv}")
t <- system.time(f <- coxph(Surv(start, stop, event) ~ {rhs}, data = d, ties = "efron", cluster = ccode))
cat(sprintf("%.4f\\n", t[["elapsed"]]))
cat(sprintf("%.12g\\n", coef(f)))
"""


def build_frame(target_rows: int) -> pd.DataFrame:
    index = read_untc_index()
    treaties = index[index.has_participants & index.adoption_date.dt.year.between(1946, 2015)]
    parts = read_untc_participants(treaties.mtdsg_no.tolist())
    rs = treaty_risk_set(state_years("cow", 1946, 2015), treaties, parts, end=2015)
    rs = (rs.pipe(add_democracy, "polity2").pipe(add_democracy, "xconst").pipe(add_democracy, "bmr")
          .pipe(add_gdp_per_capita).pipe(add_population).pipe(add_capabilities).pipe(add_igo_count)
          .pipe(add_ideal_point).pipe(add_legal_origin))
    frame = rs[["ccode", "mtdsg_no", "start", "stop", "event", *COVARIATES]].dropna()
    frame = frame.astype({"common_law": float})
    # the first treaties in MTDSG order until the frame reaches the target size
    order = frame.groupby("mtdsg_no", sort=False).size()
    keep = order.index[order.cumsum() <= target_rows]
    return frame[frame.mtdsg_no.isin(keep)].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=725_000)
    parser.add_argument("--csv", type=Path, default=None, help="keep the frame here (default: a temporary file)")
    parser.add_argument("--engine", default="auto", choices=["auto", "newton", "phreg"], help="fit_cox engine")
    args = parser.parse_args()
    frame = build_frame(args.rows)
    print(f"frame: {len(frame):,} rows, {frame.mtdsg_no.nunique()} treaties, {frame.ccode.nunique()} states, "
          f"{int(frame.event.sum()):,} events, {len(COVARIATES)} covariates, clustered by ccode")
    with tempfile.TemporaryDirectory() as tmp:
        csv = args.csv or Path(tmp) / "frame.csv"
        frame.to_csv(csv, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.format(csv=csv, rhs=" + ".join(COVARIATES)))
        out = subprocess.run(["Rscript", "--vanilla", str(script)], capture_output=True, text=True, check=True)
        r_seconds, *r_coef = [float(x) for x in out.stdout.split()]
    t0 = time.perf_counter()
    fit = fit_cox(frame, COVARIATES, cluster="ccode", ties="efron", engine=args.engine)
    ours = time.perf_counter() - t0
    worst = float(np.max(np.abs(fit.params - np.array(r_coef)) / np.abs(np.array(r_coef))))
    print(f"R coxph:       {r_seconds:7.2f} s")
    print(f"ratify fit_cox: {ours:7.2f} s   engine: {fit.result.specification['engine']}")
    print(f"ratio (ours / R): {ours / r_seconds:.2f}   largest relative coefficient difference: {worst:.1e}")


if __name__ == "__main__":
    main()
