"""State-system membership: Correlates of War and Gleditsch–Ward lists.

Both lists are spells (a state may have several: occupied, then restored). The last
date of each list is the end of its data vintage, not an exit, so spells that reach
it are flagged ``ongoing``; :func:`ratify.panels.state_years` can extend them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import read_rdata, registered_path, stamp


def _ongoing(end: pd.Series) -> pd.Series:
    return end == end.max()


def read_cow_states(path: Path | str | None = None) -> pd.DataFrame:
    """COW State System Membership v2016: one row per spell, with start and end dates."""
    raw = read_rdata(registered_path("cow_states", path=path), "cow_states")
    start = pd.to_datetime(dict(year=raw.styear, month=raw.stmonth, day=raw.stday))
    end = pd.to_datetime(dict(year=raw.endyear, month=raw.endmonth, day=raw.endday))
    df = pd.DataFrame({
        "ccode": raw.ccode.astype("Int64"),
        "stateabb": raw.stateabb.astype("string"),
        "statename": raw.statenme.astype("string"),
        "start": start,
        "end": end,
    })
    df["ongoing"] = _ongoing(df.end)
    return stamp(df.sort_values(["ccode", "start"], ignore_index=True), "cow_states",
                 system="cow", vintage_end=str(df.end.max().date()))


def read_gw_states(path: Path | str | None = None) -> pd.DataFrame:
    """Gleditsch–Ward independent states (updated to 2017-12-31): one row per spell."""
    raw = read_rdata(registered_path("gw_states", path=path), "gw_states")
    df = pd.DataFrame({
        "gwcode": raw.gwcode.astype("Int64"),
        "stateabb": raw.stateabb.astype("string"),
        "statename": raw.statename.astype("string"),
        "start": pd.to_datetime(raw.startdate),
        "end": pd.to_datetime(raw.enddate),
    })
    df["ongoing"] = _ongoing(df.end)
    return stamp(df.sort_values(["gwcode", "start"], ignore_index=True), "gw_states",
                 system="gw", vintage_end=str(df.end.max().date()))
