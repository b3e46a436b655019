"""Chapter 2 (Western, Lockhart & Money 2019): net-migration layout, covariate rules, model specs, risk set."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ratify.design import ParameterError, parameters_block
from ratify.models.results import ModelResult, terms_table
from ratify.risksets import validate
from ratify.studies import migrant_workers as mw
from ratify.variants.schema import check_defaults, load


# --- pure logic on hand-made frames -------------------------------------------------------------

def test_five_year_layout_puts_period_means_at_the_middle_year():
    annual = pd.DataFrame({"ccode": [1] * 10 + [2] * 2, "year": list(range(1985, 1995)) + [1985, 1986],
                           "net_migration": [-10, -20, -30, -40, -50, 5, 5, 5, 5, 35, 100, 100]})
    out = mw.five_year_net_migration(annual)
    one = out[out.ccode == 1].set_index("year").net_migration
    assert one.to_dict() == {1987: -30.0, 1992: 11.0}
    assert not (out.ccode == 2).any()  # a quinquennium with only two reported years is not used


def test_pts_rules_choose_and_fill_as_named():
    panel = pd.DataFrame({"pts_a_rev": [2.0, 3.0, np.nan], "pts_h_rev": [np.nan, 5.0, np.nan],
                          "pts_s_rev": [np.nan, 1.0, np.nan]})
    assert mw.pts_reversed(panel, "state_then_amnesty").tolist()[:2] == [2.0, 1.0]
    assert mw.pts_reversed(panel, "mean").tolist()[:2] == [2.0, 3.0]
    assert np.isnan(mw.pts_reversed(panel, "state").iloc[0])
    assert np.isnan(mw.pts_reversed(panel, "mean").iloc[2])
    assert set(mw.PTS) == set(parameters_block(mw.Design)["pts_source"]["choices"])


def test_polity_dummy_keeps_missing_years_missing():
    panel = pd.DataFrame({"polity2": [6.0, 5.0, np.nan, -7.0]})
    out = mw.democracy_column(panel, "polity_dummy")
    assert out.tolist()[:2] == [1.0, 0.0] and np.isnan(out.iloc[2]) and out.iloc[3] == 0.0
    assert set(mw.DEMOCRACY) == set(parameters_block(mw.Design)["democracy"]["choices"])


def test_models_enter_one_hypothesis_each_and_h3_can_be_left_out():
    specs = mw.model_specs()
    hypotheses = {"sending", "remittances", mw.H3, "immigrant_stock"}
    controls = set(specs["wlm_model1"][1]) - {"sending"}
    assert not controls & hypotheses
    for name, term in (("wlm_model1", "sending"), ("wlm_model2", "remittances"), ("wlm_model3", mw.H3),
                       ("wlm_model4", "immigrant_stock")):
        assert set(specs[name][1]) == controls | {term}
    assert set(specs["wlm_model5"][1]) == controls | hypotheses
    no_h3 = mw.model_specs(mw.Design(skilled_emigration="none"))
    assert set(no_h3["wlm_model3"][1]) == controls and mw.H3 not in no_h3["wlm_model5"][1]
    assert "regional_share_10" not in mw.model_specs(mw.Design(diffusion="none"))["wlm_model5"][1]
    assert not any("global" in c for spec in mw.model_specs().values() for c in spec[1])
    with pytest.raises(ParameterError, match="'diffusion': 'global' is not allowed"):
        mw.Design(diffusion="global")  # unidentified on the calendar clock


def test_labels_name_the_measure_the_generic_terms_hold():
    continuous = mw.labels(mw.Design(sending_measure="continuous"))["sending"]
    assert "dummy" not in continuous and "100,000" in continuous
    assert mw.labels(mw.Design(log_stock=True))["immigrant_stock"].startswith("ln")
    assert "proxy" in mw.labels()[mw.H3]


def test_percentile_contrast_is_exact_for_a_linear_term():
    result = ModelResult(name="m", label="m", model="cox", n=10,
                         terms=terms_table(["x"], [-0.137], [0.064], exponentiate=True))
    c = mw.contrast(result, "x", 1.22, 10.5)
    assert c["hr"] == pytest.approx(math.exp(-0.137 * 9.28))
    assert c["conf_low"] < c["hr"] < c["conf_high"]
    assert c["conf_high"] == pytest.approx(math.exp((-0.137 + 1.959964 * 0.064) * 9.28), rel=1e-6)
    # the reverse move gives the reciprocal, with the interval flipped into order
    back = mw.contrast(result, "x", 10.5, 1.22)
    assert back["hr"] == pytest.approx(1 / c["hr"]) and back["conf_low"] == pytest.approx(1 / c["conf_high"])


def test_sending_at_entry_uses_the_first_known_year_and_is_fixed_per_state():
    risk = pd.DataFrame({"ccode": [1, 1, 1, 2, 2], "year": [1990, 1991, 1992, 1990, 1991],
                         "net_sending": [np.nan, 0.0, 1.0, 1.0, 0.0]})
    groups = mw.sending_at_entry(risk)
    assert groups.tolist() == ["net receiving"] * 3 + ["net sending"] * 2


def test_parameter_checks_fail_before_any_data_is_read():
    with pytest.raises(ParameterError, match="'sending_measure': 'share' is not allowed"):
        mw.Design.from_changes({"sending_measure": "share"})
    with pytest.raises(ParameterError, match="'region_scheme': 'un_groups' is not allowed"):
        mw.Design(region_scheme="un_groups")
    with pytest.raises(ParameterError, match="'end_year': 2030 is not allowed.*outside the range"):
        mw.Design(end_year=2030)
    with pytest.raises(ParameterError, match="unknown parameter 'h3'"):
        mw.Design.from_changes({"h3": "none"})


def test_model_options_share_the_risk_set():
    base = mw.Design()
    assert base.replace(ties="breslow", diffusion="none", skilled_emigration="none").data_choices() == base
    assert base.replace(skilled_census_rule="linear").data_choices() != base


def test_variants_file_matches_the_design_and_the_parameters_cell():
    chapter = load("02-migrant-workers")
    assert check_defaults(chapter) == []
    assert {q.model for q in chapter.key_quantities} <= set(mw.model_specs())
    assert chapter.design == "ratify.studies.migrant_workers:Design"


# --- real data -----------------------------------------------------------------------------------

@pytest.fixture
def with_mirror(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))


def test_crmw_parties_by_year_match_the_un_record(with_mirror):
    first = mw.first_consent_years(mw.crmw_consents())
    assert not first.ccode.duplicated().any()
    assert int((first.event_year <= 2015).sum()) == 48       # incl. Madagascar, 13 May 2015
    assert int((first.event_year <= 2018).sum()) == 54       # the paper's end-2018 count
    assert first.set_index("ccode").event_year[70] == 1999   # Mexico


def test_default_risk_set_is_a_valid_counting_process_with_the_paper_window(with_mirror):
    risk = mw.risk_set()
    validate(risk, ["ccode"])
    assert risk.year.between(1990, 2015).all()
    assert int(risk.event.sum()) == 48
    entry = risk.groupby("ccode").agg(year=("year", "min"), start=("start", "min"))
    assert ((entry.start == entry.year - 1990)).all()           # calendar clock, late entrants left-truncated
    assert set(risk.net_sending.dropna().unique()) <= {0.0, 1.0}
    assert risk.regional_share_10.dropna().between(0, 10).all()
    madagascar = risk[risk.ccode == 580]
    assert madagascar.year.max() == 2015 and madagascar.event.iloc[-1] == 1
    # the sending dummy follows the threshold, and the five-year layout smooths the annual series
    strict = mw.risk_set(mw.Design(sending_threshold=-50_000.0))
    assert strict.net_sending.sum() < risk.net_sending.sum()


def test_window_to_2020_adds_later_parties_and_keeps_earlier_spells(with_mirror):
    late = mw.risk_set(mw.Design(end_year=2020, remittance_source="gdi"))
    validate(late, ["ccode"])
    assert int(late.event.sum()) > 48
    assert late[late.year > 2015].remittances.notna().any()
    assert late[late.year <= 2015].event.sum() == 48


def test_global_share_is_nearly_constant_across_states_at_risk_in_a_year(with_mirror):
    spread = mw.global_share_spread(mw.risk_set())
    assert len(spread) > 10
    # only newly independent states (not in the system the year before) differ, by well under a point
    assert (spread["max"] - spread["min"]).max() < 0.01


def test_layout_switches_are_counted_only_where_both_series_exist(with_mirror):
    switch = mw.status_switches()
    assert switch[["sending_five_year", "sending_annual"]].notna().all().all()
    moved = (switch.sending_five_year != switch.sending_annual).sum()
    assert 0 < moved < 0.2 * len(switch)


def test_h3_proxy_follows_the_papers_census_rule(with_mirror):
    """The paper: the 1990 value for 1990-1999 and the 2000 value from 2000 on, no interpolation."""
    risk = mw.risk_set()
    per_state = risk.dropna(subset=[mw.H3]).groupby("ccode")
    nineties = risk[risk.year.between(1990, 1999)].dropna(subset=[mw.H3]).groupby("ccode")[mw.H3].nunique()
    later = risk[risk.year >= 2000].dropna(subset=[mw.H3]).groupby("ccode")[mw.H3].nunique()
    assert (nineties == 1).all() and (later == 1).all() and (per_state[mw.H3].nunique() <= 2).all()
    linear = mw.risk_set(mw.Design(skilled_census_rule="linear"))
    assert linear[linear.year >= 2000].groupby("ccode")[mw.H3].nunique().max() > 1
    coverage = mw.skilled_coverage()
    assert 0.8 < coverage.loc["states", "share"] <= 1
    # IAB back-casts 2010 borders: Armenia (371, independent 1991) takes its 1990 value in the nineties
    armenia = risk[(risk.ccode == 371) & (risk.year < 2000)][mw.H3]
    assert armenia.notna().all() and armenia.nunique() == 1
    in_year = mw.risk_set(mw.Design(skilled_borders="in_year"))
    assert in_year[(in_year.ccode == 371) & (in_year.year < 2000)][mw.H3].isna().all()


def test_fit_key_models_follows_the_contract(with_mirror):
    fits = mw.fit_key_models(mw.Design(), models=["wlm_model3"])
    assert list(fits) == ["wlm_model3"] and mw.H3 in set(fits["wlm_model3"].terms.term)
    without = mw.fit_key_models(mw.Design(skilled_emigration="none"), models=["wlm_model3"])["wlm_model3"]
    assert mw.H3 not in set(without.terms.term) and without.n >= fits["wlm_model3"].n
    shuffled = mw.fit_key_models(mw.Design(), models=["wlm_model1"],
                                 perturb=lambda f: f.assign(sending=f.sending.sample(frac=1, random_state=0).to_numpy()))
    assert shuffled["wlm_model1"].estimate("sending") != mw.fit_key_models(mw.Design(), ["wlm_model1"])[
        "wlm_model1"].estimate("sending")
    with pytest.raises(KeyError, match="no model 'wlm_model6'"):
        mw.fit_key_models(mw.Design(), models=["wlm_model6"])
