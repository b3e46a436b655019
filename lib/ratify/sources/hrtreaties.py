"""UN human-rights treaty status (MTDSG chapter IV, scraped 2026-02-03): day-level dates.

Returned in the same long form as the 2015 MTDSG scrape (one row per dated action),
so :mod:`ratify.treaties` works on either. The scraper lower-cased UNTC's markers
before coding them, so its "Accession" also holds acceptances (A) and its
"Ratification" approvals (AA); ``consent_type`` keeps its label and
``attrs["caveat"]`` says so. Only being bound, not the route to it, is reliable.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import registered_path, stamp

SOURCE = "hr_treaties_2026"


def read_hr_treaties(path: Path | str | None = None) -> pd.DataFrame:
    raw = pd.read_csv(registered_path(SOURCE, path=path), dtype=str)
    base = {"mtdsg_no": raw.mtdsg_no, "participant": raw.country_name, "treaty_id": raw.treaty_id}
    signature = pd.DataFrame({**base, "action": "signature", "consent_type": "signature",
                              "date": pd.to_datetime(raw.signature_date, errors="raise")})
    consent = pd.DataFrame({**base, "action": "consent", "consent_type": raw.action_type.str.lower(),
                            "date": pd.to_datetime(raw.action_date, errors="raise")})
    out = pd.concat([signature, consent], ignore_index=True).dropna(subset=["date"])
    out = out.sort_values(["mtdsg_no", "participant", "date"], ignore_index=True)
    return stamp(out, SOURCE, caveat="'accession' includes acceptance (A); 'ratification' includes approval (AA)")
