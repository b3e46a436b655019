"""Cox helper: the at-risk rule, the fast risk-set bookkeeping, residuals and saved results."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter, CoxTimeVaryingFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import proportional_hazard_test
from statsmodels.duration import hazard_regression as hr

from ratify.models import fit_cox
from ratify.models.phreg_fast import FastSurvivalTime


def yearly_histories(n=250, seed=0, ties_heavy=True):
    """Counting-process rows (t-1, t] with late entry, time-varying x and many tied event years."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        entry = int(rng.integers(0, 6))
        length = int(rng.integers(1, 12))
        event = rng.random() < 0.6
        base = rng.normal()
        for t in range(entry, entry + length):
            rows.append({"id": i, "cl": i % 23, "start": t, "stop": t + 1, "strat": i % 3,
                         "event": int(event and t == entry + length - 1),
                         "x": base + 0.4 * rng.normal(), "z": float(rng.random() < 0.5)})
    return pd.DataFrame(rows)


def test_at_risk_rule_is_start_lt_t_le_stop():
    """A row (1, 2] must not be in the risk set of a failure at t = 1 (PHReg's entry <= t would put it there)."""
    d = yearly_histories()
    ours = fit_cox(d, ["x", "z"], subject=["id"])
    lifelines = CoxTimeVaryingFitter().fit(d.drop(columns=["cl", "strat"]), id_col="id", event_col="event",
                                           start_col="start", stop_col="stop")
    np.testing.assert_allclose(ours.params, lifelines.params_.to_numpy(), rtol=1e-6)
    assert ours.loglik == pytest.approx(lifelines.log_likelihood_, rel=1e-9)
    naive = hr.PHReg(d.stop, d[["x", "z"]], status=d.event, entry=d.start, ties="efron").fit()
    assert abs(naive.llf - ours.loglik) > 1  # the literal entry=start gives a different likelihood


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_survival_time_equals_statsmodels(seed):
    d = yearly_histories(seed=seed)
    args = (d.stop.to_numpy(float), d.event.to_numpy(), d[["x", "z"]].to_numpy(), d.strat.to_numpy(),
            np.nextafter(d.start.to_numpy(float), np.inf), None)
    theirs, ours = hr.PHSurvivalTime(*args), FastSurvivalTime(*args)
    assert ours.nstrat == theirs.nstrat and ours.n_obs == theirs.n_obs
    for name in ("stratum_rows", "ufailt", "time_s", "status_s", "entry_s", "exog_s"):
        for a, b in zip(getattr(ours, name), getattr(theirs, name), strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    for name in ("ufailt_ix", "risk_enter", "risk_exit"):
        for per_a, per_b in zip(getattr(ours, name), getattr(theirs, name), strict=True):
            assert len(per_a) == len(per_b)
            for a, b in zip(per_a, per_b, strict=True):
                np.testing.assert_array_equal(np.sort(a), np.sort(b), err_msg=name)


def test_score_residuals_sum_to_zero_and_clusters_change_ses():
    d = yearly_histories(seed=3)
    fit = fit_cox(d, ["x", "z"], cluster="cl", subject=["id"], strata="strat")
    np.testing.assert_allclose(fit.score_residuals.sum(0), 0, atol=1e-8)  # the score at the MLE
    naive = fit_cox(d, ["x", "z"], strata="strat")
    np.testing.assert_allclose(fit.params, naive.params)
    assert not np.allclose(np.diag(fit.cov), np.diag(naive.cov))
    assert fit.result.subjects == 250 and fit.result.events == int(d.event.sum())
    assert fit.result.specification["at_risk_rule"] == "start < t <= stop"


def test_ph_test_matches_lifelines_identity_and_log():
    rossi = load_rossi()
    covs = [c for c in rossi.columns if c not in ("week", "arrest")]
    cph = CoxPHFitter().fit(rossi, "week", "arrest")
    ours = fit_cox(rossi.assign(start=0, stop=rossi.week, event=rossi.arrest), covs).ph_test
    for transform in ("identity", "log"):
        theirs = proportional_hazard_test(cph, rossi, time_transform=transform).summary.test_statistic
        mine = ours(transform).set_index("term").chi2
        np.testing.assert_allclose(mine[theirs.index], theirs.to_numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="transform='km'"):
        ours("km")


def test_wald_test_and_errors_name_the_problem():
    d = yearly_histories(seed=4)
    fit = fit_cox(d, ["x", "z"], cluster="cl")
    one = fit.wald_test(["x"])
    assert one["chi2"] == pytest.approx(fit.result.terms.statistic.iloc[0] ** 2)
    assert fit.wald_test(["x", "z"])["df"] == 2
    with pytest.raises(ValueError, match=r"\['w'\]"):
        fit.wald_test(["w"])
    with pytest.raises(KeyError, match="'nope'"):
        fit_cox(d, ["nope"])
    with pytest.raises(ValueError, match="ties='exact'"):
        fit_cox(d, ["x"], ties="exact")
    bad = d.assign(start=d.stop)
    with pytest.raises(ValueError, match="start < stop"):
        fit_cox(bad, ["x"])


def test_result_files_round_trip(tmp_path):
    d = yearly_histories(seed=5)
    fit = fit_cox(d, ["x", "z"], cluster="cl", name="toy_cox", label="Toy")
    paths = fit.result.save(tmp_path / "out", frame=fit.frame)
    saved = json.loads(paths["json"].read_text())
    assert saved["n"] == len(fit.frame) and saved["events"] == fit.result.events
    assert saved["terms"][0]["term"] == "x"
    assert saved["terms"][0]["exp_estimate"] == pytest.approx(np.exp(fit.params[0]))
    assert pd.read_csv(paths["csv"]).std_error.tolist() == pytest.approx(np.sqrt(np.diag(fit.cov)).tolist())
    assert len(pd.read_csv(paths["data"])) == len(fit.frame)
