"""One place maps treaty participants to COW codes, under a rule each chapter names."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify import concord
from ratify.risksets import consents_with_cow
from ratify.sources.countrycodes import read_countrycode_panel
from ratify.treaties import MATCH_RULES, matching_summary, participants_with_cow

from fixtures.rdata import COUNTRYCODE_PANEL, write_rda


@pytest.fixture
def toy_concordance(tmp_path, monkeypatch):
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)


ACTIONS = pd.DataFrame({
    "mtdsg_no": ["IV-9"] * 6,
    "participant": ["Germany", "Germany", "Viet Nam", "Holy See", "European Union", "Viet Nam"],
    "action": ["signature", "consent", "consent", "consent", "consent", "consent"],
    "consent_type": ["signature", "ratification", "accession", "ratification", "approval", "ratification"],
    # Viet Nam's 1980 act predates the toy panel's first Viet Nam year (1989): a state not yet in the system
    "date": pd.to_datetime(["1990-02-01", "1991-05-06", "2000-01-01", "2002-06-26", "2010-01-01", "1980-01-01"]),
})


def test_action_year_rule_keys_each_action_in_its_year_and_counts_what_it_left(toy_concordance):
    out = participants_with_cow(ACTIONS, "action_year")
    assert len(out) == len(ACTIONS)                                  # every row kept, with its outcome
    assert out.ccode.tolist()[:3] == [260, 255, 816]                  # Germany's code changes in 1991
    assert out.match.tolist() == ["action year"] * 3 + ["none"] * 3
    m = out.attrs["matching"]
    assert (m["action_year_actions"], m["none_actions"], m["none_names"], m["later_code_actions"]) == (3, 3, 3, 0)
    assert out.attrs["unmatched"] == ["European Union", "Holy See", "Viet Nam"]


def test_or_later_rule_gives_pre_entry_actions_the_states_later_code_only(toy_concordance):
    out = participants_with_cow(ACTIONS, "action_year_or_later")
    assert out.ccode.iloc[5] == 816 and out.match.iloc[5] == "later code"
    assert out.ccode.iloc[3:5].isna().all()                           # the Holy See and the EU are never states here
    assert out.attrs["matching"]["later_names"] == ["Viet Nam"]
    table = matching_summary(out)
    assert table["actions"].tolist() == [3, 1, 2] and table.attrs["rule"].startswith("action_year_or_later")


def test_consents_drop_unmatched_names_under_the_named_rule(toy_concordance):
    strict = consents_with_cow(ACTIONS)
    assert sorted(strict.ccode) == [255, 816] and "Holy See" in strict.attrs["unmatched"]
    later = consents_with_cow(ACTIONS, rule="action_year_or_later")
    assert sorted(later.ccode) == [255, 816, 816]
    assert later.attrs["matching"]["rule"] == "action_year_or_later"


def test_unknown_rule_names_the_rules():
    with pytest.raises(ValueError, match="rule='latest' is not a participant-matching rule; use one of"):
        participants_with_cow(ACTIONS, "latest")
    assert set(MATCH_RULES) == {"action_year", "action_year_or_later"}


def test_bound_by_previous_year_counts_first_consents_before_each_year():
    from ratify.treaties import bound_by_previous_year, first_action_years
    acts = pd.DataFrame({"mtdsg_no": "A", "ccode": pd.array([70, 200, 2, 200, pd.NA], dtype="Int64"),
                         "action": ["consent", "consent", "consent", "consent", "consent"],
                         "date": pd.to_datetime(["1950-03-01", "1951-03-01", "1951-06-01", "1953-01-01",
                                                 "1949-01-01"])})
    assert first_action_years(acts, "mtdsg_no", "consent").set_index("ccode").consent_year.to_dict() == {
        2: 1951, 70: 1950, 200: 1951}                              # a state's first consent; no code: left out
    grid = pd.DataFrame({"mtdsg_no": "A", "year": [1950, 1951, 1952]})
    every = bound_by_previous_year(acts, "mtdsg_no", grid).set_index("year").bound.to_dict()
    assert every == {1950: 0, 1951: 1, 1952: 3}
    two = bound_by_previous_year(acts, "mtdsg_no", grid, states=[2, 70]).set_index("year").bound.to_dict()
    assert two == {1950: 0, 1951: 1, 1952: 2}
