"""The one concordance: names -> entity by regex, entity + year -> COW code, misses reported."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify.concord import match_names, to_cow, unmatched
from ratify.sources.countrycodes import read_countrycode_panel

from fixtures.rdata import COUNTRYCODE_PANEL, write_rda


@pytest.fixture
def panel(tmp_path):
    return read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))


def test_longest_regex_match_wins_and_ties_are_ambiguous(panel):
    m = match_names(["Democratic Republic of the Congo", "Congo", "Solomon Islands", "Narnia"], panel)
    got = dict(zip(m.name, m.entity.astype(object).where(m.entity.notna(), None)))
    assert got["Democratic Republic of the Congo"] == "Congo - Kinshasa"
    assert got["Congo"] == "Congo - Brazzaville"
    assert got["Solomon Islands"] is None and got["Narnia"] is None
    status = dict(zip(m.name, m.status))
    assert status["Solomon Islands"].startswith("ambiguous") and status["Narnia"] == "no name match"


def test_codes_depend_on_the_year(panel):
    r = to_cow(["Germany", "Germany", "Viet Nam"], [1989, 1991, 2000], panel)
    assert r.ccode.tolist() == [260, 255, 816]
    assert r.iso3c.tolist() == ["DEU", "DEU", "VNM"]


def test_serbia_takes_cows_successor_code(panel):
    assert to_cow(["Serbia"], 2010, panel).ccode.item() == 345


def test_years_after_the_panel_carry_its_last_code_and_are_counted(panel):
    r = to_cow(["Viet Nam", "Viet Nam"], [2020, 2024], panel)
    assert r.ccode.tolist() == [816, 816]
    assert r.attrs["carried_years"] == 1 and r.attrs["last_cow_year"] == 2020


def test_misses_are_reported_not_dropped(panel):
    r = to_cow(["Holy See", "European Union", "Germany"], [2000, 2000, 1991], panel)
    assert len(r) == 3
    rep = unmatched(r, "toy")
    assert dict(zip(rep.name, rep.status)) == {"Holy See": "no COW code that year",
                                               "European Union": "no name match"}
    assert (rep.source == "toy").all()


@pytest.mark.realdata
def test_every_state_in_the_hr_treaty_file_matches(real_mirror, monkeypatch):
    """Only the three non-state participants of the 2026 human-rights scrape go unmatched."""
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify import data
    names = pd.read_csv(data.path("hr_treaties_2026")).country_name.unique()
    m = match_names(names)
    assert sorted(m.loc[m.status != "matched", "name"]) == ["Cook Islands", "European Union", "Niue"]
    r = to_cow(names, 2015)
    assert r.ccode.notna().sum() == 193  # 200 names less 3 non-states, the Holy See, Palestine, 2 former states
    assert set(unmatched(r, "hr").name) == {"Cook Islands", "European Union", "Niue", "Holy See",
                                           "State of Palestine", "Czechoslovakia", "German Democratic Republic"}


@pytest.mark.realdata
def test_kosovo_user_assigned_iso3_codes_reach_cow_347(real_mirror, monkeypatch):
    monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    out = to_cow(["XKX", "KOS", "WLD"], [2010, 2010, 2010], by="iso3c").set_index("name")
    assert out.loc["XKX", "ccode"] == 347 and out.loc["KOS", "ccode"] == 347
    assert out.loc["WLD", "status"] == "no code match"  # aggregates still reported, not forced
