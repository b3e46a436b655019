"""Simmons' (2009) constitutional ratification-rules scale (static, ISO3-keyed)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..concord import add_cow
from .provenance import registered_path, stamp


def read_ratification_rules(path: Path | str | None = None, year: int = 2005) -> pd.DataFrame:
    """One row per country: ``ratrules`` in {1, 1.5, 2, 2.5, 3} and its COW code in ``year``.

    The registry warns that the scale's direction must be checked against Simmons'
    appendix, which is not among our sources; ``attrs["direction_verified"]`` is False
    until it is, and chapters must say so when they use it.
    """
    raw = pd.read_csv(registered_path("simmons_ratrules", path=path))
    df = pd.DataFrame({"iso3c": raw.StatID.astype("string"), "year": year, "ratrules": raw.Rat.astype(float)})
    out = add_cow(df, "simmons_ratrules", iso3c="iso3c").drop(columns="year")
    return stamp(out, "simmons_ratrules", direction_verified=False, matched_in_year=year)
