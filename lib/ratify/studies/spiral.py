"""Chapter 3 (Simmons 2013): does ratifying a human-rights treaty improve practice, and where?

The text reviews quantitative work on the spiral model and has no tables of its own, so
this module turns its claims into analyses that run on registered data:

* **Regime categories.** Simmons sorts countries into stable democracies, stable
  autocracies and the rest ("transitional": moving to, sliding back from, or stuck in
  partial democracy). Her own list (Simmons 2009, App. 2) is not public data, so
  :func:`classify_regimes` approximates it from Polity5 with the cut-points and the
  window as parameters; :data:`POHR_CASES` is the text's classification of the nine
  cases, which the default rule must reproduce (a test checks it).
* **The panel.** :func:`spiral_panel` puts physical-integrity measures (CIRI, CIRIGHTS,
  PTS, Fariss, Hathaway's torture scale, V-Dem), democracy, controls (income,
  population, UCDP conflict) and CAT/ICCPR deposit years on COW country-years.
* **Treatment.** :func:`add_treatment` codes "ratified" from ``lag`` years after the
  deposit year; ICCPR ratifications before 1976 count from entry into force by default.
* **Models.** Pooled and fixed-effects OLS with country-clustered SEs, ordered logit,
  inverse-probability weights and an event study, specified here (:func:`fit_ols`,
  :func:`fit_a2`) and estimated by ``ratify.models``; and Cox models of ratification
  (:func:`ratification_risk_set`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from ..cache import cached, data_builder
from ..comparison import lincom
from ..design import MODEL, Between, StudyDesign
from ..models import event_time_dummies, fit_ipw_linear, fit_linear, fit_ordered_logit
from ..models.results import ModelResult
from ..panels import add_conflict, add_democracy, add_gdp_per_capita, add_human_rights, add_igo_count
from ..panels import add_lag, add_measure, add_population, add_pts, add_region, add_static, state_years
from ..provenance import built_by

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
        raise ValueError(f"dem_cut={dem_cut} is below aut_never_cut={aut_never_cut}: a score could be both")
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


# --- treaty ratification ----------------------------------------------------------------------

TREATIES = {"CAT": "IV-9", "ICCPR": "IV-4"}
ICCPR_IN_FORCE = 1976


def _actions(source: str, mtdsg: list[str]) -> pd.DataFrame:
    from .. import sources

    source = Design(ratification_source=source).ratification_source  # the design's check of the name
    if source == "untc_mtdsg_2015":
        return sources.read_untc_participants(mtdsg)
    if source == "hr_treaties_2026":
        hr = sources.read_hr_treaties()
        return hr[hr.mtdsg_no.isin(mtdsg)]
    stems = [k for k, v in sources.ohchr.TREATIES.items() if v in mtdsg]
    return sources.read_ohchr(stems)


#: Consents deposited before the state entered the COW system (the Byelorussian and Ukrainian
#: SSRs, Democratic Yemen for unified Yemen) bind the state from its first year: later code.
PARTICIPANT_RULE = "action_year_or_later"


def ratification_years(source: str = "untc_mtdsg_2015") -> pd.DataFrame:
    """First consent (ratification, accession, succession) to CAT and ICCPR per COW code:
    columns ccode, cat_year, iccpr_year, cat_date, iccpr_date; the matching record in attrs."""
    from ..risksets import consents_with_cow

    consent = consents_with_cow(_actions(source, list(TREATIES.values())), rule=PARTICIPANT_RULE)
    first = consent.groupby(["ccode", "mtdsg_no"]).date.min().unstack()
    out = pd.DataFrame(index=first.index)
    for name, no in TREATIES.items():
        date = first[no] if no in first else pd.Series(pd.NaT, index=first.index)
        out[f"{name.lower()}_date"] = date
        out[f"{name.lower()}_year"] = date.dt.year.astype("Int64")
    out = out.reset_index()
    out.attrs.update({k: consent.attrs.get(k) for k in ("file", "sha256", "reader")})  # the reader's stamp
    out.attrs.update(source=source, unmatched=consent.attrs["unmatched"], matching=consent.attrs["matching"],
                     matched_later=consent.attrs["matching"]["later_names"])
    return out


def add_treatment(panel: pd.DataFrame, design: Design, name: str = "ratified") -> pd.DataFrame:
    """``ratified`` = 1 from ``design.lag`` years after the deposit year of ``design.treaty``
    (needs ``<treaty>_year``).

    ICCPR deposits before its entry into force (1976) count from 1976 (``eif1976``) or
    from the deposit year (``ratification_year``). Also adds ``treat_year`` (the first
    treated year) so that event studies and tests can use it.
    """
    treaty, lag = design.treaty, design.lag
    col = f"{treaty.lower()}_year"
    if col not in panel:
        raise KeyError(f"{col} not in the panel; build it with spiral_panel")
    start = panel[col].astype("Float64")
    if treaty == "ICCPR" and design.pre1976_iccpr == "eif1976":
        start = start.clip(lower=ICCPR_IN_FORCE)
    out = panel.copy()
    out["treat_year"] = (start + lag).astype("Int64")
    out[name] = (out.year >= out.treat_year).fillna(False).astype(int)
    return out


# --- the country-year panel -------------------------------------------------------------------

VDEM_COLUMNS = ["v2x_regime", "v2x_clphy", "v2cltort", "v2xcl_acjst", "v2clrelig", "v2juhcind", "v2x_jucon",
                "v2xcs_ccsi", "v2cseeorgs", "v2mecenefm", "v2elmulpar"]


def leader_tenure() -> pd.DataFrame:
    """Years the leader in office on 31 December has held power (Archigos 4.1; 1 = took office
    that year); ccode-years to 2015."""
    from ..sources import read_archigos

    a = read_archigos().dropna(subset=["ccode"])
    rows = []
    for r in a.itertuples(index=False):
        for y in range(r.start.year, r.end.year + 1):
            if r.end >= pd.Timestamp(f"{y}-12-31"):  # Archigos codes leaders still in office as ending 2015-12-31
                rows.append((int(r.ccode), y, y - r.start.year + 1))
    df = pd.DataFrame(rows, columns=["ccode", "year", "leader_tenure"])
    df = df.sort_values("leader_tenure").drop_duplicates(["ccode", "year"], keep="first")
    df.attrs = dict(a.attrs)  # read_archigos's stamp: source, file, hash, reader
    return df


@cached
@built_by
def spiral_panel(start: int = 1966, end: int = 2016, ratification_source: str = "untc_mtdsg_2015") -> pd.DataFrame:
    """COW country-years with every outcome, moderator and control the chapter uses, and the
    CAT/ICCPR deposit years (``cat_year``, ``iccpr_year``) from ``ratification_source``.

    Outcomes with "higher = more respect": CIRI ``physint`` (0–8) and ``tort`` (0–2),
    CIRIGHTS, reversed PTS, Fariss ``theta_mean``, Hathaway, V-Dem ``v2x_clphy``/``v2cltort``.
    """
    from ..sources import read_ciri, read_fariss, read_vdem_constraints

    panel = (state_years("cow", start, end)[["ccode", "year"]]
             .pipe(add_human_rights, "ciri").pipe(add_human_rights, "cirights").pipe(add_human_rights, "fariss")
             .pipe(add_pts).pipe(add_democracy, "polity2").pipe(add_gdp_per_capita).pipe(add_population)
             .pipe(add_conflict, "ucdp").pipe(add_region))
    panel = add_measure(panel, read_ciri(), ["tort"], source="ciri_physint")
    panel = add_measure(panel, read_fariss(columns=("hathaway",)), ["hathaway"], source="fariss_lhrs_v4")
    panel = add_measure(panel, read_vdem_constraints(columns=VDEM_COLUMNS), VDEM_COLUMNS, source="vdem_constraints")
    panel = add_measure(panel, leader_tenure(), ["leader_tenure"], source="archigos")
    years = ratification_years(ratification_source)
    merged = add_static(panel, years, ["cat_year", "iccpr_year"], source=ratification_source)
    merged.attrs.update(ratification_source=ratification_source, unmatched_participants=years.attrs["unmatched"],
                        derived=DERIVED)
    return merged


#: Model columns -> the merged columns they are made from (the trail of each term; see ratify.provenance).
DERIVED = {"ratified": ["cat_year", "iccpr_year"], "treat_year": ["cat_year", "iccpr_year"],
           **{f"{kind}_{short}": ["polity2", "v2x_regime", "cat_year", "iccpr_year"][: 2 if kind == "reg" else 4]
              for kind in ("reg", "rat") for short in ("sdem", "trans", "saut")},
           "democracy": ["polity2_l1"], "poor_record": ["theta_mean_l1"],
           "democracy_x_poor": ["polity2_l1", "theta_mean_l1"],
           "multiparty_autocracy": ["polity2_l1", "v2elmulpar_l1"], "multiparty_x_poor": ["v2elmulpar_l1", "theta_mean_l1"],
           "regional_share_10": ["region", "cat_year", "iccpr_year"],
           "censored_media": ["v2mecenefm_l1"], "share_x_censored": ["region", "v2mecenefm_l1"],
           "ln_tenure": ["leader_tenure_l1"], "tenure_x_poor": ["leader_tenure_l1", "theta_mean_l1"],
           "igo_10": ["igo_full_l1"],
           **{lvl: ["polity2_l1"] for lvl in [f"lvl_{'m' if k < 0 else 'p'}{abs(k)}" for k in range(-9, 11)]}}

#: Outcome columns and labels; all coded so that higher = more respect.
OUTCOMES = {"physint": "CIRI physical integrity (0–8)", "tort": "CIRI torture (0–2)",
            "cirights_physint": "CIRIGHTS physical integrity (0–8)", "pts_s_rev": "PTS, State Dept., reversed (1–5)",
            "pts_a_rev": "PTS, Amnesty, reversed (1–5)", "theta_mean": "Fariss latent protection score",
            "hathaway": "Hathaway torture scale (1–5)", "v2x_clphy": "V-Dem physical violence index (0–1)",
            "v2cltort": "V-Dem freedom from torture", "v2xcl_acjst": "V-Dem access to justice (fair-trial proxy)",
            "v2clrelig": "V-Dem freedom of religion"}


#: The outcomes a design may name (the keys of :data:`OUTCOMES`).
Outcome = Literal["physint", "tort", "cirights_physint", "pts_s_rev", "pts_a_rev", "theta_mean", "hathaway",
                  "v2x_clphy", "v2cltort", "v2xcl_acjst", "v2clrelig"]
RatificationSource = Literal["untc_mtdsg_2015", "hr_treaties_2026", "ohchr_hr_treaties_2020"]


@dataclass(frozen=True, repr=False)
class Design(StudyDesign):
    """Every choice of the chapter's analyses, with the book's as defaults (the notebook's parameters).
    Every analysis of the chapter (and so every row of the claims table) is fitted under one design."""

    treaty: Literal["CAT", "ICCPR"] = "CAT"  # treaty whose ratification is the treatment
    outcome: Outcome = "physint"  # outcome, higher = more respect (CIRI, CIRIGHTS, PTS, Fariss, Hathaway, V-Dem)
    start_year: Annotated[int, Between(1970, 2000)] = 1981  # first year (CIRI 1981-, PTS 1976-, Hathaway 1985-1999)
    end_year: Annotated[int, Between(1995, 2016)] = 2011  # last year of the sample (CIRI ends 2011; COW 2016)
    lag: Annotated[int, Between(0, 5)] = 1  # a state counts as a party from this many years after the deposit year
    pre1976_iccpr: Literal["eif1976", "ratification_year"] = "eif1976"  # early ICCPR deposits count from 1976 or deposit
    regime_scheme: Literal["polity", "vdem"] = "polity"  # regimes from polity2 and the cut-points, or V-Dem's RoW
    stable_window: Literal["sample", "rolling10", "rolling20"] = "sample"  # one category over the window, or ex ante
    regime_start: Annotated[int, Between(1946, 2000)] = 1976  # first year of the window fixed categories are judged on
    regime_end: Annotated[int, Between(1990, 2018)] = 2007  # last year of that window (Tunisia transitional past 2011)
    dem_cut: Annotated[int, Between(6, 10)] = 8  # stable democracy = polity2 at least this in every year of the window
    aut_never_cut: Annotated[int, Between(0, 8)] = 6  # stable autocracy = polity2 below this in every year of the window
    controls: Annotated[Literal["minimal", "standard", "democracy"], MODEL] = "standard"  # lagged outcome; + economy, conflict; + polity2
    ratification_source: RatificationSource = "untc_mtdsg_2015"  # deposit dates: UNTC 2015 scrape, 2026 scrape, OHCHR 2020

    @property
    def regime_window(self) -> tuple[int, int]:
        """The years on which fixed regime categories are judged."""
        return (self.regime_start, self.regime_end)


#: Outcomes on an ordered integer scale (the ordered logit is fitted to these only).
INTEGER_OUTCOMES = ("physint", "tort", "cirights_physint", "pts_s_rev", "pts_a_rev", "hathaway")

#: Controls lagged one year within each country (last year's value only if the panel has last year).
LAGGED_CONTROLS = {"ln_gdppc": "ln_gdppc_l1", "ln_population": "ln_population_l1", "polity2": "polity2_l1",
                   "civil_conflict": "civil_war_l1", "interstate": "interstate_l1"}


@built_by
def analysis_frame(panel: pd.DataFrame, design: Design, *, outcome_lag: int = 1) -> pd.DataFrame:
    """Country-years ``design.start_year``–``design.end_year`` with the design's outcome (``y``), its
    lag (``y_lag``), the treatment, the regime category and lagged controls."""
    outcome = design.outcome
    p = add_treatment(add_regimes(panel, design), design)
    p["y"] = p[outcome].astype(float)
    p = add_lag(p, {"y": "y_lag"}, lag=outcome_lag)
    p = add_lag(p, LAGGED_CONTROLS)
    p[list(LAGGED_CONTROLS.values())] = p[list(LAGGED_CONTROLS.values())].astype(float)
    for regime, short in REGIME_SHORT.items():
        inside = (p.regime3 == regime).astype(float).where(p.regime3.notna())
        p[f"reg_{short}"] = inside
        p[f"rat_{short}"] = p.ratified * inside
    out = p[p.year.between(design.start_year, design.end_year)].reset_index(drop=True)
    out.attrs = {**p.attrs, "outcome": outcome, "treaty": design.treaty}  # p: the panel's records and the lags'
    return out


@data_builder(store=False)
def design_frame(data: Design) -> pd.DataFrame:
    """:func:`analysis_frame` of the chapter's panel under ``data`` (``design.data_choices()``), kept in
    the process so that the analyses and a multiverse's universes that share the data share it."""
    return analysis_frame(spiral_panel(ratification_source=data.ratification_source), data)


CONTROLS = {"minimal": ["y_lag"],
            "standard": ["y_lag", "ln_gdppc_l1", "ln_population_l1", "civil_war_l1", "interstate_l1"],
            "democracy": ["y_lag", "ln_gdppc_l1", "ln_population_l1", "civil_war_l1", "interstate_l1", "polity2_l1"]}


# --- model specifications (the estimators are in ratify.models) --------------------------------

#: The chapter's fixed-effects choices, as columns for :func:`ratify.models.fit_linear`.
FIXED_EFFECTS = {"none": (), "year": ("year",), "country_year": ("ccode", "year")}


def _tidy(fit, frame: pd.DataFrame) -> tuple[ModelResult, pd.DataFrame]:
    """(result, model frame), the result naming the outcome and treaty behind ``y``."""
    fit.result.specification.update(outcome=frame.attrs.get("outcome", "y"), treaty=frame.attrs.get("treaty"))
    return fit.result, fit.frame


def fit_ols(frame: pd.DataFrame, terms: list[str], *, fixed_effects: str = "year", weights: str | None = None,
            name: str, label: str, sources: list[str] | None = None,
            vcov: bool = False) -> tuple[ModelResult, pd.DataFrame]:
    """The chapter's linear model: ``y`` on ``terms`` with ``none``, ``year`` or ``country_year`` fixed
    effects, SEs clustered by country under the book's convention (:func:`ratify.models.fit_linear`)."""
    if fixed_effects not in FIXED_EFFECTS:
        raise ValueError(f"fixed_effects={fixed_effects!r}; use one of {list(FIXED_EFFECTS)}")
    fit = fit_linear(frame, "y", terms, fixed_effects=FIXED_EFFECTS[fixed_effects], weights=weights,
                     keep=["regime3"], vcov=vcov, name=name, label=label, sources=sources)
    return _tidy(fit, frame)


def piecewise_fits(frame: pd.DataFrame, breaks: range = range(-8, 9), controls: list[str] | None = None) -> pd.DataFrame:
    """Threshold search (C2): ``y`` on lagged polity2 with a kink at each candidate break, plus
    ``controls`` and year effects; AIC and BIC per break, and the straight line as ``break`` = NaN."""
    terms = ["polity2_l1", *(controls or [])]

    def criteria(data: pd.DataFrame, extra: list[str]) -> dict:
        fit = fit_linear(data, "y", terms + extra, fixed_effects=("year",), name="piecewise")
        return {"aic": fit.result.aic, "bic": fit.result.specification["bic"], "n": fit.result.n}

    rows = [{"break": np.nan, **criteria(frame, [])}]
    for b in breaks:
        rows.append({"break": b, **criteria(frame.assign(kink=np.maximum(frame.polity2_l1 - b, 0)), ["kink"])})
    out = pd.DataFrame(rows)
    out.attrs["n"] = int(out.pop("n").iloc[0])
    return out


# --- who ratifies (event history) -------------------------------------------------------------

@cached
@built_by
def ratification_risk_set(treaty: str = "CAT", end_year: int = 2014, ratification_source: str = "untc_mtdsg_2015",
                          poor_record_cut: float = 0.0) -> pd.DataFrame:
    """Country-years at risk of ratifying ``treaty``: from its opening for signature (ICCPR 1966,
    CAT 1985) or independence, to the deposit year; covariates lagged one year.

    ``poor_record`` = Fariss latent score below ``poor_record_cut`` last year.
    """
    from ..diffusion import bound_share
    from ..risksets import country_risk_set

    opening = {"ICCPR": 1967, "CAT": 1985}[treaty]
    panel = spiral_panel(ratification_source=ratification_source)  # the cached panel every page uses
    col = f"{treaty.lower()}_year"
    events = panel[["ccode", col]].drop_duplicates().rename(columns={col: "event_year"}).dropna()
    shares = bound_share(panel[["ccode", "year", "region"]], events.astype({"event_year": int}), group="region",
                         name="regional_share")
    lagged = add_igo_count(panel.sort_values(["ccode", "year"], ignore_index=True))
    # V-Dem scores multiparty elections in election years only: carry the last election forward
    # (up to 6 years), and read "no election on record" in a V-Dem-covered year as not multiparty.
    carried = lagged.groupby("ccode").v2elmulpar.ffill(limit=6)
    lagged["v2elmulpar"] = carried.where(carried.notna() | lagged.v2x_regime.isna(), 0.0)
    previous = ["polity2", "theta_mean", "ln_gdppc", "v2elmulpar", "v2mecenefm", "leader_tenure", "v2x_regime",
                "igo_full"]
    lagged = add_lag(lagged, previous)
    lagged[[f"{c}_l1" for c in previous]] = lagged[[f"{c}_l1" for c in previous]].astype(float)
    trail = lagged.attrs  # the panel's merge records, the IGO count's and the lags'; the join below drops them
    lagged = lagged.merge(shares[["ccode", "year", "regional_share"]], on=["ccode", "year"], how="left")
    consents = panel.dropna(subset=[col])[["ccode", col]].drop_duplicates()
    consents = consents.assign(date=pd.to_datetime(consents[col].astype(int).astype(str) + "-07-01"))
    rs = country_risk_set(lagged, consents, start=opening, end=end_year)
    rs["democracy"] = (rs.polity2_l1 >= 6).astype(float).where(rs.polity2_l1.notna())
    rs["poor_record"] = (rs.theta_mean_l1 < poor_record_cut).astype(float).where(rs.theta_mean_l1.notna())
    rs["democracy_x_poor"] = rs.democracy * rs.poor_record
    # multiparty autocracy: not a democracy, and V-Dem codes elections as multiparty (v2elmulpar > 1 of 0-4)
    rs["multiparty_autocracy"] = ((rs.democracy == 0) & (rs.v2elmulpar_l1 > 1)).astype(float).where(
        rs.democracy.notna() & rs.v2elmulpar_l1.notna())
    rs["multiparty_x_poor"] = rs.multiparty_autocracy * rs.poor_record
    rs["regional_share_10"] = 10 * rs.regional_share
    rs["censored_media"] = (rs.v2mecenefm_l1 < 0).astype(float).where(rs.v2mecenefm_l1.notna())
    rs["share_x_censored"] = rs.regional_share_10 * rs.censored_media
    rs["ln_tenure"] = np.log(rs.leader_tenure_l1)
    rs["tenure_x_poor"] = rs.ln_tenure * rs.poor_record
    rs["igo_10"] = rs.igo_full_l1 / 10
    rs.attrs = {**trail, "treaty": treaty, "opening": opening}
    return rs


COX_SPECS = {
    "record": ["democracy", "poor_record", "democracy_x_poor", "ln_gdppc_l1", "regional_share_10"],
    "vreeland": ["democracy", "multiparty_autocracy", "poor_record", "multiparty_x_poor", "ln_gdppc_l1",
                 "regional_share_10"],
    "information": ["democracy", "poor_record", "ln_gdppc_l1", "regional_share_10", "censored_media",
                    "share_x_censored"],
    "horizon": ["democracy", "poor_record", "ln_tenure", "tenure_x_poor", "ln_gdppc_l1", "regional_share_10"],
    "world": ["democracy", "poor_record", "ln_gdppc_l1", "regional_share_10", "igo_10"],
}


# --- the analyses, cached so every page and variant reuses the same fits ----------------------

LEVELS = [f"lvl_{'m' if k < 0 else 'p'}{abs(k)}" for k in range(-9, 11)]


def polity_levels(frame: pd.DataFrame) -> pd.DataFrame:
    """Dummies for each lagged polity2 level (−9 … 10; −10 is the reference), as Davenport and
    Armstrong's "binary decomposition"; polity2's interpolated half-points are rounded down."""
    out = frame.copy()
    level = np.floor(out.polity2_l1)
    for k, col in zip(range(-9, 11), LEVELS):
        out[col] = (level == k).astype(float).where(level.notna())
    return out


@cached
def fit_democracy(design: Design) -> dict:
    """A1: democracy and practice (C1, C2), yearly democratic gains and fair trials by regime (C4),
    and high-court independence (C5), on the design's outcome, sample and regime rule. The models
    are about polity2, so they keep the standard controls whatever ``design.controls`` says."""
    data = design.data_choices()
    f = design_frame(data)
    ctrl = CONTROLS["standard"]
    out = {"linear": fit_ols(f, ["polity2_l1", *ctrl], name="democracy_linear", label="Linear in polity2")}
    lev = polity_levels(f)
    out["levels"] = fit_ols(lev, [*LEVELS, *ctrl], name="democracy_levels", label="Polity2 levels (lagged DV)")
    out["levels_static"] = fit_ols(lev, [*LEVELS, *ctrl[1:]], name="democracy_levels_static",
                                   label="Polity2 levels (no lagged DV)")
    search = piecewise_fits(f, range(-9, 10), ctrl)
    best = int(search.loc[search.bic.iloc[1:].idxmin(), "break"])
    kinked = f.assign(polity2_above=np.maximum(f.polity2_l1 - best, 0))
    out["threshold"] = fit_ols(kinked, ["polity2_l1", "polity2_above", *ctrl], name="democracy_threshold",
                               label=f"Kink at polity2 = {best}")
    out["search"], out["break"] = search, best
    # yearly movements on polity2 and access to justice, within each regime category
    fb = add_lag(design_frame(data.replace(outcome="v2xcl_acjst")), ["polity2_l1"])
    fb["d_polity2_l1"] = fb.polity2_l1 - fb.polity2_l1_l1
    for regime, short in REGIME_SHORT.items():
        out[f"fair_{short}"] = fit_ols(fb[fb.regime3 == regime], ["d_polity2_l1", *ctrl],
                                       name=f"democracy_fair_{short}", label=f"Access to justice: {regime}")
    # judicial independence (V-Dem high-court independence, lagged) and practice, and fair trials
    for key, y in (("practice", design.outcome), ("fair", "v2xcl_acjst")):
        fc = add_lag(design_frame(data.replace(outcome=y)), {"v2juhcind": "judind_l1"})
        out[f"courts_{key}"] = fit_ols(fc, ["judind_l1", "polity2_l1", *ctrl], name=f"courts_{key}",
                                       label=f"High-court independence → {OUTCOMES[y].split(' (')[0]}")
    return out


def marginal_effect_curve(result: ModelResult, grid: range = range(-10, 11)) -> pd.DataFrame:
    """Effect of ratification at each polity2 level from the inverted-U model, with a 95% CI
    (Brambor, Clark and Golder: the SE of the sum, not of each coefficient)."""
    return pd.DataFrame([{"polity2": p, **lincom(result, {"ratified": 1.0, "rat_x_p2": p, "rat_x_p2sq": p ** 2 / 10})}
                         for p in grid])


def with_inverted_u(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverted-U terms: polity2²/10 (t−1) and ratification times polity2 and polity2²/10."""
    return frame.assign(p2sq_l1=frame.polity2_l1 ** 2 / 10, rat_x_p2=frame.ratified * frame.polity2_l1,
                        rat_x_p2sq=frame.ratified * frame.polity2_l1 ** 2 / 10)


INTERACTION = ["rat_sdem", "rat_trans", "rat_saut", "reg_trans", "reg_saut"]
#: Covariates of the propensity to have ratified (the IPW model adds a cubic in year).
IPW_COVARIATES = ["y_lag", "ln_gdppc_l1", "ln_population_l1", "civil_war_l1", "polity2_l1", "reg_trans", "reg_saut"]
RAT_TERMS = ["rat_sdem", "rat_trans", "rat_saut"]
#: The ratification-effect models the robustness page and the multiverse follow (variants.yaml's key quantities).
KEY_EFFECTS = ("pooled", "conditional", "twfe", "inverted_u")
#: Event-time window of the event studies (years relative to the first treated year; −1 is the reference).
EVENT_WINDOW = (-5, 5)


def key_effect_fits(frame: pd.DataFrame, design: Design, models=KEY_EFFECTS, prefix: str = "effect") -> dict:
    """The key ratification-effect models of ``frame`` (an :func:`analysis_frame` under ``design``)
    named in ``models``: pooled, by regime category, two-way fixed effects and the inverted U."""
    ctrl, treaty = CONTROLS[design.controls], design.treaty
    specs = {
        "pooled": lambda: fit_ols(frame, ["ratified", *ctrl], name=f"{prefix}_pooled",
                                  label=f"{treaty}, pooled (first generation)"),
        "conditional": lambda: fit_ols(frame, [*INTERACTION, *ctrl], name=f"{prefix}_conditional",
                                       label=f"{treaty} × regime category"),
        "twfe": lambda: fit_ols(frame, [*INTERACTION, *ctrl[1:]], fixed_effects="country_year", name=f"{prefix}_twfe",
                                label="Two-way fixed effects"),
        "inverted_u": lambda: fit_ols(with_inverted_u(frame),
                                      ["ratified", "rat_x_p2", "rat_x_p2sq", "polity2_l1", "p2sq_l1", *ctrl],
                                      name=f"{prefix}_inverted_u", label="Ratification × polity2 and polity2²",
                                      vcov=True)}
    return {key: specs[key]() for key in models}


def treated_inside(frame: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Countries first treated inside the sample (or never), so each treated one has pre-treatment years."""
    return frame[~(frame.treat_year <= first_year + 1).fillna(False)]


@cached
def fit_ratification_effects(design: Design, scope: str = "full", prefix: str = "effect") -> dict:
    """A2: ratification and practice under ``design``. ``scope="core"`` fits the pooled and
    conditional models only; ``"full"`` adds two-way FE, ordered logit, IPW, the inverted U and
    the event study."""
    f = design_frame(design.data_choices())
    out = {"frame_rows": len(f), **key_effect_fits(f, design, ("pooled", "conditional"), prefix)}
    if scope == "core":
        return out
    ctrl = CONTROLS[design.controls]
    for regime, short in REGIME_SHORT.items():
        out[f"split_{short}"] = fit_ols(f[f.regime3 == regime], ["ratified", *ctrl], name=f"{prefix}_split_{short}",
                                        label=f"{regime.capitalize()} only")
    out |= key_effect_fits(f, design, ("twfe",), prefix)
    if design.outcome in INTEGER_OUTCOMES:
        out["ologit"] = _tidy(fit_ordered_logit(f, "y", [*INTERACTION, *ctrl], name=f"{prefix}_ologit",
                                                label="Ordered logit"), f)
    # weights from a logit of ratification on these and a cubic in year, truncated to [0.01, 0.99]
    ipw, weighted = fit_ipw_linear(f, "y", [*INTERACTION, *ctrl], treatment="ratified", covariates=IPW_COVARIATES,
                                   keep=["regime3"], name=f"{prefix}_ipw", label="Inverse-probability weighted")
    out["ipw"] = _tidy(ipw, f)
    out["ipw_weights"] = weighted[["ccode", "year", "ratified", "pscore", "ipw", "regime3"]]
    out |= key_effect_fits(f, design, ("inverted_u",), prefix)
    out["inverted_u_curve"] = marginal_effect_curve(out["inverted_u"][0])
    ev, dummies = event_time_dummies(treated_inside(f, design.start_year), "treat_year", EVENT_WINDOW)
    out["event_all"] = fit_ols(ev, dummies, fixed_effects="country_year", name=f"{prefix}_event_all",
                               label="Event study, all countries")
    out["event_trans"] = fit_ols(ev[ev.regime3 == TRANSITIONAL], dummies, fixed_effects="country_year",
                                 name=f"{prefix}_event_trans", label="Event study, transitional")
    return out


def fit_key_models(design: Design, models=None, perturb=None) -> dict[str, ModelResult]:
    """The study contract (CONTRIBUTING.md): ``ModelResult`` of each key ratification-effect model
    (``effect_pooled``, ``effect_conditional``, ``effect_twfe``, ``effect_inverted_u``) named in
    ``models`` (all by default) under ``design``; ``perturb`` is applied to the frame before fitting."""
    names = {f"effect_{key}": key for key in KEY_EFFECTS}
    unknown = sorted(set(models or ()) - set(names))
    if unknown:
        raise KeyError(f"no key model {unknown[0]!r}; the key models are {list(names)}")
    frame = design_frame(design.data_choices())
    frame = perturb(frame) if perturb else frame
    wanted = [key for name, key in names.items() if models is None or name in models]
    return {result.name: result for result, _ in key_effect_fits(frame, design, wanted).values()}


@cached
def fit_civil_society(design: Design) -> dict:
    """A4: civil society (V-Dem core civil-society index, a stand-in for INGO ties): its link to
    practice and to ratification's effect (C7), and whether it rises after ratification (C8)."""
    data = design.data_choices()
    f = add_lag(design_frame(data), {"v2xcs_ccsi": "ccsi_l1"})
    f["rat_x_ccsi"] = f.ratified * f.ccsi_l1
    ctrl = CONTROLS["standard"]
    out = {"moderation": fit_ols(f, ["ratified", "ccsi_l1", "rat_x_ccsi", *ctrl, "polity2_l1"],
                                 name="civil_society_moderation", label="Ratification × civil society")}
    c = treated_inside(design_frame(data.replace(outcome="v2xcl_acjst")), design.start_year).copy()
    c["y"] = c.v2xcs_ccsi
    c, dummies = event_time_dummies(c, "treat_year", EVENT_WINDOW)
    out["event"] = fit_ols(c, dummies, fixed_effects="country_year", name="civil_society_event",
                           label="Civil-society index around ratification")
    out["event_trans"] = fit_ols(c[c.regime3 == TRANSITIONAL], dummies, fixed_effects="country_year",
                                 name="civil_society_event_trans",
                                 label="Civil-society index around ratification, transitional")
    return out


#: Last year of the ratification risk sets (A3) and of the trade and FDI series (A5): not the
#: outcome's sample, so fixed here (the human-rights sample ends with CIRI in 2011).
RISK_END, PAYOFF_END = 2014, 2016


@cached
def fit_ratification_hazards(design: Design, treaty: str) -> dict:
    """A3: who ratifies ``treaty`` and when: Cox models (Efron ties, clustered by country) for each of
    :data:`COX_SPECS` on the risk set from ``design.ratification_source``, with the parameter
    covariance kept for linear combinations."""
    from ..models import fit_cox

    rs = ratification_risk_set(treaty, RISK_END, design.ratification_source)
    out = {"risk": rs}
    for spec, covariates in COX_SPECS.items():
        fit = fit_cox(rs, covariates, cluster="ccode", name=f"hazard_{spec}_{treaty.lower()}",
                      label=f"{treaty}: {spec}", sources=[design.ratification_source])
        frame = rs.loc[fit.frame.index, ["ccode", "year", "start", "stop", "event", *covariates]]
        out[spec] = (fit.result, frame, fit.params, fit.cov)
    return out


@cached
def fit_payoffs(design: Design) -> dict:
    """A5: does ratifying pay (C16, C17)? Trade (% GDP, WDI) and FDI inflows (% GDP, WDI via
    gdidata, from 1990) around ratification of the design's treaty, two-way FE, from the design's
    first year to 2016; and FDI on last year's practice (the design's outcome; Blanton and
    Blanton's question)."""
    from ..sources import read_gdi_wdi, read_trade

    trade = read_trade().dropna(subset=["ccode"]).astype({"ccode": "int64"})
    gdi = read_gdi_wdi().dropna(subset=["ccode"]).astype({"ccode": "int64"})
    gdi["fdi_pct_gdp"] = 100 * gdi.fdiin / gdi.gdp
    panel = spiral_panel(ratification_source=design.ratification_source)
    panel = add_measure(panel, trade.drop_duplicates(["ccode", "year"]), ["trade_pct_gdp"], source="wdi_trade")
    panel = add_measure(panel, gdi.drop_duplicates(["ccode", "year"]), ["fdi_pct_gdp"], source="gdidata_wdi")
    out = {}
    for y, first in (("trade_pct_gdp", design.start_year), ("fdi_pct_gdp", max(design.start_year, 1991))):
        f = analysis_frame(panel, design.replace(start_year=first, end_year=PAYOFF_END))
        f["y"] = f[y].astype(float)
        f, dummies = event_time_dummies(treated_inside(f, first), "treat_year", EVENT_WINDOW)
        out[y] = fit_ols(f, [*dummies, "ln_gdppc_l1", "ln_population_l1", "civil_war_l1"],
                         fixed_effects="country_year", name=f"payoff_{y}",
                         label=f"{y.split('_')[0].upper()} (% GDP) around {design.treaty} ratification")
    f = analysis_frame(panel, design.replace(start_year=max(design.start_year, 1991), end_year=PAYOFF_END))
    f = f.sort_values(["ccode", "year"]).assign(practice_l1=lambda d: d.y_lag, y=lambda d: d.fdi_pct_gdp.astype(float))
    out["fdi_practice"] = fit_ols(f, ["practice_l1", "ln_gdppc_l1", "ln_population_l1", "civil_war_l1", "polity2_l1"],
                                  name="payoff_fdi_practice", label="FDI (% GDP) on last year's practice")
    return out


#: The core models the claims table needs beside the design's own: (treaty, outcome) of each family member.
EFFECT_FAMILY = {"effect_iccpr": ("ICCPR", "physint"), "effect_tort": ("CAT", "tort"),
                 "effect_fair": ("ICCPR", "v2xcl_acjst"), "effect_relig": ("ICCPR", "v2clrelig")}


def effect_family(design: Design) -> dict:
    """The design's full A2 analysis plus the core models the claims table needs (other treaty and
    outcomes, and the Fariss rerun), all with the design's regime, lag, period and source choices."""
    out = {"effect": fit_ratification_effects(design),
           "effect_fariss": fit_ratification_effects(design.replace(outcome="theta_mean"), "core", "effect_fariss")}
    for prefix, (treaty, outcome) in EFFECT_FAMILY.items():
        out[prefix] = fit_ratification_effects(design.replace(treaty=treaty, outcome=outcome), "core", prefix)
    return out


def all_evidence(design: Design | None = None) -> dict[str, ModelResult]:
    """Every fitted model the claims table reads, by model name, all under ``design`` (the book's
    by default): A1 democracy, A2 ratification effects, A3 hazards, A4 civil society, A5 payoffs."""
    design = design or Design()
    return flatten({"democracy": fit_democracy(design), **effect_family(design),
                    "hazard_cat": fit_ratification_hazards(design, "CAT"),
                    "hazard_iccpr": fit_ratification_hazards(design, "ICCPR"),
                    "civil_society": fit_civil_society(design), "payoffs": fit_payoffs(design)})


# --- what the claims table needs (the claims themselves are in the chapter's claims.yaml) -------

def flatten(analyses: dict[str, dict]) -> dict[str, ModelResult]:
    """Every fitted model of the analyses by its name, as the comparison engine looks them up
    (``{"a2": {"pooled": (result, frame), ...}}`` -> ``{"a2_pooled": result, ...}``). Cox fits that
    kept their covariance (``(result, frame, params, cov)``) carry it, for tests of sums of terms."""
    from ..comparison import with_vcov

    out = {}
    for models in analyses.values():
        for value in models.values():
            if isinstance(value, tuple) and value and isinstance(value[0], ModelResult):
                result = with_vcov(value[0], value[3]) if len(value) == 4 else value[0]
                out[result.name] = result
    return out


def pohr_cases_matched(categories: pd.DataFrame) -> dict:
    """How many of the nine PoHR cases a regime rule (:func:`classify_regimes` output) puts where
    the text does: the number calibrated claim C6 shows."""
    got = categories.set_index("ccode").regime3
    return {"estimate": sum(got.get(code) == cat for code, (_, cat) in POHR_CASES.items()), "n": len(POHR_CASES)}


__all__ = ["POHR_CASES", "REGIMES", "OUTCOMES", "CONTROLS", "COX_SPECS", "add_regimes", "add_treatment",
           "analysis_frame", "classify_regimes", "fit_ols", "flatten", "piecewise_fits", "pohr_cases_matched",
           "ratification_risk_set", "ratification_years", "regime_of", "rolling_regimes", "spiral_panel"]
