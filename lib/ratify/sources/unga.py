"""UN General Assembly ideal points (Bailey, Strezhnev & Voeten), by COW state and year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import registered_path, stamp


def read_ideal_points(path: Path | str | None = None) -> pd.DataFrame:
    """Ideal points from all UNGA votes (June 2024 release), sessions 1–78; ``year`` =
    session + 1945 (the session opens in September of that year). Also each state's
    share of votes agreeing with the United States."""
    raw = pd.read_csv(registered_path("ideal_points_2024", path=path))
    df = pd.DataFrame({"ccode": raw.ccode.astype("Int64"), "session": raw.session.astype("Int64"),
                       "year": (raw.session + 1945).astype("Int64"),
                       "ideal_point": raw.IdealPointAll.astype(float),
                       "n_votes": raw.NVotesAll.astype("Int64"),
                       "agree_usa": raw.USAgree.astype(float)})
    return stamp(df, "ideal_points_2024")
