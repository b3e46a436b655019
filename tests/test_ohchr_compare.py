"""OHCHR export parsing, and comparing two participation sources on one treaty."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify import concord
from ratify.sources.ohchr import parse_ohchr, read_ohchr
from ratify.treaties import compare_sources, treaty_status

from fixtures.rdata import COUNTRYCODE_PANEL, write_rda


def export(rows):
    """A frame as pandas reads an OHCHR .xls with header=1 (dates already typed by Excel)."""
    cols = ["Country", "Date of Signature (dd/mm/yyyy)", "Date of Ratification/Accession",
            "Date of acceptance of individual communications procedure"]
    return pd.DataFrame(rows, columns=cols).astype({c: "datetime64[ns]" for c in cols[1:]})


def test_parse_drops_footer_and_excel_day_one():
    table = export([
        ["Viet Nam", None, "2015-02-05", None],
        ["Germany", "1986-10-13", "1990-10-01", "1900-01-01"],  # Excel serial 1 in an empty cell
        [None, None, None, None],
        ["Source: Database of the United Nations Office of the High Commissioner", None, None, None],
    ])
    long, bogus = parse_ohchr(table, "IV-9")
    assert bogus == 1
    assert sorted(long.participant.unique()) == ["Germany", "Viet Nam"]
    assert set(zip(long.action, long.consent_type)) == {("signature", "signature"),
                                                        ("consent", "ratification or accession")}
    assert treaty_status(long, "IV-9", "2014-12-31").attrs["parties"] == 1


@pytest.fixture
def toy_concordance(tmp_path, monkeypatch):
    from ratify.sources.countrycodes import read_countrycode_panel
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)


def test_compare_matches_names_through_codes_and_reports_differences(toy_concordance):
    a = parse_ohchr(export([["Viet Nam", None, "2015-02-05", None],
                            ["Germany", None, "1990-10-01", None]]), "IV-9")[0]
    b = parse_ohchr(export([["Vietnam", None, "2015-02-05", None],
                            ["Germany", None, "1990-10-03", None],
                            ["Holy See", None, "2002-06-26", None]]), "IV-9")[0]
    diff = compare_sources(a, b, "IV-9", ("a", "b"))
    assert diff.attrs["counts"] == {"same": 1, "date differs": 1, "only in b": 1}
    assert diff.set_index("status").loc["date differs", "days_apart"] == 2
    assert diff.set_index("status").loc["only in b", "key"] == "name:Holy See"  # no COW code: compared by name
    assert compare_sources(a, b, "IV-9", ("a", "b"), tolerance_days=2).attrs["counts"]["same"] == 2


@pytest.mark.realdata
def test_real_exports_agree_with_the_2015_scrape_on_cat(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.sources.untc import read_untc_participants
    ohchr = read_ohchr()
    assert ohchr.attrs["excel_day_one_set_missing"] == {"CEDAW": 1}  # the Bahamas cell the registry flags
    diff = compare_sources(read_untc_participants(["IV-9"]), ohchr, "IV-9", ("untc", "ohchr"))
    assert diff.attrs["counts"].get("date differs", 0) == 0
    assert (diff.consent_ohchr > "2015-03-01").all()  # only states that joined after the 2015 scrape
