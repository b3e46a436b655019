"""IAB brain-drain emigration rates (Brücker, Capuano & Marfouk 2013), on the COW key.

The IAB panel counts emigrants aged 25 and over living in 20 OECD destinations, by
origin, sex and education, every five years 1980–2010, and divides them by the origin's
resident plus emigrant population of the same education. It is *not* the
Docquier–Lowell–Marfouk (2009) share Chapter 2's paper used; ``high_rate`` (tertiary
education) is the closest public stand-in, and the chapter labels it a proxy.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..concord import add_cow
from .provenance import registered_path, stamp

SOURCE = "iab_brain_drain"
#: The file's ``gender`` values; the reader keeps one of them (both sexes by default).
GENDERS = ("Male and Female", "Male", "Female")
#: IAB origin codes that are not ISO3 (older or UN-style codes): their ISO3 code, by rule.
IAB_TO_ISO3 = {"ADO": "AND", "UAE": "ARE", "TMP": "TLS", "ZAR": "COD", "ROM": "ROU", "NAU": "NRU", "SIN": "SGP"}
#: Origins ISO3 has no code for: their COW code.
IAB_TO_COW = {"SRB&MNE": 345}
RATES = {"tot_rate": "emigration_rate_total", "low_rate": "emigration_rate_low",
         "med_rate": "emigration_rate_medium", "high_rate": "emigration_rate_high"}


def read_iab_brain_drain(path: Path | str | None = None, gender: str = "Male and Female") -> pd.DataFrame:
    """Emigration rates by education (shares, 0–1) per origin and census year (1980, 1985, …, 2010).

    ``ccode_origin`` in the file is ISO3; rows are keyed to COW codes in their year, and
    origins without one (territories, states before independence) are listed in
    ``attrs["unmatched"]``. Old or non-ISO codes are mapped by :data:`IAB_TO_ISO3` and
    :data:`IAB_TO_COW`.
    """
    if gender not in GENDERS:
        raise ValueError(f"gender={gender!r}; the file has {list(GENDERS)}")
    raw = pd.read_stata(registered_path(SOURCE, path=path))
    raw = raw[raw.gender == gender]
    code = raw.ccode_origin.astype("string").str.strip()
    df = pd.DataFrame({"iab_code": code, "iso3c": code.replace(IAB_TO_ISO3),
                       "origin": raw.origin.astype("string"), "year": raw.year.astype("int64"),
                       **{new: raw[old].astype(float) for old, new in RATES.items()}}).reset_index(drop=True)
    direct = df.iab_code.map(IAB_TO_COW)
    keyed = add_cow(df[direct.isna()], SOURCE, iso3c="iso3c")
    by_rule = df[direct.notna()].assign(ccode=pd.array(direct.dropna().astype("int64"), dtype="Int64"))
    out = pd.concat([keyed, by_rule], ignore_index=True).sort_values(["ccode", "year"], ignore_index=True)
    return stamp(out, SOURCE, gender=gender, unmatched=keyed.attrs["unmatched"],
                 code_rules={**IAB_TO_ISO3, **{k: f"COW {v}" for k, v in IAB_TO_COW.items()}})
