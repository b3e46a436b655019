"""Inverse-probability-of-treatment weights, and the weighted linear model that uses them.

* **Propensity.** A logit of the 0/1 treatment on the covariates and a polynomial in calendar
  time (centred on the sample's mean year, per decade, so the powers stay well scaled),
  fitted by statsmodels ``Logit`` (Newton, to 1e-10).
* **Stabilised weights** (Robins, Hernán and Brumback 2000; Cole and Hernán 2008): P(T = 1)/e(x)
  for treated rows and P(T = 0)/(1 − e(x)) for untreated ones, so the weights average about
  one and the weighted sample keeps its size.
* **Trimming.** Propensities are truncated to [trim, 1 − trim] before weighting (Lee, Lessler
  and Stuart 2011), which bounds any single row's weight; no row is dropped.
* **The outcome model** is :func:`ratify.models.linear.fit_linear` with these weights (WLS), so
  its clustered SEs follow the book's one convention. They treat the weights as known, as
  R's ``lm(weights = )`` with ``sandwich::vcovCL`` does; they do not carry the propensity
  model's own sampling error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from .frames import complete
from .linear import RegressionFit, fit_linear


def ipw_weights(frame: pd.DataFrame, treatment: str, covariates: list[str], *, outcome: str | None = None,
                time: str = "year", time_degree: int = 3, trim: float = 0.01) -> pd.DataFrame:
    """The complete rows (treatment, covariates, time and ``outcome`` if given) with ``pscore`` (the
    truncated propensity) and ``ipw`` (the stabilised weight); the propensity model is in ``attrs["ipw"]``."""
    if not 0 <= trim < 0.5:
        raise ValueError(f"trim={trim}; use a share in [0, 0.5), e.g. 0.01 to truncate to [0.01, 0.99]")
    used = complete(frame, list(dict.fromkeys([*([outcome] if outcome else []), treatment, *covariates, time])))
    if not used[treatment].isin([0, 1]).all():
        raise ValueError(f"{treatment!r} must be 0/1; found {sorted(used[treatment].unique())[:5]}")
    used["t_decades"] = (used[time] - used[time].mean()) / 10
    powers = ["t_decades", *(f"I(t_decades**{p})" for p in range(2, time_degree + 1))][:time_degree]
    formula = f"{treatment} ~ {' + '.join([*covariates, *powers])}"
    logit = smf.logit(formula, data=used).fit(method="newton", maxiter=200, tol=1e-10, disp=False)
    raw = logit.predict(used)
    score = raw.clip(trim, 1 - trim)
    share = used[treatment].mean()
    used["pscore"] = score
    used["ipw"] = np.where(used[treatment] == 1, share / score, (1 - share) / (1 - score))
    used = used.drop(columns="t_decades")
    centre = f"({time} - {used[time].mean():.4f}) / 10"
    used.attrs = {**frame.attrs, "ipw": {"formula": formula, "t_decades": centre, "trim": trim, "stabilised": True,
                                         "truncated": int((raw != score).sum()), "treated_share": float(share)}}
    return used


def fit_ipw_linear(frame: pd.DataFrame, outcome: str, terms: list[str], *, treatment: str,
                   covariates: list[str], fixed_effects: Sequence[str] = ("year",), cluster: str = "ccode",
                   time_degree: int = 3, trim: float = 0.01, keep: Sequence[str] = (), name: str = "ipw",
                   label: str | None = None,
                   sources: list[str] | None = None) -> tuple[RegressionFit, pd.DataFrame]:
    """Propensity weights (:func:`ipw_weights`) and the weighted linear model of ``outcome`` on ``terms``;
    returns the fit (its specification names the propensity model) and the weighted rows."""
    weighted = ipw_weights(frame, treatment, covariates, outcome=outcome, time_degree=time_degree, trim=trim)
    fit = fit_linear(weighted, outcome, terms, fixed_effects=fixed_effects, cluster=cluster, weights="ipw",
                     keep=keep, name=name, label=label, sources=sources)
    fit.result.specification["propensity"] = weighted.attrs["ipw"]
    return fit, weighted
