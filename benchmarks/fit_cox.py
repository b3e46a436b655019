"""Fit the benchmark frame with ratify.fit_cox (whole process, for farm-bench): python benchmarks/fit_cox.py FRAME.csv"""

import sys

import pandas as pd

from ratify.models import fit_cox

frame = pd.read_csv(sys.argv[1])
covariates = [c for c in frame.columns if c not in ("ccode", "mtdsg_no", "start", "stop", "event")]
fit = fit_cox(frame, covariates, cluster="ccode", ties="efron")
print(fit.result.terms[["term", "estimate", "std_error"]].to_string(index=False))
