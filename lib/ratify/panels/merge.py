"""Merge a measure onto a country-year panel with every filling rule stated.

Nothing is filled silently: a value appears in a year the source did not report only
if the call asked for linear interpolation between two reported years, or for
carrying the last report forward a set number of years. Each merge appends a
record (source, file, SHA-256, reader, columns, rules, coverage) to ``panel.attrs["merges"]``;
the records are plain dicts, lists, strings and numbers, so they survive a JSON round trip
and end up in every model fitted on the panel.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from ..sources.provenance import origin

KEY = ["ccode", "year"]


def _fill(measure: pd.DataFrame, years: pd.DataFrame, cols: list[str], interpolate: str,
          carry_forward: int) -> pd.DataFrame:
    """Measure on the panel's years for its countries, filled only as asked."""
    grid = years[years.ccode.isin(measure.ccode.unique())]
    full = grid.merge(measure, on=KEY, how="outer").sort_values(KEY, ignore_index=True)
    for col in cols:
        observed = full[col].notna()
        if interpolate == "linear":
            full[col] = _interpolate_by_year(full, col)
        if carry_forward:
            last_year = full.year.where(observed).groupby(full.ccode).ffill()
            carried = full.groupby("ccode")[col].ffill()
            ok = full[col].isna() & (full.year - last_year).le(carry_forward)
            full.loc[ok, col] = carried[ok]
    return full


def _interpolate_by_year(full: pd.DataFrame, col: str) -> pd.Series:
    """Linear in calendar year between a country's reported years; never beyond them."""
    by_year = full.set_index("year")[col].astype(float)
    filled = by_year.groupby(full.ccode.to_numpy()).transform(
        lambda s: s.interpolate(method="index", limit_area="inside"))
    return pd.Series(filled.to_numpy(), index=full.index)


def add_measure(panel: pd.DataFrame, measure: pd.DataFrame, cols: list[str], *, source: str,
                interpolate: Literal["none", "linear"] = "none", carry_forward: int = 0,
                lag: int = 0) -> pd.DataFrame:
    """Left-merge ``cols`` of ``measure`` (keyed ccode + year) onto ``panel``.

    ``lag=1`` puts last year's value on this year's row. ``interpolate="linear"``
    fills years between two reports (e.g. UN DESA's five-yearly stocks);
    ``carry_forward=n`` repeats the last report for at most ``n`` years.
    """
    if interpolate not in ("none", "linear"):
        raise ValueError(f"interpolate={interpolate!r}; use 'none' or 'linear'")
    clash = [c for c in cols if c in panel.columns]
    if clash:
        raise ValueError(f"{clash} already in the panel; rename or drop before adding from {source}")
    m = measure[KEY + cols].dropna(subset=cols, how="all").copy()
    if m.duplicated(KEY).any():
        raise ValueError(f"{source} has more than one row per ccode-year; resolve it in its reader")
    m["year"] = m.year.astype("int64") + lag
    years = panel[KEY].drop_duplicates().astype({"year": "int64"})  # country-treaty-years repeat keys
    filled = _fill(m, years, cols, interpolate, carry_forward)
    out = panel.merge(filled[KEY + cols], on=KEY, how="left")
    record = {**_origin(measure, source), "columns": list(cols), "interpolate": interpolate,
              "carry_forward": int(carry_forward), "lag": int(lag), "coverage": _coverage(out, cols)}
    out.attrs = {**panel.attrs, "merges": [*panel.attrs.get("merges", []), record]}
    return out


def add_lag(panel: pd.DataFrame, columns: list[str] | dict[str, str], lag: int = 1) -> pd.DataFrame:
    """Each column's value ``lag`` years earlier in the same country, as a new column (``<col>_l<lag>``,
    or the names a ``{column: new name}`` dict gives).

    The rule is :func:`add_measure`'s ``lag=``: the value of the row for (ccode, year − lag) if
    the panel has that row, otherwise missing, so a gap in a country's years (or its first year)
    never borrows an older value. The record names the source of the lagged column when the
    panel's merge record knows it (a derived column, like a log, has none).
    """
    names = columns if isinstance(columns, dict) else {c: f"{c}_l{lag}" for c in columns}
    out = panel
    for column, name in names.items():
        record = next((m for m in panel.attrs.get("merges", [])
                       if column in m.get("columns", []) + m.get("computed", [])), {})
        values = panel[KEY + [column]].rename(columns={column: name})
        values.attrs = {k: record.get(k) for k in ("file", "sha256", "reader")}
        out = add_measure(out, values, [name], source=record.get("source"), lag=lag)
        out.attrs["merges"][-1]["lag_of"] = column
    return out


def _origin(measure: pd.DataFrame, source: str) -> dict:
    """Where a measure came from, as its reader stamped it, under the id the verb merged it as."""
    return {**origin(measure), "source": source}


def _coverage(out: pd.DataFrame, cols: list[str]) -> dict[str, float]:
    return {c: round(float(out[c].notna().mean()), 4) for c in cols}


def keep_merges(out: pd.DataFrame, *inputs: pd.DataFrame) -> pd.DataFrame:
    """Put the merge records of ``inputs`` back on ``out`` (each record once, in order).

    A pandas merge or concat of frames whose ``attrs`` differ returns empty ``attrs``, so a
    study that joins two panels would otherwise publish models with no trail to their sources.
    The first input's other ``attrs`` are kept too; ``out``'s own win over them.
    """
    records: list[dict] = []
    for frame in inputs:
        records += [m for m in frame.attrs.get("merges", []) if m not in records]
    out.attrs = {**inputs[0].attrs, **out.attrs, "merges": records}
    return out


def add_static(panel: pd.DataFrame, measure: pd.DataFrame, cols: list[str], *, source: str) -> pd.DataFrame:
    """Merge time-invariant ``cols`` (keyed on ccode alone), e.g. legal origin."""
    m = measure.dropna(subset=["ccode"])[["ccode", *cols]]
    if m.ccode.duplicated().any():
        raise ValueError(f"{source} has more than one row per ccode")
    out = panel.merge(m, on="ccode", how="left")
    record = {**_origin(measure, source), "columns": list(cols), "static": True,
              "coverage": _coverage(out, cols)}
    out.attrs = {**panel.attrs, "merges": [*panel.attrs.get("merges", []), record]}
    return out


def coverage(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per merged column: its source, the rules used and the share of rows filled."""
    rows = [{"column": c, "source": m["source"], "interpolate": m.get("interpolate", "static"),
             "carry_forward": m.get("carry_forward", 0), "lag": m.get("lag", 0), "share_filled": share}
            for m in panel.attrs.get("merges", []) for c, share in m["coverage"].items()]
    return pd.DataFrame(rows)
