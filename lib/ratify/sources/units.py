"""Collapse a source's own units onto the COW country-year key, keeping track of what goes."""

from __future__ import annotations

import pandas as pd


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
