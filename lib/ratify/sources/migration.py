"""Migrant stocks (UN DESA 2020) and remittances on the COW country-year key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..concord import add_cow
from .provenance import read_rdata, registered_path, stamp


def read_migrant_stock_totals(path: Path | str | None = None) -> pd.DataFrame:
    """UN DESA International Migrant Stock 2020, country totals, every five years 1990–2020.

    Both shares come out in percent: the file gives the immigrant share (``fb_share``)
    in percent but the emigrant share (``disp_share``) as a fraction, so the reader
    multiplies the latter by 100 (``attrs["fixes"]``). The refugee column marks some
    country-years with ``~`` (no estimate); those are read as missing.
    """
    raw = pd.read_csv(registered_path("undesa_stock_totals_2020", path=path), na_values={"refugee": ["~"]})
    df = pd.DataFrame({
        "iso3c": raw.alpha3.astype("string"), "year": raw.year.astype("int64"),
        "un_name": raw.name.astype("string"),
        "immigrant_stock": raw.fb.astype(float), "population": raw["pop"].astype(float),
        "immigrant_share_pct": raw.fb_share.astype(float),
        "emigrant_stock": raw.disp.astype(float), "emigrant_share_pct": 100 * raw.disp_share.astype(float),
        "refugees": raw.refugee.astype(float),
    })
    out = add_cow(df, "undesa_stock_totals_2020", iso3c="iso3c")
    return stamp(out, "undesa_stock_totals_2020", fixes=["disp_share (a fraction) x 100 = emigrant_share_pct",
                                                           "refugee '~' read as missing"])


def read_remittances(path: Path | str | None = None) -> pd.DataFrame:
    """Personal remittances received, % of GDP (WDI BX.TRF.PWKR.DT.GD.ZS, frozen 2023 extract),
    on COW codes, 1970–2018, from Crisman-Cox's replication archive."""
    raw = read_rdata(registered_path("remittances_cmps", path=path), "remitNEW")
    df = pd.DataFrame({
        "ccode": raw.ccode.astype("Int64"), "year": raw.year.astype("int64"),
        "country": raw.country.astype("string"),
        "remittances_pct_gdp": raw.remittance_received_pct.astype(float),
        "remittances_usd": raw.remittance_received.astype(float),
    })
    return stamp(df, "remittances_cmps")
