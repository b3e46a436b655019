"""Risk sets in counting-process form: one row per subject and year, ``(start, stop]``.

A subject (a country, or a country-treaty pair) enters at the later of the window's
start and its own first year (independence, a treaty's adoption) and leaves at its
event or at the censoring year. Analysis time is years since an origin (origin year
= 1), so ``start``/``stop`` also encode left truncation. Subjects already bound
before they enter are excluded and listed in ``attrs["bound_before_entry"]``.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa


def counting_process(rows: pd.DataFrame, subject: list[str], event_year: pd.DataFrame,
                     origin: int | str, end: int) -> pd.DataFrame:
    """Cut ``rows`` (subject + ``year`` + covariates) at each subject's event.

    ``event_year`` has the subject columns and ``event_year`` (missing = never);
    ``origin`` is a year, or the name of a column of ``rows`` holding each subject's
    origin (e.g. the treaty's adoption year).
    """
    rows = rows[rows.year <= end].merge(event_year[subject + ["event_year"]], on=subject, how="left")
    entry = rows.groupby(subject).year.transform("min")
    early = (rows.event_year < entry).fillna(False)  # never-bound subjects compare as missing
    bound_before = rows.loc[early, subject + ["event_year"]].drop_duplicates()
    after = (rows.year > rows.event_year).fillna(False)
    rows = rows[~early & ~after].copy()
    rows["event"] = (rows.year == rows.event_year).fillna(False).astype("int8")
    origin_year = rows[origin] if isinstance(origin, str) else origin
    rows["stop"] = (rows.year - origin_year + 1).astype("int64")
    rows["start"] = rows.stop - 1
    out = rows.drop(columns="event_year").sort_values(subject + ["year"], ignore_index=True)
    out.attrs["bound_before_entry"] = bound_before.to_dict("records")
    return out


def risk_set_schema(subject: list[str]) -> pa.DataFrameSchema:
    """What every risk set must satisfy, checked before a model sees it."""
    def one_event_and_nothing_after(df: pd.DataFrame) -> bool:
        g = df.groupby(subject)
        last_year = g.year.transform("max")
        return bool((g.event.transform("sum") <= 1).all()
                    and not ((df.event == 1) & (df.year != last_year)).any())

    return pa.DataFrameSchema(
        {"year": pa.Column(int), "start": pa.Column(int, pa.Check.ge(0)),
         "stop": pa.Column(int), "event": pa.Column("int8", pa.Check.isin([0, 1]))},
        checks=[pa.Check(lambda d: (d.start < d.stop).all(), error="start < stop"),
                pa.Check(lambda d: not d.duplicated(subject + ["year"]).any(), error="unique subject-year"),
                pa.Check(one_event_and_nothing_after, error="at most one event, and no rows after it")],
        strict=False, coerce=False)


def validate(risk: pd.DataFrame, subject: list[str]) -> pd.DataFrame:
    """Raise a pandera error naming the broken rule; return the frame unchanged."""
    return risk_set_schema(subject).validate(risk)


def event_years(dates: pd.DataFrame, subject: list[str], date: str = "date") -> pd.DataFrame:
    """Earliest event per subject, as a year."""
    first = dates.dropna(subset=[date]).groupby(subject)[date].min().reset_index()
    first["event_year"] = first[date].dt.year.astype("Int64")
    return first[subject + ["event_year"]]


def consents_with_cow(participation: pd.DataFrame, consent_types: list[str] | None = None,
                      key: str = "name", rule: str = "action_year") -> pd.DataFrame:
    """Consent actions keyed to COW codes; names with no code are dropped and listed in attrs.

    ``key="name"`` matches ``participant`` names under the participant-matching ``rule``
    (see :data:`ratify.treaties.MATCH_RULES`); ``key="ccode"`` trusts a ``ccode`` column the
    reader already filled (e.g. manytreaties, keyed by ISO3).
    """
    from .treaties import participants_with_cow

    if key not in ("name", "ccode"):
        raise ValueError(f"key={key!r}; use 'name' (match participant names) or 'ccode' (use the ccode column)")

    consent = participation[participation.action == "consent"]
    if consent_types is not None:
        unknown = sorted(set(consent_types) - set(participation.consent_type.dropna().unique()))
        if unknown:
            raise ValueError(f"consent_types {unknown} never occur; the data have "
                             f"{sorted(participation.consent_type.dropna().unique())}")
        consent = consent[consent.consent_type.isin(consent_types)]
    consent = participants_with_cow(consent, rule) if key == "name" else consent.copy()
    attrs = consent.attrs
    lost = consent[consent.ccode.isna()]
    consent = consent.dropna(subset=["ccode"]).astype({"ccode": "int64"})
    consent.attrs = {**attrs, "unmatched": sorted(lost.participant.unique())}
    return consent


def country_risk_set(states: pd.DataFrame, consents: pd.DataFrame, *, start: int, end: int,
                     check: bool = True) -> pd.DataFrame:
    """Country-years for one treaty: entry at ``start`` or independence, exit at first consent.

    ``states`` is a state-year panel (ccode, year, ...); ``consents`` has ccode and date.
    Analysis time is calendar time with ``start`` = year 1.
    """
    rows = states[states.year.between(start, end)]
    rs = counting_process(rows, ["ccode"], event_years(consents, ["ccode"]), origin=start, end=end)
    return validate(rs, ["ccode"]) if check else rs


def treaty_risk_set(states: pd.DataFrame, treaties: pd.DataFrame, participation: pd.DataFrame, *, end: int,
                    treaty: str = "mtdsg_no", clock: str = "adoption", consent_types: list[str] | None = None,
                    check: bool = True, participant_key: str = "name") -> pd.DataFrame:
    """Country-treaty-years: each state at risk of each treaty from the later of adoption and independence.

    ``treaties`` has ``treaty`` and ``adoption_date``; ``participation`` is the long
    action frame of a treaty reader. ``clock="adoption"`` counts years since adoption
    (adoption year = 1); ``clock="calendar"`` counts from the panel's first year.
    Built by one cross join and vectorised cuts, so hundreds of thousands of rows take
    about a second. ``participant_key`` is passed to :func:`consents_with_cow` as ``key``.
    """
    if clock not in ("adoption", "calendar"):
        raise ValueError(f"clock={clock!r}; use 'adoption' (years since adoption) or 'calendar'")
    adopted = treaties[[treaty, "adoption_date"]].assign(adopted=lambda d: d.adoption_date.dt.year)
    rows = states[["ccode", "year"]].merge(adopted[[treaty, "adopted"]], how="cross")
    rows = rows[rows.year >= rows.adopted]
    consent = consents_with_cow(participation[participation[treaty].isin(adopted[treaty])], consent_types,
                                key=participant_key)
    origin = "adopted" if clock == "adoption" else int(states.year.min())
    rs = counting_process(rows, ["ccode", treaty], event_years(consent, ["ccode", treaty]), origin=origin, end=end)
    rs.attrs["unmatched_participants"] = consent.attrs["unmatched"]
    rs.attrs["clock"] = clock
    return validate(rs, ["ccode", treaty]) if check else rs


__all__ = ["consents_with_cow", "counting_process", "country_risk_set", "event_years", "risk_set_schema",
           "treaty_risk_set", "validate"]
