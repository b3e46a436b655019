"""Power and geography: COW material capabilities, capitals and capital-to-capital distance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .provenance import read_rdata, registered_path, stamp

EARTH_RADIUS_KM = 6371.0088


def read_nmc(path: Path | str | None = None) -> pd.DataFrame:
    """COW National Material Capabilities v7.0 (1816–2022): components and CINC (share of the
    system's capabilities, 0–1)."""
    raw = read_rdata(registered_path("cow_nmc", path=path), "cow_nmc")
    df = raw.assign(ccode=raw.ccode.astype("Int64"), year=raw.year.astype("Int64"))
    return stamp(df[["ccode", "year", "cinc", "milex", "milper", "irst", "pec", "tpop", "upop"]], "cow_nmc")


def read_capitals(path: Path | str | None = None) -> pd.DataFrame:
    """Capitals of COW states with the dates they held that role (moves included: Bonn/Berlin)."""
    raw = read_rdata(registered_path("cow_capitals", path=path), "cow_capitals")
    df = pd.DataFrame({"ccode": raw.ccode.astype("Int64"), "capital": raw.capital.astype("string"),
                       "start": pd.to_datetime(raw.stdate), "end": pd.to_datetime(raw.enddate),
                       "lat": raw.lat.astype(float), "lng": raw.lng.astype(float)})
    return stamp(df, "cow_capitals")


def haversine_km(lat1, lng1, lat2, lng2):
    """Great-circle distance in km (spherical Earth, mean radius)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def read_capdist(path: Path | str | None = None) -> pd.DataFrame:
    """Gleditsch's static capital distances (km and miles) between pairs of *Gleditsch–Ward*
    codes (``gw_a``, ``gw_b``), not COW codes; capital moves are not reflected."""
    raw = pd.read_csv(registered_path("capdist", path=path))
    df = pd.DataFrame({"gw_a": raw.numa.astype("Int64"), "gw_b": raw.numb.astype("Int64"),
                       "abb_a": raw.ida.astype("string"), "abb_b": raw.idb.astype("string"),
                       "km": raw.kmdist.astype(float), "miles": raw.midist.astype(float)})
    return stamp(df, "capdist", codes="Gleditsch-Ward")


def read_mindist(path: Path | str | None = None) -> pd.DataFrame:
    """Minimum distance (km) between two states' borders, non-directed COW dyad-years
    (``ccode1 < ccode2``), 1886–2019 (peacesciencer ``cow_mindist``; 0 = contiguous by land).

    The shipped file has 952,244 rows, more than its help page says (817,053); the
    reader checks the dyads really are non-directed and unique.
    """
    raw = read_rdata(registered_path("cow_mindist", path=path), "cow_mindist")
    df = pd.DataFrame({"ccode1": raw.ccode1.astype("int64"), "ccode2": raw.ccode2.astype("int64"),
                       "year": raw.year.astype("int64"), "mindist_km": raw.mindist.astype(float)})
    if not (df.ccode1 < df.ccode2).all() or df.duplicated(["ccode1", "ccode2", "year"]).any():
        raise ValueError("cow_mindist is not a unique non-directed dyad-year file (ccode1 < ccode2)")
    return stamp(df, "cow_mindist")
