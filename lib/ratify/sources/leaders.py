"""Archigos 4.1 leaders (peacesciencer build): who held power, from when to when, and how
they came and went. Dates are typed; GW codes are mapped to COW in the year the spell starts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import read_rdata, registered_path, stamp


def read_archigos(path: Path | str | None = None) -> pd.DataFrame:
    """One row per leader spell (3,409), with ``start``/``end`` dates and entry/exit manner.

    ``ccode`` is the COW code of the GW state in the spell's first year (missing, and
    counted in ``attrs["unmatched"]``, where COW has no such state that year).
    """
    from ..concord import gw_to_cow

    raw = read_rdata(registered_path("archigos", path=path), "archigos")
    df = pd.DataFrame({"obsid": raw.obsid.astype("string"), "gwcode": raw.gwcode.astype("int64"),
                       "leader_id": raw.leadid.astype("string"), "leader": raw.leader.astype("string"),
                       "born": raw.yrborn.astype("Int64"), "gender": raw.gender.astype("string"),
                       "start": pd.to_datetime(raw.startdate, errors="raise"),
                       "end": pd.to_datetime(raw.enddate, errors="raise"),
                       "entry": raw.entry.astype("string"), "exit": raw.exit.astype("string"),
                       "exit_code": raw.exitcode.astype("string")})
    if (df.end < df.start).any():
        raise ValueError(f"archigos has spells ending before they start: {df.obsid[df.end < df.start].tolist()}")
    df.insert(1, "ccode", gw_to_cow(df.gwcode, df.start.dt.year).to_numpy())
    lost = df[df.ccode.isna()]
    unmatched = [{"source": "archigos", "name": f"GW {g}", "status": "no COW code that year", "rows": len(p),
                  "first_year": int(p.start.dt.year.min()), "last_year": int(p.start.dt.year.max())}
                 for g, p in lost.groupby("gwcode")]
    return stamp(df, "archigos", unmatched=unmatched, codes="Gleditsch-Ward; ccode = COW in the start year")
