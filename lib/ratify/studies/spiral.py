"""Chapter 3 (Simmons 2013): does ratifying a human-rights treaty improve practice, and where?

The text reviews quantitative work on the spiral model and has no tables of its own, so the
chapter turns its claims into analyses that run on registered data. This module composes them:

* **The design.** :class:`Design` holds every choice of the analyses (treaty, outcome, sample,
  treatment lag, regime rule, controls, deposit-date source) with the book's as defaults; every
  analysis, and so every row of the claims table, is fitted under one design.
* **The data** are built in :mod:`.spiral_data` (deposit years, treatment, the country-year
  panel, the ratification risk sets) and the regime categories in :mod:`.spiral_regimes`;
  :func:`analysis_frame` puts them together for a design.
* **The analyses**, named after what they estimate and estimated by ``ratify.models``:
  :func:`fit_democracy` (A1), :func:`fit_ratification_effects` (A2; :func:`effect_family` adds
  the other treaty and outcomes), :func:`fit_ratification_hazards` (A3, Cox),
  :func:`fit_civil_society` (A4) and :func:`fit_payoffs` (A5); :func:`all_evidence` collects
  them for the claims table (``claims.yaml``, scored by ``ratify.comparison``), and
  :func:`fit_key_models` is the study contract's entry point for the variants and the multiverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from ..cache import cached, data_builder
from ..comparison import lincom
from ..design import MODEL, Between, ParameterError, StudyDesign
from ..models import event_time_dummies, fit_ipw_linear, fit_linear, fit_ordered_logit, hinge, kink_search
from ..models.results import ModelResult
from ..panels import add_lag, add_measure
from ..provenance import built_by
from .spiral_data import (COX_SPECS, OUTCOMES, TREATIES, add_treatment, ratification_risk_set, ratification_years,
                          spiral_panel)
from .spiral_regimes import (POHR_CASES, POHR_VERDICTS, REGIME_SHORT, REGIMES, STABLE_AUTOCRACY, STABLE_DEMOCRACY,
                             TRANSITIONAL, add_regimes, classify_regimes, pohr_cases_matched, regime_of,
                             rolling_regimes)

#: The outcomes a design may name (the keys of :data:`OUTCOMES`).
Outcome = Literal["physint", "tort", "cirights_physint", "pts_s_rev", "pts_a_rev", "theta_mean", "hathaway",
                  "v2x_clphy", "v2cltort", "v2xcl_acjst", "v2clrelig"]
RatificationSource = Literal["untc_mtdsg_2015", "hr_treaties_2026", "ohchr_hr_treaties_2020"]
Controls = Literal["minimal", "standard", "democracy"]  # the keys of CONTROLS


@dataclass(frozen=True, repr=False)
class Design(StudyDesign):
    """Every choice of the chapter's analyses, with the book's as defaults (the notebook's parameters).
    Every analysis of the chapter (and so every row of the claims table) is fitted under one design."""

    treaty: Literal["CAT", "ICCPR"] = "CAT"  # treaty whose ratification is the treatment
    outcome: Outcome = "physint"  # outcome, higher = more respect (CIRI, CIRIGHTS, PTS, Fariss, Hathaway, V-Dem)
    start_year: Annotated[int, Between(1970, 2000)] = 1981  # first year (CIRI 1981-, PTS 1976-, Hathaway 1985-1999)
    end_year: Annotated[int, Between(1995, 2016)] = 2011  # last year of the sample (CIRI ends 2011; COW 2016)
    lag: Annotated[int, Between(0, 5)] = 1  # a state counts as a party from this many years after the deposit year
    pre1976_iccpr: Literal["eif1976", "ratification_year"] = "eif1976"  # ICCPR deposits before 1976 count from 1976
    regime_scheme: Literal["polity", "vdem"] = "polity"  # regimes from polity2 and the cut-points, or V-Dem's RoW
    stable_window: Literal["sample", "rolling10", "rolling20"] = "sample"  # one category over the window, or ex ante
    regime_start: Annotated[int, Between(1946, 2000)] = 1976  # first year of the window fixed categories are judged on
    regime_end: Annotated[int, Between(1990, 2018)] = 2007  # last year of that window (Tunisia transitional past 2011)
    dem_cut: Annotated[int, Between(6, 10)] = 8  # stable democracy = polity2 at least this in every year of window
    aut_never_cut: Annotated[int, Between(0, 8)] = 6  # stable autocracy = polity2 below this in every year of window
    controls: Annotated[Controls, MODEL] = "standard"  # A2: lagged outcome; + income, population, wars; + polity2
    ratification_source: RatificationSource = "untc_mtdsg_2015"  # deposit dates: UNTC 2015, UN 2026 or OHCHR 2020

    def __post_init__(self):
        super().__post_init__()
        if self.dem_cut < self.aut_never_cut:  # checked when the design is made, before anything runs
            raise ParameterError(f"parameters 'dem_cut' and 'aut_never_cut': dem_cut={self.dem_cut} is below "
                                 f"aut_never_cut={self.aut_never_cut}, so a score could be both; choose "
                                 f"dem_cut >= aut_never_cut")
        if self.regime_start > self.regime_end:
            raise ParameterError(f"parameters 'regime_start' and 'regime_end': the window {self.regime_start}-"
                                 f"{self.regime_end} is empty; choose regime_start <= regime_end")

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
    search = kink_search(f, "y", "polity2_l1", range(-9, 10), controls=ctrl)  # C2: kink at each polity2 value
    best = int(search.loc[search.bic.iloc[1:].idxmin(), "break"])
    kinked = f.assign(polity2_above=hinge(f.polity2_l1, best))
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


#: What A5 follows around ratification (C14a, C15a, C17): column -> (first year its series allows, label).
PAYOFFS = {"trade_pct_gdp": (None, "Trade (% GDP)"), "fdi_pct_gdp": (1991, "FDI inflows (% GDP)"),
           "ln_oda_per_capita": (None, "ln net ODA received per capita"), "imf_new": (None, "New IMF arrangement")}
#: What A5 regresses on last year's practice (C14b, C15b, C16): column -> (first year, label).
RESPONSES = {"fdi": ("fdi_pct_gdp", 1991, "FDI (% GDP)"), "oda": ("ln_oda_per_capita", None, "ln ODA per capita"),
             "imf": ("imf_new", None, "New IMF arrangement")}


def payoff_panel(design: Design) -> pd.DataFrame:
    """The chapter's panel with trade and FDI (% GDP; WDI, gdidata), net ODA received (WDI; its log
    per capita where positive) and IMF arrangements (in effect, new, concessional)."""
    from ..panels import add_imf_arrangements, add_oda
    from ..sources import read_gdi_wdi, read_trade

    trade = read_trade().dropna(subset=["ccode"]).astype({"ccode": "int64"})
    gdi = read_gdi_wdi().dropna(subset=["ccode"]).astype({"ccode": "int64"})
    gdi["fdi_pct_gdp"] = 100 * gdi.fdiin / gdi.gdp
    panel = spiral_panel(ratification_source=design.ratification_source)
    panel = add_measure(panel, trade.drop_duplicates(["ccode", "year"]), ["trade_pct_gdp"], source="wdi_trade")
    panel = add_measure(panel, gdi.drop_duplicates(["ccode", "year"]), ["fdi_pct_gdp"], source="gdidata_wdi")
    panel = add_imf_arrangements(add_oda(panel))
    panel["ln_oda_per_capita"] = np.log(panel.oda_per_capita.where(panel.oda_per_capita > 0))  # net ODA can be < 0
    panel["imf_new"] = panel.imf_new.astype(float)
    panel.attrs["derived"] = {**panel.attrs.get("derived", {}), "ln_oda_per_capita": ["oda_received_musd"],
                              "practice_l1": [design.outcome]}
    return panel


@cached
def fit_payoffs(design: Design) -> dict:
    """A5: does ratifying pay, and does practice? Trade and FDI (C17), net ODA received (C14a) and
    new IMF arrangements (C15a) around ratification of the design's treaty, two-way FE, from the
    design's first year (FDI from 1991) to 2016; and FDI (C16), aid (C14b) and IMF lending (C15b)
    on last year's practice (the design's outcome), year FE, with income, population, civil
    conflict and polity2."""
    panel = payoff_panel(design)
    out = {}
    for y, (since, label) in PAYOFFS.items():
        first = max(design.start_year, since or design.start_year)
        f = analysis_frame(panel, design.replace(start_year=first, end_year=PAYOFF_END))
        f["y"] = f[y].astype(float)
        f, dummies = event_time_dummies(treated_inside(f, first), "treat_year", EVENT_WINDOW)
        out[y] = fit_ols(f, [*dummies, "ln_gdppc_l1", "ln_population_l1", "civil_war_l1"],
                         fixed_effects="country_year", name=f"payoff_{y}",
                         label=f"{label} around {design.treaty} ratification")
    for key, (y, since, label) in RESPONSES.items():
        f = analysis_frame(panel, design.replace(start_year=max(design.start_year, since or design.start_year),
                                                 end_year=PAYOFF_END))
        f = f.sort_values(["ccode", "year"]).assign(practice_l1=lambda d: d.y_lag, y=lambda d: d[y].astype(float))
        out[f"{key}_practice"] = fit_ols(f, ["practice_l1", "ln_gdppc_l1", "ln_population_l1", "civil_war_l1",
                                             "polity2_l1"], name=f"payoff_{key}_practice",
                                         label=f"{label} on last year's practice")
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


__all__ = ["CONTROLS", "COX_SPECS", "Design", "EFFECT_FAMILY", "INTERACTION", "OUTCOMES", "POHR_CASES",
           "POHR_VERDICTS", "RAT_TERMS", "REGIMES", "REGIME_SHORT", "STABLE_AUTOCRACY", "STABLE_DEMOCRACY",
           "TRANSITIONAL", "TREATIES", "add_regimes", "add_treatment", "all_evidence", "analysis_frame",
           "classify_regimes", "design_frame", "effect_family", "fit_civil_society", "fit_democracy", "fit_key_models",
           "fit_ols", "fit_payoffs", "fit_ratification_effects", "fit_ratification_hazards", "flatten",
           "key_effect_fits", "marginal_effect_curve", "payoff_panel", "pohr_cases_matched",
           "polity_levels", "ratification_risk_set", "ratification_years", "regime_of", "rolling_regimes",
           "spiral_panel"]
