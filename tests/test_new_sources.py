"""Readers for the four sources added in the 2026-12 manifest: IAB brain drain (Stata),
the IEADB export (zip of semicolon CSVs with citation lines), the IMF arrangements
workbook (a report layout) and WDI net ODA (an .xls). Fixtures are typed by hand in each
upstream layout (tests/fixtures/ieadb/, tests/fixtures/iab_brain_drain.csv) or written
here cell by cell."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ratify import concord
from ratify.sources import braindrain, ieadb, imf, worldbank
from ratify.sources.countrycodes import read_countrycode_panel

from fixtures.rdata import COUNTRYCODE_PANEL, write_rda

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def toy_concordance(tmp_path, monkeypatch):
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)


@pytest.fixture
def ieadb_zip(tmp_path) -> Path:
    """The export's layout: four CSVs at the zip's root."""
    path = tmp_path / "all-csv-files.zip"
    with zipfile.ZipFile(path, "w") as z:
        for member in ("db_members.csv", "db_countries.csv", "db_country_traits.csv", "db_treaties.csv"):
            z.write(FIXTURES / "ieadb" / member, member)
    return path


# --- IAB brain drain ---------------------------------------------------------------------------

def test_iab_reads_stata_keeps_one_gender_and_maps_old_codes(tmp_path, toy_concordance):
    dta = tmp_path / "iabbd.dta"
    raw = pd.read_csv(FIXTURES / "iab_brain_drain.csv").astype({"year": "int16"})
    raw.to_stata(dta, write_index=False, version=114)
    df = braindrain.read_iab_brain_drain(dta)
    assert set(df.year) == {1990, 2000}
    got = df.set_index(["ccode", "year"]).emigration_rate_high
    assert got[(260, 1990)] == pytest.approx(0.041)        # both sexes, not the Male row's 0.055
    assert got[(490, 2000)] == pytest.approx(0.071)        # ZAR is the old code of COD
    assert got[(345, 2000)] == pytest.approx(0.093)        # Serbia and Montenegro: COW by rule
    assert got[(816, 2000)] == pytest.approx(0.153)
    assert {u["name"] for u in df.attrs["unmatched"]} == {"WLD", "ATL"}  # Atlantis: no COW code in 1990
    later = braindrain.read_iab_brain_drain(dta, borders="later").set_index(["ccode", "year"])
    assert later.emigration_rate_high[(999, 1990)] == pytest.approx(0.2)   # Atlantis has a COW code from 2000 only
    assert (999, 1990) not in got.index and {u["name"] for u in later.attrs["unmatched"]} == {"WLD"}
    pd.testing.assert_series_equal(later.emigration_rate_high.drop((999, 1990)).sort_index(), got.sort_index())
    with pytest.raises(ValueError, match="borders='1990'"):
        braindrain.read_iab_brain_drain(dta, borders="1990")
    male = braindrain.read_iab_brain_drain(dta, gender="Male")
    assert male.emigration_rate_high.tolist() == pytest.approx([0.055])
    with pytest.raises(ValueError, match="gender='Men'.*Male and Female"):
        braindrain.read_iab_brain_drain(dta, gender="Men")


# --- IEADB -------------------------------------------------------------------------------------

def test_ieadb_agreements_skip_citation_lines_and_blank_the_1111_placeholder(ieadb_zip):
    df = ieadb.read_ieadb_agreements(ieadb_zip).set_index("iea_id")
    assert list(df.index) == [7, 8, 9]
    assert df.loc[7, "force_date"] == pd.Timestamp("1991-03-01") and df.loc[7, "unts"] == "1600 UNTS 1"
    assert pd.isna(df.loc[8, "force_date"])                 # 1111-11-11: never in force / unknown
    assert df.multilateral.tolist() == [True, True, False]
    assert df.loc[9, "termination_date"] == pd.Timestamp("2004-12-31")
    assert df.attrs["unknown_dates"]["Date IEA entered into force"] == 1


def test_ieadb_actions_are_classified_and_keyed_to_cow_in_their_year(ieadb_zip, toy_concordance):
    df = ieadb.read_ieadb_memberships(ieadb_zip)
    assert len(df) == 9
    kinds = dict(zip(df.consent_type, df.action, strict=True))
    assert kinds == {"signature": "signature", "ratification": "consent", "accession": "consent",
                     "entry into force 2": "entry_into_force", "deposit (instrument)": "consent",
                     "approval": "consent", "withdrawal 2": "withdrawal", "approbation": "consent"}
    de = df[df.participant == "Germany"].set_index("consent_type")
    assert de.loc["signature", "ccode"] == 260 and de.loc["ratification", "ccode"] == 255
    vn = df[df.participant == "Viet Nam"].set_index("consent_type")
    assert pd.isna(vn.loc["accession", "date"]) and vn.loc["accession", "year"] == 2000   # day unknown: year kept
    assert vn.loc["accession", "ccode"] == 816
    congo = df[df.iea_id == 8].set_index("participant").ccode
    assert congo["Congo, Republic of the"] == 484 and congo["Congo, Democratic Republic of"] == 490
    atlantis = df[df.participant == "Atlantis"].iloc[0]
    assert pd.isna(atlantis.year) and pd.isna(atlantis.date) and df.attrs["unknown_years"] == 1
    status = {u["name"]: u["status"] for u in df.attrs["unmatched"]}
    assert status["Germany (Bavaria)"] == "sub-national unit"          # never keyed as Germany
    assert status["IO-World Meteorological Organization"] == "international organisation"
    assert df.loc[df.participant == "Germany (Bavaria)", "ccode"].isna().all()


def test_ieadb_entry_into_force_reads_the_1111_placeholder_explicitly():
    """1111 is both "never in force" and "date unknown": a dated member entry into force tells them apart."""
    agreements = pd.DataFrame({"iea_id": [1, 2, 3], "force_date": pd.to_datetime(["1991-03-01", None, None])})
    members = pd.DataFrame({"iea_id": [2, 3, 3], "action": ["entry_into_force", "consent", "entry_into_force"],
                            "year": pd.array([1995, 1990, pd.NA], dtype="Int64")})
    status = ieadb.entry_into_force(agreements, members)
    assert status.to_dict() == {1: "dated", 2: "undated", 3: "unknown"}   # 3: its member's EIF year is 1111 too


# --- IMF arrangements --------------------------------------------------------------------------

IMF_HEADER = ["Country", "Dept", "IFS Code", "Account", "Arr. Type", "..", "Exceptional Access",
              "Precautionary (Using MONA)", "Date of Arrangement", "Year", "Expiration Date",
              "Extended Expiration Date", "Cancellation Date", "Actual/Current Expiration Date",
              "Original Duration (Months)", "Actual Duration (Months)", "…", "Quota at approval", None,
              "Current Quota", "….", "Total Amount Approved (Including SRF)", "…..",
              "Actual Approved Amount (percent of quota)", None, "Actual Avg. Annual Access (percent of quota)",
              "……", "First Disbursements", "First 6 months Disbursements", "First Year Disbursements",
              "Total Drawn Amounts", "…….", "Total amount disbursed"]


def _imf_row(country, ifs, kind, approved, expires, cancelled, end, exceptional, precautionary, amount):
    return [country, "WHD", ifs, "GRA", kind, None, exceptional, precautionary, approved, approved.year, expires,
            "..", cancelled, end, 12, 10, None, 100.0, None, 120.0, None, amount, None, 50.0, None, 50.0, None,
            "n.a.", "n.a.", "n.a.", "n.a.", None, "n.a."]


def test_imf_workbook_report_layout_is_read_between_header_and_footer(tmp_path, toy_concordance):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Arrangements since 1952"
    ws.append([None, "Fund Arrangements since 1952"])
    ws.append([None] * 15 + ["months", "months", None, "in SDR mn"])
    ws.append(["."] + IMF_HEADER)
    ws.append([None] + _imf_row("Germany", 134, "SBA", dt.datetime(1989, 6, 1), dt.datetime(1990, 5, 31), "..",
                                dt.datetime(1990, 5, 31), "..", "..", 25.0))
    ws.append([None] + _imf_row("Germany", 134, "EFF", dt.datetime(1991, 1, 15), dt.datetime(1994, 1, 14),
                                dt.datetime(1991, 7, 1), dt.datetime(1991, 7, 1), "N", "Y", 300.0))
    ws.append([None] + _imf_row("Vietnam", 582, "FCL", dt.datetime(2000, 3, 1), dt.datetime(2001, 3, 1), "..",
                                dt.datetime(2001, 3, 1), "Y", "N", 1000.0))
    ws.append([None] * 5)
    ws.append([None, "Sources: Mona Database, SPR; FIN."])
    path = tmp_path / "arrangements.xlsx"
    wb.save(path)
    df = imf.read_imf_arrangements(path)
    assert len(df) == 3                                     # the footer is not an arrangement
    assert df.ccode.tolist() == [260, 255, 816]             # the approval year decides Germany's code
    eff = df.iloc[1]
    assert eff.arrangement_type == "EFF" and eff.cancellation_date == pd.Timestamp("1991-07-01")
    assert eff.end_date == eff.cancellation_date and bool(eff.precautionary) and not bool(eff.exceptional_access)
    assert pd.isna(df.iloc[0].exceptional_access)           # ".." is "not recorded", not "no"
    assert pd.isna(df.iloc[0].drawn_pct_quota)              # "n.a."
    assert df.amount_approved_mn.tolist() == [25.0, 300.0, 1000.0]


def test_imf_workbook_without_a_needed_column_names_it(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([None])
    ws.append([None])
    ws.append(["."] + [h for h in IMF_HEADER if h != "Cancellation Date"])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(ValueError, match="Cancellation Date"):
        imf.read_imf_arrangements(path)


# --- WDI ODA (.xls) ----------------------------------------------------------------------------

def test_oda_xls_is_melted_from_odayyyy_columns(tmp_path, toy_concordance):
    import xlwt  # the test extra (pyproject); pandas writes no .xls itself
    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    rows = [["Country Name", "Country Code", "Indicator Name", "Indicator Code", "ODA1990", "ODA1991"],
            ["Viet Nam", "VNM", "Net ODA received (current US$)", "DT.ODA.ALLD.CD", 180_730_000, None],
            ["Germany", "DEU", "Net ODA received (current US$)", "DT.ODA.ALLD.CD", None, -50_000],
            ["World", "WLD", "Net ODA received (current US$)", "DT.ODA.ALLD.CD", 5.5e10, 6.1e10]]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(i, j, value)
    book.add_sheet("Metadata - Countries").write(0, 0, "Country Code")
    path = tmp_path / "ODAWDI.xls"
    book.save(str(path))
    df = worldbank.read_oda_received(path).set_index(["ccode", "year"]).oda_received
    assert df.to_dict() == {(816, 1990): 180_730_000.0, (255, 1991): -50_000.0}   # negative net flows kept
    assert worldbank.read_oda_received(path).attrs["unit"] == "current US$"


# --- the real files ----------------------------------------------------------------------------

@pytest.mark.realdata
def test_new_sources_real_files(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.sources import (read_iab_brain_drain, read_ieadb_agreements, read_ieadb_memberships,
                                read_imf_arrangements, read_oda_received)

    iab = read_iab_brain_drain()
    assert iab.year.unique().tolist() == [1980, 1985, 1990, 1995, 2000, 2005, 2010]
    assert not iab.duplicated(["ccode", "year"]).any()
    assert iab.emigration_rate_high.between(0, 1).all()
    americas = {2, 20, 40, 41, 42, 51, 52, 53, 54, 55, 56, 57, 58, 60, 70, 80, 90, 91, 92, 93, 94, 95, 100, 101,
                110, 115, 130, 135, 140, 145, 150, 155, 160, 165}
    assert americas <= set(iab[iab.year == 2000].ccode.dropna())   # the manifest: all American states
    agreements = read_ieadb_agreements()
    assert len(agreements) == 6540 and agreements.iea_id.is_unique
    assert agreements.force_date.dt.year.min() > 1111               # the placeholder never survives
    members = read_ieadb_memberships()
    assert len(members) == 125_887
    assert members.ccode.notna().mean() > 0.95
    czech = members[members.participant_entered == "Czechoslovakia"].ccode.dropna()
    assert czech.eq(315).all() and len(czech) > 100                 # not Czechia's 316
    imf_arr = read_imf_arrangements()
    assert len(imf_arr) + sum(u["rows"] for u in imf_arr.attrs["unmatched"]) == 1285   # 2 before COW entry
    # spot-checks against what the IMF publishes of these arrangements (press releases / MONA)
    def arrangement(name, approved):
        hit = imf_arr[(imf_arr.imf_name == name) & (imf_arr.approval_date == pd.Timestamp(approved))]
        assert len(hit) == 1, (name, approved)
        return hit.iloc[0]

    mexico = arrangement("Mexico", "2009-04-17")        # the first Flexible Credit Line
    assert mexico.arrangement_type == "FCL" and mexico.amount_approved_mn == pytest.approx(31_528)
    greece = arrangement("Greece", "2010-05-09")        # SDR 26.4 bn stand-by
    assert greece.arrangement_type == "SBA" and greece.amount_approved_mn == pytest.approx(26_432.9)
    argentina = arrangement("Argentina", "2000-03-10")  # cancelled when the 2003 SBA began
    assert argentina.cancellation_date == pd.Timestamp("2003-01-23")
    oda = read_oda_received()
    assert oda.year.between(1960, 2017).all() and not oda.duplicated(["ccode", "year"]).any()
