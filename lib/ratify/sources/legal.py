"""Legal origin (La Porta et al. 1999) from the Quality of Government cross-section."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import registered_path, stamp

LEGAL_ORIGINS = {1: "english", 2: "french", 3: "socialist", 4: "german", 5: "scandinavian"}


def read_legal_origin(path: Path | str | None = None) -> pd.DataFrame:
    """One row per country (static): COW code, ISO3, legal origin and a common-law dummy.

    QoG's 2011 cross-section keeps La Porta et al.'s 1999 coding, in which transition
    economies are "socialist"; Montenegro, Palau, Timor-Leste and Serbia have no code.
    Where two rows share a COW code the one with a legal origin is kept.
    """
    raw = pd.read_stata(registered_path("qog_basic_cs", path=path), convert_categoricals=False)
    df = pd.DataFrame({
        "ccode": pd.to_numeric(raw.ccodecow, errors="coerce").astype("Int64"),
        "iso3c": raw.ccodealp.astype("string"),
        "country": raw.cname.astype("string"),
        "legal_origin": raw.lp_legor.map(LEGAL_ORIGINS).astype("string"),
    })
    df["common_law"] = (df.legal_origin == "english").astype("Int64").mask(df.legal_origin.isna())
    no_code = df.loc[df.legal_origin.isna(), "country"].tolist()
    # COW 345 is both "Serbia" (uncoded) and "Serbia and Montenegro" (coded): keep the coded row
    df = df.sort_values("legal_origin", na_position="last", kind="stable")
    dropped = df.loc[df.ccode.notna() & df.duplicated("ccode"), "country"].tolist()
    df = df[~(df.ccode.notna() & df.duplicated("ccode"))].sort_values("country", ignore_index=True)
    return stamp(df, "qog_basic_cs", no_legal_origin=no_code, dropped_duplicates=dropped)
