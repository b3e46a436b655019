"""Chapter 2 (Western, Lockhart & Money 2019): who ratifies the Migrant Workers Convention?

The study is a Cox model of country-years at risk of becoming party to the CRMW
(MTDSG IV-13), 1990–2015. This module turns the paper's design into code whose every
unstated choice is a parameter of :func:`risk_set`:

* **net sending**: World Bank net migration below ``sending_threshold``. The paper had
  five-year totals reported at 1987, 1992, … and interpolated them; the registered WDI
  vintage is annual, so ``net_migration_series="five_year"`` rebuilds that layout (period
  means at the middle year, linear in between) and ``"annual"`` uses the series as is;
* remittances (% of GDP) and immigrant stock (% of population), interpolated linearly
  between reported years, never beyond them;
* democracy (BMR, Polity, V-Dem), common law, ln GDP per capita, reversed PTS (source a
  parameter) and the share of the region's other states already party at the end of the
  previous year (region scheme a parameter).

* H3, the high-skilled emigrant share: the paper's Docquier–Lowell–Marfouk (DLM) share is
  not public; the IAB brain-drain emigration rate of the tertiary-educated (emigrants aged
  25+ in 20 OECD destinations) stands in for it, labelled as a proxy, carried by the paper's
  rule (the 1990 value for 1990–1999, the 2000 value from 2000 on); a state that became
  independent after a census takes that census's value for its territory (the IAB reports
  origins in their 2010 borders back to 1980). ``skilled_emigration="none"``
  gives the models without an H3 term (Model 3 then has the controls alone).

Every choice is a field of :class:`Design`; the pages build one from ``design_changes``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from ..cache import cached, data_builder
from ..design import MODEL, Between, StudyDesign
from ..diffusion import bound_share
from ..panels import (add_democracy, add_gdp_per_capita, add_legal_origin, add_measure, add_migrant_stock,
                      add_pts, add_region, add_remittances, state_years)
from ..panels.migration import add_skilled_emigration
from ..provenance import built_by
from ..risksets import consents_with_cow, country_risk_set
from ..sources import read_gdi_wdi, read_hr_treaties, read_net_migration
from ..sources.provenance import origin

TREATY = "IV-13"
SOURCES = ["hr_treaties_2026", "cow_states"]
COW_VINTAGE = 2016  # last year of the COW state list; later years carry ongoing states forward

DEMOCRACY = {  # parameter value -> (panel verb measure, how the model column is made, label)
    "bmr": ("bmr", lambda d: d.bmr_democracy.astype(float), "Democracy (BMR, 0/1)"),
    "polity_dummy": ("polity2", lambda d: (d.polity2 >= 6).astype(float).where(d.polity2.notna()),
                     "Democracy (Polity2 ≥ 6)"),
    "polity": ("polity2", lambda d: d.polity2.astype(float), "Polity2 (−10 to 10)"),
    "vdem": ("polyarchy", lambda d: d.v2x_polyarchy.astype(float), "V-Dem polyarchy (0–1)"),
}
PTS = {  # parameter value -> 6 - PTS from the chosen score(s)
    "state": lambda p: p.pts_s_rev.astype(float),
    "amnesty": lambda p: p.pts_a_rev.astype(float),
    "mean": lambda p: p[["pts_a_rev", "pts_h_rev", "pts_s_rev"]].astype(float).mean(axis=1),
    "state_then_amnesty": lambda p: p.pts_s_rev.astype(float).fillna(p.pts_a_rev.astype(float)),
}
REGION_SCHEMES = {"continent": "continent", "world_bank": "region"}
NET_MIGRATION_SERIES = ("five_year", "annual")
#: The global share is not offered as a model term: every state at risk in a year has the same
#: global share (bar the self-exclusion of new states), so on a calendar clock it is absorbed by
#: the baseline hazard and the Cox information matrix is singular.
DIFFUSION = {"regional": ["regional_share_10"], "none": []}
#: H3's model column: the IAB tertiary emigration rate (percent), a proxy for the DLM share.
H3 = "high_skilled_share"


# --- the design ---------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class Design(StudyDesign):
    """Every choice of the Models 1-5 analysis, with the book's as defaults (the notebook's parameters)."""

    end_year: Annotated[int, Between(2005, 2020)] = 2015  # last year; spells censored on 31 December (past 2018 use remittance_source=gdi)
    sending_measure: Literal["dummy", "continuous"] = "dummy"  # H1 as a net-sending dummy (the paper) or net emigration in 100,000 persons (its footnote 19)
    sending_threshold: Annotated[float, Between(-100000.0, 100000.0)] = 0.0  # net sending when net migration (persons a year) is below this
    net_migration_series: Literal["five_year", "annual"] = "five_year"  # five_year rebuilds the paper's layout (quinquennial means, linear between); annual is WDI's series as is
    interpolate_remittances: bool = True  # fill remittance gaps linearly between reported years (the paper) or not (its footnote 20)
    remittance_source: Literal["cmps", "gdi"] = "cmps"  # WDI remittances from Crisman-Cox's archive (to 2018) or IOM gdidata's WDI extract (to 2023)
    log_stock: bool = False  # enter the immigrant stock logged (the paper's footnote 22) instead of in percent
    democracy: Literal["bmr", "polity_dummy", "polity", "vdem"] = "bmr"  # BMR 0/1 (the paper), Polity2 >= 6, Polity2 (footnote 23) or V-Dem polyarchy
    pts_source: Literal["state", "amnesty", "mean", "state_then_amnesty"] = "state_then_amnesty"  # which Political Terror Scale score is reversed (6 - PTS); the paper does not say
    region_scheme: Literal["continent", "world_bank"] = "continent"  # regions of the ratification share: continents (the paper's example) or World Bank regions
    skilled_census_rule: Literal["paper", "latest_census", "linear"] = "paper"  # IAB census a year takes: 1990 for 1990-99, 2000 after (the paper), the latest census, or linear between
    skilled_borders: Literal["later", "in_year"] = "later"  # IAB rows from before a state existed (IAB back-casts 2010 borders) keep its later COW code, or are dropped
    skilled_emigration: Annotated[Literal["iab_high", "none"], MODEL] = "iab_high"  # H3 in Models 3 and 5: IAB tertiary emigration rate (a proxy for DLM's share), or no H3 term
    diffusion: Annotated[Literal["regional", "none"], MODEL] = "regional"  # share of the region's other states already party (lagged a year), or none; a global share is unidentified
    ties: Annotated[Literal["efron", "breslow"], MODEL] = "efron"  # tied ratification years in the Cox partial likelihood (the paper: Efron)


CONTROLS = ["democracy", "common_law", "ln_gdppc", "pts_rev"]
#: Model columns -> the merged columns they are made from (for the trail of each term; see ratify.provenance).
DERIVED = {"sending": ["net_migration"], "net_sending": ["net_migration"], "net_emigration": ["net_migration"],
           "remittances": ["remittances_pct_gdp"], "immigrant_stock": ["immigrant_share_pct"],
           "democracy": ["bmr_democracy", "polity2", "v2x_polyarchy"], "pts_rev": ["pts_s", "pts_a", "pts_h"],
           "regional_share_10": ["continent", "region"], H3: ["skilled_emigration_pct"]}
LABELS = {
    "net_sending": "Net sending state (H1)",
    "net_emigration": "Net emigration, 100,000 persons (H1)",
    H3: "High-skilled emigration rate, % (H3; IAB proxy for the DLM share)",
    "remittances": "Remittances, % of GDP (H2)",
    "immigrant_stock": "Immigrant stock, % of population (H4)",
    "democracy": "Democracy",
    "common_law": "Common law",
    "ln_gdppc": "ln GDP per capita",
    "pts_rev": "Physical integrity (6 − PTS)",
    "regional_share_10": "Region already party (per 10 points)",
    "global_share_10": "World already party (per 10 points)",
}


# --- the event ----------------------------------------------------------------------------------

@cached
def crmw_consents() -> pd.DataFrame:
    """Every CRMW ratification or accession with its day-level date, keyed to COW codes
    (cached: the panel, the risk set, the regional rates and three pages all start from it)."""
    hr = read_hr_treaties()
    return consents_with_cow(hr[hr.mtdsg_no == TREATY])


def first_consent_years(consents: pd.DataFrame) -> pd.DataFrame:
    """ccode and the calendar year of its first consent (a plain integer year: the pages use it
    in arithmetic and comparisons, where risksets.event_years' nullable Int64 would not do)."""
    return (consents.assign(event_year=consents.date.dt.year).groupby("ccode", as_index=False)
            .event_year.min())


# --- covariates ----------------------------------------------------------------------------------

def five_year_net_migration(annual: pd.DataFrame, first: int = 1985, last: int = 2024) -> pd.DataFrame:
    """Net migration in the layout of the paper's WDI vintage: one value per quinquennium
    (1985–89, 1990–94, …), the period's mean annual flow, placed at its middle year.

    A period needs at least three reported years; the caller interpolates between the
    middle years.
    """
    df = annual[annual.year.between(first, last)].dropna(subset=["net_migration"])
    period_start = first + 5 * ((df.year - first) // 5)
    grouped = df.assign(period=period_start).groupby(["ccode", "period"]).net_migration
    out = grouped.agg(["mean", "size"]).reset_index()
    out = out[out["size"] >= 3]
    five = pd.DataFrame({"ccode": out.ccode.astype("int64"), "year": (out.period + 2).astype("int64"),
                         "net_migration": out["mean"].astype(float)})
    five.attrs = {**annual.attrs, "layout": "five-year means at the middle year"}  # keep the file and hash
    return five


def net_migration_table(series: str) -> tuple[pd.DataFrame, str]:
    """(measure, interpolation) for :func:`ratify.panels.add_measure`."""
    annual = read_net_migration().dropna(subset=["ccode"])
    annual = annual.assign(ccode=annual.ccode.astype("int64"))[["ccode", "year", "net_migration"]]
    annual = annual.drop_duplicates(["ccode", "year"])
    if series == "annual":
        return annual, "none"
    return five_year_net_migration(annual), "linear"


def add_remittances_from(panel: pd.DataFrame, source: str, interpolate: bool) -> pd.DataFrame:
    """Remittances received, % of GDP, as ``remittances_pct_gdp``: WDI via Crisman-Cox's
    archive (``cmps``, to 2018) or IOM's gdidata extract (``gdi``, 100 × remin / gdp, to 2023)."""
    how = "linear" if interpolate else "none"
    if source == "cmps":
        return add_remittances(panel, interpolate=how)
    gdi = read_gdi_wdi().dropna(subset=["ccode", "remittances_in_pct_gdp"])
    gdi = (gdi.assign(ccode=gdi.ccode.astype("int64")).drop_duplicates(["ccode", "year"])
           .rename(columns={"remittances_in_pct_gdp": "remittances_pct_gdp"}))
    return add_measure(panel, gdi[["ccode", "year", "remittances_pct_gdp"]], ["remittances_pct_gdp"],
                       source="gdidata_wdi", interpolate=how)


def pts_reversed(panel: pd.DataFrame, source: str) -> pd.Series:
    """6 − PTS, so higher means more respect for physical integrity, from the chosen score(s)
    (``source``: a :data:`PTS` key, checked by :class:`Design`)."""
    return PTS[source](panel)


def democracy_column(panel: pd.DataFrame, measure: str) -> pd.Series:
    """The democracy model column for ``measure`` (a :data:`DEMOCRACY` key, checked by :class:`Design`)."""
    return DEMOCRACY[measure][1](panel)


# --- the panel and the risk set ------------------------------------------------------------------

def _system_years(start: int, end: int) -> pd.DataFrame:
    return state_years("cow", start, end, extend_ongoing=end > COW_VINTAGE)


@data_builder
@built_by
def _panel(end_year: int, net_migration_series: str, remittance_source: str, interpolate_remittances: bool,
           democracy: str, region_scheme: str, skilled_census_rule: str, skilled_borders: str) -> pd.DataFrame:
    """:func:`country_panel` for the only choices it depends on (stored: risk sets that differ in
    the model columns share it)."""
    nm, nm_fill = net_migration_table(net_migration_series)
    region = REGION_SCHEMES[region_scheme]
    panel = (_system_years(1989, end_year)
             .pipe(add_measure, nm, ["net_migration"], source="net_migration_wdi", interpolate=nm_fill)
             .pipe(add_remittances_from, remittance_source, interpolate_remittances)
             .pipe(add_migrant_stock)
             .pipe(add_skilled_emigration, rule=skilled_census_rule, borders=skilled_borders)
             .pipe(add_democracy, DEMOCRACY[democracy][0])
             .pipe(add_legal_origin)
             .pipe(add_gdp_per_capita)
             .pipe(add_pts)
             .pipe(add_region, region))
    events = first_consent_years(crmw_consents())
    shares = bound_share(panel[["ccode", "year", region]].dropna(subset=[region]), events, group=region,
                         name="regional_share")
    world = bound_share(panel[["ccode", "year"]], events, name="global_share")
    out = (panel.merge(shares[["ccode", "year", "regional_share"]], on=["ccode", "year"], how="left")
           .merge(world[["ccode", "year", "global_share"]], on=["ccode", "year"], how="left"))
    out.attrs = panel.attrs
    out.attrs["region_column"] = region
    return out


def country_panel(design: Design | None = None) -> pd.DataFrame:
    """Every COW state-year 1989–``end_year`` with the covariates merged (before any sample rule),
    plus the regional and global shares of other states already party at the end of the year before."""
    d = design or Design()
    return _panel(d.end_year, d.net_migration_series, d.remittance_source, d.interpolate_remittances,
                  d.democracy, d.region_scheme, d.skilled_census_rule, d.skilled_borders)


@data_builder
@built_by
def _risk(data: Design, start_year: int = 1990) -> pd.DataFrame:
    """:func:`risk_set` for a design's data choices (``design.data_choices()``)."""
    panel = country_panel(data)
    consents = crmw_consents()
    rs = country_risk_set(panel, consents, start=start_year, end=data.end_year)
    rs["net_sending"] = (rs.net_migration < data.sending_threshold).astype(float).where(rs.net_migration.notna())
    rs["net_emigration"] = -rs.net_migration / 1e5
    rs["sending"] = rs.net_sending if data.sending_measure == "dummy" else rs.net_emigration
    rs["remittances"] = rs.remittances_pct_gdp.astype(float)
    rs[H3] = rs.skilled_emigration_pct.astype(float)
    stock = rs.immigrant_share_pct.astype(float)
    rs["immigrant_stock"] = np.log(stock) if data.log_stock else stock
    rs["democracy"] = democracy_column(rs, data.democracy)
    rs["common_law"] = rs.common_law.astype(float)
    rs["pts_rev"] = pts_reversed(rs, data.pts_source)
    rs["regional_share_10"] = 10 * rs.regional_share
    rs["global_share_10"] = 10 * rs.global_share
    rs.attrs = {**panel.attrs, **rs.attrs, "derived": DERIVED, "inputs": [origin(consents), *SOURCES],
                "parameters": dataclasses.asdict(data)}
    return rs


def risk_set(design: Design | None = None, start_year: int = 1990) -> pd.DataFrame:
    """Country-years at risk of joining the CRMW under ``design`` (the book's by default), with the
    model columns of :data:`LABELS`. Shared: copy it before changing it.

    Entry in ``start_year`` or at independence (calendar clock, ``start_year`` = year 1,
    so late entrants are left-truncated); exit in the year of the first ratification or
    accession, or censoring at the end of ``end_year``. Covariates are contemporaneous,
    as in the paper; the diffusion shares are lagged one year by construction.
    """
    return _risk((design or Design()).data_choices(), start_year)


# --- models --------------------------------------------------------------------------------------

def model_specs(design: Design | None = None) -> dict[str, tuple[str, list[str]]]:
    """Models 1–5 under ``design``: name -> (label, covariates). Model 3 tests H3 with the IAB
    proxy (the controls alone when ``skilled_emigration="none"``).

    The H1 term is always called ``sending`` (so variants share key quantities); which
    measure it holds is ``sending_measure``, and :func:`labels` names it.
    """
    d = design or Design()
    controls = CONTROLS + DIFFUSION[d.diffusion]
    h3 = [H3] if d.skilled_emigration != "none" else []
    return {
        "wlm_model1": ("Model 1: H1", ["sending", *controls]),
        "wlm_model2": ("Model 2: H2", ["remittances", *controls]),
        "wlm_model3": (("Model 3: H3 (IAB proxy)" if h3 else "Model 3: controls only (no H3 term)"), [*h3, *controls]),
        "wlm_model4": ("Model 4: H4", ["immigrant_stock", *controls]),
        "wlm_model5": ("Model 5: H1–H4" if h3 else "Model 5: H1, H2, H4", ["sending", "remittances", *h3,
                                                                          "immigrant_stock", *controls]),
    }


def fit_models(design: Design | None = None, models=None, perturb=None) -> dict:
    """The Cox fits (``CoxFit``) of Models 1–5 named in ``models`` (all by default) under ``design``:
    Cox, standard errors clustered by country; ``perturb`` is applied to the risk set first
    (the multiverse's null)."""
    from ..models import fit_cox

    d = design or Design()
    specs = model_specs(d)
    unknown = sorted(set(models or ()) - set(specs))
    if unknown:
        raise KeyError(f"no model {unknown[0]!r}; the models are {list(specs)}")
    risk = risk_set(d)
    frame = perturb(risk) if perturb else risk
    return {name: fit_cox(frame, covariates, cluster="ccode", ties=d.ties, name=name, label=label, sources=SOURCES)
            for name, (label, covariates) in specs.items() if models is None or name in models}


def fit_key_models(design: Design | None = None, models=None, perturb=None) -> dict:
    """The study contract (CONTRIBUTING.md): ``ModelResult`` of each named model under ``design``."""
    return {name: fit.result for name, fit in fit_models(design, models, perturb).items()}


def labels(design: Design | None = None) -> dict[str, str]:
    """Row labels for tables, naming the measure each generic term holds."""
    d = design or Design()
    out = dict(LABELS)
    out["sending"] = LABELS["net_sending" if d.sending_measure == "dummy" else "net_emigration"]
    if d.log_stock:
        out["immigrant_stock"] = "ln immigrant stock, % of population (H4)"
    return out


def skilled_coverage(design: Design | None = None) -> pd.DataFrame:
    """How much of the risk set the IAB proxy covers: states, country-years and ratifications,
    with a value and in all (the proxy's rows are what Models 3 and 5 can use)."""
    risk = risk_set(design)
    has = risk[H3].notna()
    rows = [("states", risk.ccode.nunique(), risk.loc[has, "ccode"].nunique()),
            ("country-years", len(risk), int(has.sum())),
            ("ratifications", int(risk.event.sum()), int(risk.loc[has, "event"].sum()))]
    out = pd.DataFrame(rows, columns=["unit", "in the risk set", "with the IAB rate"]).set_index("unit")
    out["share"] = out["with the IAB rate"] / out["in the risk set"]
    return out


def contrast(result, term: str, low: float, high: float) -> dict:
    """Hazard ratio for moving ``term`` from ``low`` to ``high``, with its 95% interval.

    The model is linear in the term, so exp(β·Δ) and exp((β ± 1.96·SE)·Δ) are exact.
    """
    row = result.terms.set_index("term").loc[term]
    delta = high - low
    ends = sorted([np.exp(row.conf_low * delta), np.exp(row.conf_high * delta)])
    return {"term": term, "low": low, "high": high, "hr": float(np.exp(row.estimate * delta)),
            "conf_low": float(ends[0]), "conf_high": float(ends[1])}


def sending_at_entry(risk: pd.DataFrame) -> pd.Series:
    """Each state's net-sending status in its first risk-set year with a value (for KM groups)."""
    known = risk.dropna(subset=["net_sending"]).sort_values("year")
    first = known.groupby("ccode").net_sending.first()
    return risk.ccode.map(first.map({1.0: "net sending", 0.0: "net receiving"}))


def regional_rates(as_of_year: int, design: Design | None = None) -> pd.DataFrame:
    """Share of each region's states (``design.region_scheme``) that were party by the end of ``as_of_year``."""
    region = REGION_SCHEMES[(design or Design()).region_scheme]
    panel = _system_years(as_of_year, as_of_year).pipe(add_region, region)
    events = first_consent_years(crmw_consents())
    panel = panel.merge(events, on="ccode", how="left")
    panel["party"] = (panel.event_year <= as_of_year).astype(int)
    return (panel.dropna(subset=[region]).groupby(region)
            .agg(states=("ccode", "size"), parties=("party", "sum")).assign(share=lambda d: d.parties / d.states)
            .reset_index())


def global_share_spread(risk: pd.DataFrame) -> pd.DataFrame:
    """Per year with an event: how much the global share differs across the states at risk.

    On the calendar clock a Cox model compares states only within a year; a covariate that
    is the same for all of them there carries no information.
    """
    years = risk.loc[risk.event == 1, "year"].unique()
    at_risk = risk[risk.year.isin(years)]
    return (at_risk.groupby("year").global_share.agg(["min", "max", "std", "size"])
            .rename(columns={"size": "states_at_risk"}).reset_index())


def status_switches(design: Design | None = None) -> pd.DataFrame:
    """Country-years (1990–``end_year``) whose sending status (below ``sending_threshold``) differs
    between the annual series and the five-year layout of the paper's vintage."""
    d = design or Design()
    years, threshold = _system_years(1990, d.end_year), d.sending_threshold
    out = years[["ccode", "year", "statename"]]
    for series in NET_MIGRATION_SERIES:
        nm, fill = net_migration_table(series)
        merged = add_measure(years[["ccode", "year"]], nm, ["net_migration"], source="net_migration_wdi",
                             interpolate=fill)
        out = out.assign(**{f"sending_{series}": (merged.net_migration < threshold).where(merged.net_migration.notna())})
    return out.dropna(subset=["sending_five_year", "sending_annual"])


__all__ = ["CONTROLS", "DEMOCRACY", "Design", "H3", "LABELS", "contrast", "country_panel", "crmw_consents",
           "first_consent_years", "fit_key_models", "fit_models", "five_year_net_migration", "global_share_spread",
           "labels", "model_specs", "pts_reversed", "regional_rates", "risk_set", "sending_at_entry",
           "skilled_coverage", "status_switches"]
