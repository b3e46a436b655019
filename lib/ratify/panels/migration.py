"""Skilled emigration on the country-year panel: IAB census years carried by a stated rule.

The IAB brain-drain panel has one value per origin every five years (1980, 1985, …, 2010).
Chapter 2's paper had only the 1990 and 2000 Docquier–Lowell–Marfouk values and used the
1990 value for 1990–1999 and the 2000 value from 2000 on, without interpolating; that rule
is ``"paper"`` here. ``"latest_census"`` uses every IAB census, each until the next (a step
function, never extrapolated past 2014), and ``"linear"`` interpolates between censuses.
"""

from __future__ import annotations

import pandas as pd

from .. import sources
from .merge import KEY, add_measure

#: IAB measure -> column on the panel (percent of the origin's population of that education).
MEASURES = {"high": "emigration_rate_high", "total": "emigration_rate_total", "low": "emigration_rate_low",
            "medium": "emigration_rate_medium"}
CENSUS_RULES = ("paper", "latest_census", "linear")
LAST_CENSUS, CENSUS_STEP = 2010, 5


def census_year(years: pd.Series, rule: str) -> pd.Series:
    """The IAB census year whose value a panel year takes under ``rule`` (missing: none)."""
    years = years.astype("int64")
    if rule == "paper":
        return years.map(lambda y: 1990 if 1990 <= y <= 1999 else (2000 if y >= 2000 else pd.NA)).astype("Int64")
    if rule == "latest_census":
        base = (years // CENSUS_STEP) * CENSUS_STEP
        ok = years.between(1980, LAST_CENSUS + CENSUS_STEP - 1)
        return base.where(ok).astype("Int64")
    raise ValueError(f"rule={rule!r}; use one of {list(CENSUS_RULES)}")


def add_skilled_emigration(panel: pd.DataFrame, rule: str = "paper", measure: str = "high",
                           name: str = "skilled_emigration_pct", borders: str = "in_year") -> pd.DataFrame:
    """IAB emigration rate of the tertiary-educated (``measure="high"``; or total, low, medium),
    in percent, as ``name``, by the census rule (see the module). A labelled stand-in for the
    Docquier–Lowell–Marfouk share: an emigration *rate* by education, not the share of the
    tertiary-educated among emigrants. ``borders`` is the reader's keying of origins
    (:data:`ratify.sources.braindrain.BORDERS`)."""
    if measure not in MEASURES:
        raise ValueError(f"measure={measure!r}; use one of {list(MEASURES)}")
    if rule not in CENSUS_RULES:
        raise ValueError(f"rule={rule!r}; use one of {list(CENSUS_RULES)}")
    iab = sources.read_iab_brain_drain(borders=borders)
    values = iab.dropna(subset=["ccode"]).assign(**{name: 100 * iab[MEASURES[measure]]})
    values = values.astype({"ccode": "int64"})[KEY + [name]]
    if rule == "linear":
        out = add_measure(panel, _keep_attrs(values, iab), [name], source="iab_brain_drain", interpolate="linear")
    else:
        years = panel[KEY].drop_duplicates().astype({"year": "int64"})
        years["census"] = census_year(years.year, rule)
        stepped = (years.dropna(subset=["census"]).astype({"census": "int64"})
                   .merge(values.rename(columns={"year": "census"}), on=["ccode", "census"])[KEY + [name]])
        out = add_measure(panel, _keep_attrs(stepped, iab), [name], source="iab_brain_drain")
    out.attrs["merges"][-1].update(rule=rule, measure=MEASURES[measure], unit="percent", borders=borders,
                                   census_years=sorted(int(y) for y in iab.year.unique()))
    return out


def _keep_attrs(frame: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    frame.attrs = dict(source.attrs)
    return frame
