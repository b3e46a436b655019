"""UN roll-call votes, Archigos leaders and UCDP onsets: the code rules end to end.

The fixtures are typed here in the peacesciencer / unvotes layouts (doubles for codes,
dates as strings) and written as ``.rda`` at test time; the COW state list behind
``concord.gw_to_cow`` is a toy one, so the documented GW -> COW rule is exercised as
written: the same number where COW has that state that year, the three exceptions
(unified Germany 260 -> 255 and Yemen 678 -> 679 from 1991, Serbia 340 -> 345 from
2006), else missing and reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ratify.panels
from ratify import concord
from ratify.sources.conflict import read_ucdp_onsets
from ratify.sources.countrycodes import read_countrycode_panel
from ratify.sources.leaders import read_archigos
from ratify.sources.unga import read_unvotes

from fixtures.rdata import COUNTRYCODE_PANEL, write_rda


@pytest.fixture
def toy_cow_states(monkeypatch):
    """COW state-years: USA 1816-2020, West Germany 260 to 1990, Germany 255 from 1990
    (its 1816-1945 spell left out), Serbia/Yugoslavia 345 throughout, Yemen 679 from 1990."""
    spans = [(2, 1816, 2020), (260, 1955, 1990), (255, 1990, 2020), (345, 1878, 2020), (679, 1990, 2020)]
    frame = pd.DataFrame([(c, y) for c, a, b in spans for y in range(a, b + 1)], columns=["ccode", "year"])
    monkeypatch.setattr(ratify.panels, "state_years", lambda *args, **kwargs: frame)


def test_onsets_gw_rule_and_serbia_2006(tmp_path, toy_cow_states):
    rows = [(2, 1990), (260, 1990), (260, 1991), (678, 1991), (340, 2006), (345, 2006), (340, 2007), (265, 1960)]
    onsets = pd.DataFrame({"gwcode": [float(g) for g, _ in rows], "year": [float(y) for _, y in rows],
                           "sumnewconf": [0.0] * 8, **{f"sumonset{k}": [0.0] * 8 for k in (1, 2, 3, 5, 10)}})
    onsets.loc[1, "sumnewconf"] = 1.0
    df = read_ucdp_onsets(write_rda(tmp_path, "ucdp_onsets", onsets))
    got = dict(zip(zip(df.gwcode, df.year), df.ccode, strict=True))
    assert got[(260, 1990)] == 260 and got[(260, 1991)] == 255 and got[(678, 1991)] == 679
    assert got[(340, 2007)] == 345 and got[(2, 1990)] == 2
    # Serbia 2006: GW 345 and GW 340 both become COW 345; the unit that continues (340) is kept
    assert (340, 2006) in got and (345, 2006) not in got
    assert df.attrs["dropped_duplicates"][0]["gwcode"] == "345"
    assert [u["name"] for u in df.attrs["unmatched"]] == ["GW 265"]              # East Germany: not in COW here
    assert df.loc[df.gwcode.eq(260) & df.year.eq(1990), "new_conflicts"].item() == 1
    assert not df.duplicated(["ccode", "year"]).any() and df.ccode.dtype == "int64"


def test_archigos_codes_in_start_year(tmp_path, toy_cow_states):
    leaders = pd.DataFrame({
        "obsid": ["GFR-1970", "GFR-1994", "YEM-1991", "GDR-1960"], "gwcode": [260.0, 260.0, 678.0, 265.0],
        "leadid": ["t1", "t2", "t3", "t4"], "leader": ["First", "Second", "Third", "Fourth"],
        "yrborn": [1920.0, 1940.0, float("nan"), 1900.0], "gender": ["M", "F", "M", "M"],
        "startdate": ["1970-05-01", "1994-02-01", "1991-03-01", "1960-01-01"],
        "enddate": ["1994-01-31", "1999-01-01", "1992-01-01", "1971-05-03"],
        "entry": ["Regular"] * 4, "exit": ["Regular"] * 4, "exitcode": ["Regular"] * 4})
    df = read_archigos(write_rda(tmp_path, "archigos", leaders)).set_index("obsid")
    # a spell is coded in its first year: one that starts in West Germany stays 260
    assert df.loc["GFR-1970", "ccode"] == 260 and df.loc["GFR-1994", "ccode"] == 255
    assert df.loc["YEM-1991", "ccode"] == 679 and pd.isna(df.loc["GDR-1960", "ccode"])
    assert pd.isna(df.loc["YEM-1991", "born"]) and df.start.dtype == "datetime64[ns]"
    assert df.attrs["unmatched"] == [{"source": "archigos", "name": "GW 265", "status": "no COW code that year",
                                      "rows": 1, "first_year": 1960, "last_year": 1960}]


def test_unvotes_drops_and_counts_pre_state_members(tmp_path, monkeypatch):
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)
    votes = pd.DataFrame({"rcid": [7.0, 7.0, 7.0, 8.0],
                          "country": ["Germany", "Atlantis Islands", "Vietnam", "Germany"],
                          "country_code": ["DE", "AI", "VN", "DE"], "vote": ["no", "yes", "abstain", "yes"]})
    calls = pd.DataFrame({"rcid": np.array([7, 8], dtype="int32"), "session": [45.0, 45.0],
                          "importantvote": ["1", "0"], "date": ["1990-12-10", "1990-12-11"],
                          "unres": ["R/45/1", "R/45/2"], "amend": ["0", "0"], "para": ["0", "0"],
                          "short": ["a", "b"], "descr": ["a", "b"]})
    issues = pd.DataFrame({"rcid": np.array([8], dtype="int32"), "short_name": ["hr"], "issue": ["Human rights"]})
    for name, frame in (("un_votes", votes), ("un_roll_calls", calls), ("un_roll_call_issues", issues)):
        write_rda(tmp_path, name, frame)
    df = read_unvotes(tmp_path)
    assert df.attrs["dropped_rows"] == 1 and df.attrs["unmatched"][0]["status"].startswith("ambiguous")
    assert df.vote.dtype == "category" and list(df.vote.cat.categories) == ["yes", "abstain", "no"]
    by = df.set_index(["rcid", "ccode"])
    assert by.loc[(7, 260), "vote"] == "no" and by.loc[(8, 260), "issue_hr"] == 1 and by.loc[(7, 816), "issue_hr"] == 0
    assert by.loc[(7, 260), "important_vote"] == 1 and by.loc[(7, 260), "year"] == 1990


@pytest.mark.realdata
def test_real_votes_leaders_onsets(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    votes = read_unvotes()
    assert len(votes) + votes.attrs["dropped_rows"] == 870109 and votes.attrs["dropped_rows"] == 7250
    assert not votes.duplicated(["rcid", "ccode"]).any() and votes.rcid.nunique() == 6203
    # GA resolution 3379 (1975): 72 in favour, 35 against, 32 abstaining; two of the yes votes
    # were the Byelorussian and Ukrainian SSRs, which have no COW code and are dropped
    zionism = votes[votes.resolution == "R/30/3379"]
    assert zionism.vote.value_counts().to_dict() == {"yes": 70, "no": 35, "abstain": 32}
    assert zionism.set_index("ccode").vote.loc[[2, 70]].tolist() == ["no", "yes"]
    leaders = read_archigos()
    assert len(leaders) == 3409 and leaders.obsid.is_unique
    spells = leaders.set_index("obsid")
    assert spells.loc["USA-2009", "start"] == pd.Timestamp("2009-01-20")          # Obama's inauguration
    assert spells.loc["GFR-2005", "ccode"] == 255 and spells.loc["GFR-1982", "ccode"] == 260   # Merkel, Kohl
    onsets = read_ucdp_onsets()
    assert len(onsets) == 10055 and not onsets.duplicated(["ccode", "year"]).any()
    assert onsets.set_index(["gwcode", "year"]).ccode.loc[(678, 1991)] == 679
