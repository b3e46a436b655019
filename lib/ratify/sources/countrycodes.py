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


def read_gapminder_countries(path: Path | str | None = None) -> pd.DataFrame:
    """Gapminder's country entities (static labels: income group, world regions, UN
    membership, landlocked, and a G77/OECD/other label).

    The ``g77_and_oecd`` label is *today's* and mutually exclusive: states that are
    (or were) in both, such as Mexico, Korea, Israel and Turkey, are labelled "oecd".
    It is no dated G77 membership series; the reader says so in ``attrs`` and the
    column name carries ``_current``.
    """
    raw = pd.read_csv(registered_path("gapminder_countries", path=path))
    df = pd.DataFrame({"gapminder_id": raw.country.astype("string"), "name": raw.name.astype("string"),
                       "iso3c": raw.iso3166_1_alpha3.astype("string"), "un_state": raw.un_state.astype("boolean"),
                       "g77_oecd_current": raw.g77_and_oecd_countries.astype("string"),
                       "income_group": raw.income_groups.astype("string"),
                       "world_4region": raw.world_4region.astype("string"),
                       "world_6region": raw.world_6region.astype("string"),
                       "landlocked": raw.landlocked.eq("landlocked").astype("boolean").where(raw.landlocked.notna())})
    return stamp(df, "gapminder_countries",
                 caveat="g77_oecd_current is a current, exclusive label, not dated G77 membership")
