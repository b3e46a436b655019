"""Chapter 5 (Drezner 2003): treaty coding, risk-set rules, propositions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ratify.models.results import ModelResult, terms_table
from ratify.risksets import validate
from ratify.studies import proper_authorities as pa


# --- pure logic ---------------------------------------------------------------------------

def test_treaty_sets_are_subsets_of_the_coded_treaties():
    for name, members in pa.TREATY_SETS.items():
        assert set(members) <= set(pa.TREATIES), name
    assert pa.treaty_set("all") == list(pa.TREATIES)
    assert all(pa.TREATIES[t][2] == 1 for t in pa.treaty_set("delegation"))
    assert all(pa.TREATIES[t][2] == 0 for t in pa.treaty_set("no_delegation"))
    with pytest.raises(ValueError, match="treaty_set"):
        pa.treaty_set("paris")


def test_every_treaty_has_a_rationale_and_binary_codes():
    for short, issue, delegation, costly, why in pa.TREATIES.values():
        assert delegation in (0, 1) and costly in (0, 1)
        assert len(why) > 10


def test_simmons_scale_is_not_entered_twice_when_it_is_the_ratifier_measure():
    specs = pa.a1_specs("ratrules", "global")
    assert "ratrules_pts" not in specs["a1_rules"]
    assert pa.a1_specs("legcon", "global")["a1_rules"][0] == "ratrules_pts"
    assert "share_bound_10" not in pa.a1_specs("legcon", "none")["a1_ratifiers"]


def test_new_democracy_is_missing_where_bmr_is():
    panel = pd.DataFrame({"bmr_democracy": [1, 1, 0, np.nan], "bmr_duration": [3, 12, 40, np.nan]})
    assert pa.new_democracy(panel, 5).tolist()[:3] == [1.0, 0.0, 0.0]
    assert np.isnan(pa.new_democracy(panel, 5).iloc[3])


def test_verdict_reads_the_interval_against_the_predicted_side():
    assert pa.verdict(-1, 0.7, 0.9, 1.0) == "as predicted"
    assert pa.verdict(1, 0.7, 0.9, 1.0) == "contrary to prediction"
    assert pa.verdict(1, -0.2, 0.3, 0.0).startswith("no clear effect")


def _result(name, term, est, se, exponentiate=True):
    return ModelResult(name=name, label=name, model="test", n=10,
                       terms=terms_table([term], [est], [se], exponentiate=exponentiate))


def test_propositions_table_lists_every_proposition_even_when_not_estimated():
    results = {"a1_ratifiers": _result("a1_ratifiers", "ratifier_z", np.log(0.8), 0.05),
               "a3_legcon": _result("a3_legcon", "igo_full_10", 0.02, 0.005, exponentiate=False)}
    table = pa.propositions_table(results)
    assert len(table) == len(pa.PROPOSITIONS)
    row = table.set_index("id").loc["C1"]
    assert row.ours == pytest.approx(0.8) and row.verdict == "as predicted" and row.same_sign
    h4 = table.set_index("id").loc["H4"]
    assert h4.ours == pytest.approx(0.02) and h4.verdict == "contrary to prediction" and not h4.same_sign
    assert table.set_index("id").loc["H2a", "note"].startswith("not estimated")


def test_typology_cells_are_valid_and_every_cell_has_a_case():
    cases = pa.typology_table()
    assert set(cases.initiator) == {"domestic", "external"}
    assert set(cases.mechanism) == {"contracting", "coercion", "persuasion"}
    assert set(cases.placed_by) <= {"text", "ours"}
    assert pd.crosstab(cases.initiator, cases.mechanism).to_numpy().min() >= 1


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
    panel = pa.a2_panel(1966, 2014, 3)
    assert (panel.joins_democratic + panel.joins_other == panel.joins_all).all()
    assert (panel.joins_small + panel.joins_large == panel.joins_all).all()
    assert panel.joins_all.sum() == len(joins)
