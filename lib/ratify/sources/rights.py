"""Human-rights practice scores on the COW country-year key. Political Terror Scale first."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import registered_path, stamp

#: PTS codes for why a score is missing (NA_Status_*), from the PTS codebook's categories.
PTS_NA_STATUS = {0: "scored", 66: "not covered by the report", 77: "no report", 88: "country did not exist",
                 99: "other"}
#: PTS scores Israel three ways; the chapters use the country as a whole.
PTS_TERRITORIES = ("Israel in Occupied Territories", "Israel in pre-1967 borders")


def read_pts(path: Path | str | None = None) -> pd.DataFrame:
    """Political Terror Scale 1976–2023 (PTS-2024): Amnesty, HRW and State Department scores, 1–5.

    The file is Latin-1. Rows for years in which a country did not exist (status 88 for
    all three sources) are dropped. Rows without a COW code (Serbia, Palestine, the EU, Crimea, ...)
    get one from :func:`ratify.concord.to_cow` by name and year; the two partial Israel
    series are set aside. Where two names then share a COW country-year (the Soviet Union
    and the Russian Federation before 1992) the row with scores is kept, and the other is
    listed in ``attrs["dropped_duplicates"]``. Names still without a code are in
    ``attrs["unmatched"]``.
    """
    from ..concord import to_cow, unmatched

    raw = pd.read_csv(registered_path("pts_2024", path=path), encoding="latin-1")
    raw = raw[~raw.Country.isin(PTS_TERRITORIES)]
    df = pd.DataFrame({
        "ccode": raw.COW_Code_N.astype("Int64"),
        "year": raw.Year.astype("Int64"),
        "country": raw.Country.astype("string"),
        "pts_a": raw.PTS_A.astype("Int64"),
        "pts_h": raw.PTS_H.astype("Int64"),
        "pts_s": raw.PTS_S.astype("Int64"),
        **{f"pts_{s}_status": raw[f"NA_Status_{s.upper()}"].map(PTS_NA_STATUS).astype("string") for s in "ahs"},
    }).reset_index(drop=True)
    # PTS lists every country in every year and marks years a state did not exist with 88
    gone = (df[[f"pts_{s}_status" for s in "ahs"]] == PTS_NA_STATUS[88]).all(axis=1)
    df = df[~gone].reset_index(drop=True)
    missing = df.ccode.isna()
    df["_own_code"] = ~missing
    filled = to_cow(df.loc[missing, "country"], df.loc[missing, "year"])
    df.loc[missing, "ccode"] = filled.ccode.to_numpy()
    report = unmatched(filled, "pts_2024")
    df = df[df.ccode.notna()].assign(_scored=lambda d: d[["pts_a", "pts_h", "pts_s"]].notna().sum(axis=1))
    # two names on one COW country-year (USSR and Russian Federation before 1992): keep the scored row
    df = df.sort_values(["ccode", "year", "_scored", "_own_code"], ascending=[True, True, False, False])
    dup = df.duplicated(["ccode", "year"])
    dropped = df.loc[dup, ["ccode", "year", "country", "_scored"]].rename(columns={"_scored": "scores"})
    df = df[~dup].drop(columns=["_scored", "_own_code"]).reset_index(drop=True)
    return stamp(df, "pts_2024", unmatched=report.to_dict("records"), territories_dropped=list(PTS_TERRITORIES),
                 dropped_duplicates=dropped.astype(str).to_dict("records"))
