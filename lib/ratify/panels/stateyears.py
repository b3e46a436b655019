"""Country-years of the state system: the frame every ``add_*`` verb merges onto."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..sources.states import read_cow_states, read_gw_states

KEYS = {"cow": "ccode", "gw": "gwcode"}
Rule = Literal["any", "dec31", "jan1"]


def _year_bounds(spells: pd.DataFrame, rule: Rule) -> tuple[pd.Series, pd.Series]:
    """First and last calendar year each spell counts under ``rule``."""
    first, last = spells.start.dt.year, spells.end.dt.year
    if rule == "dec31":  # a member on 31 December
        last = last - ((spells.end.dt.month != 12) | (spells.end.dt.day != 31))
    elif rule == "jan1":  # a member on 1 January
        first = first + ((spells.start.dt.month != 1) | (spells.start.dt.day != 1))
    elif rule != "any":
        raise ValueError(f"rule={rule!r}; use 'any' (member on any day), 'dec31' or 'jan1'")
    return first, last


def state_years(system: Literal["cow", "gw"] = "cow", start: int | None = None, end: int | None = None,
                rule: Rule = "any", extend_ongoing: bool = False,
                spells: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per state and year of membership in the COW or Gleditsch–Ward system.

    ``rule`` says when a year counts: ``"any"`` (member on any day, as in peacesciencer),
    ``"dec31"`` or ``"jan1"``. A list stops at its vintage (COW 2016, GW 2017); asking
    for later years is an error unless ``extend_ongoing=True``, which carries states
    still members at the vintage forward to ``end`` — a stated assumption, not data.
    """
    if system not in KEYS:
        raise ValueError(f"system={system!r}; use one of {sorted(KEYS)}")
    spells = spells if spells is not None else (read_cow_states() if system == "cow" else read_gw_states())
    key = KEYS[system]
    vintage = int(spells.end.max().year)
    if end is not None and end > vintage and not extend_ongoing:
        raise ValueError(f"end={end} is after the {system.upper()} list's last year ({vintage}); "
                         "pass extend_ongoing=True to carry states still members then forward")
    first, last = _year_bounds(spells, rule)
    if extend_ongoing and end is not None:
        last = last.where(~spells.ongoing, np.maximum(last, end))
    n = (last - first + 1).clip(lower=0).to_numpy()
    idx = np.repeat(np.arange(len(spells)), n)
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    out = spells.iloc[idx][[key, "stateabb", "statename"]].reset_index(drop=True)
    out.insert(1, "year", (first.to_numpy()[idx] + offsets).astype("int64"))
    if start is not None:
        out = out[out.year >= start]
    if end is not None:
        out = out[out.year <= end]
    out = out.drop_duplicates([key, "year"]).sort_values([key, "year"], ignore_index=True)
    out.attrs = {**spells.attrs, "rule": rule, "extend_ongoing": extend_ongoing}
    return out
