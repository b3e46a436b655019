"""Chapter 3's data: CAT and ICCPR deposit years, the treatment, the country-year panel and the
ratification risk sets.

* **Deposit years.** :func:`ratification_years` reads the first consent to each treaty from one
  of three sources (the design's ``ratification_source``) and matches participants to COW codes
  with a named rule (:data:`PARTICIPANT_RULE`).
* **Treatment.** :func:`add_treatment` codes "ratified" from ``lag`` years after the deposit
  year; ICCPR ratifications before 1976 count from entry into force by default.
* **The panel.** :func:`spiral_panel` puts physical-integrity measures (CIRI, CIRIGHTS, PTS,
  Fariss, Hathaway's torture scale, V-Dem), democracy, controls (income, population, UCDP
  conflict), leader tenure and the deposit years on COW country-years.
* **Risk sets.** :func:`ratification_risk_set`: country-years at risk of ratifying, with the
  covariates of the Cox models of who ratifies (:data:`COX_SPECS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..cache import cached
from ..panels import add_conflict, add_democracy, add_gdp_per_capita, add_human_rights, add_igo_count
from ..panels import add_lag, add_measure, add_population, add_pts, add_region, add_static, state_years
from ..provenance import built_by

if TYPE_CHECKING:  # the chapter's design (ratify.studies.spiral.Design) is read by attribute only
    from .spiral import Design

# --- treaty ratification ----------------------------------------------------------------------

TREATIES = {"CAT": "IV-9", "ICCPR": "IV-4"}
ICCPR_IN_FORCE = 1976


def _actions(source: str, mtdsg: list[str]) -> pd.DataFrame:
    from .. import sources

    from .spiral import Design

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


__all__ = ["COX_SPECS", "DERIVED", "OUTCOMES", "PARTICIPANT_RULE", "TREATIES", "VDEM_COLUMNS", "add_treatment",
           "leader_tenure", "ratification_risk_set", "ratification_years", "spiral_panel"]
