"""IMF lending arrangements since 1952 ("Fund arrangements since 1952", 2017 table).

The workbook is a report layout, not a data table: a title, a row of units, a row of
headers, one row per arrangement, then footer lines (an export time stamp, "Sources:
Mona Database, SPR; FIN."). Some header cells are only separators ("..", "…"); ".."
and "n.a." mean missing. The file carries no provenance note (manifest), so Chapter 3
and 5 spot-check arrangements they can verify before relying on it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..concord import add_cow
from .provenance import registered_path, stamp

SOURCE = "imf_arrangements"
HEADER_ROW = 2  # 0-based: title, units, then the headers
COLUMNS = {  # the workbook's header -> our name
    "Country": "imf_name", "Dept": "department", "IFS Code": "ifs_code", "Account": "account",
    "Arr. Type": "arrangement_type", "Exceptional Access": "exceptional_access",
    "Precautionary (Using MONA)": "precautionary", "Date of Arrangement": "approval_date",
    "Expiration Date": "expiration_date", "Extended Expiration Date": "extended_expiration_date",
    "Cancellation Date": "cancellation_date", "Actual/Current Expiration Date": "end_date",
    "Original Duration (Months)": "months_planned", "Actual Duration (Months)": "months_actual",
    "Quota at approval": "quota_at_approval_sdr_mn",
    "Total Amount Approved (Including SRF)": "amount_approved_mn",
    "Actual Approved Amount (percent of quota)": "approved_pct_quota",
    "Total Drawn Amounts": "drawn_pct_quota", "Total amount disbursed": "disbursed_sdr_mn",
}
DATES = ["approval_date", "expiration_date", "extended_expiration_date", "cancellation_date", "end_date"]
NUMBERS = ["ifs_code", "months_planned", "months_actual", "quota_at_approval_sdr_mn", "amount_approved_mn",
           "approved_pct_quota", "drawn_pct_quota", "disbursed_sdr_mn"]
#: The workbook's names the concordance's regexes miss; a rule each, not a guess.
NAME_FIXES = {"Yugoslavia, FR": "Serbia and Montenegro", "Serbia & Montenegro": "Serbia and Montenegro"}


def read_imf_arrangements(path: Path | str | None = None) -> pd.DataFrame:
    """One row per IMF arrangement: country (IMF name, COW code in the approval year), type
    (SBA, EFF, ECF, PRGF, ...), approval / expiration / cancellation dates, amounts.

    ``end_date`` is the actual (or current) expiration, which is the cancellation date
    for a cancelled arrangement. ``amount_approved_mn`` is in US$ million for 1952–1971
    and SDR million from 1972 (the workbook's own unit note). ``exceptional_access`` and
    ``precautionary`` are booleans (missing where the table has ".." for "not recorded").
    """
    raw = pd.read_excel(registered_path(SOURCE, path=path), header=None, dtype=object)
    header = raw.iloc[HEADER_ROW]
    country = raw.iloc[HEADER_ROW + 1:, list(header).index("Country")]
    # arrangements run to the first empty row; the footer (time stamp, "Sources: ...") follows it
    end = country.index[country.isna()].min() if country.isna().any() else raw.index[-1] + 1
    body = raw.loc[HEADER_ROW + 1:end - 1]
    missing = sorted(set(COLUMNS) - set(header.dropna()))
    if missing:
        raise ValueError(f"{path or SOURCE}: no column(s) {missing} in the header row; found {list(header.dropna())}")
    df = pd.DataFrame({new: body[list(header).index(old)].to_numpy() for old, new in COLUMNS.items()})
    df = df.mask(df.isin(["..", "n.a."]))
    for col in DATES:
        df[col] = pd.to_datetime(df[col], errors="coerce")
    for col in NUMBERS:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    for col in ("exceptional_access", "precautionary"):
        df[col] = df[col].map(lambda v: pd.NA if pd.isna(v) else str(v).strip().lower() in ("yes", "y", "1", "x"))
        df[col] = df[col].astype("boolean")
    for col in ("imf_name", "department", "account", "arrangement_type"):
        df[col] = df[col].astype("string").str.strip()
    df["year"] = df.approval_date.dt.year.astype("int64")
    df["country_name"] = df.imf_name.replace(NAME_FIXES)
    df = df.reset_index(drop=True)
    return stamp(add_cow(df, SOURCE, name="country_name").drop(columns="country_name"), SOURCE,
                 name_fixes=NAME_FIXES)
