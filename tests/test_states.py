"""State lists and state-years: fixtures in the upstream shape, then the real files."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify.panels import state_years
from ratify.sources import read_cow_states, read_gw_states

from fixtures.rdata import COW_STATES, GW_STATES, write_rda


@pytest.fixture
def cow(tmp_path):
    return read_cow_states(write_rda(tmp_path, "cow_states", COW_STATES))


def test_cow_reader_types_dates_and_provenance(cow):
    assert cow.ccode.dtype == "Int64"
    cuba = cow[cow.ccode == 40]
    assert list(cuba.start.dt.date.astype(str)) == ["1902-05-20", "1909-01-23"]
    # the list ends 2016-12-31: spells reaching it are ongoing, the GDR's and Cuba's first are not
    assert cow.groupby("ccode").ongoing.agg(list).to_dict() == {
        2: [True], 40: [False, True], 255: [False, True], 265: [False]}
    assert cow.attrs["source"] == "cow_states" and len(cow.attrs["sha256"]) == 64


def test_gw_reader(tmp_path):
    gw = read_gw_states(write_rda(tmp_path, "gw_states", GW_STATES))
    assert gw.gwcode.tolist() == [2, 41, 41]
    assert gw.end.max() == pd.Timestamp("2017-12-31")


def test_state_years_year_rules(cow):
    def years(code, rule):
        sy = state_years("cow", 1900, 2000, rule=rule, spells=cow)
        return set(sy.loc[sy.ccode == code, "year"])

    # GDR: 25 Mar 1954 - 2 Oct 1990
    assert years(265, "any") == set(range(1954, 1991))
    assert years(265, "dec31") == set(range(1954, 1990))
    assert years(265, "jan1") == set(range(1955, 1991))
    # Cuba's gap (occupied 1906-1909): 1907 and 1908 are missing under every rule
    assert {1907, 1908} & years(40, "any") == set()
    # Germany: no years between 8 May 1945 and 3 Oct 1990
    assert min(y for y in years(255, "any") if y > 1945) == 1990


def test_state_years_key_is_unique_and_sorted(cow):
    sy = state_years("cow", spells=cow)
    assert not sy.duplicated(["ccode", "year"]).any()
    assert sy.equals(sy.sort_values(["ccode", "year"], ignore_index=True))


def test_years_past_the_vintage_need_an_explicit_choice(cow):
    with pytest.raises(ValueError, match="extend_ongoing=True"):
        state_years("cow", 2010, 2020, spells=cow)
    sy = state_years("cow", 2015, 2020, extend_ongoing=True, spells=cow)
    assert set(sy.ccode) == {2, 40, 255}  # the GDR ended in 1990, so it is not carried
    assert sy.groupby("ccode").year.max().eq(2020).all()


def test_bad_rule_names_the_choices(cow):
    with pytest.raises(ValueError, match="'any'"):
        state_years("cow", rule="mid-year", spells=cow)


@pytest.mark.realdata
def test_real_state_lists(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    cow, gw = read_cow_states(), read_gw_states()
    assert len(cow) == 243 and len(gw) == 216  # spells, as the registry's coverage notes say
    sy = state_years("cow", 1990, 2015)
    assert sy.groupby("year").size()[2015] == 195
    assert (sy.ccode == 2).sum() == 26
