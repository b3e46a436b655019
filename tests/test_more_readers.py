"""Readers for SDP/GDP, trade, gdidata, bilateral and UN DESA workbook stocks, Gapminder
labels, peacesciencer's democracy, distance, onsets and Archigos files, UN votes and
manytreaties. Fixtures are typed here in each file's upstream layout."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ratify import concord
from ratify.sources import economy, manytreaties
from ratify.sources.capabilities import read_mindist
from ratify.sources.conflict import read_ucdp_onsets
from ratify.sources.countrycodes import read_countrycode_panel, read_gapminder_countries
from ratify.sources.leaders import read_archigos
from ratify.sources.migration import bilateral_totals, read_bilateral_stocks, read_ims_destination
from ratify.sources.regimes import read_ccode_democracy
from ratify.sources.unga import read_unvotes

from fixtures.rdata import COUNTRYCODE_PANEL, write_rda

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def toy_concordance(tmp_path, monkeypatch):
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)


@pytest.fixture
def gw_same_as_cow(monkeypatch):
    """GW code = COW code, except GW 99 which has none (stands in for the real lookup)."""
    monkeypatch.setattr(concord, "gw_to_cow",
                        lambda gw, years: pd.Series(pd.array([None if g == 99 else g for g in gw], dtype="Int64")))


def test_sdp_gdp_undoes_log_plus_one(tmp_path):
    raw = pd.DataFrame({"ccode": [2.0, 41.0], "year": [1900.0, 1820.0],
                        "wbgdp2011est": [round(math.log(5e11 + 1), 3), round(math.log(2e9 + 1), 3)],
                        "wbpopest": [round(math.log(7.6e7 + 1), 3), round(math.log(6e5 + 1), 3)],
                        "sdpest": [round(math.log(4e11 + 1), 3), 0.0],
                        "wbgdppc2011est": [round(math.log(6579 + 1), 3), round(math.log(3333 + 1), 3)]})
    df = economy.read_sdp_gdp(write_rda(tmp_path, "cow_sdp_gdp", raw))
    assert df.gdppc_ppp2011.tolist() == pytest.approx([6579, 3333], rel=5e-4)   # 3-decimal rounding
    assert df.population.iloc[0] == pytest.approx(7.6e7, rel=5e-4)
    assert df.sdp_ppp2011.iloc[1] == 0 and np.isnan(df.ln_sdp_ppp2011.iloc[1])  # no surplus: no log
    assert df.ln_gdppc_ppp2011.iloc[0] == pytest.approx(math.log(6579), abs=1e-3)


def test_trade_is_exports_plus_imports(toy_concordance):
    df = economy.read_trade(FIXTURES / "exports.csv", FIXTURES / "imports.csv")
    got = df.set_index(["iso3c", "year"])
    assert got.loc[("DEU", 1990), "trade_pct_gdp"] == pytest.approx(46.0)
    assert got.loc[("DEU", 1990), "ccode"] == 260 and got.loc[("DEU", 1991), "ccode"] == 255
    assert "WLD" in {u["name"] for u in df.attrs["unmatched"]}      # an aggregate, not a state


def test_gdidata_pivots_and_computes_remittance_shares(tmp_path, toy_concordance):
    raw = pd.DataFrame({"geo": ["VNM"] * 3 + ["DEU"], "var": ["remin", "remout", "gdp", "gdp"],
                        "t": np.array([2000, 2000, 2000, 1991], dtype="int32"), "v": [2.0e9, 1.0e8, 4.0e10, 2e12]})
    df = economy.read_gdi_wdi(write_rda(tmp_path, "wdi", raw)).set_index(["iso3c", "year"])
    assert df.loc[("VNM", 2000), "remittances_in_pct_gdp"] == pytest.approx(5.0)
    assert df.loc[("VNM", 2000), "remittances_out_pct_gdp"] == pytest.approx(0.25)
    assert np.isnan(df.loc[("DEU", 1991), "remittances_in_pct_gdp"])   # no remin reported: not zero


def test_bilateral_stocks_keep_other_origin_and_add_up(tmp_path, toy_concordance):
    raw = pd.DataFrame({"geo": ["DEU", "DEU", "DEU", "VNM"], "t": np.array([1990, 1990, 1990, 1990], dtype="int32"),
                        "from": ["VNM", "VNM", "OOO", "DEU"], "sex": ["female", "male", "male", "female"],
                        "n": np.array([25, 28, 7, 3], dtype="int32"), "type_b": np.array([1, 1, 1, 0], dtype="int32"),
                        "type_c": np.array([0, 0, 0, 1], dtype="int32"), "type_r": np.array([1, 1, 1, 0], dtype="int32"),
                        "type_i": np.array([0, 0, 0, 0], dtype="int32")})
    df = read_bilateral_stocks(write_rda(tmp_path, "undesa_stocks_2020", raw))
    assert df.dest_ccode.tolist() == [260, 260, 260, 816]
    assert df.origin_ccode.isna().tolist() == [False, False, True, False]   # OOO = other/unknown
    totals = bilateral_totals(df).set_index(["iso3c", "year"])
    assert totals.loc[("DEU", 1990), "immigrants"] == 60
    assert totals.loc[("VNM", 1990), "emigrants"] == 53


def test_ims_workbook_layout(tmp_path, toy_concordance):
    years = [1990, 1995, 2000, 2005, 2010, 2015, 2020]
    header = ["", "Region, development group, country or area", "Notes", "Location code", "Type of data",
              *years, *years, *years]
    rows = [[1, "WORLD", None, 900, None, *[100.0] * 21],
            [2, "   Viet Nam", None, 704, "B R", 5.0, 4.0, "..", 6.5, 7.0, 8.0, 9.0, *[1.0] * 14],
            [3, "   Channel Islands*", 7, 830, "B", *[0.1] * 21]]
    path = tmp_path / "ims.xlsx"
    with pd.ExcelWriter(path) as xl:
        for sheet in ("Table 1", "Table 3"):
            top = pd.DataFrame([["International migrant stock"]] + [[None]] * 9)
            top.to_excel(xl, sheet_name=sheet, header=False, index=False)
            pd.DataFrame(rows, columns=header).to_excel(xl, sheet_name=sheet, startrow=10, index=False)
    df = read_ims_destination("Table 1", path=path)
    both = df[df.sex == "both"].set_index("year")
    assert both.immigrant_stock.loc[1990] == 5.0 and np.isnan(both.immigrant_stock.loc[2000])   # '..'
    assert set(df.iso3c) == {"VNM"} and both.data_type.iloc[0] == "B R" and set(df.ccode) == {816}
    assert {u["name"] for u in df.attrs["unmatched"]} >= {"Channel Islands*"}
    assert "immigrant_share_pct" in read_ims_destination("Table 3", path=path).columns
    with pytest.raises(ValueError, match="Table 9"):
        read_ims_destination("Table 9", path=path)


def test_gapminder_g77_label_is_marked_current():
    df = read_gapminder_countries(FIXTURES / "gapminder" / "countries.csv").set_index("gapminder_id")
    assert df.loc["mex", "g77_oecd_current"] == "oecd" and df.loc["bol", "g77_oecd_current"] == "g77"
    assert bool(df.loc["bol", "landlocked"]) and not bool(df.loc["mex", "landlocked"])
    assert "not dated G77" in df.attrs["caveat"]


def test_peacesciencer_democracy_and_mindist(tmp_path):
    dem = read_ccode_democracy(write_rda(tmp_path, "ccode_democracy", pd.DataFrame(
        {"ccode": [2.0], "year": [1816.0], "v2x_polyarchy": [0.367], "polity2": [9.0], "xm_qudsest": [0.707]})))
    assert dem.iloc[0].tolist() == [2, 1816, 0.367, 9.0, 0.707]
    md = pd.DataFrame({"ccode1": [2.0, 2.0], "ccode2": [20.0, 70.0], "year": [1920.0, 1920.0], "mindist": [0.0, 0.0]})
    assert read_mindist(write_rda(tmp_path, "cow_mindist", md)).mindist_km.tolist() == [0.0, 0.0]
    directed = pd.concat([md, md.assign(ccode1=20.0, ccode2=2.0).iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="non-directed"):
        read_mindist(write_rda(tmp_path, "cow_mindist", directed))


def test_onsets_and_archigos_map_gw_codes(tmp_path, gw_same_as_cow):
    onsets = pd.DataFrame({"gwcode": [2.0, 99.0], "year": [1946.0, 1946.0], "sumnewconf": [0.0, 1.0],
                           **{f"sumonset{k}": [0.0, 1.0] for k in (1, 2, 3, 5, 10)}})
    df = read_ucdp_onsets(write_rda(tmp_path, "ucdp_onsets", onsets))
    assert df.ccode.tolist() == [2] and "onsets_after_10" in df.columns
    assert df.attrs["unmatched"][0]["name"] == "GW 99"
    leaders = pd.DataFrame({"obsid": ["USA-1869", "XXX-1900"], "gwcode": [2.0, 99.0], "leadid": ["a", "b"],
                            "leader": ["Grant", "Nobody"], "yrborn": [1822.0, float("nan")], "gender": ["M", "M"],
                            "startdate": ["1869-03-04", "1900-01-01"], "enddate": ["1877-03-04", "1901-01-01"],
                            "entry": ["Regular", "Irregular"], "exit": ["Regular", "Irregular"],
                            "exitcode": ["Regular", "Removed by Other Means"]})
    arch = read_archigos(write_rda(tmp_path, "archigos", leaders))
    assert arch.start.iloc[0] == pd.Timestamp("1869-03-04") and pd.isna(arch.ccode.iloc[1])
    with pytest.raises(ValueError, match="XXX-1900"):
        read_archigos(write_rda(tmp_path, "archigos", leaders.assign(enddate=["1877-03-04", "1899-01-01"])))


def test_unvotes_join_roll_calls_and_issues(tmp_path, toy_concordance):
    votes = pd.DataFrame({"rcid": [3.0, 3.0, 3.0, 4.0], "country": ["Germany", "Vietnam", "Narnia", "Taiwan"],
                          "country_code": ["DE", "VN", "NA", "TW"], "vote": ["yes", "no", "abstain", "yes"]})
    calls = pd.DataFrame({"rcid": np.array([3, 4], dtype="int32"), "session": [44.0, 2.0],
                          "importantvote": ["0", "1"], "date": ["1989-12-01", "1947-10-01"],
                          "unres": ["R/44/1", "R/2/1"], "amend": ["0", "0"], "para": ["0", "0"],
                          "short": ["x", "y"], "descr": ["x", "y"]})
    issues = pd.DataFrame({"rcid": np.array([3, 3], dtype="int32"), "short_name": ["hr", "co"],
                           "issue": ["Human rights", "Colonialism"]})
    for name, frame in (("un_votes", votes), ("un_roll_calls", calls), ("un_roll_call_issues", issues)):
        write_rda(tmp_path, name, frame)
    df = read_unvotes(tmp_path).set_index(["rcid", "country"])
    assert df.loc[(3, "Germany"), "ccode"] == 260 and df.loc[(3, "Vietnam"), "vote"] == "no"
    assert df.loc[(3, "Germany"), ["issue_hr", "issue_co", "issue_ec"]].tolist() == [1, 1, 0]
    assert df.loc[(4, "Taiwan"), "ccode"] == 710            # the ROC in China's seat before 1949
    assert [u["name"] for u in df.attrs["unmatched"]] == ["Narnia"]


def ggo_parties():
    """Rows in the shape of manytreaties' GGO parties tibble (messydates as strings)."""
    rows = [  # stateID, treatyID, StateSignature, StateRatification
        ("CHL", "GASMCB_1979A", "1980-01-03", "1981-11-12"),
        ("ROU", "GASMCB_1979A", "1980-01-17", "1981-11-12"),      # the manifest's known error
        ("MEX", "INAPPT_1985A", "1986-10-02", "1987-06-22"),      # day/month swap in the signature
        ("USA", "TP09CB_1967A", "1967-01-27", "1967-10-10"),
        ("GBR", "TP09CB_1967A", "1967-10-10", "1967-01-27"),      # UK-depositary dates: sig > ratification
        ("FRA", "TP09CB_1967A", "1967-01-25..1967-01-27", None),  # a range: not a single day
    ]
    df = pd.DataFrame(rows, columns=["stateID", "treatyID", "StateSignature", "StateRatification"])
    df["Title"] = df.treatyID
    return df.astype("string")


def test_manytreaties_fixes_and_flags(monkeypatch):
    agreements = pd.DataFrame({
        "treatyID": ["INAPPT_1985A", "EIATTC_1949A", "CHROAS_1948A", "X-USA_1990A"],
        "Title": ["Inter-American Convention To Prevent And Punish Torture",
                  "Convention For The Establishment Of An Inter-American Tropical Tuna Commission",
                  "Charter Of The Organization Of American States", "Agreement on the Americas"],
        "Signature": ["1985-12-09", "1949-05-31", "1948-04-30", "1990"], "Force": ["1987-02-28", None, None, None],
        "Depository": [None, "United States of America", None, None],
        "TypeAmbit": ["Multilateral", "Multilateral", "Multilateral", "Bilateral"]}).astype("string")
    frames = {"manytreaties_parties": {"GGO": ggo_parties()}, "manytreaties_agreements": {"GGO": agreements}}
    monkeypatch.setattr(manytreaties, "_read_list", lambda source, obj, path: frames[source])
    monkeypatch.setattr(concord, "to_cow", lambda names, years, by="name": pd.DataFrame(
        {"ccode": [{"CHL": 155, "ROU": 360, "MEX": 70, "USA": 2, "GBR": 200, "FRA": 220}[n] for n in names],
         "status": "matched", "name": list(names), "year": list(years), "iso3c": list(names), "country": list(names)}))
    monkeypatch.setattr(concord, "unmatched", lambda codes, source: pd.DataFrame())
    parties = manytreaties.read_manytreaties_parties()
    consent = parties[parties.action == "consent"].set_index("participant")
    assert "ROU" not in consent.index and consent.loc["CHL", "date"] == pd.Timestamp("1981-11-12")
    sig = parties[parties.action == "signature"].set_index("participant")
    assert sig.loc["MEX", "date"] == pd.Timestamp("1986-02-10")
    assert len(parties.attrs["fixes"]) == 2
    assert pd.isna(sig.loc["FRA", "date"]) and sig.loc["FRA", "raw"] == "1967-01-25..1967-01-27"
    assert parties.attrs["vague_dates"] == 1
    assert sig.loc["GBR", "signature_after_consent"] and not sig.loc["USA", "signature_after_consent"]
    with pytest.raises(ValueError, match="IEADB"):
        manytreaties.read_manytreaties_parties("IEADB")
    agr = manytreaties.read_manytreaties_agreements().set_index("treaty_id")
    assert agr.oas_candidate.to_dict() == {"INAPPT_1985A": True, "EIATTC_1949A": False, "CHROAS_1948A": True,
                                           "X-USA_1990A": False}
    assert pd.isna(agr.loc["X-USA_1990A", "signature_date"])  # a year alone is not a day


@pytest.mark.realdata
def test_real_files(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    sdp = economy.read_sdp_gdp()
    assert len(sdp) == 27753 and not sdp.duplicated(["ccode", "year"]).any()
    us2000 = sdp.set_index(["ccode", "year"]).loc[(2, 2000)]
    assert us2000.population == pytest.approx(2.727e8, rel=1e-3)
    trade = economy.read_trade()
    assert trade.set_index(["iso3c", "year"]).loc[("MEX", 2010), "trade_pct_gdp"] == pytest.approx(59.27, abs=0.01)
    gdi = economy.read_gdi_wdi()
    assert not gdi.duplicated(["ccode", "year"]).any()
    assert gdi.set_index(["iso3c", "year"]).loc[("MEX", 2010), "remittances_in_pct_gdp"] == pytest.approx(2.06, abs=0.01)
    stocks = read_bilateral_stocks()
    assert len(stocks) == 170618
    ims = read_ims_destination().query("sex == 'both'").set_index(["iso3c", "year"]).immigrant_stock
    totals = bilateral_totals(stocks).set_index(["iso3c", "year"]).immigrants
    assert totals.loc[("MEX", 1990)] == ims.loc[("MEX", 1990)] == 695674   # two UN files, one number
    assert read_gapminder_countries().shape[0] == 273
    assert len(read_ccode_democracy()) == 16731
    md = read_mindist()
    assert len(md) == 952244 and md.set_index(["ccode1", "ccode2", "year"]).mindist_km.loc[(2, 70, 2000)] == 0
    onsets = read_ucdp_onsets()
    assert not onsets.duplicated(["ccode", "year"]).any() and onsets.year.between(1946, 2017).all()
    assert onsets.attrs["dropped_duplicates"] == [{"ccode": "345", "year": "2006", "country": "GW 345", "gwcode": "345"}]
    arch = read_archigos()
    assert len(arch) == 3409 and arch.loc[arch.obsid == "USA-1869", "leader"].item() == "Grant"
    votes = read_unvotes()
    assert not votes.duplicated(["rcid", "ccode"]).any()
    assert {u["name"] for u in votes.attrs["unmatched"]} == {"Belarus", "India", "Ukraine"}
    parties = manytreaties.read_manytreaties_parties()
    assert len(parties.attrs["fixes"]) == 8   # manytreaties.DATE_FIXES: 3 Moon, 5 IACPPT (see test_manytreaties)
    moon = parties[(parties.treaty_id == manytreaties.MOON) & (parties.action == "consent")]
    assert not moon.participant.isin(manytreaties.MOON_NOT_PARTIES).any()
    assert parties.loc[parties.participant == "YUG", "ccode"].eq(345).all()   # dissolved: COW code by rule
    assert parties.loc[parties.participant == "ALG", "ccode"].eq(615).all()   # old code for Algeria
    agreements = manytreaties.read_manytreaties_agreements()
    assert len(agreements) == 4532 and agreements.oas_candidate.sum() >= 6


#: Every registered source and the reader(s) that load it; a new source without a reader fails here.
READERS = {
    "untc_mtdsg_2015": ["read_untc_index", "read_untc_participants"], "ohchr_hr_treaties_2020": ["read_ohchr"],
    "hr_treaties_2026": ["read_hr_treaties"], "manytreaties_parties": ["read_manytreaties_parties"],
    "manytreaties_agreements": ["read_manytreaties_agreements"], "simmons_ratrules": ["read_ratification_rules"],
    "polity5": ["read_polity5"], "vdem_simple": ["read_vdem"], "bmr": ["read_bmr"], "pacl": ["read_pacl"],
    "pacl_update": ["read_pacl_update"], "vdem_constraints": ["read_vdem_constraints"],
    "wdi_gdppc": ["read_gdp_per_capita"], "wdi_trade": ["read_trade"], "gapminder_countries": ["read_gapminder_countries"],
    "wdi_population": ["read_population"], "remittances_cmps": ["read_remittances"], "gdidata_wdi": ["read_gdi_wdi"],
    "undesa_stock_2020": ["read_bilateral_stocks"], "net_migration_wdi": ["read_net_migration"],
    "undesa_stock_totals_2020": ["read_migrant_stock_totals"], "undesa_ims_2020_destination": ["read_ims_destination"],
    "qog_basic_cs": ["read_legal_origin"], "ideal_points_2024": ["read_ideal_points"], "unvotes": ["read_unvotes"],
    "fariss_lhrs_v4": ["read_fariss"], "ciri_physint": ["read_ciri"], "cirights": ["read_cirights"], "pts_2024": ["read_pts"],
    "cow_states": ["read_cow_states"], "gw_states": ["read_gw_states"], "cow_nmc": ["read_nmc"],
    "cow_capitals": ["read_capitals"], "cow_mindist": ["read_mindist"], "cow_mid": ["read_mids"],
    "ccode_democracy": ["read_ccode_democracy"], "sdp_gdp": ["read_sdp_gdp"], "countrycode_panel": ["read_countrycode_panel"],
    "igo_memberships": ["read_igo_memberships"], "mip_interventions": ["read_mip"], "icb_v13": ["read_icb_actors"],
    "capdist": ["read_capdist"], "ucdp_acd": ["read_ucdp_acd"], "ucdp_onsets": ["read_ucdp_onsets"],
    "archigos": ["read_archigos"], "cow_war_intra": ["cow_war_country_years"], "cow_war_inter": ["cow_war_country_years"],
    "cow_igo_sy": ["read_igo_counts"], "iab_brain_drain": ["read_iab_brain_drain"],
    "ieadb_2026": ["read_ieadb_agreements", "read_ieadb_memberships"], "imf_arrangements": ["read_imf_arrangements"],
    "wdi_oda": ["read_oda_received"],
}


def test_every_registered_source_has_a_reader():
    from ratify import data, sources

    assert set(READERS) == set(data.registry().sources)
    missing = [name for names in READERS.values() for name in names if not callable(getattr(sources, name, None))]
    assert not missing, f"readers named here but not exported by ratify.sources: {missing}"
