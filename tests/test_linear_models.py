"""The estimators of ``ratify.models`` other than Cox, on planted data (the book never runs on
simulated data; these check that each estimator recovers what was planted and keeps its
conventions). The comparison with R on real panels is in ``test_linear_models_vs_r.py``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ratify.models import (complete, event_path, event_time_dummies, fit_ipw_linear, fit_linear, fit_ordered_logit,
                           fit_poisson, ipw_weights)
from ratify.models.ordinal import OrderedLogit
from ratify.models.results import ModelResult, terms_table

REGIMES = ("stable democracy", "transitional", "stable autocracy")


def planted_panel(effect: float = 0.5, seed: int = 20130101) -> pd.DataFrame:
    """Country-years with a treatment effect only in transitional countries."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(90):
        regime = REGIMES[c % 3]
        start = 1985 + (c % 15) if c % 5 else 10_000
        alpha = rng.normal()
        for y in range(1981, 2006):
            treated = int(y >= start)
            gain = effect * treated * (regime == "transitional")
            rows.append({"ccode": c, "year": y, "regime3": regime, "ratified": treated,
                         "treat_year": start if start < 10_000 else pd.NA,
                         "y": alpha + 0.05 * (y - 1981) + gain + rng.normal(scale=0.3), "x": rng.normal()})
    d = pd.DataFrame(rows)
    for regime, short in zip(REGIMES, ("sdem", "trans", "saut")):
        d[f"reg_{short}"] = (d.regime3 == regime).astype(float)
        d[f"rat_{short}"] = d.ratified * d[f"reg_{short}"]
    d["treat_year"] = d.treat_year.astype("Int64")
    return d


# --- the model frame --------------------------------------------------------------------------

def test_complete_drops_incomplete_rows_and_plain_dtypes():
    d = pd.DataFrame({"ccode": pd.array([2, 2, 20], dtype="Int64"), "year": [1990, 1991, 1990],
                      "y": pd.array([1, None, 3], dtype="Int64"), "region": ["a", "a", "b"], "other": [np.nan] * 3})
    out = complete(d, ["y", "region"])
    assert len(out) == 2 and out.y.dtype == "float64" and out.ccode.dtype == "int64"
    assert out.region.tolist() == ["a", "b"]          # text is left as it is
    with pytest.raises(KeyError, match="missing_column"):
        complete(d, ["y", "missing_column"])


# --- linear models ------------------------------------------------------------------------------

def test_twfe_recovers_a_planted_effect_and_lists_what_the_fixed_effects_absorb():
    d = planted_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the expected collinearity is recorded, not warned about
        fit = fit_linear(d, "y", ["rat_sdem", "rat_trans", "rat_saut", "reg_trans", "x"],
                         fixed_effects=("ccode", "year"), name="t")
    res = fit.result
    assert res.estimate("rat_trans") == pytest.approx(0.5, abs=0.1)
    assert abs(res.estimate("rat_saut")) < 0.1 and abs(res.estimate("rat_sdem")) < 0.1
    assert res.specification["dropped_collinear"] == ["reg_trans"]  # time-invariant under country effects
    assert res.n == len(fit.frame) == len(d) and res.subjects == 90
    assert res.specification["k"] == 4 + 90 + 25 - 1   # every estimated parameter, fixed effects included


def test_absorbed_fixed_effects_give_the_dummy_regressions_coefficients_and_clustered_ses():
    import statsmodels.formula.api as smf

    d = planted_panel().query("ccode < 30")
    fit = fit_linear(d, "y", ["ratified", "x"], fixed_effects=("ccode", "year"), name="t")
    dummies = smf.ols("y ~ ratified + x + C(ccode) + C(year)", data=d).fit(
        cov_type="cluster", cov_kwds={"groups": d.ccode.to_numpy()})  # statsmodels: G/(G-1)(n-1)/(n-k), k = all
    for term in ("ratified", "x"):
        assert fit.result.estimate(term) == pytest.approx(dummies.params[term], rel=1e-8)
        assert fit.result.estimate(term, "std_error") == pytest.approx(dummies.bse[term], rel=1e-8)
    assert fit.result.loglik == pytest.approx(dummies.llf, rel=1e-10)
    n, k, g = len(d), len(dummies.params), 30
    assert fit.result.specification["small_sample_factor"] == pytest.approx(g / (g - 1) * (n - 1) / (n - k))


def test_fit_linear_refuses_what_it_cannot_fit():
    d = planted_panel().query("ccode < 10").assign(w=0.0)
    with pytest.raises(ValueError, match="at least one term"):
        fit_linear(d, "y", [], fixed_effects=("year",))
    with pytest.raises(ValueError, match="must be positive"):
        fit_linear(d, "y", ["x"], weights="w")


# --- event studies ------------------------------------------------------------------------------

def test_event_study_leads_are_flat_and_lags_show_the_effect():
    d = planted_panel(effect=1.0)
    d = d[d.regime3 == "transitional"]
    ev, names = event_time_dummies(d, "treat_year", (-5, 5))
    assert "ev_m1" not in names and len(names) == 10
    path = event_path(fit_linear(ev, "y", names, fixed_effects=("ccode", "year")).result).set_index("event_time")
    assert path.index.tolist() == list(range(-5, 6))
    assert path.loc[-1, "estimate"] == 0
    assert all(abs(path.loc[k, "estimate"]) < 0.25 for k in (-4, -3, -2))
    assert all(path.loc[k, "estimate"] == pytest.approx(1.0, abs=0.25) for k in (0, 1, 2, 3))


def test_event_time_dummies_bin_the_ends_and_leave_never_treated_at_zero():
    panel = pd.DataFrame({"ccode": [1] * 20 + [2] * 3, "year": list(range(1990, 2010)) + [1990, 1991, 1992]})
    event = pd.Series([2000] * 20 + [np.nan] * 3)
    out, names = event_time_dummies(panel, event, window=(-2, 3))
    assert names == ["ev_m2", "ev_p0", "ev_p1", "ev_p2", "ev_p3"]  # -1 is the reference
    treated = out[out.ccode == 1].set_index("year")
    assert treated.loc[1990, "ev_m2"] == 1 and treated.loc[2009, "ev_p3"] == 1   # binned ends
    assert treated.loc[1999, names].sum() == 0                                     # the reference year
    assert (treated[names].sum(axis=1) <= 1).all()
    assert out.loc[out.ccode == 2, names].to_numpy().sum() == 0
    with pytest.raises(ValueError, match="reference"):
        event_time_dummies(panel, event, window=(0, 3))


def test_event_path_reads_the_window_from_the_terms_and_skips_other_terms():
    res = ModelResult(name="e", label="e", model="OLS", n=10,
                      terms=terms_table(["ev_p10", "ev_m3", "x", "ev_p0"], [1.0, -0.5, 9.0, 0.2], [0.1] * 4))
    path = event_path(res)
    assert path.event_time.tolist() == [-3, -1, 0, 10]
    assert path.set_index("event_time").loc[-1].tolist() == [0.0, 0.0, 0.0]


# --- Poisson ------------------------------------------------------------------------------------

def test_poisson_recovers_a_planted_rate_ratio_and_drops_groups_without_events():
    rng = np.random.default_rng(5)
    d = planted_panel().query("ccode < 60")
    d = d.assign(count=rng.poisson(np.exp(0.3 + 0.4 * d.x + 0.2 * (d.ccode % 4))))
    d.loc[d.ccode == 7, "count"] = 0                                   # a country that never has an event
    fit = fit_poisson(d, "count", ["x"], fixed_effects=("ccode", "year"), name="p")
    assert fit.result.estimate("x") == pytest.approx(0.4, abs=0.05)
    assert fit.result.specification["dropped_all_zero_rows"] == 25 and fit.result.n == len(d) - 25
    assert fit.result.events == int(d["count"].sum())
    assert fit.result.estimate("x", "exp_estimate") == pytest.approx(np.exp(fit.result.estimate("x")))
    with pytest.raises(ValueError, match="count"):
        fit_poisson(d.assign(count=d["count"] - 0.5), "count", ["x"], fixed_effects=("year",))


# --- ordered logit ------------------------------------------------------------------------------

def ordinal_data(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    latent = 1.0 * x - 0.5 * z + rng.logistic(size=n)
    return pd.DataFrame({"ccode": np.arange(n) % 100, "year": 1990 + np.arange(n) % 20, "x": x, "z": z,
                         "y": np.digitize(latent, [-1.5, 0.0, 1.5]).astype(float)})


def test_ordered_logit_recovers_planted_effects():
    d = ordinal_data()
    fit = fit_ordered_logit(d, "y", ["x", "z"], name="o")
    assert fit.result.estimate("x") == pytest.approx(1.0, abs=0.15)
    assert fit.result.estimate("z") == pytest.approx(-0.5, abs=0.15)
    assert len(fit.frame) == len(d) and fit.result.subjects == 100
    assert fit.result.specification["k"] == 2 + 3   # two coefficients, three thresholds


def test_ordered_logit_derivatives_are_those_of_its_likelihood():
    from statsmodels.tools.numdiff import approx_fprime, approx_hess3

    d = ordinal_data(600)
    model = OrderedLogit(pd.Series(pd.Categorical(d.y.astype(int), ordered=True)), d[["x", "z"]])
    at = np.array([0.8, -0.3, -1.2, np.log(1.4), np.log(1.6)])
    assert model.score(at) == pytest.approx(approx_fprime(at, model.loglike, centered=True), rel=1e-6, abs=1e-6)
    assert model.hessian(at) == pytest.approx(approx_hess3(at, model.loglike), rel=1e-5, abs=1e-5)
    rows = approx_fprime(at, model.loglikeobs, centered=True)
    assert model.score_obs(at) == pytest.approx(rows, rel=1e-5, abs=1e-7)


# --- inverse-probability weights ----------------------------------------------------------------

def selection_data(n: int = 4000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    treated = (rng.uniform(size=n) < 1 / (1 + np.exp(-1.5 * x))).astype(int)
    return pd.DataFrame({"ccode": np.arange(n) % 100, "year": 1990 + np.arange(n) % 20, "y": x + 0.3 * treated,
                         "x": x, "treated": treated})


def test_ipw_weights_balance_the_propensity_covariate():
    d = selection_data()
    w = ipw_weights(d, "treated", ["x"], trim=0.01)
    gap_raw = d.x[d.treated == 1].mean() - d.x[d.treated == 0].mean()
    gap_w = (np.average(w.x[w.treated == 1], weights=w.ipw[w.treated == 1])
             - np.average(w.x[w.treated == 0], weights=w.ipw[w.treated == 0]))
    assert abs(gap_w) < 0.2 * abs(gap_raw)
    assert w.pscore.between(0.01, 0.99).all()
    assert w.ipw.mean() == pytest.approx(1.0, abs=0.1)   # stabilised
    assert w.attrs["ipw"]["trim"] == 0.01 and "t_decades" in w.attrs["ipw"]["formula"]
    with pytest.raises(ValueError, match="0/1"):
        ipw_weights(d.assign(treated=d.treated * 2), "treated", ["x"])


def test_weighted_model_removes_the_selection_a_naive_model_keeps():
    d = selection_data(seed=2)
    naive = fit_linear(d, "y", ["treated"], fixed_effects=("year",)).result.estimate("treated")
    fit, weighted = fit_ipw_linear(d, "y", ["treated"], treatment="treated", covariates=["x"])
    assert naive > 0.8                                   # x drives both treatment and outcome
    assert fit.result.estimate("treated") == pytest.approx(0.3, abs=0.15)
    assert fit.result.model.startswith("WLS") and fit.result.specification["propensity"]["stabilised"]
    assert len(weighted) == len(d)


# --- threshold (kink) search ------------------------------------------------------------------

def test_kink_search_finds_a_planted_kink():
    from ratify.models import hinge, kink_search

    rng = np.random.default_rng(3)
    p = rng.integers(-10, 11, 3000).astype(float)
    d = pd.DataFrame({"ccode": np.arange(3000) % 150, "year": 1981 + np.arange(3000) % 20, "x": p,
                      "z": rng.normal(size=3000), "y": 0.5 * np.maximum(p - 4, 0) + rng.normal(scale=0.5, size=3000)})
    d.loc[:9, "x"] = np.nan  # rows without x drop out of every candidate alike
    search = kink_search(d, "y", "x", range(-8, 9), controls=["z"])
    best = search.iloc[1:].loc[search.bic.iloc[1:].idxmin(), "break"]
    assert best == 4 and np.isnan(search["break"].iloc[0])
    assert search.bic.iloc[0] > search.bic.min() and search.attrs["n"] == 2990
    assert hinge(pd.Series([1.0, 5.0, np.nan]), 4).tolist()[:2] == [0.0, 1.0]
