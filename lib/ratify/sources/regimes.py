"""Regime measures on the COW country-year key: Polity5 and Boix–Miller–Rosato."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import read_rdata, registered_path, stamp
from .units import columns_as, keep_continuing_unit

#: Polity's special codes in democ/autoc/polity/xconst, and what they mean.
POLITY_SPECIAL = {-66: "interruption", -77: "interregnum", -88: "transition"}
POLITY_COMPONENTS = ["democ", "autoc", "polity", "xconst"]

#: The reader's columns: ours <- (the file's, dtype; None keeps the file's numbers as they are).
POLITY_COLUMNS = {"ccode": ("cown", "Int64"), "year": ("year", "Int64"), "gwcode": ("GWn", "Int64"),
                  "polity_ccode": ("polity_annual_ccode", "Int64"), "scode": ("scode", "string"),
                  "country": ("polity_annual_country", "string"),
                  **{c: (c, None) for c in POLITY_COMPONENTS}, "polity2": ("polity2", None),
                  "durable": ("durable", None)}
BMR_COLUMNS = {"ccode": ("cown", "Int64"), "year": ("year", "Int64"), "bmr_ccode": ("bmr_ccode", "Int64"),
               "country": ("extended_country_name", "string"), "democracy": ("democracy", "Int64"),
               "democracy_trans": ("democracy_trans", "Int64"), "democracy_duration": ("democracy_duration", None),
               "sovereign": ("sovereign", "Int64")}


def read_polity5(path: Path | str | None = None, last_year: int = 2018) -> pd.DataFrame:
    """Polity5 (v2018) on COW codes: one row per (ccode, year).

    Fixes in the reader, each visible in the result:
    - the special codes -66/-77/-88 become missing in the components and are kept,
      by name, in ``polity_special`` (``polity2`` already interpolates them);
    - the file's lone US rows for 2019–2020 are dropped (``last_year``), since no other
      country has them;
    - where a COW code holds two Polity units in a transition year (e.g. North
      Vietnam and Vietnam in 1976), the unit that is still there the next year is kept; the
      dropped rows are listed in ``df.attrs["dropped_duplicates"]``.
    Units without a COW code (Gran Colombia, Orange Free State, ...) are dropped and
    listed in ``df.attrs["unmatched"]``.
    """
    raw = read_rdata(registered_path("polity5", path=path), "polity5")
    df = columns_as(raw, POLITY_COLUMNS)
    special = df.polity.where(df.polity.isin(list(POLITY_SPECIAL)))
    df["polity_special"] = special.map(POLITY_SPECIAL).astype("string")
    df[POLITY_COMPONENTS] = df[POLITY_COMPONENTS].mask(df[POLITY_COMPONENTS].isin(list(POLITY_SPECIAL)))
    unmatched = sorted(df.loc[df.ccode.isna(), "country"].unique())
    df = df[df.ccode.notna() & (df.year <= last_year)]
    df = keep_continuing_unit(df, unit="scode")
    return stamp(df, "polity5", unmatched=unmatched, special_codes=POLITY_SPECIAL, last_year=last_year)


def read_bmr(path: Path | str | None = None) -> pd.DataFrame:
    """Boix–Miller–Rosato dichotomous democracy (v4.0, to 2020) on COW codes.

    As with Polity, a COW code shared by two BMR units in a transition year keeps the
    unit still there the next year (e.g. Serbia, not the Federal Republic, in 2006);
    units without a COW code (Great Colombia, ...) are listed in ``attrs["unmatched"]``.
    """
    raw = read_rdata(registered_path("bmr", path=path), "bmr")
    df = columns_as(raw, BMR_COLUMNS)
    unmatched = sorted(raw.loc[raw.cown.isna(), "bmr_country"].unique())
    df = keep_continuing_unit(df[df.ccode.notna()], unit="bmr_ccode")
    return stamp(df, "bmr", unmatched=unmatched)


VDEM_INDICES = ["v2x_polyarchy", "v2x_libdem", "v2x_partipdem", "v2x_delibdem", "v2x_egaldem"]


def read_vdem(path: Path | str | None = None) -> pd.DataFrame:
    """V-Dem v15 high-level democracy indices (0–1) with their 68% intervals, on COW codes.

    Keys come from democracyData's ``cown``; historical units without one (Würtemberg,
    Hong Kong, ...) are listed in ``attrs["unmatched"]``, and a COW code shared by two
    units in a year (Piedmont-Sardinia and Italy, 1861) keeps the one that continues.
    """
    raw = read_rdata(registered_path("vdem_simple", path=path), "vdem_simple")
    df = pd.DataFrame({
        "ccode": raw.cown.astype("Int64"), "year": raw.year.astype("Int64"),
        "vdem_id": raw.country_id.astype("Int64"), "country": raw.vdem_country_name.astype("string"),
        **{c: raw[c] for c in VDEM_INDICES},
        **{f"{c}_{b}": raw[f"{c}_{b}"] for c in VDEM_INDICES[:2] for b in ("codelow", "codehigh")},
    })
    unmatched = sorted(raw.loc[raw.cown.isna(), "vdem_country_name"].unique())
    df = keep_continuing_unit(df[df.ccode.notna()], unit="vdem_id")
    return stamp(df, "vdem_simple", unmatched=unmatched, version="v15")


CONSTRAINTS = ("v2xlg_legcon", "v2x_jucon", "v2x_horacc")


def read_vdem_constraints(path: Path | str | None = None, columns: list[str] | tuple[str, ...] = CONSTRAINTS
                          ) -> pd.DataFrame:
    """V-Dem v14 (vdemlite), 1970–2023: by default the legislative and judicial constraints on
    the executive and horizontal accountability; ``columns`` takes any other vdemlite
    variables (e.g. ``v2x_regime``, ``v2x_clphy``, ``v2cltort`` for Chapter 3). The file has
    V-Dem ids only; COW codes come from the countrycode panel's V-Dem column, by year. Do
    not mix with v15 series."""
    from ..concord import vdem_to_cow

    raw = read_rdata(registered_path("vdem_constraints", path=path), "vdemlite")
    absent = [c for c in columns if c not in raw.columns]
    if absent:
        raise ValueError(f"columns {absent} are not in vdemlite; choose among its {len(raw.columns)} columns, "
                         f"e.g. {sorted(c for c in raw.columns if c.startswith('v2x'))[:8]}")
    df = pd.DataFrame({"vdem_id": raw.country_id.astype("Int64"), "year": raw.year.astype("Int64"),
                       "country": raw.country_name.astype("string"), **{c: raw[c].astype(float) for c in columns}})
    df.insert(0, "ccode", vdem_to_cow(df.vdem_id, df.year).to_numpy())
    lost = df[df.ccode.isna()].groupby("country").year.agg(["size", "min", "max"]).reset_index()
    unmatched = [{"source": "vdem_constraints", "name": r.country, "status": "no COW code that year",
                  "rows": int(r.size), "first_year": int(r.min), "last_year": int(r.max)}
                 for r in lost.itertuples(index=False)]
    df = keep_continuing_unit(df[df.ccode.notna()], unit="vdem_id")
    return stamp(df, "vdem_constraints", unmatched=unmatched, version="v14")


def read_pacl(path: Path | str | None = None) -> pd.DataFrame:
    """Cheibub–Gandhi–Vreeland Democracy and Dictatorship, 1946–2008: ``democracy`` (0/1) and
    the six-way ``regime`` (0 parliamentary, 1 mixed, 2 presidential democracy; 3 civilian,
    4 military, 5 royal dictatorship)."""
    raw = read_rdata(registered_path("pacl", path=path), "pacl")
    df = pd.DataFrame({"ccode": raw.cown.astype("Int64"), "year": raw.year.astype("Int64"),
                       "unit": raw.pacl_cowcode.astype("Int64"), "country": raw.pacl_country.astype("string"),
                       "dd_democracy": raw.democracy.astype("Int64"), "dd_regime": raw.regime.astype("Int64")})
    unmatched = sorted(raw.loc[raw.cown.isna(), "pacl_country"].unique())
    df = keep_continuing_unit(df[df.ccode.notna()], unit="unit")
    return stamp(df, "pacl", unmatched=unmatched)


def read_pacl_update(path: Path | str | None = None) -> pd.DataFrame:
    """Bjørnskov & Rode's update of DD to 2020: ``Democracy`` (0/1) and ``DD_regime`` (0–5)."""
    raw = read_rdata(registered_path("pacl_update", path=path), "pacl_update")
    df = pd.DataFrame({"ccode": raw.cown.astype("Int64"), "year": raw.year.astype("Int64"),
                       "unit": raw.pacl_update_country_isocode.astype("string"),
                       "country": raw.pacl_update_country.astype("string"),
                       "dd_democracy": raw.Democracy.astype("Int64"), "dd_regime": raw.DD_regime.astype("Int64")})
    unmatched = sorted(raw.loc[raw.cown.isna(), "pacl_update_country"].unique())
    df = keep_continuing_unit(df[df.ccode.notna()], unit="unit")
    return stamp(df, "pacl_update", unmatched=unmatched)


def read_ccode_democracy(path: Path | str | None = None) -> pd.DataFrame:
    """peacesciencer's ``ccode_democracy`` (COW state-years 1816–2020): V-Dem v10 polyarchy,
    Polity ``polity2`` and Marquez's extension of the Unified Democracy Scores.

    An older vintage than ``read_vdem`` (v15) and ``read_polity5``; kept because it is
    the one file that puts all three on COW state-years, and for UDS (``xm_qudsest``).
    """
    raw = read_rdata(registered_path("ccode_democracy", path=path), "ccode_democracy")
    df = pd.DataFrame({"ccode": raw.ccode.astype("int64"), "year": raw.year.astype("int64"),
                       "polyarchy_v10": raw.v2x_polyarchy.astype(float), "polity2_ps": raw.polity2.astype(float),
                       "uds_xm": raw.xm_qudsest.astype(float)})
    return stamp(df, "ccode_democracy")
