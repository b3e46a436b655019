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
