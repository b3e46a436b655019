"""Chapter 3's regime categories: stable democracies, stable autocracies and the rest.

Simmons (2009, 2013) sorts countries into stable democracies, stable autocracies and
"transitional" countries (moving to, sliding back from, or stuck in partial democracy). Her own
list (Simmons 2009, App. 2) is not public data, so :func:`classify_regimes` approximates it from
a score (Polity5 ``polity2`` or V-Dem's regimes of the world) with the cut-points and the window
as the chapter's design fields; :func:`rolling_regimes` judges each year on the previous years
instead. :data:`POHR_CASES` is the text's classification of the nine cases of *The Power of Human
Rights*, which the default rule must reproduce (a test checks it; claim C6 is calibrated on it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..design import ParameterError

if TYPE_CHECKING:  # the chapter's design (ratify.studies.spiral.Design) is read by attribute only
    from .spiral import Design

# --- regime categories ------------------------------------------------------------------------

STABLE_DEMOCRACY, TRANSITIONAL, STABLE_AUTOCRACY = "stable democracy", "transitional", "stable autocracy"
REGIMES = (STABLE_DEMOCRACY, TRANSITIONAL, STABLE_AUTOCRACY)
#: Short names for column suffixes: ``rat_trans`` = ratified × transitional, ``reg_trans`` its dummy.
REGIME_SHORT = {STABLE_DEMOCRACY: "sdem", TRANSITIONAL: "trans", STABLE_AUTOCRACY: "saut"}

#: The text's classification of the nine PoHR cases (COW code: name, category). Uganda, Tunisia and
#: Morocco were "never governed as democracies"; the other six are transitional or partial democracies.
POHR_CASES = {
    500: ("Uganda", STABLE_AUTOCRACY), 616: ("Tunisia", STABLE_AUTOCRACY), 600: ("Morocco", STABLE_AUTOCRACY),
    560: ("South Africa", TRANSITIONAL), 501: ("Kenya", TRANSITIONAL), 155: ("Chile", TRANSITIONAL),
    90: ("Guatemala", TRANSITIONAL), 840: ("Philippines", TRANSITIONAL), 850: ("Indonesia", TRANSITIONAL),
}
#: PoHR's own verdicts on some cases, as the text reports them.
POHR_VERDICTS = {155: "surprise", 90: "surprise", 850: "surprise", 616: "dismay", 501: "dismay"}


def regime_of(scores: pd.Series, dem_cut: float = 8, aut_never_cut: float = 6) -> str | float:
    """One country's category from its scores over a window: all ≥ ``dem_cut`` is a stable
    democracy, all < ``aut_never_cut`` a stable autocracy, anything else transitional."""
    scores = scores.dropna()
    if scores.empty:
        return np.nan
    if scores.min() >= dem_cut:
        return STABLE_DEMOCRACY
    if scores.max() < aut_never_cut:
        return STABLE_AUTOCRACY
    return TRANSITIONAL


def classify_regimes(scores: pd.DataFrame, window: tuple[int, int] = (1976, 2007), dem_cut: float = 8,
                     aut_never_cut: float = 6, column: str = "polity2") -> pd.DataFrame:
    """Time-invariant categories (Simmons-style): one row per ccode, judged on ``window``.

    ``scores`` has ccode, year and ``column``. A state judged on the years of the window it
    existed in; one with no score in the window gets no category. For V-Dem's 0–3
    ``v2x_regime`` use ``dem_cut=2, aut_never_cut=1`` (democracy throughout / closed
    autocracy throughout).
    """
    if dem_cut < aut_never_cut:
        raise ParameterError(f"dem_cut={dem_cut} is below aut_never_cut={aut_never_cut}: a score could be both; "
                             "choose dem_cut >= aut_never_cut")
    inside = scores[scores.year.between(*window)].dropna(subset=[column])
    g = inside.groupby("ccode")[column]
    out = pd.DataFrame({"regime3": g.apply(regime_of, dem_cut=dem_cut, aut_never_cut=aut_never_cut),
                        "score_min": g.min(), "score_max": g.max(), "years": g.size()}).reset_index()
    out.attrs["rule"] = {"window": list(window), "dem_cut": dem_cut, "aut_never_cut": aut_never_cut,
                         "column": column}
    return out


def rolling_regimes(scores: pd.DataFrame, years: int = 10, dem_cut: float = 8, aut_never_cut: float = 6,
                    column: str = "polity2") -> pd.DataFrame:
    """Ex-ante categories per country-year, judged on the previous ``years`` years (t−years … t−1),
    so a ratification cannot shape the category it is judged in. At least half the window must
    be scored."""
    s = scores[["ccode", "year", column]].dropna().sort_values(["ccode", "year"])
    full = s.set_index(["ccode", "year"])[column]
    rows = []
    for code, series in full.groupby(level=0):
        series = series.droplevel(0)
        series = series.reindex(range(series.index.min(), series.index.max() + 2))
        prev = series.shift(1)
        lo = prev.rolling(years, min_periods=max(1, years // 2)).min()
        hi = prev.rolling(years, min_periods=max(1, years // 2)).max()
        cat = np.where(lo >= dem_cut, STABLE_DEMOCRACY, np.where(hi < aut_never_cut, STABLE_AUTOCRACY, TRANSITIONAL))
        cat = pd.Series(cat, index=series.index).where(lo.notna())
        rows.append(pd.DataFrame({"ccode": code, "year": series.index, "regime3": cat.to_numpy()}))
    out = pd.concat(rows, ignore_index=True).dropna(subset=["regime3"])
    out.attrs["rule"] = {"rolling_years": years, "dem_cut": dem_cut, "aut_never_cut": aut_never_cut, "column": column}
    return out


def add_regimes(panel: pd.DataFrame, design: Design) -> pd.DataFrame:
    """Add ``regime3`` to a panel that has ``polity2`` (``design.regime_scheme`` ``polity``) or
    ``v2x_regime`` (``vdem``), under the design's regime rule.

    ``design.stable_window``: ``sample`` (one category per country over the regime window), or
    ``rolling10`` / ``rolling20`` (ex ante, per year). Under ``vdem`` the cut-points are
    fixed by V-Dem's four regime types (democracy ≥ 2; closed autocracy = 0).
    """
    column, dem, aut = (("polity2", design.dem_cut, design.aut_never_cut) if design.regime_scheme == "polity"
                        else ("v2x_regime", 2, 1))
    scores = panel[["ccode", "year", column]]
    if design.stable_window == "sample":
        cats = classify_regimes(scores, design.regime_window, dem, aut, column)[["ccode", "regime3"]]
        out = panel.merge(cats, on="ccode", how="left")
    else:
        cats = rolling_regimes(scores, int(design.stable_window.removeprefix("rolling")), dem, aut, column)
        out = panel.merge(cats, on=["ccode", "year"], how="left")
    out.attrs = panel.attrs
    return out


def pohr_cases_matched(categories: pd.DataFrame) -> dict:
    """How many of the nine PoHR cases a regime rule (:func:`classify_regimes` output) puts where
    the text does: the number calibrated claim C6 shows."""
    got = categories.set_index("ccode").regime3
    return {"estimate": sum(got.get(code) == cat for code, (_, cat) in POHR_CASES.items()), "n": len(POHR_CASES)}


__all__ = ["POHR_CASES", "POHR_VERDICTS", "REGIMES", "REGIME_SHORT", "STABLE_AUTOCRACY", "STABLE_DEMOCRACY",
           "TRANSITIONAL", "add_regimes", "classify_regimes", "pohr_cases_matched", "regime_of", "rolling_regimes"]
