"""Our estimators against R's on the same real model frames: equal to 1e-6 relative.

R is the second implementation: ``survival::coxph`` for Cox models (Efron and Breslow
ties, clustered and stratified) and ``glm`` + ``sandwich`` for the fractional logit's
standard errors. The frames are built from the mirror by the library's own verbs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcompare import run_r

pytestmark = pytest.mark.realdata
REL = 1e-6


def assert_close(ours: pd.DataFrame, theirs: pd.DataFrame, what: str):
    merged = ours.merge(theirs, on="term", suffixes=("_ours", "_r"))
    assert len(merged) == len(ours) == len(theirs), f"{what}: terms differ {list(ours.term)} vs {list(theirs.term)}"
    for col in ("estimate", "std_error"):
        rel = np.abs(merged[f"{col}_ours"] - merged[f"{col}_r"]) / np.abs(merged[f"{col}_r"])
        assert (rel < REL).all(), f"{what} {col}:\n{merged.assign(rel=rel).to_string()}"


@pytest.fixture(scope="module")
def crmw_frame(real_mirror, tmp_path_factory):
    """CRMW country-years 1990-2015 (COW states) with Chapter 2-style covariates, complete cases."""
    import os
    if real_mirror:
        os.environ["RATIFY_DATA_MIRROR"] = str(real_mirror)
    from ratify.concord import to_cow
    from ratify.diffusion import bound_share
    from ratify.panels import (add_democracy, add_gdp_per_capita, add_migrant_stock, add_pts, add_region,
                               add_remittances, state_years)
    from ratify.risksets import counting_process, event_years
    from ratify.sources import read_hr_treaties

    hr = read_hr_treaties()
    crmw = hr[(hr.mtdsg_no == "IV-13") & (hr.action == "consent")].copy()
    crmw["ccode"] = to_cow(crmw.participant, crmw.date.dt.year).ccode.to_numpy()
    ev = event_years(crmw, ["ccode"])
    rs = counting_process(state_years("cow", 1990, 2015), ["ccode"], ev, origin=1990, end=2015)
    shares = bound_share(state_years("cow", 1989, 2015).pipe(add_region), ev, group="region")
    rs = (rs.merge(shares[["ccode", "year", "share_bound"]], on=["ccode", "year"], how="left")
          .pipe(add_democracy, "bmr").pipe(add_gdp_per_capita).pipe(add_remittances)
          .pipe(add_migrant_stock).pipe(add_pts))
    cols = ["ccode", "year", "start", "stop", "event", "bmr_democracy", "ln_gdppc", "remittances_pct_gdp", "immigrant_share_pct",
            "share_bound"]
    missing = [c for c in cols if c not in rs.columns]
    assert not missing, f"panel verbs did not add {missing}; columns are {list(rs.columns)}"
    return rs[cols].dropna().reset_index(drop=True)


COX_COVS = ["bmr_democracy", "ln_gdppc", "remittances_pct_gdp", "immigrant_share_pct", "share_bound"]


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_clustered_matches_coxph(crmw_frame, rscript, tmp_path, ties):
    from ratify.models import fit_cox

    assert crmw_frame.event.sum() > 30 and crmw_frame.ccode.nunique() > 150
    fit = fit_cox(crmw_frame, COX_COVS, cluster="ccode", ties=ties)
    body = f"""
library(survival)
d <- read.csv("crmw.csv")
f <- coxph(Surv(start, stop, event) ~ {' + '.join(COX_COVS)}, data = d, ties = "{ties}",
           cluster = ccode, control = coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-14))
emit("robust", coef(f), sqrt(diag(vcov(f))))
emit("naive", coef(f), sqrt(diag(f$naive.var)))
emit("loglik", c(loglik = f$loglik[2]), c(loglik = 0))
"""
    r = run_r(rscript, body, {"crmw": crmw_frame}, tmp_path)
    assert_close(fit.result.terms[["term", "estimate", "std_error"]], r[r.model == "robust"], f"Cox {ties} robust")
    naive = pd.DataFrame({"term": COX_COVS, "estimate": fit.params, "std_error": np.sqrt(np.diag(fit.cov_model))})
    assert_close(naive, r[r.model == "naive"], f"Cox {ties} model-based")
    assert fit.loglik == pytest.approx(float(r.loc[r.model == "loglik", "estimate"].iloc[0]), rel=1e-9)
    assert fit.result.events == int(crmw_frame.event.sum())
    assert fit.result.subjects == crmw_frame.ccode.nunique()


def test_stratified_cox_on_treaty_years_matches_coxph(real_mirror, rscript, tmp_path, monkeypatch):
    """Country-treaty-years in the Americas, strata = treaty, clustered by country."""
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.models import fit_cox
    from ratify.panels import add_democracy, add_gdp_per_capita, add_population
    from ratify.risksets import treaty_risk_set
    from ratify.sources import read_untc_index, read_untc_participants
    from ratify.panels import state_years

    index = read_untc_index()
    treaties = index[index.has_participants & index.adoption_date.dt.year.between(1960, 1979)]
    parts = read_untc_participants(treaties.mtdsg_no.tolist())
    states = state_years("cow", 1960, 2015)
    rs = treaty_risk_set(states[states.ccode.between(20, 165)], treaties, parts, end=2015)
    rs = rs.pipe(add_democracy, "polity2").pipe(add_gdp_per_capita).pipe(add_population)
    covs = ["polity2", "ln_gdppc", "ln_population"]
    frame = rs[["ccode", "mtdsg_no", "start", "stop", "event", *covs]].dropna().reset_index(drop=True)
    assert frame.event.sum() > 200
    fit = fit_cox(frame, covs, cluster="ccode", strata="mtdsg_no")
    body = f"""
library(survival)
d <- read.csv("ty.csv")
f <- coxph(Surv(start, stop, event) ~ {' + '.join(covs)} + strata(mtdsg_no), data = d, cluster = ccode,
           control = coxph.control(eps = 1e-14, iter.max = 100, toler.chol = 1e-14))
emit("robust", coef(f), sqrt(diag(vcov(f))))
"""
    r = run_r(rscript, body, {"ty": frame}, tmp_path)
    assert_close(fit.result.terms[["term", "estimate", "std_error"]], r, "stratified Cox")


@pytest.fixture(scope="module")
def treaty_shares(real_mirror):
    """One row per MTDSG treaty adopted 1946-2010: share of 206 states party by end-2014."""
    import os
    if real_mirror:
        os.environ["RATIFY_DATA_MIRROR"] = str(real_mirror)
    from ratify.sources import read_untc_index, read_untc_participants

    index = read_untc_index()
    treaties = index[index.has_participants & index.adoption_date.dt.year.between(1946, 2010)]
    parts = read_untc_participants(treaties.mtdsg_no.tolist())
    by_end = parts[parts.date <= "2014-12-31"]
    parties = by_end[by_end.action == "consent"].groupby("mtdsg_no").participant.nunique()
    signers = by_end[by_end.action == "signature"].groupby("mtdsg_no").participant.nunique()
    df = treaties[["mtdsg_no", "chapter", "adoption_date"]].assign(
        share=lambda d: (d.mtdsg_no.map(parties).fillna(0) / 206).clip(upper=1),
        signers=lambda d: d.mtdsg_no.map(signers).fillna(0) / 100,
        age=lambda d: np.log(2015 - d.adoption_date.dt.year),
        human_rights=lambda d: (d.chapter == 4).astype(int))
    return df.drop(columns="adoption_date").reset_index(drop=True)


def test_fractional_logit_ses_match_glm_and_sandwich(treaty_shares, rscript, tmp_path):
    from ratify.models.fractional import fit_fractional_logit

    assert len(treaty_shares) > 250
    formula = "share ~ signers + age + human_rights"
    ours = {se: fit_fractional_logit(treaty_shares, formula, se=se).result.terms for se in
            ("model", "pearson", "HC0", "HC1", "stata")}
    ours["cluster"] = fit_fractional_logit(treaty_shares, formula, se="cluster", cluster="chapter").result.terms
    body = """
library(sandwich)
d <- read.csv("shares.csv")
f <- suppressWarnings(glm(share ~ signers + age + human_rights, family = binomial, data = d,
                          control = glm.control(epsilon = 1e-14, maxit = 100)))
q <- suppressWarnings(glm(share ~ signers + age + human_rights, family = quasibinomial, data = d,
                          control = glm.control(epsilon = 1e-14, maxit = 100)))
n <- nrow(d)
emit("model", coef(f), sqrt(diag(vcov(f))))
emit("pearson", coef(q), sqrt(diag(vcov(q))))
emit("HC0", coef(f), sqrt(diag(vcovHC(f, type = "HC0"))))
emit("HC1", coef(f), sqrt(diag(vcovHC(f, type = "HC1"))))
emit("stata", coef(f), sqrt(diag(vcovHC(f, type = "HC0") * n / (n - 1))))
emit("cluster", coef(f), sqrt(diag(vcovCL(f, cluster = ~chapter, type = "HC1"))))
"""
    r = run_r(rscript, body, {"shares": treaty_shares}, tmp_path)
    r["term"] = r.term.replace({"(Intercept)": "Intercept"})
    for se, terms in ours.items():
        assert_close(terms[["term", "estimate", "std_error"]], r[r.model == se], f"fractional logit {se}")
    # the SE types really differ, so a mix-up could not pass
    assert ours["pearson"].std_error.iloc[1] != pytest.approx(ours["HC0"].std_error.iloc[1], rel=1e-3)
