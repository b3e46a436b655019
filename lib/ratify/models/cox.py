"""Cox proportional hazards on counting-process data: our Newton engine, or statsmodels ``PHReg``.

Two things in ``PHReg`` (the reference engine) need care for ``(start, stop]`` rows:

* **The at-risk rule.** ``PHReg`` keeps a row in the risk set at a failure time
  ``t`` when ``entry <= t``; a counting-process row ``(start, stop]`` is at risk only
  when ``start < t <= stop``. With yearly rows (``start = stop − 1``) the literal
  ``entry=start`` would put every row in the risk set of the previous year's failures
  as well. We pass ``entry = nextafter(start, +inf)``, which is exactly ``start < t``.
* **Robust standard errors.** ``PHReg``'s score residuals use Breslow's denominators
  whatever ``ties`` says, and loop in Python over rows. We compute the score
  residuals for Breslow *or* Efron ties ourselves, vectorised over the rows at risk
  at each distinct failure time, and form the cluster sandwich ``V (Σ_g U_g U_gᵀ) V``
  that R's ``coxph(..., cluster=)`` reports (no small-sample factor).

Two engines give the same fit (``tests/test_cox_newton.py``: to 1e-8). ``newton``
(``cox_newton.py``, the default) maximises the partial likelihood over the (stratum, event time)
pairs with vectorised sums, several times faster; ``phreg`` (statsmodels, with the fast risk-set
bookkeeping of ``phreg_fast.py`` and the residual loop below) is the reference implementation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse, stats

from . import cox_newton
from .phreg_fast import FastPHReg
from .results import ModelResult, frame_provenance, terms_table

TIES = ("efron", "breslow")
ENGINES = ("newton", "phreg")
ENGINE_LABELS = {"newton": "Newton-Raphson over (stratum, event time) pairs (ratify.models.cox_newton)",
                 "phreg": "statsmodels PHReg (ratify.models.phreg_fast)"}


@dataclass
class CoxFit:
    """What a Cox fit leaves behind: the tidy result plus the pieces tests and plots need."""

    result: ModelResult
    params: np.ndarray
    cov: np.ndarray
    cov_model: np.ndarray
    score_residuals: np.ndarray
    schoenfeld_residuals: np.ndarray
    loglik: float
    loglik_null: float
    frame: pd.DataFrame = field(repr=False)

    def ph_test(self, transform: str = "rank") -> pd.DataFrame:
        """Grambsch–Therneau test of proportional hazards, one row per covariate.

        Correlates the scaled Schoenfeld residuals with a function of event time
        (``identity``, ``log`` or ``rank``); a small p-value says the covariate's effect
        drifts over time. Uses the model-based variance, as R's ``cox.zph`` did before
        survival 3.0 and as lifelines' ``proportional_hazard_test`` does.
        """
        dead = ~np.isnan(self.schoenfeld_residuals[:, 0])
        times = self.frame[self.result.specification["stop"]].to_numpy(float)[dead]
        g = {"identity": times, "log": np.log(times),
             "rank": stats.rankdata(times)}.get(transform) if transform in ("identity", "log", "rank") else None
        if g is None:
            raise ValueError(f"transform={transform!r}; use 'identity', 'log' or 'rank'")
        d = int(dead.sum())
        scaled = d * self.schoenfeld_residuals[dead] @ self.cov_model
        z = g - g.mean()
        chi2 = (z @ scaled) ** 2 / (d * np.diag(self.cov_model) * (z @ z))
        return pd.DataFrame({"term": self.result.terms.term, "transform": transform, "chi2": chi2,
                             "df": 1, "p_value": stats.chi2.sf(chi2, 1)})

    def wald_test(self, terms: list[str]) -> dict:
        """Joint Wald test that the named coefficients are all zero (robust covariance if used)."""
        names = list(self.result.terms.term)
        unknown = [t for t in terms if t not in names]
        if unknown:
            raise ValueError(f"No such term(s) {unknown}; the model has {names}")
        ix = [names.index(t) for t in terms]
        b, v = self.params[ix], self.cov[np.ix_(ix, ix)]
        chi2 = float(b @ np.linalg.solve(v, b))
        return {"terms": terms, "chi2": chi2, "df": len(ix), "p_value": float(stats.chi2.sf(chi2, len(ix)))}


def _check_frame(frame: pd.DataFrame, covariates: list[str], start: str, stop: str, event: str,
                 cluster: str | None, strata: str | None) -> pd.DataFrame:
    needed = [start, stop, event, *covariates] + [c for c in (cluster, strata) if c]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise KeyError(f"Columns {missing} are not in the frame; it has {list(frame.columns)}")
    bad = frame[event].dropna().isin([0, 1, True, False])
    if not bad.all():
        raise ValueError(f"{event!r} must be 0/1; found {sorted(frame[event][~bad].unique())[:5]}")
    if not (frame[start] < frame[stop]).all():
        raise ValueError(f"Every row needs {start} < {stop}; {int((frame[start] >= frame[stop]).sum())} rows do not")
    return frame[needed].dropna()


def _score_residuals(start, stop, status, strata, X, beta, ties):
    """Per-row score residuals U_i (n × p) and Schoenfeld residuals (event rows, else NaN).

    Breslow or Efron ties on (start, stop] data; for Efron the event's covariate mean
    is the average of the d partial-removal means, as in R's ``coxph``.
    """
    n, p = X.shape
    eta = X @ beta
    resid = np.zeros((n, p))
    schoenfeld = np.full((n, p), np.nan)
    for s in np.unique(strata):
        rows = np.flatnonzero(strata == s)
        st, sp, d, x = start[rows], stop[rows], status[rows], X[rows]
        r = np.exp(eta[rows] - eta[rows].max())
        rx = r[:, None] * x
        for t in np.unique(sp[d == 1]):
            at_risk = (st < t) & (sp >= t)
            dead = at_risk & (sp == t) & (d == 1)
            s0, s1 = r[at_risk].sum(), rx[at_risk].sum(0)
            n_dead = int(dead.sum())
            ar = np.flatnonzero(at_risk)
            if ties == "breslow" or n_dead == 1:
                xbar = s1 / s0
                haz = n_dead / s0
                resid[rows[ar]] -= r[ar, None] * (x[ar] - xbar) * haz
                resid[rows[dead]] += x[dead] - xbar
                schoenfeld[rows[dead]] = x[dead] - xbar
                continue
            s0d, s1d = r[dead].sum(), rx[dead].sum(0)
            frac = np.arange(n_dead) / n_dead                      # r / d, r = 0 … d − 1
            s0r = s0 - frac * s0d                                   # (d,)
            xbar_r = (s1[None, :] - frac[:, None] * s1d[None, :]) / s0r[:, None]  # (d, p)
            # rows alive through t: full weight at each of the d steps
            inv = 1.0 / s0r
            alive = ar[~dead[ar]]
            resid[rows[alive]] -= r[alive, None] * (x[alive] * inv.sum() - inv @ xbar_r)
            # rows dying at t: weight (1 − r/d) at step r, plus their own event
            w = (1.0 - frac) * inv
            dd = np.flatnonzero(dead)
            resid[rows[dd]] += x[dd] - xbar_r.mean(0)
            schoenfeld[rows[dd]] = x[dd] - xbar_r.mean(0)
            resid[rows[dd]] -= r[dd, None] * (x[dd] * w.sum() - w @ xbar_r)
    return resid, schoenfeld


def fit_cox(frame: pd.DataFrame, covariates: list[str], *, start: str = "start", stop: str = "stop",
            event: str = "event", cluster: str | None = None, strata: str | None = None,
            ties: str = "efron", subject: list[str] | None = None, name: str = "cox",
            sources: list[str] | None = None, label: str | None = None,
            init: Mapping[str, float] | Sequence[float] | None = None, engine: str = "newton",
            eps: float = 1e-12, iter_max: int = 20) -> CoxFit:
    """Fit a Cox model on ``(start, stop]`` rows; cluster-robust SEs when ``cluster`` is given.

    Rows with a missing value in any used column are dropped (listwise, as R and
    Stata do); the result says how many rows, subjects and events were used.

    ``init`` starts the iterations from other coefficients than zeros (a warm start, e.g. the
    estimates of a similar model: a mapping term -> value, missing terms start at 0, or one value
    per covariate). ``engine="phreg"`` fits with statsmodels instead (the reference; slower);
    ``eps`` and ``iter_max`` are the newton engine's convergence rule (R's, see
    ``cox_newton.fit_partial_likelihood``). The specification records the engine, and for
    ``newton`` the form of its risk-set sums (chosen from the data), its steps and convergence.
    """
    if ties not in TIES:
        raise ValueError(f"ties={ties!r} is not one of {TIES}")
    if engine not in ENGINES:
        raise ValueError(f"engine={engine!r} is not one of {ENGINES}")
    if not covariates:
        raise ValueError("A Cox model needs at least one covariate")
    subject = subject or ([cluster] if cluster else None)
    used = _check_frame(frame, covariates, start, stop, event, cluster, strata)
    extra = [c for c in (subject or []) if c not in used.columns and c in frame.columns]
    used = used.join(frame.loc[used.index, extra]) if extra else used
    X = used[covariates].to_numpy(float)
    t0, t1 = used[start].to_numpy(float), used[stop].to_numpy(float)
    status = used[event].to_numpy(int)
    if not status.any():
        raise ValueError(f"{event!r} is never 1 in the {len(used)} complete rows; a Cox model needs events")
    strat = used[strata].to_numpy() if strata else np.zeros(len(used), dtype=int)
    beta0 = _initial_values(init, covariates)
    if engine == "newton":
        index = cox_newton.event_time_index(t0, t1, status, strat)
        design = cox_newton.CoxDesign.build(index, X, ties)
        newton = cox_newton.fit_partial_likelihood(design, init=beta0, eps=eps, iter_max=iter_max)
        beta = newton.params
        cov_model = np.linalg.inv(newton.information)
        resid, schoenfeld = cox_newton.score_residuals(design, newton)
        loglik = newton.loglik
        loglik_null = newton.loglik_init if beta0 is None else cox_newton.loglik_at(design, np.zeros_like(beta))
        sums = "running (entries and exits)" if index.running else "exact (at-risk incidence)"
        engine_record = {"risk_sums": sums, "iterations": newton.iterations, "converged": newton.converged}
    else:
        model = FastPHReg(t1, X, status=status, entry=np.nextafter(t0, np.inf), ties=ties,
                          strata=strat if strata else None)
        fitted = model.fit(method="newton", maxiter=100, disp=False, tol=1e-10, start_params=beta0)
        beta = np.asarray(fitted.params)
        cov_model = np.linalg.inv(-model.hessian(beta))
        resid, schoenfeld = _score_residuals(t0, t1, status, strat, X, beta, ties)
        loglik = float(model.loglike(beta))
        loglik_null = float(model.loglike(np.zeros_like(beta)))
        engine_record = {}  # PHReg does not report its iterations
    if cluster:
        groups = pd.factorize(used[cluster])[0]
        members = sparse.csr_matrix((np.ones(len(groups)), (groups, np.arange(len(groups)))))
        U = members @ resid                                    # Σ of the score residuals per cluster
        cov = cov_model @ (U.T @ U) @ cov_model
        se_type = f"cluster-robust by {cluster} ({groups.max() + 1} clusters)"
    else:
        cov, se_type = cov_model, "model-based (inverse information)"
    n_subjects = int(used[subject].drop_duplicates().shape[0]) if subject else None
    result = ModelResult(
        name=name, label=label or name, model=f"Cox proportional hazards ({ties} ties)",
        terms=terms_table(covariates, beta, np.sqrt(np.diag(cov)), exponentiate=True),
        n=len(used), subjects=n_subjects, events=int(status.sum()), loglik=loglik,
        aic=-2 * loglik + 2 * len(beta),
        specification={"covariates": covariates, "start": start, "stop": stop, "event": event,
                       "cluster": cluster, "strata": strata, "ties": ties, "se": se_type,
                       "at_risk_rule": "start < t <= stop", "loglik_null": loglik_null,
                       "engine": ENGINE_LABELS[engine], "warm_start": beta0 is not None, **engine_record},
        **frame_provenance(frame, sources))
    return CoxFit(result=result, params=beta, cov=cov, cov_model=cov_model, score_residuals=resid,
                  schoenfeld_residuals=schoenfeld,
                  loglik=loglik, loglik_null=loglik_null, frame=used)


def _initial_values(init, covariates: list[str]) -> np.ndarray | None:
    """Starting coefficients from a term -> value mapping (missing terms: 0) or a sequence, or None."""
    if init is None:
        return None
    if isinstance(init, Mapping | pd.Series):
        return np.array([float(init.get(c, 0.0)) for c in covariates])
    values = np.asarray(init, float)
    if values.shape != (len(covariates),):
        raise ValueError(f"init has {values.size} values for {len(covariates)} covariates {covariates}; "
                         "pass one per covariate or a mapping term -> value")
    return values
