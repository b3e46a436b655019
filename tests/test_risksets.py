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


def test_treaty_risk_set_entry_exit_and_clock(monkeypatch):
    """Entry at the later of adoption and independence; exit at first consent; both clocks."""
    from ratify import concord
    from ratify.risksets import treaty_risk_set

    monkeypatch.setattr(concord, "to_cow", lambda names, years, by="name": pd.DataFrame(
        {"ccode": [{"Aland": 1, "Borduria": 2, "Nowhere": None}[n] for n in names]}))
    states = pd.DataFrame({"ccode": [1] * 6 + [2] * 3, "year": [2000, 2001, 2002, 2003, 2004, 2005, 2003, 2004, 2005]})
    treaties = pd.DataFrame({"mtdsg_no": ["T1", "T2"], "adoption_date": pd.to_datetime(["2001-05-01", "2004-01-01"])})
    parts = pd.DataFrame({"mtdsg_no": ["T1", "T1", "T1", "T2"], "participant": ["Aland", "Aland", "Nowhere", "Borduria"],
                          "action": ["signature", "consent", "consent", "consent"],
                          "consent_type": [None, "ratification", "accession", "accession"],
                          "date": pd.to_datetime(["2001-06-01", "2003-03-03", "2002-01-01", "2004-07-07"])})
    rs = treaty_risk_set(states, treaties, parts, end=2005)
    a1 = rs[(rs.ccode == 1) & (rs.mtdsg_no == "T1")]
    assert a1.year.tolist() == [2001, 2002, 2003] and a1.event.tolist() == [0, 0, 1]   # exit at consent
    assert a1.stop.tolist() == [1, 2, 3]                                                # adoption year = 1
    b1 = rs[(rs.ccode == 2) & (rs.mtdsg_no == "T1")]
    assert b1.start.tolist() == [2, 3, 4] and b1.event.sum() == 0      # enters late (independence 2003)
    b2 = rs[(rs.ccode == 2) & (rs.mtdsg_no == "T2")]
    assert b2.year.tolist() == [2004] and b2.event.tolist() == [1]
    assert rs.attrs["unmatched_participants"] == ["Nowhere"]
    cal = treaty_risk_set(states, treaties, parts, end=2005, clock="calendar")
    assert cal[(cal.ccode == 1) & (cal.mtdsg_no == "T1")].stop.tolist() == [2, 3, 4]    # 2000 = year 1
    only_acc = treaty_risk_set(states, treaties, parts, end=2005, consent_types=["accession"])
    assert only_acc[(only_acc.ccode == 1) & (only_acc.mtdsg_no == "T1")].event.sum() == 0
    with pytest.raises(ValueError, match="'definitive'"):
        treaty_risk_set(states, treaties, parts, end=2005, consent_types=["definitive"])
    with pytest.raises(ValueError, match="clock='weeks'"):
        treaty_risk_set(states, treaties, parts, end=2005, clock="weeks")
