"""World Bank WDI series on the COW country-year key: net migration, population, GDP per capita.

The World Bank files mix countries with aggregates (World, regions, income groups).
Rows are matched to COW codes through their ISO3 code and year; aggregates and
territories have none, so they fall out and are listed in ``attrs["unmatched"]``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..concord import add_cow
from .provenance import registered_path, stamp


def read_net_migration(path: Path | str | None = None) -> pd.DataFrame:
    """WDI SM.POP.NETM (net migration, persons; last updated 2024-06-28), 1960–2023.

    The file is the World Bank's wide download: a BOM, four metadata lines, one column
    per year and an empty trailing column. Negative values mean more people left than
    arrived.
    """
    raw = pd.read_csv(registered_path("net_migration_wdi", path=path), skiprows=4, encoding="utf-8-sig")
    years = [c for c in raw.columns if c.isdigit()]
    long = raw.melt(id_vars=["Country Name", "Country Code"], value_vars=years, var_name="year",
                    value_name="net_migration").dropna(subset=["net_migration"])
    df = pd.DataFrame({"iso3c": long["Country Code"].astype("string"), "year": long.year.astype("int64"),
                       "wb_name": long["Country Name"].astype("string"), "net_migration": long.net_migration})
    return stamp(add_cow(df, "net_migration_wdi", iso3c="iso3c"), "net_migration_wdi")


def read_population(path: Path | str | None = None) -> pd.DataFrame:
    """WDI SP.POP.TOTL (total population), 1960–2024."""
    raw = pd.read_csv(registered_path("wdi_population", path=path))
    df = pd.DataFrame({"iso3c": raw["Country Code"].astype("string"), "year": raw.Year.astype("int64"),
                       "wb_name": raw["Country Name"].astype("string"), "population": raw.Value.astype(float)})
    return stamp(add_cow(df, "wdi_population", iso3c="iso3c"), "wdi_population")


def read_gdp_per_capita(path: Path | str | None = None) -> pd.DataFrame:
    """WDI NY.GDP.PCAP.KD (GDP per capita, constant 2015 US$) via Gapminder; ``geo`` is lower-case ISO3."""
    raw = pd.read_csv(registered_path("wdi_gdppc", path=path))
    df = pd.DataFrame({"iso3c": raw.geo.str.upper().astype("string"), "year": raw.time.astype("int64"),
                       "gdppc": raw.gdppercapita_us_inflation_adjusted.astype(float)})
    return stamp(add_cow(df, "wdi_gdppc", iso3c="iso3c"), "wdi_gdppc")


def read_oda_received(path: Path | str | None = None) -> pd.DataFrame:
    """WDI DT.ODA.ALLD.CD (net ODA and official aid received, current US$), 1960–2017.

    The workbook is the World Bank's wide download (sheet ``Data``: one ``ODAyyyy`` column
    per year, renamed so in the archive). Net flows can be negative (repayments exceed
    disbursements). A vintage of about 2018.
    """
    raw = pd.read_excel(registered_path("wdi_oda", path=path), sheet_name="Data")
    years = [c for c in raw.columns if str(c).startswith("ODA") and str(c)[3:].isdigit()]
    if not years:
        raise ValueError(f"{path or 'wdi_oda'}: no ODAyyyy columns in sheet 'Data'; found {list(raw.columns)[:8]}")
    long = raw.melt(id_vars=["Country Name", "Country Code"], value_vars=years, var_name="year",
                    value_name="oda_received").dropna(subset=["oda_received"])
    df = pd.DataFrame({"iso3c": long["Country Code"].astype("string"), "year": long.year.str[3:].astype("int64"),
                       "wb_name": long["Country Name"].astype("string"),
                       "oda_received": pd.to_numeric(long.oda_received).astype(float)})
    return stamp(add_cow(df.reset_index(drop=True), "wdi_oda", iso3c="iso3c"), "wdi_oda", unit="current US$")
