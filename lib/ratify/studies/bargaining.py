"""Chapter 1 (Western 2020): one row per UN-deposited multilateral instrument.

The paper's data set is a cross-section of treaties: the share of "potential parties"
bound at the end of 2014 (the outcome) against the share of negotiators that signed
(H1) and two chair dummies (H2, H3). Its treaty list and its negotiator and chair
coding are not public, so this module rebuilds what can be rebuilt from the registered
MTDSG scrape (``untc_mtdsg_2015``) and says, rule by rule, what it does:

* **Sample rules** (:data:`SAMPLE_RULES`): each of the paper's exclusions as a named,
  switchable rule applied to titles, places and dates of the MTDSG index. The rules are
  our reading of the paper's words; the reasons are kept per instrument.
* **Outcome**: participants bound on the cut-off date (consent types and participant
  universe are choices) divided by a fixed denominator (206 in the paper).
* **Signing-rate proxies** (:data:`SIGNING_PROXIES`): the negotiators' signatures cannot
  be rebuilt without archival lists of negotiating states, so we measure signatures
  against the UN membership on the day of adoption. Proxies, said to be proxies.
* **Model specifications**: Model 1 and Model 2 (MTDSG-chapter fixed effects) without
  the chair dummies, which have no public source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from ..cache import cached, data_builder
from ..design import MODEL, Between, StudyDesign
from ..panels.merge import keep_merges
from ..provenance import built_by

# --- sample rules -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One sample rule: what it excludes and, for a rule the paper states, the paper's words for it.

    A rule with a ``quote`` is one of the paper's exclusions and is applied by default; a rule
    without one is the book's own reading, a named option that is off by default (the guide: a
    sample rule needs a quoted reason from the paper, or it is a named option off by default).
    """

    what: str                 # what the rule excludes, in the book's words
    quote: str = ""           # the paper's words that give the reason (empty: a book option)
    reason: str = ""          # for a book option: why one might apply it

    @property
    def origin(self) -> str:
        return "paper" if self.quote else "book"


#: Where the paper states its rules: the accepted manuscript (the only version we hold) has no
#: page numbers, so the place is its section, and the line of the registered text file.
RULES_WHERE = "section 'Measuring Ratification Rate and Its Determinants' (accepted manuscript, unpaginated; line 145)"
#: Rule name -> :class:`Rule`, in the order the rules are applied (the paper's first).
SAMPLE_RULES = {
    "post_1945": Rule("adopted before 1945", quote="exclude treaties that were negotiated prior to 1945"),
    "no_commodities": Rule("commodity agreements, MTDSG chapter XIX", quote="treaties focusing on commodities"),
    "no_league_era": Rule("protocols amending, or texts restating, League-era (pre-1945) treaties",
                          quote="amendments to treaties created under the League of Nations"),
    "no_io_charters": Rule("constituent instruments of international organisations (charters, constitutions, "
                           "agreements establishing a body), not their amendments",
                           quote="treaties that create intrinsic international organizations"),
    "universal_only": Rule("instruments with a regional word in the title (European, African, Asia-Pacific, "
                           "Caribbean, Baltic, ...), with their protocols and amendments",
                           quote="non-universal treaties"),
    "no_io_amendments": Rule("amendments and protocols of the constituent instruments of organisations",
                             reason="our reading: an amendment of a charter belongs with the charter (the paper "
                                    "includes amendments open only to parties of the parent treaty)"),
    "named_regional": Rule("instruments the book names as regional although no title word says so: the UNECE "
                           "conventions and their protocols, the inland-navigation conventions, the Lusaka "
                           "Agreement", reason="our coding from the instruments' participation clauses"),
    "no_consolidated_texts": Rule("texts 'as amended'/'as extended'",
                                  reason="a consolidated text has no negotiation or consent of its own"),
    "no_annexes": Rule("annexes of the Specialized Agencies convention",
                       reason="states apply them by notification, not by a consent to be bound"),
    "no_amendments": Rule("amendments (titles starting 'Amendment')", reason="amendments are often accession-only"),
}
#: The paper's rules, applied by default; the others are named options for variants.
DEFAULT_RULES = tuple(name for name, rule in SAMPLE_RULES.items() if rule.origin == "paper")
BOOK_RULES = tuple(name for name, rule in SAMPLE_RULES.items() if rule.origin == "book")
#: The rules the book applied by default until every default rule had to carry the paper's words.
EARLIER_BOOK_RULES = ("post_1945", "no_commodities", "no_league_era", "no_io_charters", "no_io_amendments",
                      "universal_only", "named_regional", "no_consolidated_texts", "no_annexes")

#: A year before 1945 in a title or place names a League-era parent treaty.
LEAGUE_YEAR = re.compile(r"\b(?:18\d\d|19[0-3]\d|194[0-4])\b")
#: Titles of constituent instruments of IOs (and of their amendments, which name them).
IO_TITLE = re.compile(r"Constitution of|Agreement establishing|Charter of the|Statutes of the|Articles of Association"
                      r"|Convention on the International Maritime Organization|[Ee]stablish|Terms of Reference")
#: Regional words in a title. "Africa" alone is not one: the Desertification Convention is universal.
REGIONAL_TITLE = re.compile(r"\bEuropean\b|\bEUROP\b|Asia-Pacific|Asian and Pacific|Asian Development|African"
                            r"|Caribbean|Latin America|Middle East|West Africa\b|Baltic")
#: Regional instruments the book names although their titles carry no regional word (``named_regional``).
NAMED_REGIONAL_TITLE = re.compile(r"[Ii]nland [Nn]avigation|Lusaka Agreement")
#: Titles of amending texts (an amendment or protocol of a parent instrument).
AMENDING_TITLE = re.compile(r"(?:Amendments?|Protocol)\b")
#: UN Economic Commission for Europe conventions: negotiated by, and open to, ECE members.
#: Our coding from the conventions' participation clauses; a family covers its protocols.
UNECE_FAMILIES = {"XXVII-1": "Long-range Transboundary Air Pollution (ECE)",
                  "XXVII-4": "Espoo EIA Convention (ECE)", "XXVII-5": "Water Convention (ECE)",
                  "XXVII-6": "Industrial Accidents Convention (ECE)", "XXVII-13": "Aarhus Convention (ECE)",
                  "XXVII-16": "Kiev Protocol on civil liability (ECE)"}
CONSOLIDATED = re.compile(r"\bas amended by\b|\bas extended\b|amended by the Protocol|as modified", re.IGNORECASE)


def family(mtdsg_no: str) -> str:
    """The parent instrument of an MTDSG number: IX-1-b -> IX-1, XI-A-12 -> XI-A-12."""
    parts = mtdsg_no.split("-")
    return "-".join(parts[:3] if len(parts) > 2 and parts[1] == "A" else parts[:2])


def exclusion_flags(index: pd.DataFrame, first_year: int = 1945) -> pd.DataFrame:
    """One boolean column per rule (True = the rule excludes the instrument), on the MTDSG index."""
    text = index.title.fillna("") + " | " + index.adoption_place.fillna("")
    fam = index.mtdsg_no.map(family)
    names_io = index.title.str.contains(IO_TITLE, na=False)
    amending = index.title.str.match(AMENDING_TITLE, na=False)
    io_families = set(fam[names_io])
    regional_families = set(fam[index.title.str.contains(REGIONAL_TITLE, na=False)])
    named_families = set(fam[index.title.str.contains(NAMED_REGIONAL_TITLE, na=False)]) | set(UNECE_FAMILIES)
    flags = pd.DataFrame({
        "post_1945": index.adoption_date.dt.year.lt(first_year).fillna(False),
        "no_commodities": index.chapter.eq(19),
        "no_league_era": text.str.contains(LEAGUE_YEAR),
        "no_io_charters": names_io & ~amending,
        "universal_only": fam.isin(regional_families),
        "no_io_amendments": fam.isin(io_families) & ~(names_io & ~amending),
        "named_regional": fam.isin(named_families),
        "no_consolidated_texts": index.title.str.contains(CONSOLIDATED, na=False),
        "no_annexes": index.title.str.contains(r"Annex [IVXL]+ -", na=False),
        "no_amendments": index.title.str.match(r"Amendments?\b", na=False),
    }, index=index.index)
    return flags.astype(bool)


def apply_rules(index: pd.DataFrame, rules=DEFAULT_RULES, first_year: int = 1945,
                last_adoption_year: int = 2014) -> pd.DataFrame:
    """The index with ``excluded_by`` (first rule that drops it, in the order given, or None) and ``kept``.

    Before the rules: an instrument needs a participant table and an adoption date in the
    window. Rule names are checked by :class:`Design` (an unknown name is a KeyError here).
    """
    flags = exclusion_flags(index, first_year)
    out = index.copy()
    out["excluded_by"] = None
    out.loc[~out.has_participants, "excluded_by"] = "no_participant_table"
    late = out.adoption_date.dt.year.gt(last_adoption_year) | out.adoption_date.isna()
    out.loc[out.excluded_by.isna() & late, "excluded_by"] = "adopted_after_window_or_undated"
    for rule in rules:
        out.loc[out.excluded_by.isna() & flags[rule], "excluded_by"] = rule  # KeyError for an unknown rule
    out["kept"] = out.excluded_by.isna()
    return out


def waterfall(ruled: pd.DataFrame) -> pd.DataFrame:
    """How many instruments each step removes, in order, and how many remain."""
    steps = ruled.excluded_by.fillna("kept").value_counts()
    order = [s for s in ["no_participant_table", "adopted_after_window_or_undated", *SAMPLE_RULES]
             if s in steps.index]
    table = pd.DataFrame({"step": order, "removed": [int(steps[s]) for s in order]})
    table["remaining"] = len(ruled) - table.removed.cumsum()
    table["what"] = table.step.map({**{name: rule.what for name, rule in SAMPLE_RULES.items()},
                                    "no_participant_table": "no participant table in the 2015 scrape",
                                    "adopted_after_window_or_undated": "adopted after the last year, or no date"})
    return table


# --- the design ---------------------------------------------------------------------------------

FIRST_YEAR = 1945  # the paper studies instruments negotiated from 1945 on (rule post_1945)


#: The rule names a design may list (:data:`SAMPLE_RULES`).
RuleName = Literal["post_1945", "no_commodities", "no_league_era", "no_io_charters", "universal_only",
                   "no_io_amendments", "named_regional", "no_consolidated_texts", "no_annexes", "no_amendments"]
Cutoff = Literal["2014-12-31", "2009-12-31", "2004-12-31", "2015-03-01"]
Proxy = Annotated[Literal["window", "first_year", "ever"], MODEL]  # the frame holds every proxy: a model choice
SEType = Annotated[Literal["stata", "HC0", "HC1", "pearson", "model"], MODEL]
Estimator = Annotated[Literal["fractional_logit", "beta"], MODEL]


@dataclass(frozen=True, repr=False)
class Design(StudyDesign):
    """Every choice of the Table 1 analysis, with the book's as defaults (the notebook's parameters)."""

    cutoff: Cutoff = "2014-12-31"  # date on which parties are counted (the scrape is of March 2015, so no later date)
    denominator: Annotated[int, Between(150, 250)] = 206  # potential parties dividing the count (paper 206; 197 = 193 UN members + 2 observers + Cook Islands + Niue)
    consent_set: Literal["bound", "fn2", "no_succession"] = "bound"  # consent types that count (bound = every way of consenting; fn2 = ratification, accession, approval)
    participants: Literal["paper", "cow_states", "all"] = "paper"  # whose consent counts (paper = states + Holy See, Palestine, Cook Islands, Niue; all = also EU, IOs)
    sample_rules: tuple[RuleName, ...] = DEFAULT_RULES  # exclusion rules applied to the MTDSG index, in order (the paper's by default; SAMPLE_RULES in bargaining.py)
    last_adoption_year: Annotated[int, Between(1970, 2014)] = 2014  # last year of adoption kept in the sample
    window_years: Annotated[float, Between(0.5, 10.0)] = 2.0  # length of the window proxy's signature window, in years from adoption
    signing_proxy: Proxy = "window"  # signatures within window_years, within one year, or ever, divided by UN members at adoption
    se_type: SEType = "stata"  # standard errors of the fractional logit (stata = robust with n/(n-1))
    estimator: Estimator = "fractional_logit"  # fractional logit (the paper) or beta regression (0/1 squeezed)
    controls: Annotated[bool, MODEL] = False  # add log years open and an amendment/protocol dummy (stand-ins for the unnamed appendix controls)


def rules_table() -> pd.DataFrame:
    """Every sample rule: whose it is, whether the book applies it by default, what it excludes,
    and the paper's words for it (or the book's reason for offering it)."""
    return pd.DataFrame([{"rule": name, "origin": rule.origin, "default": name in DEFAULT_RULES, "excludes": rule.what,
                          "the paper's words / the book's reason": f"“{rule.quote}”" if rule.quote else rule.reason}
                         for name, rule in SAMPLE_RULES.items()])


def sample_sizes(design: Design) -> pd.DataFrame:
    """Instruments coded and modelled (with a signing proxy) under the paper's rules alone, with
    each of the book's rules added one at a time, and with all the rules of the book's earlier
    default; ``change`` is the difference from the paper's rules (other choices from ``design``)."""
    sets = {"the paper's rules (the book's default)": DEFAULT_RULES,
            **{f"+ {name}": DEFAULT_RULES + (name,) for name in BOOK_RULES},
            "the book's earlier default (paper's rules + its readings)": EARLIER_BOOK_RULES}
    rows = []
    for label, rules in sets.items():
        d = design.replace(sample_rules=rules)
        coded = coded_instruments(d)
        rows.append({"rules": label, "coded": len(coded), "modelled": int(coded.sign_rate.notna().sum())})
    out = pd.DataFrame(rows)
    out["coded_change"] = out.coded - out.coded.iloc[0]
    out["modelled_change"] = out.modelled - out.modelled.iloc[0]
    return out


# --- other treaty sources: the IEADB --------------------------------------------------------------

#: The paper's population, in its words (same section as :data:`RULES_WHERE`): instruments
#: deposited with the UN, negotiated under one set of institutional rules.
POPULATION_QUOTES = ("negotiated under similar institutional rules",
                     "a record of treaties deposited with the United Nations")


def ieadb_admissibility(design: Design) -> pd.DataFrame:
    """How the IEADB's multilateral agreements (eligibility: three or more governments) fare under
    the chapter's treaty-selection rules: one row per rule with the agreements that pass and fail it
    (each rule on its own), then all of them together.

    The paper's population rule comes first: deposited with the UN Secretary-General, read as
    paired with an instrument of the MTDSG index (:func:`ratify.crosswalk.ieadb_mtdsg_pairs`).
    The title rules are the paper's (:data:`DEFAULT_RULES`) applied to IEADB names and places;
    commodities (MTDSG chapter XIX) is judged on the paired instrument's chapter. ``attrs`` holds
    the paired instruments already in the MTDSG scrape, and those it lacks a participant table for.
    """
    from ..crosswalk import ieadb_mtdsg_pairs
    from ..sources import read_untc_index
    from ..sources.ieadb import read_ieadb_agreements

    agreements = read_ieadb_agreements()
    multi = agreements[agreements.multilateral].reset_index(drop=True)
    index = read_untc_index()
    pairs = ieadb_mtdsg_pairs(index, multi)
    mtdsg = multi.iea_id.map(pairs.set_index("iea_id").mtdsg_no)
    chapter = mtdsg.map(index.set_index("mtdsg_no").chapter)
    as_index = pd.DataFrame({"mtdsg_no": "IEA-" + multi.iea_id.astype(str), "chapter": chapter.fillna(0).astype(int),
                             "title": multi.name.astype(object), "adoption_place": multi.place.astype(object),
                             "adoption_date": multi.concluded_date})
    flags = exclusion_flags(as_index, FIRST_YEAR)
    year = multi.concluded_date.dt.year
    passes = {"deposited with the UN Secretary-General (paired with an MTDSG instrument)": mtdsg.notna(),
              f"concluded {FIRST_YEAR}–{design.last_adoption_year} (post_1945 and the window)":
                  year.between(FIRST_YEAR, design.last_adoption_year)}
    passes.update({name: ~flags[name] for name in DEFAULT_RULES if name != "post_1945"})
    passes["all of the above"] = pd.concat(list(passes.values()), axis=1).all(axis=1)
    out = pd.DataFrame([{"rule": name, "pass": int(ok.sum()), "fail": int((~ok).sum())} for name, ok in passes.items()])
    has_table = mtdsg.map(index.set_index("mtdsg_no").has_participants)
    out.attrs = {"agreements": len(agreements), "multilateral": len(multi), "paired": int(mtdsg.notna().sum()),
                 "paired_with_table": int(has_table.eq(True).sum()),
                 "paired_without_table": sorted(mtdsg[has_table.eq(False)]),
                 "passing_without_table": sorted(mtdsg[has_table.eq(False) & passes["all of the above"]]),
                 "passing_in_scrape": int((has_table.eq(True) & passes["all of the above"]).sum()),
                 "inputs": ["ieadb_2026", "untc_mtdsg_2015"]}
    return out


# --- participants, consent and the outcome --------------------------------------------------------

#: The paper's universe beyond COW states: UN observers and two self-governing island states.
NON_COW_STATES = ("Holy See", "State of Palestine", "Cook Islands", "Niue")
#: Consent types: the paper's footnote lists three; "bound" counts every way of consenting.
CONSENT_SETS = {
    "bound": ("ratification", "accession", "acceptance", "approval", "succession", "definitive signature",
              "formal confirmation", "consent to be bound", "simplified procedure", "participation", "notification"),
    "fn2": ("ratification", "accession", "approval"),
    "no_succession": ("ratification", "accession", "acceptance", "approval", "definitive signature",
                      "formal confirmation", "consent to be bound", "simplified procedure"),
}
PARTICIPANT_SETS = ("paper", "cow_states", "all")


@cached
def participant_kinds(names: tuple[str, ...]) -> pd.DataFrame:
    """Each participant name: a COW state, one of the paper's other states, or not a state (EU, IOs, territories)."""
    from ..concord import to_cow

    names = pd.Series(list(names), dtype="string")
    codes = to_cow(names)
    kind = np.where(codes.ccode.notna().to_numpy(), "cow_state",
                    np.where(names.isin(NON_COW_STATES).to_numpy(), "other_state", "not_a_state"))
    return pd.DataFrame({"participant": names, "ccode": pd.array(codes.ccode, dtype="Int64"), "kind": kind})


def keep_participants(participants: pd.DataFrame, universe: str = "paper") -> pd.DataFrame:
    """Rows of participants in the chosen universe: ``paper`` (states + Holy See, Palestine, Cook
    Islands, Niue), ``cow_states`` (COW members only) or ``all`` (also the EU, IOs, territories)."""
    if universe == "all":
        return participants
    kinds = participant_kinds(tuple(sorted(participants.participant.dropna().unique())))
    allowed = {"paper": ("cow_state", "other_state"), "cow_states": ("cow_state",)}[universe]
    ok = set(kinds.participant[kinds.kind.isin(allowed)])
    return participants[participants.participant.isin(ok)]


def first_dates(participants: pd.DataFrame, consent_set: str = "bound") -> pd.DataFrame:
    """Per treaty and participant: first signature and first counted consent."""
    from ..treaties import first_actions

    present = set(participants.consent_type)
    return first_actions(participants, [c for c in CONSENT_SETS[consent_set] if c in present])


# --- UN membership and the signing-rate proxies ------------------------------------------------------

#: Proxy name -> definition. All share one denominator: UN members on the adoption date.
SIGNING_PROXIES = {
    "window": "states signing within `window_years` of adoption ÷ UN members at adoption",
    "first_year": "states signing within one year of adoption ÷ UN members at adoption",
    "ever": "states signing at any time before the cut-off ÷ UN members at adoption",
}


@cached
def un_members_by_year() -> pd.Series:
    """Number of UN member states each year 1945–2014 (COW IGO v3; five-yearly before 1965,
    so a year between observations takes the last one before it)."""
    from ..sources.igos import read_igo_memberships

    un = read_igo_memberships(["un"])
    counts = un[un.status == "full"].groupby("year").ccode.nunique()
    years = pd.RangeIndex(1945, 2015)
    return counts.reindex(years).ffill().astype(int).rename("un_members")


def members_at(years: pd.Series, counts: pd.Series) -> pd.Series:
    """UN members in each year (clamped to the years the count covers)."""
    y = years.clip(counts.index.min(), counts.index.max())
    return y.map(counts)


def signing_rates(first: pd.DataFrame, adoption: pd.Series, cutoff, members: pd.Series,
                  window_years: float = 2.0) -> pd.DataFrame:
    """Every proxy of :data:`SIGNING_PROXIES` per treaty, capped at 1 (non-members sign too).

    A treaty with no signature in the data gets no proxy: it was not open for signature
    (accession-only amendments) or the scrape has no signature column.
    """
    cutoff = pd.Timestamp(cutoff)
    d = first.assign(adopted=first.mtdsg_no.map(adoption))
    lag = (d.signature_date - d.adopted).dt.days / 365.25
    signed = d.signature_date.le(cutoff)
    counts = pd.DataFrame({
        "signatories": signed.groupby(d.mtdsg_no).sum(),
        "signed_window": (signed & lag.le(window_years)).groupby(d.mtdsg_no).sum(),
        "signed_first_year": (signed & lag.le(1.0)).groupby(d.mtdsg_no).sum(),
    })
    counts["un_members_at_adoption"] = members_at(adoption.reindex(counts.index).dt.year, members).to_numpy()
    has_signatures = counts.signatories.gt(0)
    for proxy, col in (("window", "signed_window"), ("first_year", "signed_first_year"), ("ever", "signatories")):
        rate = (counts[col] / counts.un_members_at_adoption).clip(upper=1.0)
        counts[f"sign_{proxy}"] = rate.where(has_signatures)
    return counts


# --- the analysis frame ----------------------------------------------------------------------------

@data_builder
@built_by
def treaty_frame(data: Design) -> pd.DataFrame:
    """One row per MTDSG instrument (all of them, ``kept`` marks the sample): outcome, proxies, issue,
    for a design's data choices (``design.data_choices()``).

    ``rate`` = participants bound on ``cutoff`` ÷ ``denominator``, capped at 1 (the cap is
    counted in ``attrs['capped']``); ``chapter_label`` is the MTDSG chapter (Model 2's issue).
    """
    from ..sources import read_untc_index, read_untc_participants

    index = read_untc_index()
    ruled = apply_rules(index, data.sample_rules, FIRST_YEAR, data.last_adoption_year)
    raw = read_untc_participants(ruled.mtdsg_no[ruled.has_participants].tolist())
    first = first_dates(keep_participants(raw, data.participants), data.consent_set)
    cut = pd.Timestamp(data.cutoff)
    parties = first.consent_date.le(cut).groupby(first.mtdsg_no).sum().rename("parties")
    adoption = ruled.set_index("mtdsg_no").adoption_date
    proxies = signing_rates(first, adoption, cut, un_members_by_year(), data.window_years)
    frame = ruled.merge(parties, left_on="mtdsg_no", right_index=True, how="left").merge(
        proxies, left_on="mtdsg_no", right_index=True, how="left")
    frame["parties"] = frame.parties.fillna(0).astype(int)
    raw_rate = frame.parties / data.denominator
    frame["rate"] = raw_rate.clip(upper=1.0)
    frame["adoption_year"] = frame.adoption_date.dt.year
    frame["years_open"] = (cut - frame.adoption_date).dt.days / 365.25
    frame["log_years_open"] = np.log(frame.years_open.clip(lower=0.5))
    frame["amendment_or_protocol"] = frame.title.str.match(r"(Amendments?|Protocol|Additional Protocol|Optional Protocol)\b",
                                                          na=False).astype(int)
    frame["chapter_label"] = frame.chapter.map(lambda c: f"{c:02d}")
    last = raw.groupby("mtdsg_no").date.max().rename("latest_action")
    frame = frame.merge(last, left_on="mtdsg_no", right_index=True, how="left")
    frame.attrs = {"source": "untc_mtdsg_2015", "file": "index.csv + treaties/*.csv", "cutoff": str(cut.date()),
                   "inputs": ["igo_memberships"],  # UN members by year: the signing-rate denominators
                   "denominator": data.denominator, "consent_set": data.consent_set, "participants": data.participants,
                   "rules": list(data.sample_rules), "capped": int(((raw_rate > 1) & frame.kept).sum())}
    return frame


@built_by
def with_proxy(frame: pd.DataFrame, proxy: str = "window") -> pd.DataFrame:
    """The sample (kept instruments) with ``sign_rate`` set to the chosen proxy (:data:`SIGNING_PROXIES`)."""
    return frame[frame.kept].assign(sign_rate=lambda d: d[f"sign_{proxy}"]).reset_index(drop=True)


def coded_instruments(design: Design) -> pd.DataFrame:
    """The instruments the design's rules keep, with ``sign_rate`` its signing proxy (missing where
    nothing was signed): the paper's "coded" instruments."""
    return with_proxy(treaty_frame(design.data_choices()), design.signing_proxy)


def analysis_sample(design: Design) -> pd.DataFrame:
    """The estimation sample of Table 1 under ``design``: coded instruments with a signing proxy."""
    return coded_instruments(design).dropna(subset=["sign_rate"]).reset_index(drop=True)


# --- model specifications ------------------------------------------------------------------------

#: Table 1 without the chair dummies (no public source): Model 1 and Model 2 (issue fixed effects).
FORMULAS = {"model1": "rate ~ sign_rate", "model2": "rate ~ sign_rate + C(chapter_label)"}


def model_formula(model: str, controls: bool = False) -> str:
    """The formula of Model 1 or 2; ``controls`` adds exposure and instrument type (the paper's
    web-appendix controls are unnamed, so these are our transparent stand-ins)."""
    return FORMULAS[model] + (" + log_years_open + amendment_or_protocol" if controls else "")


def dv_shares(rate: pd.Series) -> dict:
    """The paper's three checkpoints of the outcome's distribution."""
    return {"below_0.2": float(rate.lt(0.2).mean()), "below_0.5": float(rate.lt(0.5).mean()),
            "above_0.9": float(rate.gt(0.9).mean())}


def rates_at_sd(fit, sample: pd.DataFrame, term: str = "sign_rate", **fixed) -> dict:
    """Predicted rate at the mean of ``term`` and one SD below (other terms at ``fixed`` values)."""
    m, s = sample[term].mean(), sample[term].std()
    at = pd.DataFrame({term: [m - s, m], **{k: [v, v] for k, v in fixed.items()}})
    pred = fit.predict(at)
    return {"mean": float(m), "sd": float(s), "rate_minus_sd": float(pred.predicted.iloc[0]),
            "rate_mean": float(pred.predicted.iloc[1]),
            "se_minus_sd": float(pred.std_error.iloc[0]), "se_mean": float(pred.std_error.iloc[1])}


#: Table 1's models: name -> (formula key, label).
TABLE1 = {"ch1_model1": ("model1", "Model 1"), "ch1_model2": ("model2", "Model 2")}


def fit_table1(design: Design, models=None, perturb=None) -> dict:
    """Table 1's models named in ``models`` (all by default) under ``design``: a ``FractionalFit``
    (fractional logit) or a ``ModelResult`` (beta regression) each; ``perturb`` is applied to the
    sample before fitting (the multiverse's null)."""
    from ..models import fit_beta_regression, fit_fractional_logit

    unknown = sorted(set(models or ()) - set(TABLE1))
    if unknown:
        raise KeyError(f"no Table 1 model {unknown[0]!r}; the models are {list(TABLE1)}")
    sample = analysis_sample(design)
    sample = perturb(sample) if perturb else sample
    fits = {}
    for name in (m for m in TABLE1 if models is None or m in models):
        key, label = TABLE1[name]
        formula = model_formula(key, design.controls)
        label += " + controls" if design.controls else ""
        if design.estimator == "fractional_logit":
            fits[name] = fit_fractional_logit(sample, formula, se=design.se_type, name=name, label=label,
                                              sources=["untc_mtdsg_2015"])
        else:
            fits[name] = fit_beta_regression(sample, formula, name=name, label=label + " (beta)",
                                             sources=["untc_mtdsg_2015"])
    return fits


def fit_key_models(design: Design, models=None, perturb=None) -> dict:
    """The study contract (CONTRIBUTING.md): ``ModelResult`` of each named Table 1 model under ``design``."""
    return {name: getattr(fit, "result", fit) for name, fit in fit_table1(design, models, perturb).items()}


def expected_rates(fit, sample: pd.DataFrame, design: Design) -> dict:
    """:func:`rates_at_sd` for Model 1's fit under ``design``: with controls, years open at its mean
    and an original treaty (not a protocol); for a beta regression, expit of the linear predictor
    (no standard errors), and nothing with controls (the rates would need values for them)."""
    from scipy.special import expit

    if hasattr(fit, "predict"):
        held = {"log_years_open": sample.log_years_open.mean(), "amendment_or_protocol": 0} if design.controls else {}
        return rates_at_sd(fit, sample, **held)
    m, s = sample.sign_rate.mean(), sample.sign_rate.std()
    if design.controls:
        return {"mean": float(m), "sd": float(s), "rate_minus_sd": None, "rate_mean": None}
    coef = fit.terms.set_index("term").estimate
    return {"mean": float(m), "sd": float(s),
            "rate_minus_sd": float(expit(coef["Intercept"] + coef["sign_rate"] * (m - s))),
            "rate_mean": float(expit(coef["Intercept"] + coef["sign_rate"] * m))}


# --- the case pairs ------------------------------------------------------------------------------

#: The paper's case instruments (MTDSG numbers) and short names.
CASES = {"XXIV-2": "Moon Agreement", "XVIII-5": "Hostages Convention", "XVIII-6": "Mercenaries Convention",
         "IV-13": "Migrant Workers Convention", "XVIII-12-a": "Trafficking Protocol"}
#: Instruments needed for entry into force, from each treaty's final clauses (article in the value).
ENTRY_THRESHOLDS = {"XVIII-5": (22, "Art. 18"), "XVIII-6": (22, "Art. 19"), "IV-13": (20, "Art. 87"),
                    "XVIII-12-a": (40, "Art. 17"), "XXIV-2": (5, "Art. 19")}
#: States the paper names as leading each negotiation (its case narratives).
LEADERS = {"XVIII-5": ["Germany", "Algeria"], "XVIII-6": ["Nigeria", "Algeria"],
           "IV-13": ["Mexico", "Morocco"], "XVIII-12-a": ["United States of America", "Argentina"]}


def nth_consent(first: pd.DataFrame, treaty: str, n: int):
    """Date of the n-th first consent to ``treaty`` in these data (None when fewer than n)."""
    dates = first.loc[first.mtdsg_no == treaty, "consent_date"].dropna().sort_values()
    return dates.iloc[n - 1] if len(dates) >= n else None


def consent_order(first: pd.DataFrame, treaty: str, states: list[str]) -> pd.DataFrame:
    """Where each named state stands among the treaty's parties: date and rank of its consent."""
    sub = first[first.mtdsg_no == treaty].dropna(subset=["consent_date"]).sort_values("consent_date")
    sub = sub.assign(rank=np.arange(1, len(sub) + 1), of=len(sub))
    out = pd.DataFrame({"participant": states}).merge(sub, on="participant", how="left")
    return out[["participant", "signature_date", "consent_date", "rank", "of"]]


# --- a survival view: state-treaty dyads ------------------------------------------------------------

#: COW codes of predecessor states mapped to the code the UN participant names match today.
PREDECESSOR_COW = {260: 255, 678: 679, 680: 679, 315: 316}


@cached
@built_by
def treaty_dyads(treaties: tuple[str, ...], cutoff: str = "2014-12-31", consent_set: str = "bound") -> pd.DataFrame:
    """One row per treaty and UN member state at adoption: years from adoption to first consent
    (``stop``), ``event`` = 1 if bound by ``cutoff``, else censored there.

    Predecessor states are matched to today's participant names through :data:`PREDECESSOR_COW`
    (the Federal Republic's consent is Germany's), so a dyad exists once per member.
    """
    from ..sources import read_untc_index, read_untc_participants
    from ..sources.igos import read_igo_memberships

    cut = pd.Timestamp(cutoff)
    adoption = read_untc_index().set_index("mtdsg_no").adoption_date.reindex(list(treaties))
    raw = keep_participants(read_untc_participants(list(treaties)), "cow_states")
    first = first_dates(raw, consent_set)
    kinds = participant_kinds(tuple(sorted(first.participant.unique())))
    first = first.merge(kinds[["participant", "ccode"]], on="participant")
    un = read_igo_memberships(["un"])
    un = un[un.status == "full"].assign(ccode=lambda d: d.ccode.replace(PREDECESSOR_COW).astype("Int64"))
    observed = np.sort(un.year.unique())
    rows = []
    for treaty, adopted in adoption.items():
        year = observed[observed <= min(adopted.year, observed.max())].max()
        members = pd.DataFrame({"ccode": un.loc[un.year == year, "ccode"].unique()})
        joined = first.loc[first.mtdsg_no == treaty, ["ccode", "consent_date"]].groupby("ccode").consent_date.min()
        d = members.assign(mtdsg_no=treaty, consent_date=members.ccode.map(joined))
        rows.append(d)
    dyads = pd.concat(rows, ignore_index=True)
    adopted = dyads.mtdsg_no.map(adoption)
    bound = dyads.consent_date.le(cut)
    end = dyads.consent_date.where(bound, cut)
    dyads["start"] = 0.0
    dyads["stop"] = ((end - adopted).dt.days / 365.25).clip(lower=1 / 365.25)
    dyads["event"] = bound.astype(int)
    dyads.attrs = {"inputs": ["untc_mtdsg_2015", "igo_memberships"]}
    return dyads


@built_by
def dyads_with_proxy(sample: pd.DataFrame, cutoff: str = "2014-12-31", consent_set: str = "bound") -> pd.DataFrame:
    """:func:`treaty_dyads` of the sample's instruments with each instrument's ``sign_rate``."""
    dyads = treaty_dyads(tuple(sample.mtdsg_no), cutoff, consent_set)
    return keep_merges(dyads.merge(sample[["mtdsg_no", "sign_rate"]], on="mtdsg_no"), dyads, sample)
