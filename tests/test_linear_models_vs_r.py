"""Linear, Poisson, ordered-logit and IPW estimators against R on a real country-year panel, to 1e-6.

R is the second implementation: ``lm`` with factor dummies and ``glm(family = poisson)`` with
``sandwich::vcovCL(type = "HC1")`` (the book's small-sample convention), ``ordinal::clm`` and
``MASS::polr`` for the ordered logit, and ``glm(family = binomial)`` + weighted ``lm`` for the
IPW pipeline. The panel (CIRI physical integrity, CAT ratification, lagged controls, IGO
counts, 1981-2011) is built from the mirror by the library's own verbs; R gets the rows with
their missing values and does its own listwise deletion, so the row counts are checked too.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from rcompare import run_r

pytestmark = pytest.mark.realdata
REL = 1e-6
CONTROLS = ["polity2_l1", "ln_gdppc_l1", "ln_population_l1", "civil_conflict_l1"]


def assert_matches_r(result, r: pd.DataFrame, what: str, se: bool = True, rel: float = REL):
    """Every reported term of ``result`` equals R's estimate (and SE) to ``rel``; R's other
    coefficients can only be the intercept, factor dummies or aliased (NA) ones."""
    ours = result.terms[["term", "estimate", "std_error"]]
    theirs = r.dropna(subset=["estimate"])
    extra = set(theirs.term) - set(ours.term)
    assert all(t == "(Intercept)" or t.startswith("factor(") for t in extra), f"{what}: R has more terms {extra}"
    merged = ours.merge(theirs, on="term", suffixes=("_ours", "_r"))
    assert len(merged) == len(ours), f"{what}: terms differ {list(ours.term)} vs {list(theirs.term)}"
    for col in ("estimate", "std_error") if se else ("estimate",):
        gap = np.abs(merged[f"{col}_ours"] - merged[f"{col}_r"]) / np.abs(merged[f"{col}_r"])
        assert (gap < rel).all(), f"{what} {col}:\n{merged.assign(rel=gap).to_string()}"


def r_value(r: pd.DataFrame, model: str) -> float:
    return float(r.loc[r.model == model, "estimate"].iloc[0])


@pytest.fixture(scope="module")
def panel(real_mirror):
    """COW country-years 1981-2011: CIRI physint, CAT ratified (from the year after the first
    consent), last year's controls, IGO memberships, common-law origin; missing values kept."""
    import os
    if real_mirror:
        os.environ["RATIFY_DATA_MIRROR"] = str(real_mirror)
    from ratify.concord import to_cow
    from ratify.panels import (add_conflict, add_democracy, add_gdp_per_capita, add_human_rights, add_igo_count,
                               add_lag, add_legal_origin, add_population, state_years)
    from ratify.risksets import event_years
    from ratify.sources import read_hr_treaties

    hr = read_hr_treaties()
    cat = hr[(hr.mtdsg_no == "IV-9") & (hr.action == "consent")].copy()
    cat["ccode"] = to_cow(cat.participant, cat.date.dt.year).ccode.to_numpy()
    first = event_years(cat.dropna(subset=["ccode"]), ["ccode"]).astype({"ccode": "int64"})
    p = (state_years("cow", 1980, 2011)[["ccode", "year"]]
         .pipe(add_human_rights, "ciri").pipe(add_democracy, "polity2").pipe(add_gdp_per_capita)
         .pipe(add_population).pipe(add_conflict, "ucdp").pipe(add_igo_count).pipe(add_legal_origin))
    p = add_lag(p, ["polity2", "ln_gdppc", "ln_population", "civil_conflict"])
    p = p.merge(first, on="ccode", how="left")
    p["ratified"] = (p.year > p.event_year).fillna(False).astype(int)  # never ratified: 0
    cols = ["ccode", "year", "physint", "ratified", *CONTROLS, "igo_full", "common_law"]
    p = p.loc[p.year >= 1981, cols].astype({c: float for c in cols[2:]})
    assert p.physint.notna().sum() > 4000 and p.ratified.sum() > 1500 and p.ccode.nunique() > 150
    return p.reset_index(drop=True)


LM = """
library(sandwich)
d <- read.csv("panel.csv")
rhs <- "ratified + polity2_l1 + ln_gdppc_l1 + ln_population_l1 + civil_conflict_l1"
fits <- list(
  none = lm(as.formula(paste("physint ~", rhs)), data = d),
  year = lm(as.formula(paste("physint ~", rhs, "+ factor(year)")), data = d),
  twfe = lm(as.formula(paste("physint ~", rhs, "+ factor(ccode) + factor(year) + common_law")), data = d))
for (m in names(fits)) {
  f <- fits[[m]]
  b <- coef(f)
  se <- rep(NA_real_, length(b)); names(se) <- names(b)
  se[!is.na(b)] <- sqrt(diag(vcovCL(f, cluster = ~ccode, type = "HC1")))
  emit(m, b, se)
  emit(paste0(m, "_n"), c(n = nobs(f)), c(n = 0))
  emit(paste0(m, "_ll"), c(ll = as.numeric(logLik(f))), c(ll = 0))
}
"""


def test_ols_and_two_way_fixed_effects_match_lm_and_vcovcl(panel, rscript, tmp_path):
    from ratify.models import fit_linear

    r = run_r(rscript, LM, {"panel": panel}, tmp_path)
    terms = ["ratified", *CONTROLS]
    specs = {"none": ([], ()), "year": ([], ("year",)), "twfe": (["common_law"], ("ccode", "year"))}
    for name, (extra, fixed_effects) in specs.items():
        fit = fit_linear(panel, "physint", terms + extra, fixed_effects=fixed_effects, name=name)
        assert_matches_r(fit.result, r[r.model == name], f"OLS {name}")
        assert fit.result.n == r_value(r, f"{name}_n")
        assert fit.result.loglik == pytest.approx(r_value(r, f"{name}_ll"), rel=1e-9)
    # common law never changes within a country: lm gives it NA, we drop it and say so
    assert r.loc[(r.model == "twfe") & (r.term == "common_law"), "estimate"].isna().tolist() == [True]
    assert fit.result.specification["dropped_collinear"] == ["common_law"]


POISSON = """
library(sandwich)
d <- read.csv("poisson.csv")
f <- glm(igo_full ~ polity2_l1 + ln_gdppc_l1 + civil_conflict_l1 + factor(ccode) + factor(year),
         family = poisson, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
emit("poisson", coef(f), sqrt(diag(vcovCL(f, cluster = ~ccode, type = "HC1"))))
emit("n", c(n = nobs(f)), c(n = 0))
emit("ll", c(ll = as.numeric(logLik(f))), c(ll = 0))
"""


def test_poisson_with_fixed_effects_matches_glm_and_vcovcl(panel, rscript, tmp_path):
    from ratify.models import fit_poisson

    terms = ["polity2_l1", "ln_gdppc_l1", "civil_conflict_l1"]
    fit = fit_poisson(panel, "igo_full", terms, fixed_effects=("ccode", "year"), name="igos")
    assert fit.result.specification["dropped_all_zero_rows"] == 0  # every state belongs to some IGO
    r = run_r(rscript, POISSON, {"poisson": panel[["ccode", "year", "igo_full", *terms]]}, tmp_path)
    assert_matches_r(fit.result, r[r.model == "poisson"], "Poisson two-way FE")
    assert fit.result.n == r_value(r, "n")
    assert fit.result.loglik == pytest.approx(r_value(r, "ll"), rel=1e-9)


ORDERED = """
library(MASS); library(ordinal); library(sandwich)
d <- read.csv("ordered.csv")
d$y <- factor(d$physint, ordered = TRUE)
fm <- y ~ ratified + polity2_l1 + ln_gdppc_l1 + ln_population_l1 + civil_conflict_l1
c <- clm(fm, data = d, control = clm.control(gradTol = 1e-12, relTol = 1e-14, maxIter = 1000))
b <- coef(c)[!grepl("\\\\|", names(coef(c)))]
emit("clm_cluster", b, sqrt(diag(vcovCL(c, cluster = ~ccode, type = "HC1")))[names(b)])
emit("clm_model", b, sqrt(diag(vcov(c)))[names(b)])
emit("ll", c(ll = as.numeric(logLik(c))), c(ll = 0))
p <- polr(fm, data = d, Hess = TRUE, control = list(reltol = 1e-15, maxit = 10000))
emit("polr_cluster", coef(p), sqrt(diag(vcovCL(p, cluster = ~ccode, type = "HC1")))[names(coef(p))])
"""


def test_ordered_logit_matches_clm_and_polr(panel, rscript_ordinal, tmp_path):
    from ratify.models import fit_ordered_logit
    from ratify.models.ordinal import OrderedLogit

    terms = ["ratified", *CONTROLS]
    fit = fit_ordered_logit(panel, "physint", terms, name="ologit")
    r = run_r(rscript_ordinal, ORDERED, {"ordered": fit.frame}, tmp_path)
    assert_matches_r(fit.result, r[r.model == "clm_cluster"], "ordered logit, clustered (clm)")
    used = fit.frame
    model = OrderedLogit(pd.Series(pd.Categorical(used.physint.astype(int), ordered=True)),
                         used[terms].reset_index(drop=True))
    model_based = np.sqrt(np.diag(np.linalg.inv(-model.hessian(fit.params.to_numpy()))))[:len(terms)]
    naive = replace(fit.result, terms=fit.result.terms.assign(std_error=model_based))
    assert_matches_r(naive, r[r.model == "clm_model"], "ordered logit, model-based (clm)")
    assert fit.result.loglik == pytest.approx(r_value(r, "ll"), rel=1e-9)
    # polr's optimiser stops near 1e-7 and its Hessian comes from finite differences (optim), so
    # its coefficients agree to 1e-6 but its standard errors only to about 1e-4
    assert_matches_r(fit.result, r[r.model == "polr_cluster"], "ordered logit (polr)", se=False)
    assert_matches_r(fit.result, r[r.model == "polr_cluster"], "ordered logit SEs (polr)", rel=1e-4)


IPW = """
library(sandwich)
d <- read.csv("ipw.csv")
d$t <- (d$year - mean(d$year)) / 10
ps_fit <- glm(ratified ~ polity2_l1 + ln_gdppc_l1 + ln_population_l1 + civil_conflict_l1 + t + I(t^2) + I(t^3),
              family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
ps <- pmin(pmax(fitted(ps_fit), 0.01), 0.99)
share <- mean(d$ratified)
d$w <- ifelse(d$ratified == 1, share / ps, (1 - share) / (1 - ps))
write.csv(data.frame(ccode = d$ccode, year = d$year, pscore = ps, ipw = d$w), "r-weights.csv", row.names = FALSE)
rhs <- "ratified + polity2_l1 + ln_gdppc_l1 + ln_population_l1 + civil_conflict_l1"
f <- lm(as.formula(paste("physint ~", rhs, "+ factor(year)")), data = d, weights = w)
emit("ipw", coef(f), sqrt(diag(vcovCL(f, cluster = ~ccode, type = "HC1"))))
g <- lm(as.formula(paste("physint ~", rhs, "+ factor(ccode) + factor(year)")), data = d, weights = w)
b <- coef(g)
se <- rep(NA_real_, length(b)); names(se) <- names(b)
se[!is.na(b)] <- sqrt(diag(vcovCL(g, cluster = ~ccode, type = "HC1")))
emit("ipw_twfe", b, se)
emit("ll", c(ll = as.numeric(logLik(f))), c(ll = 0))
"""


def test_ipw_pipeline_matches_glm_and_weighted_lm(panel, rscript, tmp_path):
    from ratify.models import fit_ipw_linear, fit_linear

    terms = ["ratified", *CONTROLS]
    fit, weighted = fit_ipw_linear(panel, "physint", terms, treatment="ratified", covariates=CONTROLS, name="ipw")
    assert weighted.attrs["ipw"]["truncated"] > 0  # the trimming rule is exercised
    r = run_r(rscript, IPW, {"ipw": weighted[["ccode", "year", "physint", *terms]]}, tmp_path)
    theirs = pd.read_csv(tmp_path / "r-weights.csv")
    assert np.abs(weighted.pscore.to_numpy() - theirs.pscore.to_numpy()).max() < 1e-9
    assert np.allclose(weighted.ipw.to_numpy(), theirs.ipw.to_numpy(), rtol=1e-8, atol=0)
    assert_matches_r(fit.result, r[r.model == "ipw"], "IPW, year FE")
    assert fit.result.loglik == pytest.approx(r_value(r, "ll"), rel=1e-9)
    twfe = fit_linear(weighted, "physint", terms, fixed_effects=("ccode", "year"), weights="ipw", name="w")
    assert_matches_r(twfe.result, r[r.model == "ipw_twfe"], "WLS, two-way FE")


KINK = """
d <- read.csv("panel.csv")
d <- d[complete.cases(d[, c("physint", "polity2_l1", "ln_gdppc_l1", "ln_population_l1", "year")]), ]
line <- lm(physint ~ polity2_l1 + ln_gdppc_l1 + ln_population_l1 + factor(year), data = d)
for (b in -9:9) {
  f <- lm(physint ~ polity2_l1 + pmax(polity2_l1 - b, 0) + ln_gdppc_l1 + ln_population_l1 + factor(year), data = d)
  emit(paste0("kink_", b), c(aic = AIC(f) - AIC(line), bic = BIC(f) - BIC(line)), c(aic = 0, bic = 0))
}
emit("n", c(n = nobs(line)), c(n = 0))
"""


def test_kink_search_matches_lm_information_criteria(panel, rscript, tmp_path):
    """The threshold search's AIC and BIC differences from the straight line, and so its chosen
    break, equal R's lm with pmax() hinges (R counts sigma as a parameter in every model alike)."""
    from ratify.models import kink_search

    frame = panel[["ccode", "year", "physint", "polity2_l1", "ln_gdppc_l1", "ln_population_l1"]]
    r = run_r(rscript, KINK, {"panel": frame}, tmp_path)
    search = kink_search(frame, "physint", "polity2_l1", range(-9, 10), controls=["ln_gdppc_l1", "ln_population_l1"])
    assert search.attrs["n"] == r_value(r, "n")
    line = search.iloc[0]
    for row in search.iloc[1:].itertuples():
        theirs = r[r.model == f"kink_{int(row[1])}"].set_index("term").estimate
        assert row.aic - line.aic == pytest.approx(theirs["aic"], rel=REL, abs=1e-8)
        assert row.bic - line.bic == pytest.approx(theirs["bic"], rel=REL, abs=1e-8)
    ours_best = int(search.iloc[1:].loc[search.bic.iloc[1:].idxmin(), "break"])
    bics = r[r.model.str.startswith("kink_") & (r.term == "bic")]
    assert ours_best == int(bics.loc[bics.estimate.idxmin(), "model"].removeprefix("kink_"))
