"""The countrycode package's time-varying code panel: the bridge between name, ISO3 and COW."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import read_rdata, registered_path, stamp


def read_countrycode_panel(path: Path | str | None = None) -> pd.DataFrame:
    """countrycode v1.8.0 ``codelist_panel``: one row per entity and year, with its English
    name regex, its COW, Gleditsch–Ward and ISO3 codes in that year, and its World Bank
    region and continent (for regional diffusion shares)."""
    raw = read_rdata(registered_path("countrycode_panel", path=path), "codelist_panel")
    df = pd.DataFrame({
        "entity": raw["country.name.en"].astype("string"),
        "year": raw.year.astype("Int64"),
        "regex": raw["country.name.en.regex"].astype("string"),
        "ccode": raw.cown.astype("Int64"),
        "gwcode": raw.gwn.astype("Int64"),
        "iso3c": raw.iso3c.astype("string"),
        "vdem_id": raw.vdem.astype("Int64"),
        "region": raw.region.astype("string"),        # World Bank regions (7)
        "continent": raw.continent.astype("string"),
    })
    return stamp(df.sort_values(["entity", "year"], ignore_index=True), "countrycode_panel")
