"""The OAS signatory-table reader (ratify.sources.oas) on a hand-written fixture in the documented format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ratify.sources.oas import oas_dates, read_oas_signatory_table

FIXTURES = Path(__file__).parent / "fixtures"


def test_oas_loader_reads_mm_dd_yy_and_iso_dates():
    treaties, actions = read_oas_signatory_table(FIXTURES / "oas_signatories.csv")
    assert list(treaties.treaty) == ["A-51", "A-61"]
    assert treaties.set_index("treaty").adoption_date["A-61"] == pd.Timestamp("1999-06-07")
    arg = actions[(actions.participant == "Argentina")].set_index("action").date
    assert arg["signature"] == pd.Timestamp("1986-02-10")       # 02/10/86 is 10 February (mm/dd/yy)
    assert arg["consent"] == pd.Timestamp("1989-03-31")         # the deposit, not the ratification
    gtm = actions[(actions.participant == "Guatemala") & (actions.action == "consent")].date.iloc[0]
    assert gtm == pd.Timestamp("2001-02-06")                    # ISO dates accepted too
    bra = actions[(actions.participant == "Brazil") & (actions.action == "consent")].date.iloc[0]
    assert bra == pd.Timestamp("2006-05-12")                    # yy=06 after a 1999 adoption -> 2006


def test_oas_loader_blank_and_dash_mean_no_action_and_consent_falls_back():
    _, actions = read_oas_signatory_table(FIXTURES / "oas_signatories.csv")
    assert not ((actions.participant == "Jamaica").any())       # "-" everywhere: no rows
    us = actions[actions.participant == "United States"]
    assert set(zip(us.treaty, us.action)) == {("A-61", "signature")}
    chile = actions[(actions.participant == "Chile") & (actions.action == "consent")].date.iloc[0]
    assert chile == pd.Timestamp("1988-09-15")                  # no deposit printed: ratification date
    _, by_ratification = read_oas_signatory_table(FIXTURES / "oas_signatories.csv", consent="ratification")
    arg = by_ratification[(by_ratification.participant == "Argentina") & (by_ratification.action == "consent")]
    assert arg.date.iloc[0] == pd.Timestamp("1988-11-18")


def test_oas_loader_maps_countries_to_cow_codes():
    _, actions = read_oas_signatory_table(FIXTURES / "oas_signatories.csv")
    codes = actions.drop_duplicates("participant").set_index("participant").ccode
    assert codes["United States"] == 2 and codes["Mexico"] == 70 and codes["Canada"] == 20
    assert actions.attrs["unmatched"] == []


def test_oas_loader_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,title,adopted,country,signature\nA-1,x,1990-01-01,Chile,01/01/90\n")
    with pytest.raises(KeyError, match="ratification"):
        read_oas_signatory_table(bad)
    odd = tmp_path / "odd.csv"
    odd.write_text("code,title,adopted,country,signature,ratification,deposit\n"
                   "A-1,x,1990-01-01,Chile,sometime,,\n")
    with pytest.raises(ValueError, match="Unreadable OAS date"):
        read_oas_signatory_table(odd)



def test_oas_dates_two_digit_years_take_the_century_on_or_after_adoption():
    dates = oas_dates(pd.Series(["12/31/99", "01/02/03", "", "2004-05-06"]), pd.Series([1990, 1990, 1990, 1990]))
    assert list(dates[[0, 1, 3]]) == [pd.Timestamp("1999-12-31"), pd.Timestamp("2003-01-02"), pd.Timestamp("2004-05-06")]
    assert pd.isna(dates[2])
