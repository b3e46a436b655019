"""The unmatched-names report: one table across readers, with match rates."""

from __future__ import annotations

import pandas as pd

from ratify.reports import unmatched_markdown, unmatched_names


def _reader(frame_rows: int, unmatched):
    def read():
        frame = pd.DataFrame({"ccode": range(frame_rows)})
        frame.attrs["unmatched"] = unmatched
        return frame
    return read


def test_summary_counts_and_rates_from_reader_records():
    records = [{"source": "a", "name": "WLD", "status": "no code match", "rows": 10, "first_year": 1960,
                "last_year": 1969},
               {"source": "a", "name": "ARM", "status": "no COW code that year", "rows": 30, "first_year": 1960,
                "last_year": 1989}]
    summary, details = unmatched_names([("a", _reader(60, records)), ("b", _reader(5, ["Hamburg"]))])
    a = summary.set_index("source").loc["a"]
    assert (a.rows_keyed, a.names_unmatched, a.rows_not_a_state_that_year, a.rows_never_matched) == (60, 2, 30, 10)
    assert a.share_rows_matched == 0.6
    b = summary.set_index("source").loc["b"]
    assert b.names_unmatched == 1 and pd.isna(b.share_rows_matched)
    assert details.loc[details.source == "b", "status"].item() == "no COW code in the file"
    md = unmatched_markdown(details)
    assert md.count(":::{dropdown}") == 2 and "| WLD | no code match | 10 | 1960–1969 |" in md
