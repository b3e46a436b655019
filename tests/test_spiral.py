"""Chapter 3 (Simmons 2013): regime classification, treatment coding, estimators, claims table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ratify.models.results import ModelResult, terms_table
from ratify.studies import spiral as sp


# --- regime classification (pure logic) ------------------------------------------------------

def _scores(series: dict[int, list[float]], first_year: int = 1976) -> pd.DataFrame:
    return pd.DataFrame([{"ccode": c, "year": first_year + i, "polity2": v}
                         for c, values in series.items() for i, v in enumerate(values)])


def test_regime_of_uses_both_cut_points():
    assert sp.regime_of(pd.Series([8, 9, 10])) == sp.STABLE_DEMOCRACY
    assert sp.regime_of(pd.Series([-10, 5, 5])) == sp.STABLE_AUTOCRACY
    assert sp.regime_of(pd.Series([-7, 8])) == sp.TRANSITIONAL
    assert sp.regime_of(pd.Series([6, 7, 7])) == sp.TRANSITIONAL  # partial democracy
    assert sp.regime_of(pd.Series([7, 7]), dem_cut=7) == sp.STABLE_DEMOCRACY
    assert sp.regime_of(pd.Series([-3, 2]), aut_never_cut=1) == sp.TRANSITIONAL
    assert np.isnan(sp.regime_of(pd.Series([np.nan, np.nan])))


def test_classify_regimes_judges_only_the_window():
    scores = _scores({1: [10] * 10 + [-5], 2: [-8] * 10 + [9], 3: [3, 9, 9]})
    out = sp.classify_regimes(scores, window=(1976, 1985)).set_index("ccode")
    assert out.loc[1, "regime3"] == sp.STABLE_DEMOCRACY  # the 1986 collapse is outside the window
    assert out.loc[2, "regime3"] == sp.STABLE_AUTOCRACY
    assert out.loc[3, "regime3"] == sp.TRANSITIONAL
    wide = sp.classify_regimes(scores, window=(1976, 1986)).set_index("ccode")
    assert wide.loc[1, "regime3"] == wide.loc[2, "regime3"] == sp.TRANSITIONAL
    with pytest.raises(ValueError, match="dem_cut"):
        sp.classify_regimes(scores, dem_cut=4, aut_never_cut=6)


def test_rolling_regimes_are_ex_ante():
    scores = _scores({1: [-8] * 12 + [10] * 12})
    out = sp.rolling_regimes(scores, years=10).set_index("year").regime3
    first_democratic = 1976 + 12
    # the year of the transition is still judged on the autocratic past
    assert out[first_democratic] == sp.STABLE_AUTOCRACY
    assert out[first_democratic + 1] == sp.TRANSITIONAL
    assert out[first_democratic + 10] == sp.STABLE_DEMOCRACY
    assert 1976 not in out.index  # no past to judge the first year on


# --- treatment coding ------------------------------------------------------------------------

def _treaty_panel() -> pd.DataFrame:
    years = range(1970, 1990)
    return pd.DataFrame([{"ccode": c, "year": y, "iccpr_year": r, "cat_year": r}
                         for c, r in ((1, 1972), (2, 1980), (3, pd.NA)) for y in years]).astype(
        {"iccpr_year": "Int64", "cat_year": "Int64"})


def test_treatment_starts_lag_years_after_deposit_and_never_before():
    out = sp.add_treatment(_treaty_panel(), sp.Design(treaty="CAT", lag=2))
    two = out[out.ccode == 2].set_index("year").ratified
    assert two[1981].item() == 0 and two[1982].item() == 1
    assert (out[out.ccode == 3].ratified == 0).all()
    treated = out[out.ratified == 1]
    assert (treated.year >= treated.cat_year + 2).all()


def test_iccpr_before_entry_into_force_counts_from_1976():
    eif = sp.add_treatment(_treaty_panel(), sp.Design(treaty="ICCPR", lag=1))
    assert eif[(eif.ccode == 1) & (eif.ratified == 1)].year.min() == 1977
    raw = sp.add_treatment(_treaty_panel(), sp.Design(treaty="ICCPR", lag=1, pre1976_iccpr="ratification_year"))
    assert raw[(raw.ccode == 1) & (raw.ratified == 1)].year.min() == 1973
    cat = sp.add_treatment(_treaty_panel(), sp.Design(treaty="CAT", lag=1))  # the 1976 rule is for the ICCPR only
    assert cat[(cat.ccode == 1) & (cat.ratified == 1)].year.min() == 1973


# --- the design ---------------------------------------------------------------------------------

def test_design_rejects_bad_choices_with_the_books_error():
    from ratify.design import ParameterError

    for bad in ({"pre1976_iccpr": "signature"}, {"outcome": "happiness"}, {"stable_window": "rolling5"},
                {"regime_scheme": "bmr"}, {"ratification_source": "wikipedia"}, {"lag": 9}):
        with pytest.raises(ParameterError, match=next(iter(bad))):
            sp.Design(**bad)
    with pytest.raises(ParameterError, match="ratification_source"):
        sp.ratification_years("wikipedia")
    with pytest.raises(ParameterError, match="dem_cut >= aut_never_cut"):
        sp.Design(dem_cut=6, aut_never_cut=8)
    with pytest.raises(ParameterError, match="regime_start <= regime_end"):
        sp.Design(regime_start=2000, regime_end=1995)


def test_design_outcomes_are_the_chapters_outcomes():
    from ratify.design import design_fields

    field = next(f for f in design_fields(sp.Design) if f.name == "outcome")
    assert set(field.choices) == set(sp.OUTCOMES)
    assert sp.Design().regime_window == (1976, 2007)


def test_all_evidence_fits_every_analysis_under_the_one_design(monkeypatch):
    """The claims table of a variant run must not mix the variant's A2 with the book's A1, A3-A5:
    every analysis all_evidence reads is fitted under the design it is given."""
    seen = {}

    def recorder(key):
        def fit(design, *args):
            seen.setdefault(key, []).append(design)
            name = f"{key}_{args[0].lower()}" if args and key == "hazards" else key
            res = ModelResult(name=name, label=name, model="OLS", n=1, terms=terms_table(["x"], [0.0], [1.0]))
            return {"m": (res, None)}
        return fit

    for key, fn in (("democracy", "fit_democracy"), ("effects", "fit_ratification_effects"),
                    ("hazards", "fit_ratification_hazards"), ("civil_society", "fit_civil_society"),
                    ("payoffs", "fit_payoffs")):
        monkeypatch.setattr(sp, fn, recorder(key))
    variant = sp.Design(treaty="ICCPR", outcome="tort", lag=3, dem_cut=7, regime_scheme="vdem", controls="minimal",
                        ratification_source="hr_treaties_2026", start_year=1985, end_year=2005)
    sp.all_evidence(variant)
    assert set(seen) == {"democracy", "effects", "hazards", "civil_society", "payoffs"}
    for key, designs in seen.items():
        for d in designs:  # the family changes treaty and outcome only; every other choice is the variant's
            same = {f: getattr(d, f) for f in ("lag", "dem_cut", "regime_scheme", "controls", "ratification_source",
                                               "start_year", "end_year")}
            assert same == {"lag": 3, "dem_cut": 7, "regime_scheme": "vdem", "controls": "minimal",
                            "ratification_source": "hr_treaties_2026", "start_year": 1985, "end_year": 2005}, key
    assert variant in seen["effects"] and seen["democracy"] == [variant] and seen["payoffs"] == [variant]


def test_fit_key_models_names_the_variants_key_models(monkeypatch):
    import yaml

    rng = np.random.default_rng(1)
    frame = _planted_panel()
    for col in ("y_lag", "ln_gdppc_l1", "ln_population_l1", "civil_war_l1", "interstate_l1", "reg_saut"):
        frame[col] = rng.normal(size=len(frame))
    frame["polity2_l1"] = rng.integers(-10, 11, len(frame)).astype(float)
    monkeypatch.setattr(sp, "design_frame", lambda data: frame)
    spec = yaml.safe_load(open("book/chapters/03-spiral-model/variants.yaml"))
    fitted = sp.fit_key_models(sp.Design())
    assert set(fitted) == {q["model"] for q in spec["key_quantities"]}
    assert set(fitted) == {"effect_pooled", "effect_conditional", "effect_twfe", "effect_inverted_u"}
    assert set(sp.fit_key_models(sp.Design(), models=["effect_twfe"])) == {"effect_twfe"}
    flipped = sp.fit_key_models(sp.Design(), ["effect_pooled"], perturb=lambda f: f.assign(y=-f.y))["effect_pooled"]
    assert flipped.estimate("ratified") == pytest.approx(-fitted["effect_pooled"].estimate("ratified"))
    minimal = sp.fit_key_models(sp.Design(controls="minimal"), ["effect_pooled"])["effect_pooled"]
    assert set(minimal.terms.term) == {"ratified", "y_lag"}  # a model option reaches the fit
    with pytest.raises(KeyError, match="effect_nope"):
        sp.fit_key_models(sp.Design(), ["effect_nope"])


# --- estimators on planted data ---------------------------------------------------------------

def _planted_panel(effect: float = 0.5, seed: int = 20130101) -> pd.DataFrame:
    """Country-years with a treatment effect only in transitional countries (for estimator tests;
    the book never runs on simulated data)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(90):
        regime = sp.REGIMES[c % 3]
        start = 1985 + (c % 15) if c % 5 else 10_000
        alpha = rng.normal()
        for y in range(1981, 2006):
            treated = int(y >= start)
            gain = effect * treated * (regime == sp.TRANSITIONAL)
            rows.append({"ccode": c, "year": y, "regime3": regime, "ratified": treated,
                         "treat_year": start if start < 10_000 else pd.NA,
                         "y": alpha + 0.05 * (y - 1981) + gain + rng.normal(scale=0.3),
                         "x": rng.normal()})
    d = pd.DataFrame(rows)
    for regime, short in sp.REGIME_SHORT.items():
        d[f"reg_{short}"] = (d.regime3 == regime).astype(float)
        d[f"rat_{short}"] = d.ratified * d[f"reg_{short}"]
    d["treat_year"] = d.treat_year.astype("Int64")
    return d


def test_twfe_recovers_a_planted_transitional_effect():
    d = _planted_panel()
    res, frame = sp.fit_ols(d, ["rat_sdem", "rat_trans", "rat_saut", "reg_trans", "x"], fixed_effects="country_year",
                            name="t", label="t")
    assert res.estimate("rat_trans") == pytest.approx(0.5, abs=0.1)
    assert abs(res.estimate("rat_saut")) < 0.1 and abs(res.estimate("rat_sdem")) < 0.1
    assert res.n == len(frame) == len(d) and "regime3" in frame   # the chapter's downloads carry the category
    assert "reg_trans" not in set(res.terms.term)                   # absorbed by the country effects
    assert res.specification["fixed_effects"] == ["ccode", "year"]
    with pytest.raises(ValueError, match="fixed_effects"):
        sp.fit_ols(d, ["x"], fixed_effects="country", name="t", label="t")


def test_lincom_adds_coefficients_and_their_covariance():
    params = np.array([1.0, 2.0])
    cov = np.array([[0.04, 0.01], [0.01, 0.09]])
    from ratify.comparison import lincom, with_vcov

    res = ModelResult(name="m", label="m", model="Cox", n=1, terms=terms_table(["a", "b"], list(params), [0.2, 0.3]))
    out = lincom(with_vcov(res, cov), {"a": 1, "b": 1})
    assert out["estimate"] == pytest.approx(3.0)
    assert out["std_error"] == pytest.approx(np.sqrt(0.04 + 0.09 + 0.02))


# --- what the claims table needs --------------------------------------------------------------

def test_flatten_keys_models_by_name_and_keeps_cox_covariance():
    ols = ModelResult(name="effect_pooled", label="x", model="OLS", n=100, terms=terms_table(["ratified"], [0.1], [0.05]))
    cox = ModelResult(name="hazard_record_cat", label="y", model="Cox", n=50,
                      terms=terms_table(["a", "b"], [0.2, 0.3], [0.1, 0.1], exponentiate=True))
    cov = np.array([[0.01, 0.002], [0.002, 0.01]])
    out = sp.flatten({"a2": {"pooled": (ols, None), "frame_rows": 10},
                      "a3_cat": {"record": (cox, None, np.array([0.2, 0.3]), cov), "risk": pd.DataFrame()}})
    assert set(out) == {"effect_pooled", "hazard_record_cat"}
    assert out["hazard_record_cat"].specification["vcov"] == cov.tolist() and "vcov" not in cox.specification


def test_pohr_cases_matched_counts_the_texts_placements():
    codes = list(sp.POHR_CASES)
    cats = pd.DataFrame({"ccode": codes, "regime3": [sp.POHR_CASES[c][1] for c in codes]})
    assert sp.pohr_cases_matched(cats) == {"estimate": 9, "n": 9}
    cats.loc[0, "regime3"] = sp.TRANSITIONAL if cats.loc[0, "regime3"] != sp.TRANSITIONAL else sp.STABLE_AUTOCRACY
    assert sp.pohr_cases_matched(cats)["estimate"] == 8


# --- real data ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def panel(real_mirror):
    return sp.spiral_panel()


def test_default_rule_reproduces_the_pohr_case_list(panel):
    cats = sp.classify_regimes(panel).set_index("ccode").regime3
    for code, (name, expected) in sp.POHR_CASES.items():
        assert cats[code] == expected, name


def test_tunisia_turns_transitional_if_the_window_passes_2011(panel):
    cats = sp.classify_regimes(panel[["ccode", "year", "polity2"]], window=(1976, 2016)).set_index("ccode").regime3
    assert cats[616] == sp.TRANSITIONAL


def test_north_korea_acceded_to_the_iccpr_in_1981(real_mirror):
    years = sp.ratification_years().set_index("ccode")
    assert years.loc[731, "iccpr_year"] == 1981


def test_treatment_never_precedes_deposit_on_real_data(panel):
    for treaty in ("CAT", "ICCPR"):
        f = sp.analysis_frame(panel, sp.Design(treaty=treaty, lag=0))
        treated = f[f.ratified == 1]
        assert (treated.year >= treated[f"{treaty.lower()}_year"]).all()
    iccpr = sp.analysis_frame(panel, sp.Design(treaty="ICCPR", lag=0, start_year=1970))
    assert iccpr[(iccpr.ratified == 1)].year.min() >= 1976


def test_outcomes_point_the_same_way(panel):
    corr = panel[["physint", "pts_s_rev", "theta_mean", "hathaway", "tort"]].astype(float).corr()
    assert corr.loc["pts_s_rev", "physint"] > 0.5
    assert corr.loc["hathaway", "tort"] > 0.4  # the Hathaway scale is reversed so that higher = better
    assert corr.loc["theta_mean", "physint"] > 0.5


def test_ratification_risk_sets_are_valid(real_mirror):
    from ratify.risksets import validate

    for treaty, opening in (("CAT", 1985), ("ICCPR", 1967)):
        rs = sp.ratification_risk_set(treaty)
        validate(rs, ["ccode"])
        assert rs.year.min() == opening and rs.year.max() <= 2014
        assert rs.groupby("ccode").event.sum().max() == 1
        # covariates are last year's: the democracy dummy follows lagged polity2
        known = rs.dropna(subset=["polity2_l1"])
        assert ((known.polity2_l1 >= 6) == (known.democracy == 1)).all()


def test_aid_and_imf_claims_are_tested_by_the_payoff_models(real_mirror):
    """C14 and C15 are tested: each names a model fit_payoffs fits and a term it estimates."""
    from ratify import comparison as cmp

    claims = {c["id"]: c for c in cmp.read_claims("book/chapters/03-spiral-model/claims.yaml")["claims"]}
    fitted = sp.flatten({"payoffs": sp.fit_payoffs(sp.Design())})
    for cid in ("C14a", "C14b", "C15a", "C15b"):
        test = claims[cid]["test"]
        assert "untestable" not in claims[cid] and claims[cid]["where"]
        assert test["term"] in set(fitted[test["model"]].terms.term), cid
    assert fitted["payoff_imf_new"].n > fitted["payoff_ln_oda_per_capita"].n  # aid: recipients only


def test_imf_arrangements_spot_check(real_mirror):
    """The IMF table has no provenance note: a few arrangements any history of the Fund records."""
    from ratify.sources import read_imf_arrangements

    a = read_imf_arrangements()
    approved = a.assign(y=a.approval_date.dt.year).groupby("ccode").y.apply(set)
    assert 1997 in approved[732]           # South Korea, Asian financial crisis
    assert {2010, 2012} <= approved[350]   # Greece
    assert 1995 in approved[70]            # Mexico, peso crisis
    assert {1997, 1998} <= approved[850]   # Indonesia
    assert approved[2] == {1963, 1964}     # the United States' stand-by arrangements of 1963-64, and none since
