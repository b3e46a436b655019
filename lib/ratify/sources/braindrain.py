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
#: How origins are keyed: the COW code in the row's year (``in_year``), or, for a row from before
#: the origin had one, the code it has at its first later census (``later``). The IAB reports every
#: origin in its 2010 borders back to 1980 (Armenia or Croatia have 1980-1990 rows), so only
#: ``later`` lets a state that became independent after a census use that census's value.
BORDERS = ("in_year", "later")
RATES = {"tot_rate": "emigration_rate_total", "low_rate": "emigration_rate_low",
         "med_rate": "emigration_rate_medium", "high_rate": "emigration_rate_high"}


def read_iab_brain_drain(path: Path | str | None = None, gender: str = "Male and Female",
                         borders: str = "in_year") -> pd.DataFrame:
    """Emigration rates by education (shares, 0–1) per origin and census year (1980, 1985, …, 2010).

    ``ccode_origin`` in the file is ISO3; rows are keyed to COW codes in their year, and
    origins without one (territories, states before independence) are listed in
    ``attrs["unmatched"]``. Old or non-ISO codes are mapped by :data:`IAB_TO_ISO3` and
    :data:`IAB_TO_COW`. ``borders="later"`` keys a row from before the origin had a COW code to
    the code of its first later census instead (see :data:`BORDERS`); what stays unmatched is listed.
    """
    if gender not in GENDERS:
        raise ValueError(f"gender={gender!r}; the file has {list(GENDERS)}")
    if borders not in BORDERS:
        raise ValueError(f"borders={borders!r}; use one of {list(BORDERS)}")
    raw = pd.read_stata(registered_path(SOURCE, path=path))
    raw = raw[raw.gender == gender]
    code = raw.ccode_origin.astype("string").str.strip()
    df = pd.DataFrame({"iab_code": code, "iso3c": code.replace(IAB_TO_ISO3),
                       "origin": raw.origin.astype("string"), "year": raw.year.astype("int64"),
                       **{new: raw[old].astype(float) for old, new in RATES.items()}}).reset_index(drop=True)
    direct = df.iab_code.map(IAB_TO_COW)
    keyed = _key_to_cow(df[direct.isna()], later=borders == "later")
    by_rule = df[direct.notna()].assign(ccode=pd.array(direct.dropna().astype("int64"), dtype="Int64"))
    out = pd.concat([keyed, by_rule], ignore_index=True).sort_values(["ccode", "year"], ignore_index=True)
    return stamp(out, SOURCE, gender=gender, borders=borders, unmatched=keyed.attrs["unmatched"],
                 code_rules={**IAB_TO_ISO3, **{k: f"COW {v}" for k, v in IAB_TO_COW.items()}})


def _key_to_cow(rows: pd.DataFrame, later: bool) -> pd.DataFrame:
    """``rows`` with ``ccode`` as of their year; with ``later``, a row unmatched there tries each
    later census year in turn. ``attrs["unmatched"]`` lists the origins left without a code."""
    todo = rows.assign(row=range(len(rows)))
    found, unmatched = [], []
    for census in sorted(rows.year.unique()) if later else [rows.year.min()]:
        keyed = add_cow(todo.assign(cow_year=todo.year.clip(lower=census)), SOURCE, iso3c="iso3c", year="cow_year")
        unmatched = unmatched or keyed.attrs["unmatched"]  # as of each row's own year
        found.append(keyed)
        todo = todo[~todo.row.isin(keyed.row)]
        if todo.empty:
            break
    out = pd.concat(found, ignore_index=True).drop(columns=["row", "cow_year"])
    out.attrs["unmatched"] = [u for u in unmatched if u["name"] in set(todo.iso3c)]
    return out
