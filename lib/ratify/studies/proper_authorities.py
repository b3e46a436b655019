"""Chapter 5 (Drezner 2003): ratifiers, initiators and international institutions on public data.

The text is theory, so this module turns three of its claims into analyses:

* **A1, the ratifier stage on the clock** (:func:`fit_ratification_models`). Country-treaty-years from a state's signature
  of a UN-deposited treaty to its ratification (or from the treaty's adoption, or the
  state's independence if later: left truncation), with ratifier strength measured by
  V-Dem legislative/judicial constraints, Polity's executive constraints or Simmons'
  ratification-rules scale. Cox, stratified by treaty, clustered by country.
* **A2, IOs as surrogate ratifiers** (:func:`fit_accession_models`). Country-year counts of accessions to existing IGOs
  (COW IGO v3), split by the IGO's democratic density and size, against recent
  democratisation (BMR). Poisson with country and year fixed effects.
* **A3, the "democracy deficit"** (:func:`fit_constraint_models`). V-Dem legislative constraints on lagged IGO exposure,
  two-way fixed effects, and an event study around GATT/WTO accession.

Every choice of A1 is a field of :class:`Design` (the notebook's parameters, the variant
runner's and the multiverse's); A2 and A3 take their few windows as arguments. The estimators
(Cox, Poisson and linear with fixed effects, event-time dummies, unit trends) are in
``ratify.models``; this module specifies the samples and the models.

Treaty attributes (issue area, delegation, cost) are the chapter's own a-priori coding,
with a rationale for each; every date comes from the registered UN Treaty Collection files.
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
from ..models import complete, event_time_dummies, fit_linear, fit_poisson, unit_trends
from ..panels import add_constraints, add_democracy, add_gdp_per_capita, add_igo_count, add_measure, add_region
from ..panels import add_ratification_rules, keep_merges, state_years
from ..panels.finance import add_imf_arrangements
from ..provenance import built_by
from ..risksets import counting_process, event_years, validate
from ..sources.provenance import origin

# --- the treaty set -----------------------------------------------------------------------------

#: MTDSG number -> short name, issue area, delegation (0/1), costly (0/1), why. Our coding, not data.
TREATIES = {
    "IV-2": ("ICERD", "human rights", 0, 0, "reporting only; the Art. 14 complaint procedure is a separate opt-in"),
    "IV-3": ("ICESCR", "human rights", 0, 0, "progressive realisation, reporting only"),
    "IV-4": ("ICCPR", "human rights", 0, 0, "reporting; complaints need the Optional Protocol"),
    "IV-5": ("ICCPR-OP1", "delegation", 1, 1, "individual complaints to the Human Rights Committee"),
    "IV-8": ("CEDAW", "human rights", 0, 0, "reporting only (complaints in a later protocol)"),
    "IV-9": ("CAT", "human rights", 0, 1, "criminalisation and non-refoulement duties bite on state agents"),
    "IV-11": ("CRC", "human rights", 0, 0, "reporting only; near-universal"),
    "XVIII-10": ("Rome Statute", "delegation", 1, 1, "an international court with jurisdiction over nationals"),
    "XXVII-7": ("UNFCCC", "environment", 0, 0, "framework convention without binding targets"),
    "XXVII-7-a": ("Kyoto Protocol", "environment", 0, 1, "binding emission targets for Annex I parties"),
    "XXVII-8": ("CBD", "environment", 0, 0, "framework obligations, national strategies"),
    "XXVI-3": ("CWC", "security", 1, 1, "OPCW challenge inspections; stockpile destruction"),
    "XXVI-4": ("CTBT", "security", 1, 1, "on-site inspections by the CTBTO; a ban on testing"),
    "XXVI-5": ("Mine Ban Convention", "security", 0, 1, "stockpile destruction and clearance deadlines"),
}

TREATY_SETS = {
    "all": list(TREATIES),
    "human_rights": ["IV-2", "IV-3", "IV-4", "IV-8", "IV-9", "IV-11"],
    "delegation": ["IV-5", "XVIII-10"],
    "environment": ["XXVII-7", "XXVII-7-a", "XXVII-8"],
    "security": ["XXVI-3", "XXVI-4", "XXVI-5"],
    "no_delegation": [k for k, v in TREATIES.items() if not v[2]],
}

#: Ratifier-strength measures: column in the panel, source, label.
RATIFIER_MEASURES = {
    "legcon": ("v2xlg_legcon", "vdem_constraints", "V-Dem legislative constraints on the executive"),
    "jucon": ("v2x_jucon", "vdem_constraints", "V-Dem judicial constraints on the executive"),
    "horacc": ("v2x_horacc", "vdem_constraints", "V-Dem horizontal accountability"),
    "xconst": ("xconst", "polity5", "Polity5 executive constraints (1-7)"),
    "ratrules": ("ratrules", "simmons_ratrules", "Simmons' ratification-rules scale (static)"),
}



@dataclass(frozen=True, repr=False)
class Design(StudyDesign):
    """Every choice of the ratification-clock analysis (A1), with the book's as defaults (the notebook's parameters)."""

    treaty_set: Literal["all", "human_rights", "delegation", "environment", "security", "no_delegation"] = "all"  # which of the fourteen UN treaties enter the risk set (coded in proper_authorities.TREATIES)
    risk_start: Literal["signature", "opening"] = "signature"  # clock start: the state's own signature (signatories only), or the treaty's adoption (all states)
    ratifier_measure: Literal["legcon", "jucon", "horacc", "xconst", "ratrules"] = "legcon"  # ratifier strength: V-Dem legislative/judicial constraints or horizontal accountability, Polity5 xconst, Simmons' scale
    start_year: Annotated[int, Between(1966, 2000)] = 1966  # first calendar year of the risk set
    end_year: Annotated[int, Between(1995, 2014)] = 2014  # last year; spells are censored at its end (the MTDSG scrape is of March 2015)
    lag_years: Annotated[int, Between(0, 3)] = 1  # lag of the time-varying country covariates, in years
    new_democracy_window: Annotated[int, Between(1, 15)] = 5  # a BMR democracy at most this many years old counts as new
    diffusion: Literal["global", "region", "none"] = "global"  # share of other states already bound: all states, the same World Bank region, or left out
    include_successions: bool = False  # keep states whose first consent was a succession (their consent is then the event)
    ties: Annotated[Literal["efron", "breslow"], MODEL] = "efron"  # tied ratification years in the Cox partial likelihood


def treaty_set(design: Design) -> list[str]:
    """MTDSG numbers of the design's treaty set (``all``, ``human_rights``, ``delegation``, ...)."""
    return TREATY_SETS[design.treaty_set]


def treaty_table(treaties: list[str] | None = None) -> pd.DataFrame:
    """Our coding of each treaty with its adoption date and title from the UN index."""
    from ..sources import read_untc_index

    treaties = treaties or list(TREATIES)
    index = read_untc_index().set_index("mtdsg_no")
    rows = [{"mtdsg_no": t, "treaty": TREATIES[t][0], "issue": TREATIES[t][1], "delegation": TREATIES[t][2],
             "costly": TREATIES[t][3], "rationale": TREATIES[t][4], "title": index.title.get(t),
             "adoption_date": index.adoption_date.get(t)} for t in treaties]
    return pd.DataFrame(rows)


#: Drezner's states are the COW system's members when they act; other participants are left out.
PARTICIPANT_RULE = "action_year"


def signatures_and_consents(treaties: list[str]) -> pd.DataFrame:
    """One row per (ccode, treaty) with any action: first signature, first consent and its type.

    A successor's inherited signature ("succession to signature") is not a signature of
    its own, so it does not start a ratifier-stage spell.
    """
    from ..sources import read_untc_participants
    from ..treaties import participants_with_cow

    matched = participants_with_cow(read_untc_participants(treaties), PARTICIPANT_RULE)
    acts = matched.dropna(subset=["ccode"]).astype({"ccode": "int64"})
    own_sig = acts[(acts.action == "signature") & (acts.action_type != "succession to signature")]
    sig = own_sig.groupby(["ccode", "mtdsg_no"]).date.min().rename("signature_date")
    consent = acts[acts.action == "consent"].sort_values("date").groupby(["ccode", "mtdsg_no"]).first()
    consent = consent[["date", "consent_type"]].rename(columns={"date": "consent_date"})
    out = pd.concat([sig, consent], axis=1).reset_index()
    out.attrs.update(unmatched=matched.attrs["unmatched"], matching=matched.attrs["matching"])
    return out


# --- the country-year panel of ratifier measures ----------------------------------------------

@cached
@built_by
def ratifier_panel(start: int = 1960, end: int = 2016, lag: int = 1) -> pd.DataFrame:
    """COW state-years with ratifier-strength measures, democracy and controls, lagged ``lag`` years.

    Simmons' scale is static (one value per country), so it is not lagged.
    """
    from ..sources import read_bmr

    panel = (state_years("cow", start, end)
             .pipe(add_constraints, lag=lag)
             .pipe(add_democracy, "xconst", lag=lag)
             .pipe(add_democracy, "polyarchy", lag=lag)
             .pipe(add_gdp_per_capita, lag=lag)
             .pipe(add_ratification_rules)
             .pipe(add_region))
    bmr = read_bmr().rename(columns={"democracy": "bmr_democracy", "democracy_duration": "bmr_duration"})
    panel = add_measure(panel, bmr, ["bmr_democracy", "bmr_duration"], source="bmr", lag=lag)
    return panel


def new_democracy(panel: pd.DataFrame, window: int) -> pd.Series:
    """1 for a BMR democracy at most ``window`` years old, 0 otherwise, missing where BMR is."""
    new = (panel.bmr_democracy == 1) & (panel.bmr_duration <= window)
    return new.astype(float).where(panel.bmr_democracy.notna())


# --- A1: the ratification risk set ----------------------------------------------------------

@data_builder  # shared by every design with the same clock and window (the ratifier measure, lag... aside)
def ratification_risk_set(treaties: tuple[str, ...], risk_start: Literal["signature", "opening"] = "signature",
                          start_year: int = 1966, end_year: int = 2014, include_successions: bool = False) -> pd.DataFrame:
    """Country-treaty-years at risk of consenting to be bound, in counting-process form.

    ``risk_start="signature"``: signatories only, from the year of their own signature
    (year 1): the ratifier stage of a two-level game. ``"opening"``: every state from the
    treaty's adoption year, so accessions without signature count. Either way a state
    born later enters at independence with the clock already running (left truncation),
    and spells are censored at ``end_year`` (the MTDSG scrape is of March 2015) or the
    state's exit from the COW system. States whose first consent is a succession are
    left out unless ``include_successions``: they inherited the decision.
    """
    treaties = list(treaties)
    meta = treaty_table(treaties)
    acts = signatures_and_consents(treaties)
    states = state_years("cow", start_year, end_year)[["ccode", "year"]]
    if risk_start == "signature":
        pairs = acts.dropna(subset=["signature_date"]).assign(origin=lambda d: d.signature_date.dt.year)
    else:
        pairs = states[["ccode"]].drop_duplicates().merge(meta[["mtdsg_no", "adoption_date"]], how="cross")
        pairs = pairs.merge(acts, on=["ccode", "mtdsg_no"], how="left").assign(
            origin=lambda d: d.adoption_date.dt.year)
    succession = pairs.consent_type.eq("succession")
    dropped_successions = int(succession.sum())
    if not include_successions:
        pairs = pairs[~succession]
    rows = states.merge(pairs[["ccode", "mtdsg_no", "origin"]], on="ccode")
    rows = rows[rows.year >= rows.origin]
    consents = pairs.dropna(subset=["consent_date"]).rename(columns={"consent_date": "date"})
    ev = event_years(consents, ["ccode", "mtdsg_no"])
    rs = counting_process(rows, ["ccode", "mtdsg_no"], ev, origin="origin", end=end_year)
    rs = validate(rs, ["ccode", "mtdsg_no"]).merge(meta[["mtdsg_no", "treaty", "issue", "delegation", "costly"]],
                                                  on="mtdsg_no", how="left")
    rs["left_truncated"] = (rs.groupby(["ccode", "mtdsg_no"]).start.transform("min") > 0).astype(int)
    rs.attrs.update(risk_start=risk_start, unmatched_participants=acts.attrs["unmatched"],
                    successions_dropped=0 if include_successions else dropped_successions,
                    bound_before_entry=len(rs.attrs.get("bound_before_entry", [])))
    return rs


def diffusion_shares(treaties: list[str], start_year: int, end_year: int, group: str | None = None,
                     lag: int = 1) -> pd.DataFrame:
    """Per treaty and country-year: share of other states (global or same region) already bound.

    Computed on the whole state system, as :func:`ratify.diffusion.bound_share` requires.
    """
    acts = signatures_and_consents(treaties).dropna(subset=["consent_date"])
    panel = state_years("cow", start_year - lag, end_year)
    if group:
        panel = add_region(panel)
    out = []
    for t in treaties:
        first = acts[acts.mtdsg_no == t].assign(event_year=lambda d: d.consent_date.dt.year)
        share = bound_share(panel, first[["ccode", "event_year"]], group=group, lag=lag)
        out.append(share[["ccode", "year", "share_bound"]].assign(mtdsg_no=t))
    return pd.concat(out, ignore_index=True)


A1_CONTROLS = ["polyarchy_z", "ln_gdppc", "cold_war"]


@data_builder
@built_by
def ratification_frame(data: Design) -> pd.DataFrame:
    """The A1 analysis frame for a design's data choices (``design.data_choices()``): risk set + lagged
    ratifier measures, democracy, diffusion, interactions.

    ``ratifier_z`` is the chosen measure standardised over the risk set's rows (so hazard
    ratios are per standard deviation and comparable across measures).
    """
    treaties = treaty_set(data)
    rs = ratification_risk_set(tuple(treaties), data.risk_start, data.start_year, data.end_year,
                               data.include_successions)
    attrs = dict(rs.attrs)
    panel = ratifier_panel(data.start_year, data.end_year, data.lag_years).drop(columns=["stateabb", "statename"])
    df = rs.merge(panel, on=["ccode", "year"], how="left")
    if data.diffusion != "none":
        shares = diffusion_shares(treaties, data.start_year, data.end_year,
                                  None if data.diffusion == "global" else "region")
        df = df.merge(shares, on=["ccode", "year", "mtdsg_no"], how="left")
        df["share_bound_10"] = 10 * df.share_bound
    col = RATIFIER_MEASURES[data.ratifier_measure][0]
    df["ratifier"] = df[col].astype(float)
    df["ratifier_z"] = (df.ratifier - df.ratifier.mean()) / df.ratifier.std()
    df["polyarchy_z"] = (df.v2x_polyarchy - df.v2x_polyarchy.mean()) / df.v2x_polyarchy.std()
    df["ratrules_pts"] = df.ratrules.astype(float)
    df["new_democracy"] = new_democracy(df, data.new_democracy_window)
    df["newdem_x_delegation"] = df.new_democracy * df.delegation
    df["ratifier_x_costly"] = df.ratifier_z * df.costly
    df["polyarchy_x_costly"] = df.polyarchy_z * df.costly
    df["cold_war"] = (df.year <= 1989).astype(int)
    df.attrs = {**attrs, "merges": panel.attrs.get("merges", []), "ratifier_measure": data.ratifier_measure,
                "ratifier_column": col, "derived": {  # model column -> merged columns (the trail of each term)
                    "ratifier_z": [col], "ratifier_x_costly": [col], "polyarchy_z": ["v2x_polyarchy"],
                    "polyarchy_x_costly": ["v2x_polyarchy"], "new_democracy": ["bmr_democracy", "bmr_duration"],
                    "newdem_x_delegation": ["bmr_democracy", "bmr_duration"]}}
    return df


#: The three A1 Cox models: name -> label.
RATIFICATION_MODELS = {"cox_ratifiers": "A1 M1: ratifier strength", "cox_rules": "A1 M2: + ratification rules",
                       "cox_moderators": "A1 M3: + moderators"}


def ratification_covariates(design: Design) -> dict[str, list[str]]:
    """Covariates of the three A1 models (the Simmons scale enters M2 unless it is the ratifier measure)."""
    base = ["ratifier_z", *A1_CONTROLS] + ([] if design.diffusion == "none" else ["share_bound_10"])
    rules = ([] if design.ratifier_measure == "ratrules" else ["ratrules_pts"]) + base
    moderators = base + ["new_democracy", "newdem_x_delegation", "ratifier_x_costly", "polyarchy_x_costly"]
    return dict(zip(RATIFICATION_MODELS, [base, rules, moderators]))


INTERACTION_MODERATOR = {"newdem_x_delegation": "delegation", "ratifier_x_costly": "costly",
                         "polyarchy_x_costly": "costly"}

A1_LABELS = {
    "ratifier_z": "Ratifier strength (per SD)", "polyarchy_z": "Electoral democracy (per SD)",
    "ln_gdppc": "ln GDP per capita", "cold_war": "Cold War (to 1989)",
    "share_bound_10": "Share of states already bound (per 10 points)",
    "ratrules_pts": "Simmons ratification-rules scale (points)", "new_democracy": "New democracy (BMR)",
    "newdem_x_delegation": "New democracy × delegation treaty", "ratifier_x_costly": "Ratifier strength × costly treaty",
    "polyarchy_x_costly": "Democracy × costly treaty",
}


def fit_ratification_models(design: Design, models=None, perturb=None) -> dict:
    """The A1 Cox models named in ``models`` (all three by default) under ``design``, stratified by
    treaty and clustered by country: name -> CoxFit. ``perturb`` is applied to the frame before
    fitting (the multiverse's null)."""
    unknown = sorted(set(models or ()) - set(RATIFICATION_MODELS))
    if unknown:
        raise KeyError(f"no A1 model {unknown[0]!r}; the models are {list(RATIFICATION_MODELS)}")
    if perturb is None and models is None:
        return _ratification_fits(design)
    df = ratification_frame(design.data_choices())
    return _fit_ratification(perturb(df) if perturb else df, design, models)


@cached
def _ratification_fits(design: Design) -> dict:
    """All three A1 fits under ``design``, stored (the propositions page and the variants reuse them)."""
    return _fit_ratification(ratification_frame(design.data_choices()), design, None)


def _fit_ratification(df: pd.DataFrame, design: Design, models) -> dict:
    from ..models import fit_cox

    fits = {}
    # on the opening clock every state at risk of a treaty shares its calendar year at each
    # analysis time, so purely calendar covariates are constant within every risk set
    opening = design.risk_start == "opening"
    calendar_only = ({"cold_war", "share_bound_10"} if design.diffusion == "global" else {"cold_war"}) if opening else set()
    for name, covs in ratification_covariates(design).items():
        if models is not None and name not in models:
            continue
        covs = [c for c in covs if c not in calendar_only]
        # an interaction with a moderator that is constant in this treaty set duplicates its main term
        usable = [c for c in covs if df[c].notna().any() and df[c].nunique() > 1
                  and not (c in INTERACTION_MODERATOR and df[INTERACTION_MODERATOR[c]].nunique() < 2)]
        fits[name] = fit_cox(df, usable, strata="mtdsg_no", cluster="ccode", ties=design.ties,
                             subject=["ccode", "mtdsg_no"], name=name, label=RATIFICATION_MODELS[name],
                             sources=["untc_mtdsg_2015", "cow_states"])
    return fits


def fit_key_models(design: Design, models=None, perturb=None) -> dict:
    """The study contract (CONTRIBUTING.md): ``ModelResult`` of each named A1 Cox model under ``design``."""
    return {name: fit.result for name, fit in fit_ratification_models(design, models, perturb).items()}


def entry_tercile(df: pd.DataFrame, column: str = "ratifier") -> pd.Series:
    """Each spell's ratifier measure at entry, cut into (at most) three quantile groups, fixed per
    spell for Kaplan–Meier; a coarse scale (Simmons' five values) may give fewer groups."""
    first = df.sort_values("year").groupby(["ccode", "mtdsg_no"])[column].transform("first")
    codes = pd.qcut(first, 3, labels=False, duplicates="drop")
    names = {2: ["weakest", "strongest"], 3: ["weakest third", "middle third", "strongest third"]}.get(
        int(codes.max()) + 1 if codes.notna().any() else 0, ["all"])
    return codes.map(lambda c: np.nan if pd.isna(c) else names[int(c)])


# --- A2: democratisation and IGO accession -------------------------------------------------

@cached
def igo_accessions(start: int = 1966, end: int = 2014) -> pd.DataFrame:
    """Accessions to existing IGOs: (ccode, igo, year) where a state is a full member in ``year``,
    was a coded non-member the year before, and the IGO already existed then.

    Founding memberships (no IGO row the year before) are creation, not accession, and are
    left out; a prior-year missing code (-9) is not a known non-membership and is skipped.
    Each accession carries the IGO's size and democratic density (mean V-Dem polyarchy of
    its full members) in the year before.
    """
    from ..sources import read_igo_memberships, read_vdem

    m = read_igo_memberships()
    m = m[m.year.between(start - 1, end)].astype({"ccode": "int64", "year": "int64"})
    full = m[m.status == "full"][["ccode", "igo", "year"]]
    coded = m[["ccode", "igo", "year"]]  # any row: full, associate, observer or -9
    missing = m[m.status.isna()][["ccode", "igo", "year"]]
    alive = m[["igo", "year"]].drop_duplicates()
    prev = full.assign(year=full.year + 1)
    joins = full.merge(prev.assign(was_full=1), on=["ccode", "igo", "year"], how="left")
    joins = joins[joins.was_full.isna()].drop(columns="was_full")
    joins = joins.merge(alive.assign(year=alive.year + 1, existed=1), on=["igo", "year"], how="left")
    joins = joins[joins.existed.eq(1)].drop(columns="existed")
    joins = joins.merge(missing.assign(year=missing.year + 1, was_missing=1), on=["ccode", "igo", "year"], how="left")
    joins = joins[joins.was_missing.isna() & joins.year.between(start, end)].drop(columns="was_missing")
    # a state new to the system (or a new COW code, as unified Germany in 1990) would "join"
    # everything it inherits in its first year: count accessions of states present the year before
    present = state_years("cow", start - 1, end)[["ccode", "year"]].astype("int64")
    joins = joins.merge(present.assign(year=present.year + 1, present=1), on=["ccode", "year"], how="left")
    joins = joins[joins.present.eq(1)].drop(columns="present")
    poly = read_vdem()[["ccode", "year", "v2x_polyarchy"]].dropna().astype({"ccode": "int64", "year": "int64"})
    members = full.merge(poly, on=["ccode", "year"], how="left")
    igo_year = members.groupby(["igo", "year"]).agg(size=("ccode", "size"), density=("v2x_polyarchy", "mean"))
    igo_year = igo_year.reset_index().assign(year=lambda d: d.year + 1)
    out = joins.merge(igo_year, on=["igo", "year"], how="left")
    out.attrs = {"source": "igo_memberships", "coded_rows": len(coded)}
    return out


@cached
@built_by
def accession_panel(start: int = 1966, end: int = 2014, transition_window: int = 3, lag: int = 1) -> pd.DataFrame:
    """Country-years with accession counts (all, democratic/other IGOs, small/large IGOs) and
    a BMR democratisation indicator: a transition to democracy in ``year`` or the
    ``transition_window - 1`` years before."""
    from ..sources import read_bmr

    joins = igo_accessions(start, end)
    dens_cut = joins.density.median()
    size_cut = joins["size"].median()
    joins = joins.assign(democratic=(joins.density > dens_cut).astype(int), small=(joins["size"] <= size_cut).astype(int))
    counts = joins.groupby(["ccode", "year"]).agg(
        joins_all=("igo", "size"), joins_democratic=("democratic", "sum"), joins_small=("small", "sum")).reset_index()
    counts["joins_other"] = counts.joins_all - counts.joins_democratic
    counts["joins_large"] = counts.joins_all - counts.joins_small
    panel = state_years("cow", start, end)[["ccode", "year"]].merge(counts, on=["ccode", "year"], how="left")
    cols = ["joins_all", "joins_democratic", "joins_other", "joins_small", "joins_large"]
    panel[cols] = panel[cols].fillna(0).astype(int)
    bmr = read_bmr()[["ccode", "year", "democracy", "democracy_trans"]].dropna(subset=["ccode"])
    bmr = bmr.astype({"ccode": "int64", "year": "int64"}).sort_values(["ccode", "year"])
    trans = bmr.democracy_trans.eq(1).fillna(False).astype(int)
    bmr["democratizing"] = trans.groupby(bmr.ccode).transform(
        lambda s: s.rolling(transition_window, min_periods=1).max())
    bmr["transition_year"] = bmr.year.where(trans == 1)
    panel = panel.merge(bmr[["ccode", "year", "democratizing", "transition_year"]], on=["ccode", "year"], how="left")
    panel = (panel.pipe(add_democracy, "bmr", lag=lag).pipe(add_gdp_per_capita, lag=lag).pipe(add_igo_count, lag=lag))
    panel["igo_full_10"] = panel.igo_full.astype(float) / 10
    panel.attrs.update(density_cut=float(dens_cut), size_cut=float(size_cut), accessions=len(joins),
                       # the inputs read outside the panel verbs
                       inputs=["cow_states", "igo_memberships", "vdem_simple", origin(bmr)])
    return panel


#: Years around an event (a transition, an accession) the event studies estimate; the ends are binned.
EVENT_WINDOW = (-5, 10)


def first_transition(panel: pd.DataFrame) -> pd.Series:
    """Each row's country's first BMR transition to democracy inside the panel (missing if none)."""
    first = panel.groupby("ccode").transition_year.transform("min")
    return first


# --- A3: the democracy deficit -------------------------------------------------------------

@cached
@built_by
def constraints_panel(start: int = 1970, end: int = 2014, exposure_lag: int = 1) -> pd.DataFrame:
    """Country-years 1970-2014: V-Dem constraints (current), IGO count lagged ``exposure_lag``
    years, ln GDP per capita and BMR democracy lagged one year, and the first year of full
    GATT or WTO membership."""
    from ..sources import read_igo_memberships

    panel = (state_years("cow", start, end)[["ccode", "year"]]
             .pipe(add_constraints)
             .pipe(add_igo_count, lag=exposure_lag)
             .pipe(add_gdp_per_capita, lag=1)
             .pipe(add_democracy, "bmr", lag=1))
    panel["igo_full_10"] = panel.igo_full.astype(float) / 10
    trade = read_igo_memberships(["gatt", "wto"])
    first = trade[trade.status == "full"].groupby("ccode").year.min().rename("gatt_wto_year").reset_index()
    first = first.astype({"ccode": "int64", "gatt_wto_year": "int64"})
    panel = keep_merges(panel.merge(first, on="ccode", how="left"), panel)  # the join drops the merge records
    panel.attrs["inputs"] = [origin(trade)]  # GATT/WTO membership years
    return panel


# --- the A2 and A3 model sets (cached, so the propositions page reuses them) ------------------

A2_TERMS = ["democratizing", "bmr_democracy", "ln_gdppc", "igo_full_10"]
#: The A2 Poisson models: name -> (count of accessions, label).
ACCESSION_MODELS = {"accessions_all": ("joins_all", "All accessions"),
                    "accessions_democratic": ("joins_democratic", "Democratic IGOs"),
                    "accessions_other": ("joins_other", "Less democratic IGOs"),
                    "accessions_small": ("joins_small", "Small IGOs"), "accessions_large": ("joins_large", "Large IGOs")}
FE = ("ccode", "year")  # country and year fixed effects, SEs clustered by country (the models' default)


@cached
def fit_accession_models(start: int = 1966, end: int = 2014, transition_window: int = 3) -> dict:
    """A2 Poisson models of IGO accessions by kind of IGO, country and year effects: name -> RegressionFit.
    Countries that never join anything drop out (their fixed effect would be minus infinity)."""
    panel = accession_panel(start, end, transition_window)
    return {name: fit_poisson(panel, outcome, A2_TERMS, fixed_effects=FE, name=name, label=label,
                              sources=["igo_memberships", "vdem_simple", "bmr"])
            for name, (outcome, label) in ACCESSION_MODELS.items()}


A3_TERMS = ["igo_full_10", "ln_gdppc"]


def gatt_wto_sample(panel: pd.DataFrame, first_year: int = 1975) -> pd.DataFrame:
    """States that joined GATT/WTO from ``first_year`` on, or never: earlier members have no
    pre-accession years in the window. Adds ``post_accession``."""
    sample = panel[~(panel.gatt_wto_year < first_year)].copy()
    sample["post_accession"] = (sample.year >= sample.gatt_wto_year).astype(int)
    return sample


@cached
def fit_constraint_models(start: int = 1970, end: int = 2014) -> dict:
    """A3 two-way fixed-effects models of legislative (and judicial) constraints on IGO exposure and
    GATT/WTO accession: name -> RegressionFit."""
    src = ["vdem_constraints", "cow_igo_sy"]
    out = {}
    for lag in (1, 5, 10):
        name = "legcon_igos" if lag == 1 else f"legcon_igos_lag{lag}"
        out[name] = fit_linear(constraints_panel(start, end, lag), "v2xlg_legcon", A3_TERMS, fixed_effects=FE,
                               name=name, label=f"Legislative constraints, IGOs lag {lag}", sources=src)
    panel = constraints_panel(start, end, 1)
    out["jucon_igos"] = fit_linear(panel, "v2x_jucon", A3_TERMS, fixed_effects=FE, name="jucon_igos",
                                   label="Judicial constraints (comparison)", sources=src)
    out["legcon_igos_dem"] = fit_linear(panel[panel.bmr_democracy == 1], "v2xlg_legcon", A3_TERMS, fixed_effects=FE,
                                        name="legcon_igos_dem", label="Legislative constraints, democracies only",
                                        sources=[*src, "bmr"])
    used, trends = unit_trends(complete(panel, ["v2xlg_legcon", *A3_TERMS, "ccode", "year"]))
    trended = fit_linear(used, "v2xlg_legcon", A3_TERMS + trends, fixed_effects=FE, report=A3_TERMS,
                         name="legcon_igos_trend", label="Legislative constraints, + country trends", sources=src)
    trended.result.model += " + country trends"
    out["legcon_igos_trend"] = dataclasses.replace(trended, frame=trended.frame.drop(columns=trends))
    sample = gatt_wto_sample(panel)
    ev_panel, ev_terms = event_time_dummies(sample, "gatt_wto_year", EVENT_WINDOW)
    wto_src = ["vdem_constraints", "igo_memberships"]
    out["legcon_gatt_event"] = fit_linear(ev_panel, "v2xlg_legcon", ev_terms + ["ln_gdppc"], fixed_effects=FE,
                                          name="legcon_gatt_event", label="A3 event study (GATT/WTO accession)",
                                          sources=wto_src)
    out["legcon_gatt_wto"] = fit_linear(sample, "v2xlg_legcon", ["post_accession", "ln_gdppc"], fixed_effects=FE,
                                        name="legcon_gatt_wto", label="A3 after GATT/WTO accession", sources=wto_src)
    return out


# --- the IMF: bringing in the Fund, and conditionality on the ratifiers -------------------------

@cached
@built_by
def imf_entry_panel(start: int = 1970, end: int = 2014) -> pd.DataFrame:
    """COW state-years (A3's window: V-Dem's constraints start in 1970) with ``imf_new`` (an IMF arrangement approved in the year) and last year's
    V-Dem constraints, BMR democracy and ln GDP per capita: who brings in the Fund."""
    return (state_years("cow", start, end)[["ccode", "year"]]
            .pipe(add_constraints, lag=1)
            .pipe(add_democracy, "bmr", lag=1)
            .pipe(add_gdp_per_capita, lag=1)
            .pipe(add_imf_arrangements))


IMF_LABELS = {"v2xlg_legcon": "Legislative constraints (last year)", "bmr_democracy": "Democracy last year (BMR)",
              "ln_gdppc": "ln GDP per capita (last year)", "imf_program": "Under an IMF arrangement last year",
              "igo_full_10": "IGO memberships (per 10, last year)"}


@cached
def fit_imf_models(start: int = 1970, end: int = 2014) -> dict:
    """The chapter's two IMF tests, linear with country and year fixed effects, SEs clustered by country:

    * ``imf_entry``: a new arrangement approved in the year (0/1, a linear probability model) on last
      year's legislative constraints, democracy and income (H1b: blocked initiators bring in the Fund);
    * ``legcon_imf``: legislative constraints on being under an arrangement last year, with A3's
      controls (the text's remark that IMF structural-adjustment lending constrains non-executive
      institutions).
    """
    src = ["imf_arrangements", "vdem_constraints"]
    entry = fit_linear(imf_entry_panel(start, end), "imf_new", ["v2xlg_legcon", "bmr_democracy", "ln_gdppc"],
                       fixed_effects=FE, name="imf_entry", label="New IMF arrangement (linear probability)",
                       sources=[*src, "bmr", "wdi_gdppc"])
    panel = constraints_panel(start, end, 1).pipe(add_imf_arrangements, lag=1)
    legcon = fit_linear(panel, "v2xlg_legcon", ["imf_program", *A3_TERMS], fixed_effects=FE, name="legcon_imf",
                        label="Legislative constraints, IMF arrangement last year", sources=[*src, "cow_igo_sy"])
    return {"imf_entry": entry, "legcon_imf": legcon}


def imf_checks(arrangements: pd.DataFrame) -> pd.Series:
    """Consistency checks of the IMF arrangement table (it comes without a provenance note): counts of
    arrangements failing each check (0 everywhere is what a clean table gives)."""
    ends = arrangements.end_date.fillna(arrangements.expiration_date)
    planned = arrangements.extended_expiration_date.fillna(arrangements.expiration_date)  # after any extension
    cancelled = arrangements.cancellation_date.notna()
    return pd.Series({
        "arrangements": len(arrangements),
        "no COW code in the approval year": int(arrangements.ccode.isna().sum()),
        "no approval date": int(arrangements.approval_date.isna().sum()),
        "expiration before approval": int((arrangements.expiration_date < arrangements.approval_date).sum()),
        "end before approval": int((ends < arrangements.approval_date).sum()),
        "cancelled after the (extended) expiration": int((cancelled & (arrangements.cancellation_date > planned)).sum()),
        "same country, type and approval date twice": int(arrangements.duplicated(
            ["ccode", "arrangement_type", "approval_date"]).sum()),
    })


__all__ = [
    "A1_LABELS", "A2_TERMS", "A3_TERMS", "ACCESSION_MODELS", "Design", "EVENT_WINDOW", "RATIFICATION_MODELS",
    "RATIFIER_MEASURES", "TREATIES", "TREATY_SETS", "accession_panel", "constraints_panel", "diffusion_shares",
    "entry_tercile", "first_transition", "fit_accession_models", "fit_constraint_models", "fit_key_models",
    "fit_imf_models", "fit_ratification_models", "gatt_wto_sample", "igo_accessions", "imf_checks",
    "imf_entry_panel", "IMF_LABELS", "new_democracy",
    "ratification_covariates", "ratification_frame", "ratification_risk_set", "ratifier_panel",
    "signatures_and_consents", "treaty_set", "treaty_table",
]
