"""Human-rights practice on the COW country-year key: PTS, CIRI, CIRIGHTS and Fariss's latent scores."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import registered_path, stamp
from .units import key_country_years

#: PTS codes for why a score is missing (NA_Status_*), from the PTS codebook's categories.
PTS_NA_STATUS = {0: "scored", 66: "not covered by the report", 77: "no report", 88: "country did not exist",
                 99: "other"}
#: PTS scores Israel three ways; the chapters use the country as a whole.
PTS_TERRITORIES = ("Israel in Occupied Territories", "Israel in pre-1967 borders")


def read_pts(path: Path | str | None = None) -> pd.DataFrame:
    """Political Terror Scale 1976–2023 (PTS-2024): Amnesty, HRW and State Department scores, 1–5.

    The file is Latin-1 and lists every country in every year. The two partial Israel
    series are set aside; the rest is keyed by :func:`~ratify.sources.units.key_country_years`
    (empty rows dropped, missing COW codes looked up by name, e.g. the Soviet Union and
    Serbia, collisions resolved in favour of the row with more scores).
    """
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
    })
    df = key_country_years(df, ["pts_a", "pts_h", "pts_s"], "pts_2024")
    return stamp(df, "pts_2024", territories_dropped=list(PTS_TERRITORIES))


#: CIRI's codes for why a component is not scored.
CIRI_SPECIAL = {-999: "missing", -77: "interregnum or anarchy", -66: "occupied or not sovereign"}
CIRI_COMPONENTS = ["disap", "kill", "polpris", "tort"]


def read_ciri(path: Path | str | None = None) -> pd.DataFrame:
    """CIRI physical-integrity components (0 = frequent violations ... 2 = none), 1981–2011,
    and their sum ``physint`` (0–8, computed here; the file does not store it).

    The special codes −999/−77/−66 become missing and are kept by name in
    ``ciri_special``; rows are keyed as in :func:`read_pts`.
    """
    raw = pd.read_csv(registered_path("ciri_physint", path=path))
    comps = raw[["DISAP", "KILL", "POLPRIS", "TORT"]].set_axis(CIRI_COMPONENTS, axis=1)
    special = comps.where(comps.isin(list(CIRI_SPECIAL))).bfill(axis=1).iloc[:, 0]
    comps = comps.mask(comps.isin(list(CIRI_SPECIAL))).astype("Int64")
    df = pd.DataFrame({"ccode": raw.COW.astype("Int64"), "year": raw.YEAR.astype("Int64"),
                       "country": raw.CTRY.astype("string"), **comps,
                       "ciri_special": special.map(CIRI_SPECIAL).astype("string")})
    df["physint"] = df[CIRI_COMPONENTS].sum(axis=1, min_count=4)
    df = key_country_years(df, CIRI_COMPONENTS + ["ciri_special"], "ciri_physint")
    return stamp(df, "ciri_physint", special_codes=CIRI_SPECIAL)


def read_cirights(path: Path | str | None = None) -> pd.DataFrame:
    """CIRIGHTS v1.22.11.25 (1981–2020): physical-integrity items and their sum (0–8).

    The successor to CIRI with its own coding; its ``physint_sum`` is not guaranteed to be
    comparable with CIRI's 2011 PHYSINT, so it keeps a different name.
    """
    raw = pd.read_csv(registered_path("cirights", path=path))
    df = pd.DataFrame({"ccode": raw.cow.astype("Int64"), "year": raw.year.astype("Int64"),
                       "country": raw.country.astype("string"),
                       **{f"cirights_{c}": raw[c].astype("Int64") for c in CIRI_COMPONENTS},
                       "cirights_physint": raw.physint_sum.astype("Int64")})
    df = key_country_years(df, ["cirights_physint"] + [f"cirights_{c}" for c in CIRI_COMPONENTS], "cirights")
    return stamp(df, "cirights")


FARISS_FILE = "LHRS-V4/LHRS-V4.02-2021/LHRS-v4.02-2021.csv"
FARISS_SCORES = ("theta_mean", "theta_sd", "theta_q025", "theta_q975")
#: Input scales the LHRS file carries beside its scores, with how the reader turns each into
#: "higher = more respect". Hathaway's torture scale codes 1 = least torture … 5 = most (it
#: correlates negatively with CIRI TORT), so it is reversed: 6 − score, 1985–1999.
FARISS_INPUTS = {"hathaway": lambda s: 6 - s}


def read_fariss(path: Path | str | None = None, columns: tuple[str, ...] = FARISS_SCORES) -> pd.DataFrame:
    """Fariss latent human-rights protection scores v4.02 (1946–2021): posterior mean, sd
    and 95% interval of theta (higher = more respect for physical integrity); ``columns``
    may add the input scales of :data:`FARISS_INPUTS` (e.g. ``hathaway``), coded the same
    way round. Rows where every requested column is missing are dropped."""
    unknown = [c for c in columns if c not in FARISS_SCORES and c not in FARISS_INPUTS]
    if unknown:
        raise ValueError(f"columns {unknown} are not read from the LHRS file; choose among "
                         f"{list(FARISS_SCORES) + list(FARISS_INPUTS)}")
    raw = pd.read_csv(registered_path("fariss_lhrs_v4", FARISS_FILE, path=path),
                      usecols=["COW", "YEAR", *columns])
    df = pd.DataFrame({"ccode": raw.COW.astype("Int64"), "year": raw.YEAR.astype("Int64"),
                       **{c: FARISS_INPUTS.get(c, lambda s: s)(raw[c].astype(float)) for c in columns}})
    return stamp(df.dropna(subset=list(columns), how="all").reset_index(drop=True), "fariss_lhrs_v4", FARISS_FILE)