"""Reports the book prints about its own data: what the concordance could not match.

Every reader records the names (or codes) it could not give a COW code; this module
runs the readers and gathers those records into one table, with each source's match
rate, so the appendix shows exactly what was left out and why.
"""

from __future__ import annotations

import functools

import pandas as pd

from . import sources

#: (source id, reader) for every reader that keys rows to COW codes.
KEYED_READERS = [
    ("polity5", sources.read_polity5), ("bmr", sources.read_bmr), ("vdem_simple", sources.read_vdem),
    ("pts_2024", sources.read_pts), ("ciri_physint", sources.read_ciri), ("cirights", sources.read_cirights),
    ("net_migration_wdi", sources.read_net_migration), ("wdi_population", sources.read_population),
    ("wdi_gdppc", sources.read_gdp_per_capita), ("undesa_stock_totals_2020", sources.read_migrant_stock_totals),
    ("simmons_ratrules", sources.read_ratification_rules),
    ("vdem_constraints", sources.read_vdem_constraints), ("pacl", sources.read_pacl),
    ("pacl_update", sources.read_pacl_update),
    ("wdi_trade", sources.read_trade), ("gdidata_wdi", sources.read_gdi_wdi),
    ("undesa_ims_2020_destination", sources.read_ims_destination), ("unvotes", sources.read_unvotes),
    ("ucdp_onsets", sources.read_ucdp_onsets), ("archigos", sources.read_archigos),
    ("manytreaties_parties", sources.read_manytreaties_parties),
    ("iab_brain_drain", functools.partial(sources.read_iab_brain_drain, borders="later")),  # as chapter 2 keys it
    ("ieadb_2026", sources.read_ieadb_memberships),
    ("imf_arrangements", sources.read_imf_arrangements), ("wdi_oda", sources.read_oda_received),
]


def _records(source: str, frame: pd.DataFrame) -> pd.DataFrame:
    raw = frame.attrs.get("unmatched", [])
    if raw and isinstance(raw[0], str):  # readers that drop units with no code in the file itself
        return pd.DataFrame({"source": source, "name": raw, "status": "no COW code in the file",
                             "rows": pd.NA, "first_year": pd.NA, "last_year": pd.NA})
    return pd.DataFrame(raw, columns=["source", "name", "status", "rows", "first_year", "last_year"])


def unmatched_names(readers=KEYED_READERS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary per source, one row per unmatched name) across the keyed readers."""
    details, summary = [], []
    for source, reader in readers:
        frame = reader()
        rec = _records(source, frame)
        details.append(rec)
        rows = pd.to_numeric(rec.rows, errors="coerce")
        counted = rows.notna().any()
        lost = rows.sum()
        that_year = rows[rec.status == "no COW code that year"].sum()
        keeps_unmatched = "ccode" in frame and frame.ccode.isna().any()  # e.g. Archigos, manytreaties
        keyed = int(frame.ccode.notna().sum()) if keeps_unmatched else len(frame)
        total = len(frame) if keeps_unmatched else len(frame) + (lost if counted else 0)
        summary.append({"source": source, "rows_keyed": keyed, "names_unmatched": len(rec),
                        "rows_not_a_state_that_year": int(that_year) if counted else None,
                        "rows_never_matched": int(lost - that_year) if counted else None,
                        "share_rows_matched": round(keyed / total, 4) if counted else None})
    return pd.DataFrame(summary), pd.concat(details, ignore_index=True)


def unmatched_markdown(details: pd.DataFrame) -> str:
    """One collapsible block per source, listing its unmatched names (MyST markdown)."""
    blocks = []
    for source, rows in details.groupby("source", sort=True):
        lines = ["| Name | Why | Rows | Years |", "|---|---|---|---|"]
        for r in rows.sort_values(["status", "name"]).itertuples():
            years = "" if pd.isna(r.first_year) else f"{r.first_year}–{r.last_year}"
            n = "" if pd.isna(r.rows) else f"{int(r.rows)}"
            lines.append(f"| {str(r.name).replace('|', '/')} | {r.status} | {n} | {years} |")
        blocks.append(f":::{{dropdown}} `{source}`: {len(rows)} name(s)\n" + "\n".join(lines) + "\n:::")
    return "\n\n".join(blocks)
