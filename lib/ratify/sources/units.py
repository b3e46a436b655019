"""Collapse a source's own units onto the COW country-year key, keeping track of what goes."""

from __future__ import annotations

import pandas as pd


def columns_as(raw: pd.DataFrame, columns: dict[str, tuple[str, str | None]]) -> pd.DataFrame:
    """The file's columns under the book's names and dtypes (``{ours: (the file's, dtype or None)}``),
    so a reader states its column map once, as data."""
    return pd.DataFrame({ours: raw[theirs] if dtype is None else raw[theirs].astype(dtype)
                         for ours, (theirs, dtype) in columns.items()})


def keep_continuing_unit(df: pd.DataFrame, unit: str, key: tuple[str, str] = ("ccode", "year"),
                         label: str = "country") -> pd.DataFrame:
    """One row per ``key``: where two units of the source share a COW code in a year
    (a transition year: North Vietnam and Vietnam in 1976), keep the unit that is still
    there the next year. The dropped rows go to ``attrs["dropped_duplicates"]``."""
    code, year = key
    next_year = set(zip(df[unit], df[year] - 1))
    continues = pd.Series([k in next_year for k in zip(df[unit], df[year])], index=df.index)
    ordered = df.assign(_continues=continues).sort_values(
        [code, year, "_continues"], ascending=[True, True, False], kind="stable")
    dup = ordered.duplicated([code, year])
    out = ordered[~dup].drop(columns="_continues").reset_index(drop=True)
    out.attrs = dict(df.attrs)
    out.attrs["dropped_duplicates"] = (ordered.loc[dup, [code, year, label, unit]]
                                       .astype(str).to_dict("records"))
    return out


def key_country_years(df: pd.DataFrame, values: list[str], source: str, name: str = "country") -> pd.DataFrame:
    """Give every informative row of a country-year file one COW code, and only one.

    Many files list every country in every year, with empty rows for years a state did
    not exist, and leave some names without a COW code (Serbia, Kosovo, the Soviet
    Union). The rule, stated once for all of them:
    1. rows with no value at all are dropped (they carry nothing to merge);
    2. a missing ``ccode`` is looked up by name and year (:func:`ratify.concord.to_cow`);
    3. if two rows then share a country-year, the one with more values wins, then the
       one whose code came from the file; the loser is listed in ``dropped_duplicates``.
    Names that still have no code are listed in ``attrs["unmatched"]``.
    """
    from ..concord import to_cow, unmatched

    df = df[df[values].notna().any(axis=1)].reset_index(drop=True)
    own = df.ccode.notna()
    filled = to_cow(df.loc[~own, name], df.loc[~own, "year"])
    df.loc[~own, "ccode"] = filled.ccode.to_numpy()
    df = df.assign(_n=df[values].notna().sum(axis=1), _own=own)
    df = df[df.ccode.notna()].sort_values(["ccode", "year", "_n", "_own"], ascending=[True, True, False, False])
    dup = df.duplicated(["ccode", "year"])
    dropped = df.loc[dup, ["ccode", "year", name, "_n"]].rename(columns={"_n": "values"})
    out = df[~dup].drop(columns=["_n", "_own"]).reset_index(drop=True)
    out.attrs = {**df.attrs, "unmatched": unmatched(filled, source).to_dict("records"),
                 "dropped_duplicates": dropped.astype(str).to_dict("records")}
    return out
