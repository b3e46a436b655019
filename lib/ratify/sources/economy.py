"""Economic series on the COW country-year key: SDP/GDP estimates, trade openness, and
the World Bank series IOM's gdidata collects (remittances in and out, GDP, FDI, ...)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..concord import add_cow
from .provenance import read_rdata, registered_path, stamp

SDP_COLUMNS = {"wbgdp2011est": "gdp_ppp2011", "wbpopest": "population", "sdpest": "sdp_ppp2011",
               "wbgdppc2011est": "gdppc_ppp2011"}
# 947 rows in 19 COW codes (pre-unification German and Italian states, Korea 1816-1910,
# South Vietnam, ...) carry a near-constant GDP of $4.7-5.7M whatever the population:
# a floor from the imputation, not an estimate. No real state-year in the file is that small.
PLACEHOLDER_GDP = 6e6


def read_sdp_gdp(path: Path | str | None = None) -> pd.DataFrame:
    """Anders, Fariss & Markowitz's GDP, population and surplus domestic product, 1800–2016
    (peacesciencer ``cow_sdp_gdp``, COW codes), in levels.

    The file stores every measure as ``log(x + 1)`` rounded to three decimals; the
    reader undoes it (``exp(v) − 1``), so levels carry up to ±0.05% rounding error.
    ``ln_*`` are plain logs of the levels (missing where SDP is 0: no surplus above
    subsistence, 5,776 rows). Rows for years
    a state was outside the COW system are kept; merging onto ``state_years`` drops them.
    """
    raw = read_rdata(registered_path("sdp_gdp", path=path), "cow_sdp_gdp")
    df = pd.DataFrame({"ccode": raw.ccode.astype("int64"), "year": raw.year.astype("int64")})
    for col, name in SDP_COLUMNS.items():
        with np.errstate(invalid="ignore"):  # R's NA arrives as a NaN payload numpy flags as invalid
            df[name] = np.expm1(raw[col].to_numpy(float))
    placeholder = df.gdp_ppp2011 < PLACEHOLDER_GDP
    df.loc[placeholder, ["gdp_ppp2011", "sdp_ppp2011", "gdppc_ppp2011"]] = np.nan  # population is fine: kept
    for name in SDP_COLUMNS.values():
        df[f"ln_{name}"] = np.log(df[name].where(df[name] > 0))  # SDP is 0 at subsistence: no log
    return stamp(df, "sdp_gdp", fixes=["log(x+1) undone: level = exp(v) - 1 (file rounds v to 3 decimals)",
                                       f"GDP, SDP and GDP per capita set missing in {int(placeholder.sum())} rows "
                                       f"with the imputation's placeholder GDP (< {PLACEHOLDER_GDP:,.0f} US$)"])


def read_trade(path_exports: Path | str | None = None, path_imports: Path | str | None = None) -> pd.DataFrame:
    """WDI exports and imports (% of GDP) via Gapminder, and their sum: trade openness
    (the definition of NE.TRD.GNFS.ZS). ``geo`` is lower-case ISO3."""
    files = {"exports_pct_gdp": ("exports", path_exports), "imports_pct_gdp": ("imports", path_imports)}
    frames = []
    for name, (flow, path) in files.items():
        f = f"countries-etc-datapoints/ddf--datapoints--{flow}_percent_of_gdp--by--geo--time.csv"
        raw = pd.read_csv(registered_path("wdi_trade", f, path=path))
        frames.append(pd.DataFrame({"iso3c": raw.geo.str.upper(), "year": raw.time.astype("int64"),
                                    name: raw[f"{flow}_percent_of_gdp"].astype(float)}).set_index(["iso3c", "year"]))
    df = frames[0].join(frames[1], how="outer").reset_index()
    df["trade_pct_gdp"] = df.exports_pct_gdp + df.imports_pct_gdp
    df["iso3c"] = df.iso3c.astype("string")
    exports = "countries-etc-datapoints/ddf--datapoints--exports_percent_of_gdp--by--geo--time.csv"
    return stamp(add_cow(df, "wdi_trade", iso3c="iso3c"), "wdi_trade", exports,
                 also_read=exports.replace("exports", "imports"))


def read_gdi_wdi(path: Path | str | None = None) -> pd.DataFrame:
    """IOM gdidata's World Bank extract, wide: one column per series (1990–2023; ``pop``
    from UN WPP 2024, from 1950). Adds remittances received and sent as % of GDP
    (``100 × remin / gdp``, both current US$), the definition the manifest gives."""
    raw = read_rdata(registered_path("gdidata_wdi", path=path), "wdi")
    wide = raw.pivot_table(index=["geo", "t"], columns="var", values="v", aggfunc="first").reset_index()
    wide.columns.name = None
    wide = wide.rename(columns={"geo": "iso3c", "t": "year"}).astype({"year": "int64"})
    wide["iso3c"] = wide.iso3c.astype("string")
    wide["remittances_in_pct_gdp"] = 100 * wide.remin / wide.gdp
    wide["remittances_out_pct_gdp"] = 100 * wide.remout / wide.gdp
    return stamp(add_cow(wide, "gdidata_wdi", iso3c="iso3c"), "gdidata_wdi")
