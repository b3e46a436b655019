"""Chapter 4 (Levick & Schulz 2020): who in the Americas joins which treaties, and when.

Country-treaty-year risk sets for the 34 independent American states other than the
United States, and the covariates of the paper's Table 2 assembled onto them:

* **UN sample** — our public stand-in for the paper's UNTS treaties: MTDSG treaties
  (deposited with the UN Secretary-General) adopted in the window, with at least three
  participants, at least two of them American; the ``mtdsg+ieadb`` universe adds the IEADB's
  multilateral agreements that entered into force, under the same rule, each instrument once.
* **Inter-American sample** — only the OAS-system instruments in GGO (manytreaties) are
  public in machine-readable form, so column 1 is partial; a user who has the OAS
  signatory tables can pass them through :func:`ratify.sources.oas.read_oas_signatory_table`.

The rules here (the sample filters, the chapter-to-subject crosswalk, the intervention
definitions) are the chapter's documented choices; every number comes from the sources.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Annotated, Literal

import pandas as pd

from ..cache import cached, data_builder
from ..design import FILE, MODEL, Between, StudyDesign, check_value, design_fields
from ..panels.merge import keep_merges
from ..provenance import built_by

US = 2
#: COW codes of the Americas: 20 (Canada) to 165 (Uruguay); the US (2) is outside the range.
AMERICAS = (20, 165)
SUBJECTS = ("Security", "Economic", "Framework", "Legal", "Cultural", "Other")
REFERENCE_SUBJECT = "Security"

#: MTDSG chapter -> the paper's subject scheme (Petersen & Schulz's five areas plus Other).
#: "paper" is the book's reading: peace and security (II Pacific settlement, XXVI Disarmament);
#: economic development and commerce; framework = the UN Charter and ICJ Statute; legal
#: affairs and human rights; social, cultural and scientific cooperation; Other for what fits
#: none (environment, miscellaneous).
MTDSG_SUBJECTS = {
    "paper": {
        1: "Framework", 2: "Security", 3: "Legal", 4: "Legal", 5: "Legal", 6: "Cultural", 7: "Legal",
        8: "Legal", 9: "Cultural", 10: "Economic", 11: "Economic", 12: "Economic", 13: "Economic",
        14: "Cultural", 15: "Legal", 16: "Legal", 17: "Legal", 18: "Legal", 19: "Economic", 20: "Legal",
        21: "Legal", 22: "Economic", 23: "Legal", 24: "Cultural", 25: "Economic", 26: "Security",
        27: "Other", 28: "Economic", 29: "Other",
    },
}
#: "security_wide": penal matters (terrorism, organised crime), narcotics and outer space count
#: as security; environment as scientific cooperation; law of the sea as Other.
MTDSG_SUBJECTS["security_wide"] = {**MTDSG_SUBJECTS["paper"], 6: "Security", 18: "Security", 24: "Security",
                                   27: "Cultural", 21: "Other"}

#: The GGO inter-American instruments (``manytreaties.OAS_INSTRUMENTS``) on the same scheme.
OAS_SUBJECTS = {"INAIAS_1944A": "Cultural", "CHROAS_1948A": "Framework", "INAIAS_1958P:INAIAS_1944A": "Cultural",
                "INAICA_1979A": "Cultural", "INAPPT_1985A": "Legal", "SLV_1988P04": "Legal",
                "IA04VW_1994A": "Legal", "IA04PD_1999A": "Legal"}

#: Covariates of Table 2, in the paper's order (subject dummies follow).
THREAT = ["ideal_diff", "us_intervention", "us_cinc", "distance_1000km"]
CONTROLS = ["cinc", "cinc_sq", "constraints", "indep_after_1945", "signed", "bound_before"]
LABELS = {"ideal_diff": "Absolute ideal point difference", "us_intervention": "Recent US intervention",
          "us_cinc": "Material capabilities (US)", "distance_1000km": "Distance from the US (1,000 km)",
          "us_part": "US participation", "cinc": "Material capabilities", "cinc_sq": "Material capabilities (squared)",
          "constraints": "Domestic political constraints (proxy)", "indep_after_1945": "Independent after 1945",
          "signed": "Signature", "bound_before": "Total countries bound (lagged)",
          **{f"subject_{s.lower()}": s for s in SUBJECTS}}



# --- the design ---------------------------------------------------------------------------------

FIRST_YEAR = 1946  # the window opens with the first treaties deposited with the Secretary-General


@dataclass(frozen=True, repr=False)
class Design(StudyDesign):
    """Every choice of the Table 2 analysis, with the book's as defaults (the notebook's parameters)."""

    end_year: Annotated[int, Between(1990, 2015)] = 2015  # last year observed; open pairs censored on 31 December
    threat: Literal["ideal_point", "disagreement"] = "ideal_point"  # UNGA ideal-point gap, or votes not with the US
    intervention_source: Literal["mip", "icb", "mids"] = "mip"  # MIP, ICB v13 crises, or COW MIDs with US force
    intervention_window: Annotated[int, Between(1, 5)] = 3  # an intervention counts in the next this-many years
    constraints: Literal["xconst", "legcon", "none"] = "xconst"  # POLCON proxy: Polity5, V-Dem (1970-), or none
    subject_map: Literal["paper", "security_wide"] = "paper"  # crosswalk of MTDSG chapters onto the subjects
    ties: Annotated[Literal["breslow", "efron"], MODEL] = "breslow"  # tied consent years (the paper: Breslow)
    us_definition: Literal["sign_or_bind", "bind"] = "sign_or_bind"  # US participates once it signed, or bound
    drop_states: Annotated[tuple[int, ...], Between(20, 165)] = ()  # COW codes left out (Americas but the US: 20-165; Cuba 40)
    adopted_by: Annotated[int, Between(1960, 2015)] = 2015  # keep only treaties adopted in or before this year
    oas_table: Annotated[str, FILE] = ""  # a local OAS signatory table (format in 01-risk-sets); empty: GGO's instruments
    treaty_universe: Literal["mtdsg", "mtdsg+ieadb"] = "mtdsg"  # UN sample: MTDSG treaties, or plus IEADB agreements in force


def checked(name: str, value):
    """``value`` checked against the Design's field ``name``: the book's one ``ParameterError``
    (naming the value and what is allowed) for a builder called with a choice directly."""
    return check_value(next(f for f in design_fields(Design) if f.name == name), value)


def covariate_names(sample: str, subjects: list[str] | None = None, constraints: str = "xconst") -> list[str]:
    """Table 2's covariates for ``sample`` ("all", "us", "no_us" or "oas"), in the paper's order."""
    inclusive = [] if sample in ("us", "no_us") else ["us_part"]
    controls = [c for c in CONTROLS if not (c == "constraints" and constraints == "none")]
    dummies = [f"subject_{s.lower()}" for s in (subjects or []) if s != REFERENCE_SUBJECT]
    return THREAT + inclusive + controls + dummies


# --- the states ---------------------------------------------------------------------------------

def american_states(first: int = 1946, last: int = 2015, drop: tuple[int, ...] = ()) -> pd.DataFrame:
    """COW state-years of the 34 American states other than the US (minus ``drop``)."""
    from ..panels import state_years
    states = state_years("cow", first, last)
    keep = states.ccode.between(*AMERICAS) & ~states.ccode.isin(list(drop))
    return states[keep].reset_index(drop=True)


def independence_after_1945() -> pd.DataFrame:
    """1 for states that entered the COW system after 1945 (the Caribbean, Guyana, Suriname)."""
    from ..panels import state_years
    first = state_years("cow").groupby("ccode").year.min()
    return pd.DataFrame({"ccode": first.index, "indep_after_1945": (first > 1945).astype(int).to_numpy()})


# --- treaties and participation -----------------------------------------------------------------

#: The paper drops a pair whose state was bound before it entered (Trinidad and Tobago's
#: pre-independence adhesion): such actions keep the state's later code so the risk set sees them.
PARTICIPANT_RULE = "action_year_or_later"


def treaty_subjects(index: pd.DataFrame, mapping: str = "paper") -> pd.Series:
    """Subject of each MTDSG treaty (by ``mtdsg_no``) from its chapter, under ``mapping``."""
    table = MTDSG_SUBJECTS[checked("subject_map", mapping)]
    unknown = sorted(set(index.chapter) - set(table))
    if unknown:
        raise KeyError(f"MTDSG chapter(s) {unknown} have no subject in the {mapping!r} crosswalk")
    return pd.Series(index.chapter.map(table).to_numpy(), index=index.mtdsg_no.to_numpy(), name="subject")


def crosswalk_table(index: pd.DataFrame) -> pd.DataFrame:
    """The crosswalk as a table: chapter, its UN name, and the subject under each mapping."""
    chapters = index[["chapter", "chapter_name"]].drop_duplicates().sort_values("chapter")
    for name, table in MTDSG_SUBJECTS.items():
        chapters[name] = chapters.chapter.map(table)
    return chapters.reset_index(drop=True)


def select_un_treaties(index: pd.DataFrame, actions: pd.DataFrame, *, first: int = 1946, last: int = 2015,
                       min_participants: int = 3, min_american: int = 2) -> pd.DataFrame:
    """The paper's rule on the UN sample's candidate treaties (MTDSG, and IEADB in the wider universe):

    * adopted ``first``–``last``: the UN sample covers "the same time period" as the
      inter-American one, treaties "adopted ... between 1946 and 2015" (Levick & Schulz 2020, Data);
    * at least ``min_participants`` participants and ``min_american`` of them from the Americas
      (the US included): "at least three participants (the definition of multilateral), at least
      two of which are from the Americas" (ibid.).

    A participant is any state with a dated action in the table (signature or consent).
    """
    states = actions.dropna(subset=["ccode"]).drop_duplicates(["mtdsg_no", "ccode"])
    states = states.assign(american=(states.ccode.between(*AMERICAS) | (states.ccode == US)).astype(int))
    counts = states.groupby("mtdsg_no").agg(participants=("ccode", "size"), american=("american", "sum"))
    out = index.merge(counts, left_on="mtdsg_no", right_index=True, how="inner")
    keep = (out.has_participants & out.adoption_date.dt.year.between(first, last)
            & (out.participants >= min_participants) & (out.american >= min_american))
    return out[keep].reset_index(drop=True)


def us_participation_years(actions: pd.DataFrame, treaty: str, definition: str = "sign_or_bind") -> pd.Series:
    """Year the US first signed or bound itself (``sign_or_bind``) or bound itself (``bind``), per treaty."""
    kinds = {"sign_or_bind": ("signature", "consent"), "bind": ("consent",)}
    us = actions[(actions.ccode == US) & actions.action.isin(kinds[checked("us_definition", definition)])]
    return us.groupby(treaty).date.min().dt.year.rename("us_year")


def bound_before(actions: pd.DataFrame, treaty: str, years: pd.DataFrame, states: str = "all") -> pd.DataFrame:
    """Number of states bound by the end of the previous year, per treaty and year
    (:func:`ratify.treaties.bound_by_previous_year`).

    ``states="all"`` counts every state (the paper's UN rule); ``"americas"`` counts the
    American states, the US included (its inter-American rule).
    """
    from ..treaties import bound_by_previous_year
    peers = {"all": None, "americas": [US, *range(AMERICAS[0], AMERICAS[1] + 1)]}
    if states not in peers:
        raise ValueError(f"states={states!r}; use 'all' or 'americas'")
    return bound_by_previous_year(actions, treaty, years, peers[states]).rename(columns={"bound": "bound_before"})


# --- country-year and year covariates -----------------------------------------------------------

#: The registered source each intervention option reads (what a frame lists among its inputs).
INTERVENTION_SOURCE_IDS = {"mip": "mip_interventions", "icb": "icb_v13", "mids": "cow_mid"}


@data_builder  # MIP is an Excel workbook: reading it takes seconds, a multiverse asks for it hundreds of times
def us_intervention_years(source: str = "mip") -> pd.Series:
    """Years in which a US intervention in the Americas began, by ``source``.

    * ``mip``: Military Intervention Project, US interventions whose target is an American
      state (cases MIP flags ``RemoveCase`` dropped);
    * ``icb``: ICB v13 crises with an American actor and US involvement at the
      semi-military or direct-military level (``usinv`` 8–9);
    * ``mids``: COW MIDs in which the US used force (hostility level 4–5) against an American state.
    """
    from ..sources.interventions import read_icb_actors, read_mids, read_mip
    source = checked("intervention_source", source)
    if source == "mip":
        m = read_mip(drop_removed=True)
        years = m.loc[m.ccode.between(*AMERICAS), "start_year"]
    elif source == "icb":
        c = read_icb_actors()
        years = c.loc[c.ccode.between(*AMERICAS) & (c.us_involvement >= 8), "year"]
    else:
        d = read_mids()
        years = d.loc[(d.ccode1 == US) & d.ccode2.between(*AMERICAS) & (d.hostlev1 >= 4), "year"]
    return pd.Series(sorted(set(years.dropna().astype(int))), name="year")


def intervention_dummy(years: range, onsets: pd.Series, window: int = 3) -> pd.DataFrame:
    """Region-wide dummy: 1 in year t if an intervention began in t−window … t−1."""
    window = checked("intervention_window", window)
    onset = set(onsets)
    rows = [(t, int(any(t - k in onset for k in range(1, window + 1)))) for t in years]
    return pd.DataFrame(rows, columns=["year", "us_intervention"])




@data_builder
def country_covariates(first: int = 1946, last: int = 2015, *, threat: str = "ideal_point",
                       constraints: str = "xconst", lag: int = 0) -> pd.DataFrame:
    """Country-year covariates of the 34 states: distance from the US ideal point, own and US
    CINC (×100, percent of world capabilities) and its square, capital distance to Washington
    (1,000 km), a POLCON proxy and independence after 1945.

    ``threat="disagreement"`` replaces the ideal-point gap by the share of UNGA votes not
    agreeing with the US, in tens of percentage points. ``constraints``: Polity5 ``xconst``
    rescaled to 0–1, V-Dem ``v2xlg_legcon`` (0–1, from 1970), or ``none``.
    """
    from ..panels import add_capabilities, add_distance_to, add_ideal_point
    from ..panels.merge import add_measure
    from ..sources.regimes import read_polity5, read_vdem_constraints
    threat, constraints = checked("threat", threat), checked("constraints", constraints)
    states = american_states(first, last)[["ccode", "year"]]
    us = pd.DataFrame({"ccode": US, "year": range(first, last + 1)})
    panel = pd.concat([states, us], ignore_index=True)
    panel = panel.pipe(add_ideal_point, lag=lag).pipe(add_capabilities, lag=lag)
    us_rows = panel[panel.ccode == US].set_index("year")
    out = panel[panel.ccode != US].copy()
    if threat == "ideal_point":
        out["ideal_diff"] = (out.ideal_point - out.year.map(us_rows.ideal_point)).abs()
    else:
        out["ideal_diff"] = 10 * (1 - out.agree_usa)
    out["us_cinc"] = 100 * out.year.map(us_rows.cinc)
    out["cinc"] = 100 * out.cinc
    out["cinc_sq"] = out.cinc ** 2
    out = add_distance_to(out, US, name="km_to_us")
    out["distance_1000km"] = out.km_to_us / 1000
    if constraints == "xconst":
        pol = read_polity5()
        pol = pol.assign(constraints=(pol.xconst - 1) / 6)
        out = add_measure(out, pol, ["constraints"], source="polity5", lag=lag)
    elif constraints == "legcon":
        v = read_vdem_constraints().dropna(subset=["ccode"])
        v = v.assign(ccode=v.ccode.astype("int64"), constraints=v.v2xlg_legcon)
        out = add_measure(out, v, ["constraints"], source="vdem_constraints", lag=lag)
    out = keep_merges(out.merge(independence_after_1945(), on="ccode", how="left"), out)  # the join drops attrs
    out.attrs["derived"] = {"ideal_diff": ["ideal_point", "agree_usa"], "distance_1000km": ["km_to_us"]}
    cols = ["ccode", "year", "ideal_diff", "us_cinc", "cinc", "cinc_sq", "distance_1000km", "indep_after_1945"]
    return out[cols + (["constraints"] if constraints != "none" else [])].reset_index(drop=True)


# --- assembling a model frame -------------------------------------------------------------------

def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy of ``frame`` (same data) with empty ``attrs``."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


def assemble(risk: pd.DataFrame, actions: pd.DataFrame, subjects: pd.Series, countries: pd.DataFrame,
             intervention: pd.DataFrame, *, treaty: str, us_definition: str = "sign_or_bind",
             peers: str = "all") -> pd.DataFrame:
    """Put Table 2's covariates on a country-treaty-year risk set.

    Treaty-year: US participation (from the year the US signed or bound itself) and the
    lagged count of states bound; country-treaty-year: the state's own signature (from its
    signature year on); treaty: subject dummies; country-year and year: as given.
    The inputs' ``attrs`` (merge records, unmatched names) are not carried: pandas deep-copies
    them at every step, which costs more than the merges, and the callers set the frame's own.
    """
    from ..treaties import first_action_years
    risk, actions, countries = (without_attrs(f) for f in (risk, actions, countries))
    out = risk.copy()
    us_year = us_participation_years(actions, treaty, us_definition)
    out["us_part"] = (out.year >= out[treaty].map(us_year).astype(float)).astype(int)
    sig = first_action_years(actions, treaty, "signature")
    out = out.merge(sig, on=[treaty, "ccode"], how="left")
    out["signed"] = (out.year >= out.signature_year).astype(int)
    out = out.merge(bound_before(actions, treaty, out, peers), on=[treaty, "year"], how="left")
    out["subject"] = out[treaty].map(subjects)
    for s in SUBJECTS:
        out[f"subject_{s.lower()}"] = (out.subject == s).astype(int)
    out = out.merge(countries, on=["ccode", "year"], how="left").merge(intervention, on="year", how="left")
    return out.drop(columns=["signature_year"])


#: The registered sources of each UN treaty universe (what a frame lists among its inputs).
UNIVERSE_SOURCES = {"mtdsg": ["untc_mtdsg_2015"], "mtdsg+ieadb": ["untc_mtdsg_2015", "ieadb_2026"]}
#: IEADB agreements are environmental: each takes the subject of MTDSG chapter XXVII (Environment)
#: under the crosswalk in use (see :data:`MTDSG_SUBJECTS`: Other under "paper", Cultural under
#: "security_wide"), so one instrument has one subject whichever source lists it.
IEADB_CHAPTER = 27


@cached
def un_inputs(first: int = 1946, last: int = 2015, universe: str = "mtdsg") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The candidate treaties of the UN sample (MTDSG index rows with participant tables adopted in
    the window; with ``universe="mtdsg+ieadb"`` also :func:`ieadb_candidates`) and their dated actions.
    IEADB rows carry ``mtdsg_no`` = ``"IEA-<id>"`` (the sample's one treaty key) and their
    selection record in ``attrs["ieadb"]`` of both frames."""
    from ..sources.untc import read_untc_index, read_untc_participants
    from ..treaties import participants_with_cow
    universe = checked("treaty_universe", universe)
    index = read_untc_index()
    index = index[index.has_participants & index.adoption_date.dt.year.between(first, last)]
    actions = participants_with_cow(read_untc_participants(index.mtdsg_no.tolist()), PARTICIPANT_RULE)
    if universe == "mtdsg":
        return index, actions
    extra, extra_actions = ieadb_candidates(index, first, last)
    attrs = {**actions.attrs, "ieadb": extra.attrs["ieadb"]}
    index = pd.concat([index, extra], ignore_index=True)
    actions = pd.concat([actions, extra_actions], ignore_index=True)
    index.attrs, actions.attrs = {"ieadb": attrs["ieadb"]}, attrs
    return index, actions


def ieadb_candidates(mtdsg_index: pd.DataFrame, first: int = 1946, last: int = 2015
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IEADB agreements that can join the UN sample, in the MTDSG index's shape, and their actions.

    The paper's sample is multilateral treaties registered with the UN, which registers a treaty
    on its entry into force (its note 6), adopted 1946–2015. So: IEADB agreements open to three or
    more governments, concluded ``first``–``last`` (a 1111 conclusion date cannot be placed in the
    window and is left out), that entered into force (:func:`ratify.sources.ieadb.entry_into_force`:
    a dated entry into force, or a 1111 one with a dated member entry into force), and not the
    same instrument as an MTDSG treaty of ``mtdsg_index`` (:func:`ratify.crosswalk.ieadb_mtdsg_pairs`;
    the MTDSG copy is kept). The participant rule is applied later, to both sources alike
    (:func:`select_un_treaties`). ``attrs["ieadb"]`` counts what each step left out.
    """
    from ..crosswalk import ieadb_actions, ieadb_mtdsg_pairs
    from ..sources.ieadb import entry_into_force, read_ieadb_agreements, read_ieadb_memberships
    agreements, members = read_ieadb_agreements(), read_ieadb_memberships()
    multi = agreements[agreements.multilateral]
    force = multi.iea_id.map(entry_into_force(multi, members))
    window = multi.concluded_date.dt.year.between(first, last)
    candidates = multi[window & force.ne("unknown")]
    pairs = ieadb_mtdsg_pairs(mtdsg_index, candidates)
    new = candidates[~candidates.iea_id.isin(pairs.iea_id)]
    treaties = pd.DataFrame({"mtdsg_no": "IEA-" + new.iea_id.astype(str), "title": new.name.to_numpy(),
                             "adoption_date": new.concluded_date.to_numpy(), "chapter": IEADB_CHAPTER,
                             "chapter_name": "Environment (IEADB agreements)", "has_participants": True,
                             "iea_id": new.iea_id.to_numpy(),
                             "ieadb_environmental": new.inclusion.str[1].eq("E").to_numpy(),
                             "unts_citation": new.unts.str.strip().fillna("").ne("").to_numpy()})
    actions = ieadb_actions(members, new.iea_id).rename(columns={"treaty": "mtdsg_no"})
    treaties.attrs["ieadb"] = {
        "multilateral": len(multi), "conclusion_unknown": int(multi.concluded_date.isna().sum()),
        "outside_window": int((multi.concluded_date.notna() & ~window).sum()),
        "not_known_in_force": int((window & force.eq("unknown")).sum()),
        "in_force_date_unknown": int((window & force.eq("undated")).sum()),
        "same_as_mtdsg": len(pairs), "pair_rules": pairs.rule.value_counts().to_dict(),
        "candidates": len(treaties), "coded_non_environmental": int((~treaties.ieadb_environmental).sum()),
        "with_unts_citation": int(treaties.unts_citation.sum()),
        "undated_actions": int(actions.attrs.get("undated", 0))}
    return treaties, actions


def un_risk_set(index: pd.DataFrame, actions: pd.DataFrame, design: Design,
                first: int = FIRST_YEAR) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The selected UN treaties and their country-treaty-year risk set under ``design``."""
    from ..risksets import treaty_risk_set
    treaties = select_un_treaties(index, actions, first=first, last=design.adopted_by or design.end_year)
    states = american_states(first, design.end_year, drop=design.drop_states)
    consents = actions[actions.mtdsg_no.isin(treaties.mtdsg_no)]
    return treaties, treaty_risk_set(states, treaties, consents, end=design.end_year, participant_key="ccode")


@data_builder
def _un_risk_stage(first: int, last: int, adopted_by: int, drop_states: tuple[int, ...], universe: str = "mtdsg"):
    """:func:`un_risk_set` for the only choices it depends on, stored: universes share it."""
    data = Design(end_year=last, adopted_by=adopted_by, drop_states=drop_states, treaty_universe=universe)
    return un_risk_set(*un_inputs(first, last, universe), data, first)


def build_un_frame(index: pd.DataFrame, actions: pd.DataFrame, design: Design | None = None,
                   first: int = FIRST_YEAR, *, risk: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The UN-sample model frame from parsed inputs under ``design``; ``risk`` (treaties, risk set)
    when already built. ``attrs`` times the two steps (seconds)."""
    from time import perf_counter

    design = design or Design()
    t0 = perf_counter()
    treaties, risk = risk or un_risk_set(index, actions, design, first)
    t1 = perf_counter()
    last = design.end_year
    countries = country_covariates(first, last, threat=design.threat, constraints=design.constraints)
    frame = assemble(risk, actions, treaty_subjects(treaties, design.subject_map), countries,
                     intervention_dummy(range(first, last + 1), us_intervention_years(design.intervention_source),
                                        design.intervention_window),
                     treaty="mtdsg_no", us_definition=design.us_definition, peers="all")
    frame = keep_merges(frame, countries)  # assemble's joins drop the covariates' merge records
    frame.attrs.update({"inputs": [*UNIVERSE_SOURCES[design.treaty_universe], "cow_states",
                                   INTERVENTION_SOURCE_IDS[design.intervention_source]],
                        "treaty_universe": design.treaty_universe, "treaties": len(treaties),
                        "ieadb_treaties": int(treaties.mtdsg_no.str.startswith("IEA-").sum()), "unmatched_participants": risk.attrs.get("unmatched_participants"),
                        "bound_before_entry": len(risk.attrs.get("bound_before_entry", [])),
                        "seconds_risk_set": t1 - t0, "seconds_covariates": perf_counter() - t1})
    return frame


@data_builder(store=False)  # 36 MB a frame, hundreds in a multiverse: built from the stored stages instead
@built_by
def un_frame(data: Design) -> pd.DataFrame:
    """The UN-sample model frame (country-treaty-years with every Table 2 covariate) for a design's
    data choices (``design.data_choices()``), shared in a process by every universe that has them."""
    stage = _un_risk_stage(FIRST_YEAR, data.end_year, data.adopted_by, data.drop_states, data.treaty_universe)
    return build_un_frame(*un_inputs(FIRST_YEAR, data.end_year, data.treaty_universe), data, risk=stage)


# --- the inter-American sample ------------------------------------------------------------------

@data_builder  # GGO's party table takes seconds to read; every universe's OAS frame starts here
def oas_from_manytreaties(first: int = 1946, last: int = 2015) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The OAS-system instruments in GGO with party rows, adopted in the window: (treaties, actions)."""
    from ..sources.manytreaties import read_manytreaties_agreements, read_manytreaties_parties
    agreements = read_manytreaties_agreements()
    parties = read_manytreaties_parties()
    parties = parties[parties.oas].rename(columns={"treaty_id": "treaty"})
    treaties = agreements[agreements.oas_candidate & agreements.treaty_id.isin(parties.treaty)]
    treaties = treaties.rename(columns={"treaty_id": "treaty"})
    treaties = treaties[treaties.adoption_date.dt.year.between(first, last)]
    treaties = treaties.drop_duplicates("treaty")[["treaty", "title", "adoption_date"]].reset_index(drop=True)
    actions = parties[parties.treaty.isin(treaties.treaty)].dropna(subset=["date", "ccode"])
    return treaties, actions.assign(ccode=actions.ccode.astype("Int64"))


@data_builder
@built_by
def oas_frame(data: Design, subjects: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    """The inter-American model frame for a design's data choices: from a user's OAS table
    (``oas_table``, a local file the design holds by content, so an edited table is a new frame)
    or, by default, the few OAS instruments in GGO (partial). ``subjects`` maps OAS codes to
    subjects for a user's table."""
    from ..risksets import treaty_risk_set
    from ..sources.oas import read_oas_signatory_table
    first, last = FIRST_YEAR, data.end_year
    if data.oas_table:
        treaties, actions = read_oas_signatory_table(data.oas_table)
        subject = pd.Series(dict(subjects), name="subject")
    else:
        treaties, actions = oas_from_manytreaties(first, last)
        subject = pd.Series(OAS_SUBJECTS, name="subject")
    treaties = treaties[treaties.adoption_date.dt.year.between(first, data.adopted_by or last)]
    actions = actions[actions.treaty.isin(treaties.treaty)]
    risk = treaty_risk_set(american_states(first, last, drop=data.drop_states), treaties, actions, end=last,
                           treaty="treaty", participant_key="ccode")
    countries = country_covariates(first, last, threat=data.threat, constraints=data.constraints)
    frame = assemble(risk, actions, subject, countries,
                     intervention_dummy(range(first, last + 1), us_intervention_years(data.intervention_source),
                                        data.intervention_window),
                     treaty="treaty", us_definition=data.us_definition, peers="americas")
    frame = keep_merges(frame, countries)  # assemble's joins drop the covariates' merge records
    treaty_inputs = ([{"source": "OAS signatory table (user-supplied)", "file": str(data.oas_table),
                       "sha256": data.oas_table.sha256}] if data.oas_table
                     else ["manytreaties_agreements", "manytreaties_parties"])
    frame.attrs.update({"inputs": [*treaty_inputs, "cow_states", INTERVENTION_SOURCE_IDS[data.intervention_source]],
                        "treaties": int(treaties.treaty.nunique()),
                        "bound_before_entry": len(risk.attrs.get("bound_before_entry", []))})
    return frame


# --- models and comparison ----------------------------------------------------------------------

def fit_table2(frame: pd.DataFrame, sample: str, *, name: str, label: str, constraints: str = "xconst",
               ties: str = "breslow", strata: str | None = None, subjects: list[str] | None = None,
               init: dict | None = None):
    """One column of Table 2: Cox, clustered by country, on the records of ``sample`` (``init``:
    starting coefficients by covariate, a warm start; the optimum is the same)."""
    from ..models import fit_cox
    rows = {"all": frame, "oas": frame, "us": frame[frame.us_part == 1], "no_us": frame[frame.us_part == 0]}[sample]
    present = subjects if subjects is not None else [s for s in SUBJECTS if rows[f"subject_{s.lower()}"].any()]
    covs = covariate_names(sample, present, constraints)
    covs = [c for c in covs if rows[c].nunique(dropna=True) > 1]  # e.g. no Other treaties in a subsample
    treaty = "mtdsg_no" if "mtdsg_no" in rows.columns else "treaty"
    return fit_cox(rows, covs, cluster="ccode", ties=ties, strata=strata, subject=["ccode", treaty],
                   name=name, label=label, init=init)


#: Table 2's columns: model name -> (sample, label). Column 1 is the OAS sample, 2 the UN sample.
TABLE2 = {"ls_oas": ("oas", "Sample 1: OAS instruments in GGO (illustrative)"),
          "ls_un_all": ("all", "Sample 2: UN treaties, all"),
          "ls_un_us": ("us", "Subsample 2A: UN treaties, US participates"),
          "ls_un_no_us": ("no_us", "Subsample 2B: UN treaties, no US participation")}


def fit_table2_columns(design: Design, models=None, perturb=None, warm: bool = False) -> dict:
    """The Cox fits (``CoxFit``) of Table 2's columns named in ``models`` (all by default) under
    ``design``; ``perturb`` is applied to each model frame before fitting (the multiverse's null);
    ``warm`` starts each fit from the book's design's estimates (same optimum, fewer Newton steps)."""
    unknown = sorted(set(models or ()) - set(TABLE2))
    if unknown:
        raise KeyError(f"no Table 2 model {unknown[0]!r}; the models are {list(TABLE2)}")
    data = design.data_choices()
    fits = {}
    for name in (m for m in TABLE2 if models is None or m in models):
        sample, label = TABLE2[name]
        frame = oas_frame(data) if sample == "oas" else un_frame(data)
        frame = perturb(frame) if perturb else frame
        fits[name] = fit_table2(frame, sample, name=name, label=label, constraints=design.constraints,
                                ties=design.ties, subjects=[] if sample == "oas" else None,
                                init=_book_estimates(name) if warm and design != Design() else None)
    return fits


@functools.lru_cache(maxsize=None)
def _book_estimates(name: str) -> dict[str, float]:
    """Coefficients of Table 2's model ``name`` under the book's design (once per process)."""
    return dict(zip(*fit_table2_columns(Design(), [name])[name].result.terms[["term", "estimate"]].T.to_numpy()))


def fit_key_models(design: Design, models=None, perturb=None) -> dict:
    """The study contract (CONTRIBUTING.md): ``ModelResult`` of each named Table 2 model under ``design``,
    each fit started from the book's design's estimates (a multiverse's neighbours converge in fewer steps)."""
    return {name: fit.result for name, fit in fit_table2_columns(design, models, perturb, warm=True).items()}


def fit_statistics(fit) -> dict:
    """Table 2's footer for one fit: observations, subjects, failures, pseudo log-likelihood, Wald χ²."""
    wald = fit.wald_test(list(fit.result.terms.term))
    return {"observations": fit.result.n, "subjects": fit.result.subjects, "failures": fit.result.events,
            "pseudo_loglik": fit.loglik, "wald_chi2": wald["chi2"], "wald_df": wald["df"],
            "clusters": int(fit.frame.ccode.nunique())}


#: Rows of :func:`universe_summary`: what each number counts.
UNIVERSE_ROWS = {
    "treaties": "treaties in the sample", "ieadb_treaties": "of which IEADB agreements",
    "ieadb_unts": "of which IEADB agreements with a UN Treaty Series citation",
    "environment_treaties": "treaties with the environment's subject (MTDSG chapter XXVII or IEADB)",
    "risk_observations": "risk set: country-treaty-years", "risk_subjects": "risk set: state-treaty pairs",
    "risk_failures": "risk set: first consents", "observations": "column 2 as fitted: observations",
    "subjects": "column 2 as fitted: subjects", "failures": "column 2 as fitted: failures",
    "hr_ideal_diff": "column 2: hazard ratio, ideal-point gap", "hr_us_part": "column 2: hazard ratio, US participation",
}


def universe_summary(design: Design) -> pd.DataFrame:
    """The UN sample under each treaty universe, the rest of ``design`` unchanged: treaties, the risk
    set (before listwise deletion) and Table 2's column 2 (``ls_un_all``) as fitted, one column per
    universe, rows as :data:`UNIVERSE_ROWS`; ``attrs["fits"]`` keeps the fits (for provenance)."""
    universes = next(f for f in design_fields(Design) if f.name == "treaty_universe").choices
    columns, fits = {}, {}
    for universe in universes:
        d = design.replace(treaty_universe=universe)
        frame = un_frame(d.data_choices())
        fit = fits[universe] = fit_table2_columns(d, ["ls_un_all"])["ls_un_all"]
        stats, terms = fit_statistics(fit), fit.result.terms.set_index("term").exp_estimate
        treaties = un_candidates(d).loc[frame.mtdsg_no.unique()]
        ieadb = treaties.index.str.startswith("IEA-")
        columns[universe] = {
            "treaties": len(treaties), "ieadb_treaties": int(ieadb.sum()),
            "ieadb_unts": int(treaties.unts_citation[ieadb].eq(True).sum()),
            "environment_treaties": int(treaties.chapter.eq(IEADB_CHAPTER).sum()),
            "risk_observations": len(frame), "risk_subjects": frame.groupby(["ccode", "mtdsg_no"]).ngroups,
            "risk_failures": int(frame.event.sum()), **{k: stats[k] for k in ("observations", "subjects", "failures")},
            "hr_ideal_diff": float(terms["ideal_diff"]), "hr_us_part": float(terms["us_part"])}
    out = pd.DataFrame(columns).rename_axis("what")
    out.attrs["fits"] = fits
    return out


def un_candidates(design: Design) -> pd.DataFrame:
    """The candidate treaties of ``design``'s universe by ``mtdsg_no``: chapter (IEADB agreements:
    :data:`IEADB_CHAPTER`) and, for IEADB agreements, whether the IEADB cites the UN Treaty Series."""
    index, _ = un_inputs(FIRST_YEAR, design.end_year, design.treaty_universe)
    return index.reindex(columns=["mtdsg_no", "chapter", "unts_citation"]).set_index("mtdsg_no")


#: The year post-revolutionary Cuba begins (the revolution's victory, January 1959), for note 15's average.
CUBA_REVOLUTION = 1959
#: Published numbers the paper gives as bounds ("more than", "less than", "over"): quantity -> side.
BOUNDS = {"oas_bound_20": "above", "un_bound_20": "above", "ideal_gap_us_canada": "below",
          "ideal_gap_us_cuba": "above"}


def adhesion_timing(frame: pd.DataFrame, treaty: str) -> dict[str, float]:
    """What the paper says of Figure 2 for one risk set: the mean and median years each state-treaty
    pair is followed, to its consent or the end of 2015 (the reading of the paper's "time from adoption
    to adhesion" that the risk-sets page argues for), and the Kaplan–Meier share of pairs bound within
    20 years of adoption."""
    from ..models import kaplan_meier, subject_spells, survival_table
    spells = subject_spells(frame, ["ccode", treaty])
    years = spells.exit - spells.entry
    at = survival_table(kaplan_meier(spells), [10, 20]).set_index("time").estimate  # one time alone is a scalar
    bound_20 = 1 - at[20]
    return {"mean_years": float(years.mean()), "median_years": float(years.median()), "bound_20": float(bound_20)}


def ideal_gaps(design: Design) -> dict[str, float]:
    """Note 15's reference points: the mean yearly ideal-point gap from the US of Canada (all years) and
    of Cuba from :data:`CUBA_REVOLUTION`, with the design's end year."""
    countries = country_covariates(FIRST_YEAR, design.end_year, threat="ideal_point", constraints="none")
    gap = countries.dropna(subset=["ideal_diff"])
    return {"ideal_gap_us_canada": float(gap.loc[gap.ccode == 20, "ideal_diff"].mean()),
            "ideal_gap_us_cuba": float(gap.loc[(gap.ccode == 40) & (gap.year >= CUBA_REVOLUTION), "ideal_diff"].mean())}


def timing_quantities(un: pd.DataFrame, oas: pd.DataFrame, design: Design) -> dict[str, float]:
    """The text's descriptive numbers as comparison quantities (names as in ``published.yaml``)."""
    out = {f"{sample}_{'adhesion_' if k != 'bound_20' else ''}{k}": v
           for sample, frame, treaty in (("un", un, "mtdsg_no"), ("oas", oas, "treaty"))
           for k, v in adhesion_timing(frame, treaty).items()}
    return {**out, **ideal_gaps(design)}


def bound_reasons(published: dict, quantities: dict) -> dict[str, str]:
    """For each published bound (:data:`BOUNDS`), whether ours lies on the paper's side of it."""
    out = {}
    for item in published["items"]:
        side = BOUNDS.get(item.get("quantity"))
        ours = quantities.get(item.get("quantity"))
        if side and ours is not None:
            holds = ours > item["value"] if side == "above" else ours < item["value"]
            out[item["id"]] = (f"the paper gives a bound (ours should lie {side} it): ours "
                               f"{'does' if holds else 'does not'}")
    return out


def difference_reasons(published: dict, facts: dict) -> dict[str, str]:
    """Why each of our numbers differs from the paper's, one sentence per published item.

    ``facts`` carries what the sentences quote: ``un_treaties`` (``ieadb_treaties`` of them from the
    IEADB in the wider universe), ``oas_treaties``, ``clusters``,
    ``n_security`` (UN treaties coded Security), ``constraints`` (the proxy used) and
    ``intervention_source``. Published values are not repeated here; they stay in the paper column.
    """
    proxy = {"xconst": "Polity5 executive constraints (0-1)", "legcon": "V-Dem legislative constraints",
             "none": "left out"}[facts.get("constraints", "xconst")]
    universe = (f"MTDSG universe of {facts['un_treaties']} UN-deposited treaties instead of the paper's UNTS "
                "sample; includes treaties never in force")
    if facts.get("ieadb_treaties"):
        universe = (f"{facts['un_treaties']} treaties (MTDSG plus {facts['ieadb_treaties']} IEADB agreements in force) "
                    "instead of the paper's UNTS sample; the MTDSG part includes treaties never in force")
    partial = (f"illustrative column: {facts['oas_treaties']} OAS instruments coded in GGO, not the paper's list "
               "of OAS treaties (OAS tables not registered)")
    by_term = {
        "ideal_diff": "ideal points from the 2024 Bailey-Strezhnev-Voeten release (revised estimates)",
        "us_intervention": f"region-wide dummy from {facts.get('intervention_source', 'mip').upper()} "
                           "instead of ICB v12 (coding rule not given in the paper)",
        "us_cinc": "COW NMC v7.0 instead of (probably) v5.0; CINC in percent",
        "distance_1000km": "great-circle distance between capitals (COW capitals), capital moves included",
        "us_part": "US signature or consent from the MTDSG participant tables",
        "cinc": "COW NMC v7.0, CINC in percent (the paper's scaling is not stated)",
        "cinc_sq": "square of CINC in percent; NMC v7.0",
        "constraints": f"POLCON is not registered: proxy is {proxy}",
        "indep_after_1945": "COW system entry after 1945",
        "signed": "own signature from the participant tables, from the year of signature",
        "bound_before": "states bound by the end of the previous year",
    }
    counts = {"observations": "listwise deletion: states without the constraints proxy or ideal point drop out",
              "subjects": "pairs counted on the estimation rows",
              "failures": "first consents on the estimation rows",
              "pseudo_loglik": "scales with the number of rows and events, so not comparable across samples",
              "wald_chi2": f"robust Wald test on {facts.get('clusters', '?')} country clusters (the smallest "
                           "states lack the constraints proxy), degrees of freedom as in our model statistics",
              "clusters": "states left after listwise deletion: Polity5 does not score the smallest Caribbean "
                          "states, so the constraints proxy drops them (the variant constraints: none keeps them)"}
    reasons = {}
    for item in published["items"]:
        model = item.get("model") or item["quantity"].split(".")[0]
        lead = partial if model == "ls_oas" else universe
        if "term" in item:
            if model == "ls_oas" and item["term"].startswith("subject_"):
                reasons[item["id"]] = f"{partial}; none is a security treaty, so no subject dummies"
            elif item["term"].startswith("subject_"):
                reasons[item["id"]] = (f"{universe}; subjects from the MTDSG chapter crosswalk, not the authors' "
                                       f"coding; the Security reference holds only {facts.get('n_security', '?')} "
                                       "treaties")
            else:
                reasons[item["id"]] = f"{lead}; {by_term[item['term']]}"
        elif item["quantity"] in ("oas_treaties", "un_treaties"):
            reasons[item["id"]] = partial if item["quantity"] == "oas_treaties" else universe
        elif item["quantity"] in BOUNDS or "_adhesion_" in item["quantity"]:
            lead = partial if item["quantity"].startswith("oas_") else universe
            timing = ("years each pair is followed (to consent or 2015), our reading of the paper's time to "
                      "adhesion" if "_adhesion_" in item["quantity"] else
                      "Kaplan-Meier share of pairs bound 20 years after adoption" if "bound_20" in item["quantity"]
                      else "mean yearly gap in the 2024 ideal-point release")
            reasons[item["id"]] = timing if item["quantity"].startswith("ideal_gap") else f"{lead}; {timing}"
        else:
            reasons[item["id"]] = f"{lead}; {counts[item['quantity'].split('.')[1]]}"
    return reasons
