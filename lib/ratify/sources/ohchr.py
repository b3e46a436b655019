"""OHCHR ratification dashboard export (16 Sep 2020): nine core human-rights treaties.

Same long form as the MTDSG readers. The export does not say *how* a state consented
(ratification, accession and succession share one column), so ``consent_type`` is
``"ratification or accession"``. It alone gives the dates on which states accepted the
optional complaint and inquiry procedures (``action="optional procedure"``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import data
from .provenance import stamp

SOURCE = "ohchr_hr_treaties_2020"
#: File stem -> MTDSG number.
TREATIES = {"CAT": "IV-9", "CEDAW": "IV-8", "CPED": "IV-16", "CRC": "IV-11", "CRPD": "IV-15",
            "ICCPR": "IV-4", "ICERD": "IV-2", "ICESCR": "IV-3", "ICRMW": "IV-13"}
EXCEL_DAY_ONE = pd.Timestamp("1900-01-01")  # Excel serial 1: an empty cell typed as a date


def _columns(header: str) -> tuple[str, str]:
    low = header.lower()
    if low.startswith("date of signature"):
        return "signature", "signature"
    if low.startswith("date of ratification"):
        return "consent", "ratification or accession"
    return "optional procedure", low.removeprefix("date of acceptance of ").strip()


def parse_ohchr(table: pd.DataFrame, mtdsg_no: str) -> tuple[pd.DataFrame, int]:
    """Long form of one export; also the number of bogus 1900-01-01 dates set to missing."""
    footer = table.Country.astype("string").str.match(r"^(Definitions|Source)\b").fillna(True)
    table = table[~footer]
    long = table.melt(id_vars="Country", var_name="column", value_name="date").dropna(subset=["date"])
    long["date"] = pd.to_datetime(long.date)
    bogus = long.date.eq(EXCEL_DAY_ONE)
    long = long[~bogus]
    kinds = {c: _columns(c) for c in long.column.unique()}
    return pd.DataFrame({
        "mtdsg_no": mtdsg_no, "participant": long.Country.str.strip().astype("string"),
        "action": long.column.map(lambda c: kinds[c][0]), "consent_type": long.column.map(lambda c: kinds[c][1]),
        "date": long.date,
    }).reset_index(drop=True), int(bogus.sum())


def read_ohchr(treaties: list[str] | None = None, folder: Path | str | None = None) -> pd.DataFrame:
    """Every dated action in the nine exports (or those named by stem, e.g. ``["CAT"]``)."""
    chosen = treaties or list(TREATIES)
    unknown = sorted(set(chosen) - set(TREATIES))
    if unknown:
        raise KeyError(f"Unknown OHCHR treaty {unknown}; choose from {sorted(TREATIES)}")
    frames, bogus = [], {}
    for stem in chosen:
        name = f"data/UnderlyingData_{stem}_OHCHR_19_09_2020.xls"
        path = Path(folder) / Path(name).name if folder is not None else data.path(SOURCE, name)
        frame, n_bogus = parse_ohchr(pd.read_excel(path, header=1), TREATIES[stem])
        frames.append(frame)
        if n_bogus:
            bogus[stem] = n_bogus
    return stamp(pd.concat(frames, ignore_index=True), SOURCE, data.registry().source_files(SOURCE)[0].file,
                 excel_day_one_set_missing=bogus)
