"""World Bank and UN DESA readers: upstream quirks handled, aggregates reported, codes by year."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratify import concord
from ratify.sources.migration import read_migrant_stock_totals, read_remittances
from ratify.sources.worldbank import read_gdp_per_capita, read_net_migration, read_population

from fixtures.rdata import COUNTRYCODE_PANEL, REMITTANCES, write_rda

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def toy_concordance(tmp_path, monkeypatch):
    """Match codes against the fixture countrycode panel instead of the real one."""
    from ratify.sources.countrycodes import read_countrycode_panel
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)


def test_net_migration_wide_file_with_bom_and_aggregates(toy_concordance):
    nm = read_net_migration(FIXTURES / "API_SM.POP.NETM_DS2_en_csv_v2.csv")
    got = {(r.iso3c, r.year): (r.ccode, r.net_migration) for r in nm.itertuples()}
    # Germany is West Germany's 260 in 1989-90, 255 from 1991; its blank 1991 cell is absent
    assert got == {("DEU", 1989): (260, 300000), ("DEU", 1990): (260, 656000),
                   ("VNM", 1989): (816, -80000), ("VNM", 1990): (816, -75000), ("VNM", 1991): (816, -70000)}
    assert {u["name"]: u["status"] for u in nm.attrs["unmatched"]} == {"WLD": "no code match"}


def test_population_and_gdp_per_capita(toy_concordance):
    pop = read_population(FIXTURES / "population.csv")
    assert pop[["iso3c", "ccode"]].values.tolist() == [["DEU", 255]]
    gdp = read_gdp_per_capita(FIXTURES / "ddf--datapoints--gdppercapita_us_inflation_adjusted--by--geo--time.csv")
    assert sorted(gdp.iso3c) == ["DEU", "VNM"]  # lower-case geo codes upper-cased


def test_stock_totals_put_both_shares_in_percent(toy_concordance):
    st = read_migrant_stock_totals(FIXTURES / "stock_totals_2020.csv").set_index("iso3c")
    assert st.loc["DEU", "immigrant_share_pct"] == pytest.approx(7.50902)
    assert st.loc["DEU", "emigrant_share_pct"] == pytest.approx(4.21686)  # 0.0421686 in the file
    assert st.refugees.isna().tolist() == [True, False]  # "~" is no estimate, not a number


def test_remittances_keep_cow_keys(tmp_path):
    rem = read_remittances(write_rda(tmp_path, "remitNEW", REMITTANCES))
    assert rem[["ccode", "year", "remittances_pct_gdp"]].values.tolist() == [[70, 1990, 1.18], [70, 2000, 1.01]]


@pytest.mark.realdata
def test_real_files(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    for reader in (read_net_migration, read_population, read_gdp_per_capita, read_migrant_stock_totals,
                   read_remittances):
        frame = reader()
        assert not frame.duplicated(["ccode", "year"]).any(), reader.__name__
        assert frame.ccode.notna().all()
    nm = read_net_migration()
    assert "WLD" not in set(nm.iso3c) and nm.year.between(1960, 2023).all()
    assert ("WLD", "no code match") in {(u["name"], u["status"]) for u in nm.attrs["unmatched"]}
    st = read_migrant_stock_totals()
    assert st.immigrant_share_pct.dropna().between(0, 100).all()  # Taiwan has no UN DESA estimate
    # emigrants are counted against the resident population, so small islands can pass 100%
    assert (st.emigrant_share_pct >= 0).all() and st.loc[st.emigrant_share_pct > 100, "iso3c"].unique().tolist() == ["DMA"]
