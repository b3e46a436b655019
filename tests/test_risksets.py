"""Risk-set invariants on generated histories, and the schema catching broken frames."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratify.risksets import counting_process, event_years, validate

SUBJECT = ["ccode"]


@st.composite
def histories(draw):
    """Subjects with membership years (gaps allowed) and maybe an event year."""
    n = draw(st.integers(1, 8))
    rows, events = [], []
    for code in range(n):
        years = sorted(draw(st.sets(st.integers(1980, 2020), min_size=1, max_size=15)))
        rows += [(code, y) for y in years]
        ev = draw(st.one_of(st.none(), st.integers(1975, 2025)))
        events.append((code, ev))
    return (pd.DataFrame(rows, columns=["ccode", "year"]),
            pd.DataFrame(events, columns=["ccode", "event_year"]).astype({"event_year": "Int64"}))


@settings(max_examples=200, deadline=None)
@given(histories(), st.integers(1985, 2020))
def test_invariants_hold_for_any_history(history, end):
    rows, events = history
    rs = counting_process(rows, SUBJECT, events, origin=1980, end=end)
    validate(rs, SUBJECT)
    ev = events.set_index("ccode").event_year
    entry = rows[rows.year <= end].groupby("ccode").year.min()
    for code, g in rs.groupby("ccode"):
        e = ev.get(code)
        assert pd.isna(e) or e >= entry[code]                        # never at risk once bound
        assert g.year.max() <= (end if pd.isna(e) else min(end, e))   # no rows after event or censoring
        assert g.event.sum() == (0 if pd.isna(e) or e > g.year.max() or e not in set(g.year) else 1)
    # every eligible subject-year before its event is kept
    expected = sum(((rows.ccode == c) & (rows.year <= end) & (rows.year <= (ev[c] if pd.notna(ev[c]) else end))).sum()
                   for c in entry.index if pd.isna(ev[c]) or ev[c] >= entry[c])
    assert len(rs) == expected
    excluded = {r["ccode"] for r in rs.attrs["bound_before_entry"]}
    assert excluded == {c for c in entry.index if pd.notna(ev[c]) and ev[c] < entry[c]}
    assert (rs.stop == rs.year - 1980 + 1).all() and (rs.start == rs.stop - 1).all()


def test_origin_per_subject_gives_time_since_adoption():
    rows = pd.DataFrame({"ccode": [2, 2, 2], "treaty": ["T"] * 3, "year": [1990, 1991, 1992], "adopted": [1989] * 3})
    events = pd.DataFrame({"ccode": [2], "treaty": ["T"], "event_year": pd.array([1991], dtype="Int64")})
    rs = counting_process(rows, ["ccode", "treaty"], events, origin="adopted", end=2000)
    assert rs[["year", "start", "stop", "event"]].values.tolist() == [[1990, 1, 2, 0], [1991, 2, 3, 1]]


def test_event_years_takes_the_first_date():
    dates = pd.DataFrame({"ccode": [2, 2, 20], "date": pd.to_datetime(["2001-05-01", "1999-12-31", None])})
    assert event_years(dates, ["ccode"]).values.tolist() == [[2, 1999]]


def _row_after_event(d: pd.DataFrame) -> pd.DataFrame:
    extra = d.tail(1).assign(year=d.year.max() + 1, start=d.stop.max(), stop=d.stop.max() + 1)
    extra["event"] = extra.event.astype("int8") * 0
    return pd.concat([d, extra], ignore_index=True)


@pytest.mark.parametrize("breakage, rule", [
    (_row_after_event, "no rows after"),
    (lambda d: pd.concat([d, d.head(1)], ignore_index=True), "unique subject-year"),
    (lambda d: d.assign(stop=d.start), "start < stop"),
])
def test_schema_names_the_broken_rule(breakage, rule):
    rows = pd.DataFrame({"ccode": [2, 2, 2], "year": [1990, 1991, 1992]})
    events = pd.DataFrame({"ccode": [2], "event_year": pd.array([1992], dtype="Int64")})
    good = counting_process(rows, SUBJECT, events, origin=1990, end=2000)
    validate(good, SUBJECT)
    with pytest.raises(pandera.errors.SchemaError, match=rule):
        validate(breakage(good), SUBJECT)
