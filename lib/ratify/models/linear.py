"""Linear models (OLS and WLS) with absorbed fixed effects and cluster-robust standard errors.

Fitted with pyfixest's ``feols``, a port of R's fixest (Bergé 2018): the fixed effects are
projected out (alternating projections, here to a tolerance of 1e-10) instead of being
written out as a few hundred dummy columns; the coefficients are those of the dummy
regression (Frisch–Waugh–Lovell).

**One small-sample convention for the whole book.** Clustered standard errors are the
CRV1 sandwich (Liang and Zeger 1986) multiplied by

    G/(G − 1) · (n − 1)/(n − k),

with G clusters, n rows and k counting *every* estimated mean parameter, the absorbed fixed
effects included (country and year effects add G_country + T − 1, as many as ``lm``'s
dummies). That is what R reports for ``lm(y ~ x + factor(ccode) + factor(year))`` with
``sandwich::vcovCL(type = "HC1")`` (Zeileis, Köll and Graham 2020), what Stata's
``regress ..., vce(cluster ccode)`` with the dummies and ``areg`` report, and fixest's
``ssc(fixef.K = "full")``; pyfixest spells it ``ssc(k_adj=True, k_fixef="full", G_adj=True)``.
Stata's ``xtreg, fe`` and ``reghdfe`` and fixest's default instead leave fixed effects nested in
the clusters out of k, a defensible alternative (Cameron and Miller 2015, sec. III.B) whose
factor is about 2% smaller on the book's panels. We count them, so a model has the same
standard errors whether its fixed effects are absorbed or entered as dummies, and R's ``lm``
+ ``sandwich`` can check every number (``tests/test_linear_models_vs_r.py``). The factor and
k are in every result's specification.

Intervals and p-values are normal-based, as for every other model in the book (fixest and
pyfixest use a t distribution with G − 1 degrees of freedom). The log-likelihood is the
Gaussian one at the ML variance, weighted as R's ``logLik.lm``; AIC and BIC count the same k
mean parameters (R's ``AIC`` adds one for the variance).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .frames import KEYS, complete, formula_columns
from .results import ModelResult, frame_provenance, terms_table

#: tolerance of the alternating projections; 1e-10 keeps coefficients within 1e-12 of the dummy regression
FIXEF_TOL = 1e-10
SMALL_SAMPLE = "G/(G-1)·(n-1)/(n-k), k = every estimated parameter incl. fixed effects (CRV1; R: vcovCL type HC1)"
FE_NAMES = {"ccode": "country", "year": "year"}


def ssc():
    """The book's small-sample correction for pyfixest (see the module docstring)."""
    import pyfixest as pf

    return pf.ssc(k_adj=True, k_fixef="full", G_adj=True)


def demeaner():
    import pyfixest as pf

    return pf.MapDemeaner(fixef_tol=FIXEF_TOL)


def fixed_effects_label(fixed_effects: Sequence[str]) -> str:
    """``()`` -> "no fixed effects", ``("ccode", "year")`` -> "country and year fixed effects"."""
    if not fixed_effects:
        return "no fixed effects"
    return " and ".join(FE_NAMES.get(f, f) for f in fixed_effects) + " fixed effects"


def fixest_formula(outcome: str, terms: list[str], fixed_effects: Sequence[str]) -> str:
    return f"{outcome} ~ {' + '.join(terms)}" + (f" | {' + '.join(fixed_effects)}" if fixed_effects else "")


@contextlib.contextmanager
def quietly_collinear():
    """pyfixest warns when it drops a regressor collinear with others or with the fixed effects
    (a time-invariant regime dummy under country effects, an event dummy empty in a subsample);
    that is expected here, and every result lists the dropped terms instead."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\s*\d+ variables? dropped due to multicollinearity")
        yield


@dataclass
class RegressionFit:
    """A fitted linear or Poisson model: the tidy result, every coefficient and its clustered
    covariance (fixed effects aside), and the rows used."""

    result: ModelResult
    params: pd.Series
    cov: pd.DataFrame
    frame: pd.DataFrame = field(repr=False)


def estimates(fit, report: list[str] | None) -> tuple[pd.Series, pd.DataFrame, list[str]]:
    """Coefficients and covariance of a pyfixest fit, and the terms to show (``report``, or all
    but the intercept, less any dropped as collinear)."""
    names = list(fit._coefnames)
    params = pd.Series(np.asarray(fit.coef(), float), index=names)
    cov = pd.DataFrame(np.asarray(fit._vcov), index=names, columns=names)
    return params, cov, [t for t in (report or names) if t in names and t != "Intercept"]


def clustered_specification(fit, formula: str, outcome: str, fixed_effects: list[str], cluster: str) -> dict:
    """What a reader needs to redo a pyfixest fit: formula, fixed effects, clusters and the small-sample factor."""
    k, clusters = int(fit._df_k), int(np.ravel(fit._G)[0])
    return {"formula": formula, "outcome": outcome, "fixed_effects": fixed_effects, "cluster": cluster,
            "clusters": clusters, "k": k, "small_sample": SMALL_SAMPLE,
            "small_sample_factor": float(np.ravel(fit._ssc)[0]),
            "se": f"cluster-robust by {cluster} ({clusters} clusters; CRV1 × G/(G-1)·(n-1)/(n-k), "
                  f"k = {k} incl. fixed effects)",
            "dropped_collinear": list(fit._collin_vars)}


def gaussian_loglik(resid: np.ndarray, weights: np.ndarray | None) -> float:
    """Gaussian log-likelihood at the ML variance, weighted as R's ``logLik.lm``."""
    n = len(resid)
    w = np.ones(n) if weights is None else weights
    return float(0.5 * np.log(w).sum() - n / 2 * (np.log(2 * np.pi) + 1 - np.log(n) + np.log(w @ resid ** 2)))


def fit_linear(frame: pd.DataFrame, outcome: str, terms: list[str], *, fixed_effects: Sequence[str] = (),
               cluster: str = "ccode", weights: str | None = None, report: list[str] | None = None,
               keep: Sequence[str] = (), vcov: bool = False, name: str = "linear", label: str | None = None,
               sources: list[str] | None = None) -> RegressionFit:
    """OLS (or WLS with ``weights``) of ``outcome`` on ``terms`` with the named fixed effects absorbed
    and standard errors clustered by ``cluster``, under the book's small-sample convention.

    Parameters
    ----------
    terms : regressors (column names or formulaic expressions); a regressor collinear with the others
        or with the fixed effects is dropped and listed in ``specification["dropped_collinear"]``.
    fixed_effects : columns whose levels get their own intercept, e.g. ``("ccode", "year")``.
    report : the terms the tidy table shows (default: all but the intercept); ``params``/``cov`` keep all.
    keep : further columns carried into the returned model frame (not used in the fit).
    vcov : also store the clustered covariance of the reported terms in ``specification["vcov"]``.
    """
    import pyfixest as pf

    if not terms:
        raise ValueError(f"{name}: a linear model needs at least one term besides the fixed effects")
    fixed_effects = list(fixed_effects)
    columns = [outcome, *formula_columns(" + ".join(terms), frame), *fixed_effects, cluster]
    columns = list(dict.fromkeys(columns + ([weights] if weights else [])))
    used = complete(frame, columns)
    if weights and not (used[weights] > 0).all():
        bad = int((used[weights] <= 0).sum())
        raise ValueError(f"{name}: weights {weights!r} must be positive; {bad} rows are not (drop or fix them)")
    formula = fixest_formula(outcome, terms, fixed_effects)
    with quietly_collinear():
        fit = pf.feols(formula, data=used[columns], vcov={"CRV1": cluster}, weights=weights, ssc=ssc(),
                       fixef_rm="none", demeaner=demeaner())
    params, cov, shown = estimates(fit, report)
    n, k = int(fit._N), int(fit._df_k)
    w = used[weights].to_numpy(float) if weights else None
    resid = np.asarray(fit._u_hat, float).ravel() / (np.sqrt(w) if weights else 1.0)  # pyfixest keeps √w·e
    loglik = gaussian_loglik(resid, w)
    result = ModelResult(
        name=name, label=label or name,
        model=f"{'WLS' if weights else 'OLS'}, {fixed_effects_label(fixed_effects)}",
        terms=terms_table(shown, params[shown], np.sqrt(np.diag(cov.loc[shown, shown]))), n=n,
        subjects=int(used[cluster].nunique()), loglik=loglik, aic=-2 * loglik + 2 * k,
        specification={**clustered_specification(fit, formula, outcome, fixed_effects, cluster),
                       "weights": weights, "bic": -2 * loglik + np.log(n) * k, "r2": float(fit._r2),
                       **({"r2_within": float(fit._r2_within)} if fixed_effects else {}),
                       **({"vcov": cov.loc[shown, shown].to_numpy().tolist()} if vcov else {})},
        **frame_provenance(frame, sources))
    out_cols = [c for c in KEYS if c in used] + columns + [c for c in keep if c in used]
    return RegressionFit(result=result, params=params, cov=cov, frame=used[list(dict.fromkeys(out_cols))])
