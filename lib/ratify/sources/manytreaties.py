"""The manytreaties R package (globalgov): treaties and their parties from the GGO database.

``parties.rda`` and ``agreements.rda`` are R *lists* of data frames, which pyreadr
cannot read; the ``rdata`` package can, but parsing the parties list takes ~40 s. The
parsed frames are therefore cached beside the data cache, keyed by the file's SHA-256
and ``READER_VERSION`` (bump it when the parsing changes), written atomically.

Dates are ``messydates`` strings; a plain ``YYYY-MM-DD`` becomes a date and anything
vaguer (ranges, ``?``, years only) stays missing with the raw text kept. The known
errors the manifest lists are fixed or flagged here, each counted in ``attrs``.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from .. import data
from ..data.locations import cache_dir
from .provenance import registered_path, stamp

READER_VERSION = 1

#: Moon Agreement: ratification dates given to signatory-only states; they belong to
#: Morocco, Peru and Chile (manifest). The wrong dates are removed.
MOON = "GASMCB_1979A"
MOON_NOT_PARTIES = ("GTM", "IND", "ROU")
#: OAS tables write dd/mm/yy; one swap is documented from the OAS table itself.
#: (state, treaty id): (column, as coded, as in the OAS table).
DAY_MONTH_FIXES = {("MEX", "INAPPT_1985A"): ("StateSignature", "1986-10-02", "1986-02-10")}
#: Titles that mark an Inter-American (OAS-system) instrument; see ``read_manytreaties_agreements``.
OAS_TITLE = r"Inter-American|Interamerican|American Convention|Organization Of American States"
OUTER_SPACE = "TP09CB_1967A"
#: GGO state ids that are not (current) ISO3 codes: old codes get their ISO3, dissolved
#: states their COW code (ISO3 has none). Other unmatched ids (IOs, territories, German
#: Länder) are reported, not guessed.
GGO_TO_ISO3 = {"ALG": "DZA", "ROM": "ROU"}
GGO_TO_COW = {"YUG": 345, "SCG": 345, "CSK": 315, "DDR": 265, "YAR": 678, "YMD": 680, "KOS": 347}


def _read_list(source: str, object_name: str, path: Path | None) -> dict[str, pd.DataFrame]:
    import rdata

    file = registered_path(source, path=path)
    sha = data.registry().resolve(source).sha256 if path is None else "local"
    cached = cache_dir() / "_derived" / f"{source}-{sha[:16]}-v{READER_VERSION}.pkl"
    if path is None and cached.exists():
        return pickle.loads(cached.read_bytes())
    with warnings.catch_warnings():
        # rdata has no constructor for tibble, POSIXct, mdate, bibentry ... classes and says so
        # for each; the columns we use are plain strings, so these notices carry nothing
        warnings.filterwarnings("ignore", message=r"Missing constructor for R class", category=UserWarning)
        frames = {str(k): v for k, v in rdata.read_rda(str(file))[object_name].items()}
    if path is None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(frames, fh)
        os.replace(tmp, cached)
    return frames


def _day(values: pd.Series) -> pd.Series:
    """A date where the messydate is a single day (YYYY-MM-DD), else missing."""
    s = values.astype("string").str.strip()
    exact = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
    return pd.to_datetime(s.where(exact), format="%Y-%m-%d", errors="coerce")


def read_manytreaties_agreements(database: str = "GGO", path: Path | str | None = None) -> pd.DataFrame:
    """Agreements of one manytreaties database (default GGO): id, title, dates, depositary, type,
    and ``oas_candidate`` (an Inter-American instrument by title; see ``OAS_TITLE``)."""
    frames = _read_list("manytreaties_agreements", "agreements", None if path is None else Path(path))
    if database not in frames:
        raise ValueError(f"database={database!r}; the file has {sorted(frames)}")
    raw = frames[database]
    df = pd.DataFrame({"treaty_id": raw.treatyID.astype("string"), "title": raw.Title.astype("string"),
                       "signature_date": _day(raw.Signature), "force_date": _day(raw.Force),
                       "signature_raw": raw.Signature.astype("string")})
    for col, name in (("Depository", "depositary"), ("TypeAmbit", "ambit"), ("TypeGeo", "geography"),
                      ("TypeSubject", "subject"), ("TypeAgree", "agreement_type")):
        if col in raw:
            df[name] = raw[col].astype("string")
    # An Inter-American instrument by its title, unless another depositary is named (the
    # 1949 tuna commission, deposited with the United States, is not an OAS treaty). A
    # heuristic: Chapter 4 lists what it keeps.
    other_depositary = df.depositary.notna() & ~df.depositary.str.contains("OAS|American States", na=False)
    multilateral = df.ambit.fillna("") != "Bilateral"
    df["oas_candidate"] = df.title.str.contains(OAS_TITLE, case=False, na=False) & ~other_depositary & multilateral
    return stamp(df, "manytreaties_agreements", database=database)


def read_manytreaties_parties(database: str = "GGO", path: Path | str | None = None) -> pd.DataFrame:
    """Party records of one manytreaties database, in the long action form of the UN readers.

    One row per state-treaty and action (``signature`` / ``consent``), with the day-level
    date where the source has one; ``consent_type`` is "ratification or accession"
    because the database does not say which. ``ccode`` comes from the ISO3 ``stateID``
    in the year of the action. Fixes (see the module constants) are listed in
    ``attrs["fixes"]``; Outer Space Treaty rows whose signature follows ratification
    are flagged in ``signature_after_consent``.
    """
    from ..concord import to_cow, unmatched

    frames = _read_list("manytreaties_parties", "parties", None if path is None else Path(path))
    if database not in frames:
        raise ValueError(f"database={database!r}; the file has {sorted(frames)}")
    raw = frames[database].copy()
    fixes = []
    moon = (raw.treatyID == MOON) & raw.stateID.isin(MOON_NOT_PARTIES) & raw.StateRatification.notna()
    fixes += [f"{MOON} {s}: ratification {d} removed (signatory only)"
              for s, d in zip(raw.stateID[moon], raw.StateRatification[moon], strict=True)]
    raw.loc[moon, "StateRatification"] = pd.NA
    for (state, treaty), (col, wrong, right) in DAY_MONTH_FIXES.items():
        hit = (raw.stateID == state) & (raw.treatyID == treaty) & (raw[col] == wrong)
        if hit.any():
            raw.loc[hit, col] = right
            fixes.append(f"{treaty} {state}: {col} {wrong} -> {right} (day/month swap)")
    base = pd.DataFrame({"treaty_id": raw.treatyID.astype("string"), "title": raw.Title.astype("string"),
                         "participant": raw.stateID.astype("string")})
    sig, con = _day(raw.StateSignature), _day(raw.StateRatification)
    flag = ((raw.treatyID == OUTER_SPACE) & (sig > con)).to_numpy()
    long = pd.concat([base.assign(action="signature", date=sig, raw=raw.StateSignature.astype("string"),
                                  signature_after_consent=flag),
                      base.assign(action="consent", date=con, raw=raw.StateRatification.astype("string"),
                                  signature_after_consent=flag)], ignore_index=True)
    long = long[long.raw.notna()].reset_index(drop=True)
    long["consent_type"] = long.action.map({"consent": "ratification or accession"}).astype("string")
    years = long.date.dt.year.fillna(long.raw.str.extract(r"^(\d{4})", expand=False).astype(float))
    iso3 = long.participant.replace(GGO_TO_ISO3)
    codes = to_cow(iso3, years.astype("Int64"), by="iso3c")
    long["ccode"] = pd.array(codes.ccode, dtype="Int64")
    direct = long.participant.map(GGO_TO_COW).astype("Int64")
    long["ccode"] = long.ccode.fillna(direct)
    codes = codes[~long.participant.isin(list(GGO_TO_COW)).to_numpy()]
    return stamp(long, "manytreaties_parties", database=database, fixes=fixes,
                 vague_dates=int(long.date.isna().sum()), unmatched=unmatched(codes, "manytreaties_parties")
                 .to_dict("records"))
