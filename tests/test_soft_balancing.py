"""Chapter 4 (Levick & Schulz 2020): sample rules, crosswalk, covariates (the OAS-table reader: test_oas.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ratify.design import ParameterError
from ratify.risksets import consents_with_cow, treaty_risk_set
from ratify.sources.oas import read_oas_signatory_table
from ratify.studies import soft_balancing as sb

FIXTURES = Path(__file__).parent / "fixtures"


# --- the OAS table feeds the inter-American risk set ----------------------------------------

def test_oas_table_feeds_the_risk_set_by_ccode():
    treaties, actions = read_oas_signatory_table(FIXTURES / "oas_signatories.csv")
    states = pd.DataFrame({"ccode": np.repeat([20, 70, 140, 155], 2016 - 1985),
                           "year": np.tile(np.arange(1985, 2016), 4)})
    risk = treaty_risk_set(states, treaties, actions, end=2015, treaty="treaty", participant_key="ccode")
    events = risk[risk.event == 1].set_index(["ccode", "treaty"]).year.to_dict()
    assert events == {(70, "A-51"): 1987, (155, "A-51"): 1988, (140, "A-61"): 2006}
    # Canada never consents to A-61: at risk from adoption (1999 = year 1) to 2015
    canada = risk[(risk.ccode == 20) & (risk.treaty == "A-61")]
    assert canada.stop.min() == 1 and canada.stop.max() == 17 and canada.event.sum() == 0


def test_consents_with_cow_ccode_key_keeps_codes_and_default_is_unchanged():
    part = pd.DataFrame({"participant": ["Chile", "Atlantis"], "action": "consent", "consent_type": "ratification",
                         "date": pd.to_datetime(["1990-01-01", "1990-01-01"]), "ccode": pd.array([155, pd.NA], "Int64")})
    by_code = consents_with_cow(part, key="ccode")
    assert list(by_code.ccode) == [155] and by_code.attrs["unmatched"] == ["Atlantis"]
    by_name = consents_with_cow(part.drop(columns="ccode"))
    assert list(by_name.ccode) == [155]
    with pytest.raises(ValueError, match="key"):
        consents_with_cow(part, key="iso3")


# --- sample rules and covariates on small frames -----------------------------------------------

def test_crosswalk_covers_every_mtdsg_chapter_with_the_paper_subjects():
    for name, table in sb.MTDSG_SUBJECTS.items():
        assert set(table) == set(range(1, 30)), name
        assert set(table.values()) <= set(sb.SUBJECTS)
    index = pd.DataFrame({"mtdsg_no": ["XXVI-1", "IV-9", "XXVII-7"], "chapter": [26, 4, 27]})
    assert sb.treaty_subjects(index).to_dict() == {"XXVI-1": "Security", "IV-9": "Legal", "XXVII-7": "Other"}
    with pytest.raises(KeyError, match="chapter"):
        sb.treaty_subjects(pd.DataFrame({"mtdsg_no": ["L-1"], "chapter": [50]}))


def _actions(rows):
    return pd.DataFrame(rows, columns=["mtdsg_no", "ccode", "action", "date"]).assign(
        date=lambda d: pd.to_datetime(d.date), ccode=lambda d: d.ccode.astype("Int64"))


def test_select_un_treaties_applies_the_papers_rule():
    index = pd.DataFrame({"mtdsg_no": ["A", "B", "C", "D"], "has_participants": True,
                          "adoption_date": pd.to_datetime(["1950-01-01", "1950-01-01", "1950-01-01", "1940-01-01"])})
    acts = _actions([
        ("A", 2, "signature", "1950-02-01"), ("A", 70, "consent", "1951-01-01"), ("A", 200, "consent", "1952-01-01"),
        ("B", 70, "consent", "1951-01-01"), ("B", 200, "consent", "1951-01-01"), ("B", 220, "consent", "1951-01-01"),
        ("C", 70, "consent", "1951-01-01"), ("C", 155, "consent", "1951-01-01"),
        ("D", 70, "consent", "1951-01-01"), ("D", 155, "consent", "1951-01-01"), ("D", 2, "consent", "1951-01-01"),
    ])
    kept = sb.select_un_treaties(index, acts)
    # A: 3 participants, 2 American (US counts); B: only one American; C: two participants; D: adopted 1940
    assert list(kept.mtdsg_no) == ["A"]


def test_us_participation_signature_or_consent_and_bind_only():
    acts = _actions([("A", 2, "signature", "1960-05-01"), ("A", 2, "consent", "1970-01-01"),
                     ("B", 2, "consent", "1980-01-01"), ("C", 70, "consent", "1980-01-01")])
    assert sb.us_participation_years(acts, "mtdsg_no").to_dict() == {"A": 1960, "B": 1980}
    assert sb.us_participation_years(acts, "mtdsg_no", "bind").to_dict() == {"A": 1970, "B": 1980}


def test_bound_before_counts_states_bound_by_the_end_of_the_previous_year():
    acts = _actions([("A", 70, "consent", "1950-03-01"), ("A", 200, "consent", "1951-03-01"),
                     ("A", 2, "consent", "1951-06-01"), ("A", 200, "consent", "1953-01-01")])
    grid = pd.DataFrame({"mtdsg_no": "A", "year": [1950, 1951, 1952]})
    every = sb.bound_before(acts, "mtdsg_no", grid).set_index("year").bound_before.to_dict()
    assert every == {1950: 0, 1951: 1, 1952: 3}                 # a state's first consent counts once
    americas = sb.bound_before(acts, "mtdsg_no", grid, states="americas").set_index("year").bound_before
    assert americas.to_dict() == {1950: 0, 1951: 1, 1952: 2}    # the UK (200) is not American


def test_intervention_dummy_uses_the_previous_years_only():
    d = sb.intervention_dummy(range(1960, 1967), pd.Series([1961]), window=3).set_index("year").us_intervention
    assert d.to_dict() == {1960: 0, 1961: 0, 1962: 1, 1963: 1, 1964: 1, 1965: 0, 1966: 0}
    one = sb.intervention_dummy(range(1960, 1964), pd.Series([1961]), window=1).set_index("year").us_intervention
    assert one.to_dict() == {1960: 0, 1961: 0, 1962: 1, 1963: 0}
    with pytest.raises(ParameterError, match="'intervention_window': 0"):
        sb.intervention_dummy(range(1960, 1961), pd.Series([1960]), window=0)


def test_builders_check_choices_against_the_design():
    """A builder called with a choice directly gives the Design's error, naming the value and the options."""
    with pytest.raises(ParameterError, match=r"'subject_map': 'wide'.*\['paper', 'security_wide'\]"):
        sb.treaty_subjects(pd.DataFrame({"mtdsg_no": ["IV-9"], "chapter": [4]}), "wide")
    with pytest.raises(ParameterError, match="'us_definition': 'ratify'"):
        sb.us_participation_years(_actions([("A", 2, "consent", "1970-01-01")]), "mtdsg_no", "ratify")
    with pytest.raises(ParameterError, match="'intervention_source': 'cia'"):
        sb.us_intervention_years("cia")
    with pytest.raises(ParameterError, match="'threat': 'votes'"):
        sb.country_covariates(1990, 1991, threat="votes")


def test_assemble_sets_time_varying_participation_and_signature():
    risk = pd.DataFrame({"ccode": 70, "mtdsg_no": "A", "year": [1960, 1961, 1962], "start": [0, 1, 2],
                         "stop": [1, 2, 3], "event": np.array([0, 0, 1], dtype="int8")})
    acts = _actions([("A", 2, "signature", "1961-01-01"), ("A", 70, "signature", "1962-02-01"),
                     ("A", 70, "consent", "1962-06-01")])
    countries = pd.DataFrame({"ccode": 70, "year": [1960, 1961, 1962], "cinc": 1.0})
    out = sb.assemble(risk, acts, pd.Series({"A": "Economic"}), countries,
                      pd.DataFrame({"year": [1960, 1961, 1962], "us_intervention": [1, 0, 0]}), treaty="mtdsg_no")
    assert list(out.us_part) == [0, 1, 1] and list(out.signed) == [0, 0, 1]
    assert list(out.bound_before) == [0, 0, 0] and out.subject_economic.eq(1).all() and out.subject_security.eq(0).all()
    assert len(out) == len(risk)


def test_covariate_names_follow_table2():
    names = sb.covariate_names("all", list(sb.SUBJECTS))
    assert names[:5] == ["ideal_diff", "us_intervention", "us_cinc", "distance_1000km", "us_part"]
    assert "subject_security" not in names and "subject_other" in names and len(names) == 16
    assert "us_part" not in sb.covariate_names("no_us", list(sb.SUBJECTS))
    assert "constraints" not in sb.covariate_names("all", [], constraints="none")


# --- real data ----------------------------------------------------------------------------------

@pytest.fixture
def mirror(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))


@pytest.mark.realdata
def test_real_oas_instruments_from_ggo(mirror):
    treaties, actions = sb.oas_from_manytreaties(1946, 2015)
    assert set(treaties.treaty) <= set(sb.OAS_SUBJECTS)
    assert "INAIAS_1944A" not in set(treaties.treaty)          # adopted before the window
    assert actions.ccode.notna().all() and actions.treaty.isin(treaties.treaty).all()


@pytest.mark.realdata
def test_real_un_frame_invariants(mirror):
    index, actions = sb.un_inputs(1946, 2015)
    frame = sb.build_un_frame(index, actions, sb.Design())
    assert frame.ccode.nunique() == 34 and not frame.ccode.eq(2).any()
    assert frame[["ccode", "mtdsg_no", "year"]].duplicated().sum() == 0
    assert frame.groupby(["ccode", "mtdsg_no"]).event.sum().le(1).all()
    assert frame.stop.min() == 1 and (frame.stop - frame.start).eq(1).all()
    subjects = frame[[f"subject_{s.lower()}" for s in sb.SUBJECTS]].sum(axis=1)
    assert subjects.eq(1).all()                                   # exactly one subject per treaty
    assert frame.us_intervention.isin([0, 1]).all() and frame.indep_after_1945.isin([0, 1]).all()
    # US participation never switches off within a pair; nor does own signature
    steps = frame.sort_values("year").groupby(["ccode", "mtdsg_no"])[["us_part", "signed"]].diff().fillna(0)
    assert steps.ge(0).all().all()


# --- the IEADB-widened UN universe (hand-written agreements and actions) -------------------------

def test_ieadb_candidates_apply_the_window_entry_into_force_and_mtdsg_rules(monkeypatch):
    from ratify.sources import ieadb
    agreements = pd.DataFrame({
        "iea_id": [1, 2, 3, 4, 5, 6, 7],
        "name": ["Fish Convention", "River Agreement", "Whale Protocol", "Bird Treaty", "Old Seal Convention",
                 "Two State Forest Accord", "Convention on Biological Diversity"],
        "multilateral": [True, True, True, True, True, False, True],
        "concluded_date": pd.to_datetime(["1980-01-01", "1990-01-01", "1990-01-01", None, "1930-01-01",
                                          "1990-01-01", "1992-06-05"]),
        "force_date": pd.to_datetime(["1982-01-01", None, None, "1990-01-01", "1931-01-01", "1991-01-01",
                                      "1993-12-29"]),
        "inclusion": ["MEA", "MNA", "MEA", "MEA", "MEA", "BEA", "MEA"], "unts": ["1 UNTS 1", None, None, None, None,
                                                                                None, None]})
    members = pd.DataFrame({
        "iea_id": [1, 1, 2, 2, 3], "participant": ["Chile", "Peru", "Chile", "Chile", "Chile"],
        "action": ["consent", "signature", "entry_into_force", "consent", "consent"],
        "consent_type": ["ratification", "signature", "entry into force", "ratification", "ratification"],
        "date": pd.to_datetime(["1981-01-01", "1980-02-01", "1992-01-01", "1991-05-01", "1991-05-01"]),
        "year": pd.array([1981, 1980, 1992, 1991, 1991], dtype="Int64"),
        "ccode": pd.array([155, 135, 155, 155, 155], dtype="Int64")})
    monkeypatch.setattr(ieadb, "read_ieadb_agreements", lambda: agreements)
    monkeypatch.setattr(ieadb, "read_ieadb_memberships", lambda: members)
    mtdsg = pd.DataFrame({"mtdsg_no": ["XXVII-8"], "title": ["Convention on Biological Diversity"],
                          "adoption_date": pd.to_datetime(["1992-06-05"])})
    treaties, actions = sb.ieadb_candidates(mtdsg, 1946, 2015)
    # 1: in force; 2: 1111 entry into force but a member's is dated; 3: 1111 and no dated member entry
    # into force; 4: concluded 1111; 5: before 1946; 6: bilateral; 7: the MTDSG's CBD
    assert list(treaties.mtdsg_no) == ["IEA-1", "IEA-2"]
    assert treaties.chapter.eq(sb.IEADB_CHAPTER).all() and list(treaties.ieadb_environmental) == [True, False]
    assert list(treaties.unts_citation) == [True, False]
    steps = treaties.attrs["ieadb"]
    assert (steps["multilateral"], steps["conclusion_unknown"], steps["outside_window"]) == (6, 1, 1)
    assert (steps["not_known_in_force"], steps["in_force_date_unknown"], steps["same_as_mtdsg"]) == (1, 1, 1)
    assert set(actions.mtdsg_no) == {"IEA-1", "IEA-2"} and set(actions.action) == {"signature", "consent"}
    # the subjects follow MTDSG chapter XXVII under each crosswalk
    assert sb.treaty_subjects(treaties).eq(sb.MTDSG_SUBJECTS["paper"][27]).all()


def test_treaty_universe_is_a_checked_design_choice():
    assert sb.Design().treaty_universe == "mtdsg"
    with pytest.raises(ParameterError, match="'treaty_universe': 'ieadb'"):
        sb.Design(treaty_universe="ieadb")


@pytest.mark.realdata
def test_real_wider_universe_adds_each_instrument_once(mirror):
    from ratify.crosswalk import ieadb_mtdsg_pairs
    from ratify.sources.ieadb import read_ieadb_agreements
    narrow = sb.un_frame(sb.Design())
    wide = sb.un_frame(sb.Design(treaty_universe="mtdsg+ieadb"))
    assert set(narrow.mtdsg_no) < set(wide.mtdsg_no)                 # the MTDSG treaties are all still in
    added = {int(t[4:]) for t in set(wide.mtdsg_no) if t.startswith("IEA-")}
    assert added and set(wide.mtdsg_no) - set(narrow.mtdsg_no) == {f"IEA-{i}" for i in added}
    index, _ = sb.un_inputs(1946, 2015)
    paired = set(ieadb_mtdsg_pairs(index, read_ieadb_agreements()).iea_id)
    assert not added & paired                                       # no instrument twice
    assert "ieadb_2026" in wide.attrs["inputs"] and "ieadb_2026" not in narrow.attrs["inputs"]
    assert wide[wide.mtdsg_no.str.startswith("IEA-")].subject.eq(sb.MTDSG_SUBJECTS["paper"][27]).all()


# --- the text's descriptive numbers (Figure 2, note 15) -----------------------------------------

def test_adhesion_timing_follows_pairs_to_consent_or_censoring():
    # pair A: adopted-year entry, consents in year 3; pair B: never consents, followed 5 years
    risk = pd.DataFrame({"ccode": [70] * 3 + [155] * 5, "treaty": "T", "start": [0, 1, 2, 0, 1, 2, 3, 4],
                         "stop": [1, 2, 3, 1, 2, 3, 4, 5], "event": [0, 0, 1, 0, 0, 0, 0, 0]})
    got = sb.adhesion_timing(risk, "treaty")
    assert got["mean_years"] == 4 and got["median_years"] == 4
    assert got["bound_20"] == pytest.approx(0.5)                  # one of two pairs bound by year 20


def test_every_published_item_has_a_reason_and_bounds_are_read_by_side():
    from ratify import comparison as cmp
    published = cmp.read_published(Path(__file__).parents[1] / "book/chapters/04-soft-balancing/published.yaml")
    reasons = sb.difference_reasons(published, {"un_treaties": 242, "oas_treaties": 6})
    assert set(reasons) == {i["id"] for i in published["items"]}
    bounds = sb.bound_reasons(published, {"ideal_gap_us_canada": 1.2, "ideal_gap_us_cuba": 4.5})
    assert bounds["ideal_gap_us_canada"].endswith("does not") and bounds["ideal_gap_us_cuba"].endswith("does")
    assert {i["quantity"] for i in published["items"] if "quantity" in i} >= set(sb.BOUNDS)
