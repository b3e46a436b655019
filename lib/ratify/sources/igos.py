"""International organisations: COW IGO membership counts per state-year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import read_rdata, registered_path, stamp


def read_igo_counts(path: Path | str | None = None) -> pd.DataFrame:
    """COW IGO v3 state-year counts (1816–2014; five-yearly before 1965): full, associate,
    observer and any-type memberships."""
    raw = read_rdata(registered_path("cow_igo_sy", path=path), "cow_igo_sy")
    df = pd.DataFrame({"ccode": raw.ccode.astype("Int64"), "year": raw.year.astype("Int64"),
                       "igo_full": raw.sum_igo_full.astype("Int64"),
                       "igo_associate": raw.sum_igo_associate.astype("Int64"),
                       "igo_observer": raw.sum_igo_observer.astype("Int64"),
                       "igo_any": raw.sum_igo_anytype.astype("Int64")})
    return stamp(df, "cow_igo_sy", note="five-yearly observations before 1965, annual after")


#: COW IGO membership codes.
IGO_STATUS = {1: "full", 2: "associate", 3: "observer"}
#: Known miscodings set to missing: both German states joined the UN on 18 September 1973,
#: but the file marks them members earlier (the registry flags West Germany).
IGO_FIXES = [("un", 260, 1972), ("un", 265, 1972)]


def read_igo_memberships(igos: list[str] | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """COW IGO v3 memberships, long form: one row per state, year and IGO with a membership
    (full, associate or observer) or a missing code (-9). Non-membership (0) and "not in
    the system" (-1) rows are left out; five-yearly before 1965, annual after, to 2014.
    Cuba's OAS suspension (1962–2009) is coded 0 in the source and so appears as no row."""
    raw = read_rdata(registered_path("igo_memberships", path=path), "state_year_format3")
    names = [c for c in raw.columns if c not in ("ccode", "year", "state")]
    if igos is not None:
        unknown = sorted(set(igos) - set(names))
        if unknown:
            raise KeyError(f"Unknown IGO column(s) {unknown}; e.g. {names[:8]}")
        names = list(igos)
    long = raw[["ccode", "year", *names]].melt(id_vars=["ccode", "year"], var_name="igo", value_name="code")
    long = long[long.code.isin([1, 2, 3, -9])]
    fixed = 0
    for igo, ccode, last_bad_year in IGO_FIXES:
        bad = (long.igo == igo) & (long.ccode == ccode) & (long.year <= last_bad_year)
        fixed += int(bad.sum())
        long = long[~bad]
    df = pd.DataFrame({"ccode": long.ccode.astype("Int64"), "year": long.year.astype("Int64"),
                       "igo": long.igo.astype("string"),
                       "status": long.code.map(IGO_STATUS).astype("string")}).reset_index(drop=True)
    return stamp(df.sort_values(["igo", "ccode", "year"], ignore_index=True), "igo_memberships",
                 fixes={"rows removed (UN before 1973 for 260/265)": fixed}, missing_code=-9)
