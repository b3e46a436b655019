"""Aid received and IMF lending on the country-year panel (Chapter 3's C14 and C15, Chapter 5's
conditionality proposition)."""

from __future__ import annotations

import pandas as pd

from .. import sources
from .merge import KEY, add_measure

#: The IMF table's span: years it covers with no arrangement are 0, years outside it stay missing.
IMF_YEARS = (1952, 2017)


def add_oda(panel: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """Net ODA and official aid received (WDI DT.ODA.ALLD.CD, current US$, 1960–2017):
    ``oda_received_musd`` (US$ million) and ``oda_per_capita`` (US$ per person, WDI population
    of the same year). Net flows can be negative; nothing is filled between reports."""
    oda = sources.read_oda_received()
    data = oda.dropna(subset=["ccode"]).astype({"ccode": "int64"})
    data = data.assign(oda_received_musd=data.oda_received / 1e6)[KEY + ["oda_received_musd"]]
    data.attrs = oda.attrs
    out = add_measure(panel, data, ["oda_received_musd"], source="wdi_oda", lag=lag)
    pop = sources.read_population()
    people = pop.dropna(subset=["ccode"]).astype({"ccode": "int64"}).drop_duplicates(KEY)
    per = out[KEY].merge(people[KEY + ["population"]].assign(year=lambda d: d.year + lag), on=KEY, how="left")
    out["oda_per_capita"] = (1e6 * out.oda_received_musd / per.population.to_numpy()).astype(float)
    out.attrs["merges"][-1].update(derived={"oda_per_capita": "1e6 * oda_received_musd / WDI population "
                                                              "(wdi_population, same year)"},
                                   also_read={"source": "wdi_population", "file": pop.attrs.get("file"),
                                              "sha256": pop.attrs.get("sha256")})
    return out


def imf_arrangement_years(arrangements: pd.DataFrame) -> pd.DataFrame:
    """One row per ccode-year under at least one arrangement: in effect on any day of the year
    (approved on or before 31 December, ended on or after 1 January), with whether one was
    approved that year and whether any was concessional (PRGT/PRGF/SAF accounts)."""
    a = arrangements.dropna(subset=["ccode", "approval_date"]).copy()
    a["end"] = a.end_date.fillna(a.expiration_date).fillna(a.approval_date)
    rows = [(int(r.ccode), y, y == r.approval_date.year, r.account in ("PRGT", "PRGF", "SAF"))
            for r in a.itertuples(index=False) for y in range(r.approval_date.year, r.end.year + 1)]
    years = pd.DataFrame(rows, columns=["ccode", "year", "approved", "concessional"])
    return (years.groupby(KEY).agg(imf_new=("approved", "max"), imf_concessional=("concessional", "max"))
            .astype(int).assign(imf_program=1).reset_index())


def add_imf_arrangements(panel: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """``imf_program`` (under an IMF arrangement at some point in the year), ``imf_new`` (one
    approved that year) and ``imf_concessional`` (a concessional one in effect), 0/1. Years
    inside the table's span with no arrangement are 0; outside it, missing."""
    arrangements = sources.read_imf_arrangements()
    years = imf_arrangement_years(arrangements)
    years.attrs = arrangements.attrs
    cols = ["imf_program", "imf_new", "imf_concessional"]
    out = add_measure(panel, years, cols, source="imf_arrangements", lag=lag)
    covered = (out.year - lag).between(*IMF_YEARS)
    for col in cols:
        out.loc[covered, col] = out.loc[covered, col].fillna(0)
        out[col] = out[col].astype("Int64")
    record = out.attrs["merges"][-1]
    record["coverage"] = {c: round(float(out[c].notna().mean()), 4) for c in cols}
    record["zero_when_covered"] = {c: list(IMF_YEARS) for c in cols}
    return out


__all__ = ["IMF_YEARS", "add_imf_arrangements", "add_oda", "imf_arrangement_years"]
