"""Poisson regression with absorbed fixed effects and cluster-robust standard errors.

Fitted with pyfixest's ``fepois`` (the ppmlhdfe algorithm of Correia, Guimarães and Zylkin
2020: iteratively reweighted least squares with the fixed effects projected out), to an
IRLS tolerance of 1e-12 so the estimates agree with R's ``glm`` with dummies to ~1e-10.

* **Groups with no events.** A fixed-effect group whose outcome is zero in every row (a country
  that never joins an IGO) has a fixed effect of minus infinity and adds nothing to the other
  coefficients. Its rows are dropped before fitting, repeatedly until no such group is left
  (as fixest and ppmlhdfe do), and the result says how many rows went.
* **Standard errors** follow the book's one convention (``ratify.models.linear``): CRV1 on the
  scores times G/(G−1)·(n−1)/(n−k), k counting every estimated parameter with the fixed
  effects. That is R's ``glm(family = poisson)`` with dummies and ``sandwich::vcovCL(type =
  "HC1")``. Coefficients are log incidence-rate ratios; the table adds their exponentials.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .frames import KEYS, complete, formula_columns
from .linear import (RegressionFit, clustered_specification, demeaner, estimates, fixed_effects_label,
                     fixest_formula, quietly_collinear, ssc)
from .results import ModelResult, frame_provenance, terms_table

IRLS_TOL = 1e-12


def drop_all_zero_groups(frame: pd.DataFrame, outcome: str, fixed_effects: Sequence[str]) -> pd.DataFrame:
    """Rows left after removing, until none is left, every fixed-effect group whose outcome is all zero."""
    out = frame
    while True:
        empty = pd.Series(False, index=out.index)
        for fe in fixed_effects:
            empty |= out.groupby(fe)[outcome].transform("sum").eq(0)
        if not empty.any():
            return out
        out = out[~empty]


def fit_poisson(frame: pd.DataFrame, outcome: str, terms: list[str], *, fixed_effects: Sequence[str] = (),
                cluster: str = "ccode", report: list[str] | None = None, name: str = "poisson",
                label: str | None = None, sources: list[str] | None = None) -> RegressionFit:
    """Poisson regression of the count ``outcome`` on ``terms`` with the named fixed effects absorbed and
    standard errors clustered by ``cluster`` (see the module docstring for both conventions)."""
    import pyfixest as pf

    if not terms:
        raise ValueError(f"{name}: a Poisson model needs at least one term besides the fixed effects")
    fixed_effects = list(fixed_effects)
    columns = list(dict.fromkeys([outcome, *formula_columns(" + ".join(terms), frame), *fixed_effects, cluster]))
    listwise = complete(frame, columns)
    y = listwise[outcome]
    if (y < 0).any() or (y != np.round(y)).any():
        raise ValueError(f"{name}: {outcome!r} must be a count (non-negative integers); found "
                         f"{sorted(y[(y < 0) | (y != np.round(y))].unique())[:5]}")
    used = drop_all_zero_groups(listwise, outcome, fixed_effects)
    formula = fixest_formula(outcome, terms, fixed_effects)
    with quietly_collinear():
        fit = pf.fepois(formula, data=used[columns], vcov={"CRV1": cluster}, ssc=ssc(), fixef_rm="none",
                        iwls_tol=IRLS_TOL, iwls_maxiter=100, demeaner=demeaner())
    params, cov, shown = estimates(fit, report)
    n, k = int(fit._N), int(fit._df_k)
    if n != len(used):
        raise RuntimeError(f"{name}: pyfixest used {n} of {len(used)} rows; separated rows should have been "
                           "dropped before fitting")
    loglik = float(fit._loglik)
    result = ModelResult(
        name=name, label=label or name, model=f"Poisson, {fixed_effects_label(fixed_effects)}",
        terms=terms_table(shown, params[shown], np.sqrt(np.diag(cov.loc[shown, shown])), exponentiate=True),
        n=n, events=int(used[outcome].sum()), subjects=int(used[cluster].nunique()), loglik=loglik,
        aic=-2 * loglik + 2 * k,
        specification={**clustered_specification(fit, formula, outcome, fixed_effects, cluster),
                       "dropped_all_zero_rows": len(listwise) - len(used), "deviance": float(fit.deviance)},
        **frame_provenance(frame, sources))
    out_cols = [c for c in KEYS if c in used] + columns
    return RegressionFit(result=result, params=params, cov=cov, frame=used[list(dict.fromkeys(out_cols))])
