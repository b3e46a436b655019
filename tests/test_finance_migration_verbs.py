"""Panel verbs for the new sources: skilled emigration by census rule, ODA, IMF arrangements."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify import sources
from ratify.panels import add_imf_arrangements, add_oda, add_skilled_emigration
from ratify.panels.migration import census_year


def _attrs(frame, source):
    frame.attrs = {"source": source, "file": "f", "sha256": "0" * 64}
    return frame


@pytest.fixture
def iab(monkeypatch):
    frame = pd.DataFrame({"ccode": pd.array([70] * 4, dtype="Int64"), "year": [1985, 1990, 1995, 2000],
                          "emigration_rate_high": [0.10, 0.12, 0.11, 0.14], "emigration_rate_total": [0.1] * 4})
    monkeypatch.setattr(sources, "read_iab_brain_drain", lambda borders="in_year": _attrs(frame, "iab_brain_drain"))


PANEL = pd.DataFrame({"ccode": [70] * 8, "year": [1986, 1989, 1990, 1994, 1995, 1999, 2000, 2015]})


def test_paper_rule_uses_1990_for_the_nineties_and_2000_after(iab):
    out = add_skilled_emigration(PANEL).set_index("year").skilled_emigration_pct
    assert out.loc[[1990, 1994, 1995, 1999]].tolist() == pytest.approx([12.0] * 4)   # never the 1995 census
    assert out.loc[[2000, 2015]].tolist() == pytest.approx([14.0, 14.0])
    assert out.loc[[1986, 1989]].isna().all()                                      # before 1990: none
    record = add_skilled_emigration(PANEL).attrs["merges"][-1]
    assert record["rule"] == "paper" and record["unit"] == "percent" and record["source"] == "iab_brain_drain"


def test_latest_census_and_linear_rules(iab):
    latest = add_skilled_emigration(PANEL, "latest_census").set_index("year").skilled_emigration_pct
    assert latest.loc[[1989, 1995, 1999]].tolist() == pytest.approx([10.0, 11.0, 11.0])
    assert pd.isna(latest.loc[2015])                       # the table's last census is 2010 (+4 years at most)
    linear = add_skilled_emigration(PANEL, "linear").set_index("year").skilled_emigration_pct
    assert linear.loc[1989] == pytest.approx(11.6) and pd.isna(linear.loc[2015])
    assert census_year(pd.Series([2014, 2015]), "latest_census").tolist() == [2010, pd.NA]
    with pytest.raises(ValueError, match="rule='nearest'"):
        add_skilled_emigration(PANEL, "nearest")


def test_oda_in_millions_and_per_capita(monkeypatch):
    oda = pd.DataFrame({"ccode": pd.array([70, 70], dtype="Int64"), "year": [2000, 2001],
                        "oda_received": [-5e6, 2e8]})
    pop = pd.DataFrame({"ccode": pd.array([70, 70], dtype="Int64"), "year": [2000, 2001], "population": [1e8, 2e8]})
    monkeypatch.setattr(sources, "read_oda_received", lambda: _attrs(oda, "wdi_oda"))
    monkeypatch.setattr(sources, "read_population", lambda: _attrs(pop, "wdi_population"))
    out = add_oda(pd.DataFrame({"ccode": [70, 70, 70], "year": [2000, 2001, 2002]})).set_index("year")
    assert out.oda_received_musd.loc[2000] == -5.0 and out.oda_per_capita.loc[2001] == pytest.approx(1.0)
    assert out.oda_per_capita.isna().loc[2002]             # no report, no fill


def test_imf_programme_years_include_partial_years_and_zero_only_inside_the_table(monkeypatch):
    arr = pd.DataFrame({"ccode": pd.array([70, 70], dtype="Int64"), "account": ["GRA", "PRGF"],
                        "approval_date": pd.to_datetime(["1995-02-01", "1999-07-07"]),
                        "end_date": pd.to_datetime(["1997-02-15", pd.NaT]),
                        "expiration_date": pd.to_datetime(["1997-02-15", "2000-11-30"])})
    monkeypatch.setattr(sources, "read_imf_arrangements", lambda: _attrs(arr, "imf_arrangements"))
    panel = pd.DataFrame({"ccode": [70] * 8, "year": [1994, 1995, 1997, 1998, 1999, 2000, 2017, 2018]})
    out = add_imf_arrangements(panel).set_index("year")
    assert out.imf_program.tolist()[:6] == [0, 1, 1, 0, 1, 1]       # Feb 1997 still counts for 1997
    assert out.imf_new.loc[[1995, 1997, 1999]].tolist() == [1, 0, 1]
    assert out.imf_concessional.loc[[1995, 2000]].tolist() == [0, 1]
    assert out.imf_program.loc[2017] == 0 and pd.isna(out.imf_program.loc[2018])   # beyond the table: unknown
