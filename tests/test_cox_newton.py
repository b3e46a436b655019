"""The Newton engine of ``fit_cox`` against the statsmodels PHReg engine (and R on a chapter 4 frame).

The PHReg engine is the reference: the two share no likelihood code, so agreement to 1e-8 on
stratified, tied, clustered, left-truncated data checks the risk-set index, the Efron and Breslow
sums, the information matrix and the score residuals of the new engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines.datasets import load_rossi

from ratify.models import cox, cox_newton, fit_cox
from rcompare import run_r
from test_cox import yearly_histories

TIGHT = 1e-8


def awkward_histories(seed: int) -> pd.DataFrame:
    """Yearly histories with late entry, heavy ties, a stratum without events, and a covariate
    (``w``) that is constant within stratum 0 only."""
    d = yearly_histories(n=300, seed=seed)
    rng = np.random.default_rng(seed + 100)
    d["w"] = np.where(d.strat == 0, 1.5, d.x * 0.5 + rng.normal(size=len(d)))
    silent = d[d.strat == 2].assign(strat=3, event=0, id=lambda x: x.id + 10_000)
    return pd.concat([d, silent], ignore_index=True)


def both_engines(d: pd.DataFrame, covariates: list[str], **kw):
    return (fit_cox(d, covariates, engine="newton", **kw), fit_cox(d, covariates, engine="phreg", **kw))


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("seed", [0, 1])
def test_newton_equals_phreg_on_stratified_tied_clustered_data(seed, ties):
    d = awkward_histories(seed)
    assert d.groupby(["strat", "stop"]).event.sum().max() >= 3, "the fixture must have heavy ties"
    assert d.loc[d.strat == 3, "event"].sum() == 0 and d.start.min() == 0 and (d.start > 0).mean() > 0.5
    new, ref = both_engines(d, ["x", "z", "w"], cluster="cl", strata="strat", ties=ties, subject=["id"])
    assert new.result.specification["engine"] == cox.ENGINE_LABELS["newton"]
    assert ref.result.specification["engine"] == cox.ENGINE_LABELS["phreg"]
    np.testing.assert_allclose(new.params, ref.params, rtol=TIGHT)
    np.testing.assert_allclose(new.cov, ref.cov, rtol=TIGHT)
    np.testing.assert_allclose(new.cov_model, ref.cov_model, rtol=TIGHT)
    assert new.loglik == pytest.approx(ref.loglik, rel=1e-12)
    assert new.loglik_null == pytest.approx(ref.loglik_null, rel=1e-12)
    np.testing.assert_allclose(new.score_residuals, ref.score_residuals, rtol=TIGHT, atol=1e-10)
    np.testing.assert_array_equal(np.isnan(new.schoenfeld_residuals), np.isnan(ref.schoenfeld_residuals))
    np.testing.assert_allclose(new.schoenfeld_residuals, ref.schoenfeld_residuals, rtol=TIGHT, atol=1e-10)
    pd.testing.assert_frame_equal(new.ph_test("rank"), ref.ph_test("rank"), rtol=TIGHT)
    # the running-sum form of the risk sets (used for continuous clocks) gives the same fit
    ix = cox_newton.event_time_index(d.start, d.stop, d.event, d.strat, running=True)
    running = cox_newton.fit_partial_likelihood(cox_newton.CoxDesign.build(ix, d[["x", "z", "w"]], ties))
    np.testing.assert_allclose(running.params, ref.params, rtol=TIGHT)
    np.testing.assert_allclose(np.linalg.inv(running.information), ref.cov_model, rtol=TIGHT)
    # the stratum without events contributes nothing, exactly as if its rows were absent
    without = fit_cox(d[d.strat != 3], ["x", "z", "w"], cluster="cl", strata="strat", ties=ties)
    np.testing.assert_allclose(new.params, without.params, rtol=1e-12)


def test_newton_equals_phreg_unstratified_and_on_a_continuous_clock():
    d = awkward_histories(2)
    new, ref = both_engines(d, ["x", "z"], cluster="cl", ties="efron")
    assert new.result.specification["risk_sums"].startswith("exact")
    np.testing.assert_allclose(new.params, ref.params, rtol=TIGHT)
    np.testing.assert_allclose(new.cov, ref.cov, rtol=TIGHT)
    # one row per subject from 0 to its week: every row is at risk at many (tied) event times
    rossi = load_rossi()
    rossi = rossi.assign(start=0.0, stop=rossi.week.astype(float), event=rossi.arrest, cl=np.arange(len(rossi)) % 40)
    covs = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    for ties in ("breslow", "efron"):
        new, ref = both_engines(rossi, covs, ties=ties, cluster="cl")
        assert new.result.specification["risk_sums"].startswith("running")
        np.testing.assert_allclose(new.params, ref.params, rtol=TIGHT)
        np.testing.assert_allclose(new.cov, ref.cov, rtol=TIGHT)
        assert new.loglik == pytest.approx(ref.loglik, rel=1e-12)


@pytest.mark.parametrize("running", [False, True])
def test_index_sums_over_exactly_the_rows_at_risk(running):
    """Brute force: row i is at risk at pair (s, t) iff it is in stratum s and start_i < t <= stop_i."""
    rng = np.random.default_rng(7)
    n = 400
    start = rng.choice([0.0, 0.5, 1.0, 2.0, 3.5], n)
    stop = start + rng.choice([0.5, 1.0, 1.5, 3.0], n)
    status = (rng.random(n) < 0.3).astype(int)
    strata = rng.choice(["a", "b", "c"], n)
    ix = cox_newton.event_time_index(start, stop, status, strata, running=running)
    pairs = sorted({(s, t) for s, t, e in zip(strata, stop, status) if e})
    assert ix.n_pairs == len(pairs) and ix.running == running
    at_risk = np.array([[(s == ps) and (a < t <= b) for a, b, s in zip(start, stop, strata)] for ps, t in pairs])
    assert set(ix.rows) == set(np.flatnonzero(at_risk.any(0)))
    values, r, per_pair = rng.normal(size=(n, 3)), rng.random(n), rng.normal(size=(ix.n_pairs, 2))
    used = at_risk[:, ix.rows].astype(float)
    np.testing.assert_allclose(ix.risk_sums(values[ix.rows], r[ix.rows]), used @ (r[:, None] * values)[ix.rows],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ix.row_totals(per_pair), used.T @ per_pair, rtol=1e-12, atol=1e-12)


def test_warm_start_gives_the_same_fit_in_fewer_steps():
    d = awkward_histories(3)
    kw = dict(cluster="cl", strata="strat", ties="efron")
    cold = fit_cox(d, ["x", "z", "w"], **kw)
    near = dict(zip(["x", "z"], cold.params[:2] * 1.02))            # w missing: starts at 0
    warm = fit_cox(d, ["x", "z", "w"], init=near, **kw)
    np.testing.assert_allclose(warm.params, cold.params, rtol=TIGHT)
    np.testing.assert_allclose(warm.cov, cold.cov, rtol=TIGHT)
    assert warm.loglik_null == pytest.approx(cold.loglik_null, rel=1e-12)  # still the likelihood at zero
    assert warm.result.specification["warm_start"] and not cold.result.specification["warm_start"]
    at_mle = fit_cox(d, ["x", "z", "w"], init=cold.params, **kw)
    assert at_mle.result.specification["iterations"] < cold.result.specification["iterations"]
    with pytest.raises(ValueError, match="init has 2 values for 3 covariates"):
        fit_cox(d, ["x", "z", "w"], init=[0.1, 0.2], **kw)


def test_step_halving_recovers_from_a_bad_start_and_non_convergence_warns():
    d = awkward_histories(4)
    X = d[["x", "z"]].to_numpy(float)
    ix = cox_newton.event_time_index(d.start.to_numpy(float), d.stop.to_numpy(float), d.event.to_numpy(), d.strat)
    design = cox_newton.CoxDesign.build(ix, X, "efron")
    good = cox_newton.fit_partial_likelihood(design)
    far = cox_newton.fit_partial_likelihood(design, init=np.array([6.0, -6.0]))
    assert far.step_halvings > 0 and far.converged
    np.testing.assert_allclose(far.params, good.params, rtol=TIGHT)
    with pytest.warns(RuntimeWarning, match="no convergence in 1 Newton steps"):
        short = fit_cox(d, ["x", "z"], strata="strat", iter_max=1)
    assert short.result.specification["converged"] is False


def test_engine_is_recorded_and_errors_name_the_problem():
    d = awkward_histories(5)
    assert fit_cox(d, ["x"]).result.specification["engine"] == cox.ENGINE_LABELS["newton"]
    assert fit_cox(d, ["x"], engine="phreg").result.specification["engine"] == cox.ENGINE_LABELS["phreg"]
    with pytest.raises(ValueError, match="engine='fast'"):
        fit_cox(d, ["x"], engine="fast")
    with pytest.raises(ValueError, match="'event' is never 1"):
        fit_cox(d.assign(event=0), ["x"])
    with pytest.raises(ValueError, match="not positive definite"):
        fit_cox(d.assign(x2=2 * d.x), ["x", "x2"])


# --- R on a chapter 4 frame -----------------------------------------------------------------------

BETWEEN_STATES = ["ideal_diff", "distance_1000km", "cinc", "cinc_sq", "constraints", "indep_after_1945", "signed"]


@pytest.mark.realdata
@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_stratified_chapter4_frame_matches_coxph(real_mirror, rscript, tmp_path, monkeypatch, ties):
    """Chapter 4's UN country-treaty-years, strata = treaty (hundreds of strata, yearly clock),
    clustered by country: both engines equal R's coxph to 1e-6, and with R's default stopping rule
    (``eps=1e-9``) the Newton engine retraces coxph's default iterations."""
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.studies import soft_balancing as sb

    un = sb.un_frame(sb.Design())
    frame = un[["ccode", "mtdsg_no", "start", "stop", "event", *BETWEEN_STATES]].dropna().reset_index(drop=True)
    frame = frame.astype({"ccode": int})
    assert len(frame) > 100_000 and frame.mtdsg_no.nunique() > 200 and frame.stop.nunique() < 80
    kw = dict(cluster="ccode", strata="mtdsg_no", ties=ties, subject=["ccode", "mtdsg_no"])
    new, ref = both_engines(frame, BETWEEN_STATES, **kw)
    r_default = fit_cox(frame, BETWEEN_STATES, eps=1e-9, **kw)
    body = f"""
library(survival)
d <- read.csv("un.csv")
rhs <- "{' + '.join(BETWEEN_STATES)} + strata(mtdsg_no)"
f <- coxph(as.formula(paste("Surv(start, stop, event) ~", rhs)), data = d, ties = "{ties}", cluster = ccode,
           control = coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-14))
g <- coxph(as.formula(paste("Surv(start, stop, event) ~", rhs)), data = d, ties = "{ties}", cluster = ccode)
emit("tight", coef(f), sqrt(diag(vcov(f))))
emit("default", coef(g), sqrt(diag(vcov(g))))
emit("loglik", c(loglik = f$loglik[2]), c(loglik = 0))
"""
    r = run_r(rscript, body, {"un": frame}, tmp_path)
    tight = r[r.model == "tight"].set_index("term").loc[BETWEEN_STATES]
    for fit in (new, ref):
        terms = fit.result.terms.set_index("term").loc[BETWEEN_STATES]
        for col in ("estimate", "std_error"):
            np.testing.assert_allclose(terms[col], tight[col], rtol=1e-6, err_msg=f"{ties} {col}")
        assert fit.loglik == pytest.approx(float(r.loc[r.model == "loglik", "estimate"].iloc[0]), rel=1e-9)
    default = r[r.model == "default"].set_index("term").loc[BETWEEN_STATES]
    np.testing.assert_allclose(r_default.params, default.estimate, rtol=1e-8)
