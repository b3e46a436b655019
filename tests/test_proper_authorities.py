"""Chapter 5 (Drezner 2003): treaty coding, risk-set rules, propositions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ratify.design import ParameterError, design_fields
from ratify.models.results import ModelResult, terms_table
from ratify.risksets import validate
from ratify.studies import proper_authorities as pa

BOOK = Path(__file__).resolve().parents[1] / "book" / "chapters"


# --- pure logic ---------------------------------------------------------------------------

def test_treaty_sets_are_subsets_of_the_coded_treaties():
    for name, members in pa.TREATY_SETS.items():
        assert set(members) <= set(pa.TREATIES), name
    assert pa.treaty_set(pa.Design()) == list(pa.TREATIES)
    assert all(pa.TREATIES[t][2] == 1 for t in pa.treaty_set(pa.Design(treaty_set="delegation")))
    assert all(pa.TREATIES[t][2] == 0 for t in pa.treaty_set(pa.Design(treaty_set="no_delegation")))


def test_the_designs_choices_are_the_coded_sets_and_measures():
    fields = {f.name: f for f in design_fields(pa.Design)}
    assert set(fields["treaty_set"].choices) == set(pa.TREATY_SETS)
    assert set(fields["ratifier_measure"].choices) == set(pa.RATIFIER_MEASURES)
    assert fields["ties"].model_only and not fields["ratifier_measure"].model_only
    with pytest.raises(ParameterError, match="treaty_set.*'paris'"):
        pa.Design(treaty_set="paris")
    with pytest.raises(ParameterError, match="end_year"):
        pa.Design.from_changes({"end_year": 2020})
    # designs that differ only in tie handling share one analysis frame
    assert pa.Design(ties="breslow").data_choices() == pa.Design().data_choices()


def test_every_treaty_has_a_rationale_and_binary_codes():
    for short, issue, delegation, costly, why in pa.TREATIES.values():
        assert delegation in (0, 1) and costly in (0, 1)
        assert len(why) > 10


def test_simmons_scale_is_not_entered_twice_when_it_is_the_ratifier_measure():
    specs = pa.ratification_covariates(pa.Design(ratifier_measure="ratrules"))
    assert "ratrules_pts" not in specs["cox_rules"]
    assert pa.ratification_covariates(pa.Design())["cox_rules"][0] == "ratrules_pts"
    assert "share_bound_10" not in pa.ratification_covariates(pa.Design(diffusion="none"))["cox_ratifiers"]
    with pytest.raises(KeyError, match="cox_nothing"):
        pa.fit_key_models(pa.Design(), models=["cox_nothing"])


def test_new_democracy_is_missing_where_bmr_is():
    panel = pd.DataFrame({"bmr_democracy": [1, 1, 0, np.nan], "bmr_duration": [3, 12, 40, np.nan]})
    assert pa.new_democracy(panel, 5).tolist()[:3] == [1.0, 0.0, 0.0]
    assert np.isnan(pa.new_democracy(panel, 5).iloc[3])


def _result(name, term, est, se, exponentiate=True):
    return ModelResult(name=name, label=name, model="test", n=10,
                       terms=terms_table([term], [est], [se], exponentiate=exponentiate))


def test_typology_cells_are_valid_and_every_cell_has_a_case():
    from ratify.comparison import compare

    cases = compare(BOOK / "05-proper-authorities").query("kind == 'placement'")
    assert set(cases.initiator) == {"domestic", "external"}
    assert set(cases.mechanism) == {"contracting", "coercion", "persuasion"}
    assert pd.crosstab(cases.initiator, cases.mechanism).to_numpy().min() >= 1
    imf = cases[cases.what.str.contains("IMF")].set_index("what")
    assert imf.loc["The IMF and Russia's repeated defections", "placed_by"].endswith("mechanism: the text")
    assert imf.loc["IMF conditionality in the Pacific Rim (Haggard)", "placed_by"].endswith("mechanism: ours")
    ozone = cases[cases.what.str.contains("ozone")]
    assert set(ozone.mechanism) == {"contracting", "persuasion"}


def test_every_proposition_is_a_row_even_when_not_estimated():
    from ratify.comparison import NOT_ESTIMATED, SUPPORTED, compare

    results = {"cox_ratifiers": _result("cox_ratifiers", "ratifier_z", np.log(0.8), 0.05)}
    table = compare(BOOK / "05-proper-authorities", results).query("kind == 'claim'").set_index("id")
    assert table.loc["C1", "verdict"] == SUPPORTED and table.loc["C1", "ours"] == pytest.approx(0.8)
    assert table.loc["H4", "verdict"] == NOT_ESTIMATED and table.loc["C5", "verdict"] == "untestable"


# --- real data ------------------------------------------------------------------------------

@pytest.mark.realdata
def test_signature_risk_set_starts_at_each_states_own_signature(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    rs = pa.ratification_risk_set(("XXVI-3", "IV-5"), "signature", 1966, 2014)
    validate(rs, ["ccode", "mtdsg_no"])
    acts = pa.signatures_and_consents(["XXVI-3", "IV-5"]).set_index(["ccode", "mtdsg_no"])
    first = rs.sort_values("year").groupby(["ccode", "mtdsg_no"]).first()
    sig_year = acts.loc[first.index, "signature_date"].dt.year
    assert (first.year.to_numpy() >= sig_year.to_numpy()).all()
    assert (first.stop == first.year - sig_year.to_numpy() + 1).all()
    # every ratification is the first consent, in the spell's last year
    events = rs[rs.event == 1].set_index(["ccode", "mtdsg_no"])
    assert (events.year.to_numpy() == acts.loc[events.index, "consent_date"].dt.year.to_numpy()).all()
    assert rs.groupby(["ccode", "mtdsg_no"]).event.sum().max() == 1


@pytest.mark.realdata
def test_opening_clock_adds_non_signers_and_left_truncates_new_states(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    sig = pa.ratification_risk_set(("IV-4",), "signature", 1966, 2014)
    opening = pa.ratification_risk_set(("IV-4",), "opening", 1966, 2014)
    assert opening.ccode.nunique() > sig.ccode.nunique()
    entry = opening.groupby("ccode").agg(year=("year", "min"), start=("start", "min"))
    late = entry[entry.year > 1966]
    assert len(late) > 20 and (late.start == late.year - 1966).all()  # clock kept running before entry
    assert opening.attrs["successions_dropped"] > 0


@pytest.mark.realdata
def test_igo_accessions_exclude_founders_and_new_states(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    joins = pa.igo_accessions(1966, 2014)
    assert not joins.duplicated(["ccode", "igo", "year"]).any()
    assert not ((joins.ccode == 255) & (joins.year == 1990)).any()  # unified Germany's new code
    assert joins["size"].notna().mean() > 0.99  # the IGO existed the year before
    panel = pa.accession_panel(1966, 2014, 3)
    assert (panel.joins_democratic + panel.joins_other == panel.joins_all).all()
    assert (panel.joins_small + panel.joins_large == panel.joins_all).all()
    assert panel.joins_all.sum() == len(joins)


def test_imf_checks_count_each_inconsistency_once():
    day = pd.Timestamp
    table = pd.DataFrame({
        "ccode": [100, 100, np.nan, 200],
        "arrangement_type": ["SBA", "SBA", "EFF", "SBA"],
        "approval_date": [day("1990-01-01"), day("1990-01-01"), day("1995-06-01"), day("2000-03-01")],
        "expiration_date": [day("1991-01-01"), day("1991-01-01"), day("1994-06-01"), day("2001-03-01")],
        "extended_expiration_date": [pd.NaT, pd.NaT, pd.NaT, day("2001-09-01")],
        "cancellation_date": [pd.NaT, pd.NaT, pd.NaT, day("2001-06-01")],  # inside the extension: fine
        "end_date": [day("1991-01-01"), day("1991-01-01"), day("1994-06-01"), day("2001-06-01")],
    })
    checks = pa.imf_checks(table)
    assert checks["arrangements"] == 4
    assert checks["no COW code in the approval year"] == 1
    assert checks["expiration before approval"] == 1 and checks["end before approval"] == 1
    assert checks["same country, type and approval date twice"] == 1
    assert checks["cancelled after the (extended) expiration"] == 0
    late = table.assign(cancellation_date=[pd.NaT, pd.NaT, pd.NaT, day("2002-01-01")])
    assert pa.imf_checks(late)["cancelled after the (extended) expiration"] == 1


def test_the_imf_propositions_are_tested_by_the_imf_models():
    from ratify.comparison import SUPPORTED, compare

    results = {"imf_entry": _result("imf_entry", "v2xlg_legcon", 0.05, 0.01, exponentiate=False),
               "legcon_imf": _result("legcon_imf", "imf_program", 0.03, 0.01, exponentiate=False)}
    table = compare(BOOK / "05-proper-authorities", results).query("kind == 'claim'").set_index("id")
    assert table.loc["C13 / H1b", "verdict"] == SUPPORTED  # predicted +, estimate clearly positive
    assert table.loc["H4-imf", "verdict"] != SUPPORTED  # predicted -, estimate positive
