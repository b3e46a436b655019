"""OAS signatory tables: who signed and ratified an inter-American treaty, and when.

The OAS Department of International Law publishes, for each treaty of the inter-American
system, a "Signatories and Ratifications" page: one line per member state with the dates of
signature, ratification and deposit of the instrument. The pages are not a registered source
(no bulk export the book can fetch and hash), so a reader who transcribes them passes the
transcription as a local CSV file (chapter 4's ``oas_table`` design field); this module reads
that file into the long action form of the other treaty readers
(:func:`ratify.sources.read_untc_participants`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Columns of a user-supplied OAS signatory table (one row per treaty and signatory country).
OAS_COLUMNS = ("code", "title", "adopted", "country", "signature", "ratification", "deposit")


def oas_dates(values: pd.Series, adopted_year: pd.Series) -> pd.Series:
    """OAS tables print dates as mm/dd/yy; ISO dates are also accepted. A two-digit year takes
    the century that puts it on or after the treaty's adoption year."""
    text = values.astype("string").str.strip().replace({"": pd.NA, "-": pd.NA, "—": pd.NA})
    iso = pd.to_datetime(text.where(text.str.match(r"^\d{4}-\d{2}-\d{2}$", na=False)), format="%Y-%m-%d",
                         errors="coerce")
    parts = text.str.extract(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$").astype(float)
    year = parts[2].to_numpy()
    short = year < 100
    adopted = np.asarray(adopted_year, dtype=float)
    year = np.where(short, year + np.where(year + 1900 >= adopted, 1900, 2000), year)
    us = pd.to_datetime(pd.DataFrame({"year": year, "month": parts[0].to_numpy(), "day": parts[1].to_numpy()},
                                     index=text.index), errors="coerce")
    bad = text.notna() & iso.isna() & us.isna()
    if bad.any():
        raise ValueError(f"Unreadable OAS date(s) {sorted(text[bad].unique())[:5]}; use mm/dd/yy or YYYY-MM-DD")
    return iso.fillna(us)


def read_oas_signatory_table(path: Path | str, consent: str = "deposit") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a user-supplied OAS signatory table into (treaties, actions) for a treaty risk set
    (chapter 4: :func:`ratify.studies.soft_balancing.oas_frame`).

    The file is a CSV with the columns :data:`OAS_COLUMNS`, one row per treaty and signatory
    country, transcribed from the OAS Department of International Law's "Signatories and
    Ratifications" pages: ``code`` (OAS code, e.g. A-41), ``title``, ``adopted`` (adoption date,
    YYYY-MM-DD), ``country`` (as the OAS writes it), and the ``signature``, ``ratification``
    and ``deposit`` dates as printed (mm/dd/yy; blank or "-" when none). The consent date
    is the deposit of the instrument (``consent="deposit"``; falls back to the ratification
    date when no deposit is printed) or the ratification date (``consent="ratification"``).
    Countries are matched to COW codes by name; unmatched names are in ``attrs["unmatched"]``.
    """
    from ..concord import to_cow
    if consent not in ("deposit", "ratification"):
        raise ValueError(f"consent={consent!r}; use 'deposit' or 'ratification'")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in OAS_COLUMNS if c not in raw.columns]
    if missing:
        raise KeyError(f"{path}: columns {missing} missing; the format needs {list(OAS_COLUMNS)}")
    adopted = pd.to_datetime(raw.adopted, format="%Y-%m-%d")
    treaties = (pd.DataFrame({"treaty": raw.code.str.strip(), "title": raw.title.str.strip(), "adoption_date": adopted})
                .drop_duplicates("treaty").reset_index(drop=True))
    if treaties.treaty.duplicated().any() or raw.groupby("code").adopted.nunique().gt(1).any():
        raise ValueError(f"{path}: a treaty code has more than one adoption date")
    dates = {c: oas_dates(raw[c], adopted.dt.year) for c in ("signature", "ratification", "deposit")}
    consent_date = dates["deposit"].fillna(dates["ratification"]) if consent == "deposit" else dates["ratification"]
    base = pd.DataFrame({"treaty": raw.code.str.strip(), "participant": raw.country.str.strip()})
    long = pd.concat([base.assign(action="signature", consent_type="signature", date=dates["signature"]),
                      base.assign(action="consent", consent_type=consent, date=consent_date)], ignore_index=True)
    long = long.dropna(subset=["date"]).reset_index(drop=True)
    codes = to_cow(long.participant, long.date.dt.year)
    long["ccode"] = pd.array(codes.ccode, dtype="Int64")
    long.attrs["unmatched"] = sorted(long.loc[long.ccode.isna(), "participant"].unique())
    return treaties, long


