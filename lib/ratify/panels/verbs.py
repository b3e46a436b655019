"""Small verbs that add one source's measure to a country-year panel, peacesciencer-style.

    panel = (state_years("cow", 1990, 2015)
             .pipe(add_democracy, "bmr")
             .pipe(add_gdp_per_capita)
             .pipe(add_migrant_stock))

Each verb reads its source through ``ratify.sources`` (so the file is hash-verified),
states its filling rule in its signature, and leaves a record in ``attrs["merges"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import sources
from .merge import add_measure, add_static

DEMOCRACY = {
    "polity2": (sources.read_polity5, "polity2", "polity5"),
    "xconst": (sources.read_polity5, "xconst", "polity5"),
    "bmr": (sources.read_bmr, "democracy", "bmr"),
    "polyarchy": (sources.read_vdem, "v2x_polyarchy", "vdem_simple"),
    "libdem": (sources.read_vdem, "v2x_libdem", "vdem_simple"),
    "dd": (sources.read_pacl, "dd_democracy", "pacl"),
    "dd_update": (sources.read_pacl_update, "dd_democracy", "pacl_update"),
}


def add_democracy(panel: pd.DataFrame, measure: str = "polity2", lag: int = 0) -> pd.DataFrame:
    """Polity5 ``polity2``/``xconst``, BMR's 0/1 ``democracy`` (as ``bmr_democracy``) or
    V-Dem's ``v2x_polyarchy``/``v2x_libdem``, or Cheibub–Gandhi–Vreeland's 0/1 democracy
    (``dd``, to 2008; ``dd_update``, Bjørnskov–Rode to 2020)."""
    if measure not in DEMOCRACY:
        raise ValueError(f"measure={measure!r}; choose one of {sorted(DEMOCRACY)}")
    reader, col, source = DEMOCRACY[measure]
    name = {"bmr": "bmr_democracy", "dd_update": "dd_update_democracy"}.get(measure, col)
    data = reader().rename(columns={col: name})
    return add_measure(panel, data, [name], source=source, lag=lag)


def _computed(panel: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Name the columns a verb computed from its merge (a log, a reversal) in that merge's record,
    so a lag of them (``add_lag``) and a model's trail find their source."""
    record = panel.attrs["merges"][-1]
    record["computed"] = [*record.get("computed", []), *columns]
    return panel


def _with_log(panel: pd.DataFrame, measure: pd.DataFrame, column: str, source: str, lag: int,
              log: bool) -> pd.DataFrame:
    """Merge ``column`` and, with ``log``, add ``ln_<column>``."""
    out = add_measure(panel, measure, [column], source=source, lag=lag)
    if log:
        out[f"ln_{column}"] = np.log(out[column])
        _computed(out, f"ln_{column}")
    return out


def add_gdp_per_capita(panel: pd.DataFrame, log: bool = True, lag: int = 0) -> pd.DataFrame:
    """WDI GDP per capita (constant 2015 US$); with ``log`` also ``ln_gdppc``."""
    return _with_log(panel, sources.read_gdp_per_capita(), "gdppc", "wdi_gdppc", lag, log)


def add_population(panel: pd.DataFrame, log: bool = True, lag: int = 0) -> pd.DataFrame:
    """WDI population; with ``log`` also ``ln_population``."""
    return _with_log(panel, sources.read_population(), "population", "wdi_population", lag, log)


def add_net_migration(panel: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """WDI net migration (persons); annual in this WDI vintage, so no interpolation."""
    return add_measure(panel, sources.read_net_migration(), ["net_migration"], source="net_migration_wdi", lag=lag)


def add_remittances(panel: pd.DataFrame, interpolate: str = "linear", lag: int = 0) -> pd.DataFrame:
    """Remittances received, % of GDP; gaps between two reported years interpolated by default."""
    return add_measure(panel, sources.read_remittances(), ["remittances_pct_gdp"], source="remittances_cmps",
                       interpolate=interpolate, lag=lag)


def add_migrant_stock(panel: pd.DataFrame, interpolate: str = "linear", carry_forward: int = 0,
                      lag: int = 0) -> pd.DataFrame:
    """UN DESA immigrant and emigrant shares (% of population), reported every five years
    1990–2020: linear between reports by default; nothing is extrapolated unless asked."""
    return add_measure(panel, sources.read_migrant_stock_totals(), ["immigrant_share_pct", "emigrant_share_pct"],
                       source="undesa_stock_totals_2020", interpolate=interpolate,
                       carry_forward=carry_forward, lag=lag)


def add_pts(panel: pd.DataFrame, reverse: bool = True, lag: int = 0) -> pd.DataFrame:
    """Political Terror Scale (Amnesty, HRW, State Dept); ``reverse`` adds ``6 - score``
    columns so that higher means more respect for physical integrity."""
    out = add_measure(panel, sources.read_pts(), ["pts_a", "pts_h", "pts_s"], source="pts_2024", lag=lag)
    if reverse:
        for s in "ahs":
            out[f"pts_{s}_rev"] = 6 - out[f"pts_{s}"]
        _computed(out, "pts_a_rev", "pts_h_rev", "pts_s_rev")
    return out


def add_legal_origin(panel: pd.DataFrame) -> pd.DataFrame:
    """La Porta et al. legal origin and a common-law dummy (time-invariant)."""
    return add_static(panel, sources.read_legal_origin(), ["legal_origin", "common_law"], source="qog_basic_cs")


def add_region(panel: pd.DataFrame, scheme: str = "region") -> pd.DataFrame:
    """World Bank region (``region``, 7 groups) or ``continent`` from the countrycode panel."""
    if scheme not in ("region", "continent"):
        raise ValueError(f"scheme={scheme!r}; use 'region' (World Bank) or 'continent'")
    codes = sources.read_countrycode_panel().dropna(subset=["ccode"])
    return add_measure(panel, codes, [scheme], source="countrycode_panel", carry_forward=10)


def add_capabilities(panel: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """COW CINC (share of system capabilities)."""
    from ..sources.capabilities import read_nmc
    return add_measure(panel, read_nmc(), ["cinc"], source="cow_nmc", lag=lag)


def add_igo_count(panel: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """Number of IGOs with full membership (COW IGO v3, to 2014)."""
    from ..sources.igos import read_igo_counts
    return add_measure(panel, read_igo_counts(), ["igo_full"], source="cow_igo_sy", lag=lag)


def add_ideal_point(panel: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """UNGA ideal point and agreement with the US, by session year."""
    from ..sources.unga import read_ideal_points
    return add_measure(panel, read_ideal_points(), ["ideal_point", "agree_usa"], source="ideal_points_2024", lag=lag)


def add_ratification_rules(panel: pd.DataFrame) -> pd.DataFrame:
    """Simmons' ratification-rules scale (static; direction unverified, see the reader)."""
    from ..sources.ratrules import read_ratification_rules
    return add_static(panel, read_ratification_rules(), ["ratrules"], source="simmons_ratrules")


def add_distance_to(panel: pd.DataFrame, target: int = 2, name: str | None = None) -> pd.DataFrame:
    """Great-circle km between each state's capital and ``target``'s capital (COW code;
    default the United States) on 1 July of each year, so capital moves count."""
    from ..sources.capabilities import haversine_km, read_capitals
    caps = read_capitals()
    mid = pd.to_datetime(panel.year.astype(str) + "-07-01")
    rows = panel[["ccode", "year"]].assign(_mid=mid).merge(caps, on="ccode", how="left")
    rows = rows[(rows.start <= rows._mid) & (rows._mid <= rows.end)]
    tgt = caps[caps.ccode == target]
    if tgt.empty:
        raise ValueError(f"target={target} has no capital in cow_capitals")
    rows = rows.merge(tgt[["start", "end", "lat", "lng"]], how="cross", suffixes=("", "_t"))
    rows = rows[(rows.start_t <= rows._mid) & (rows._mid <= rows.end_t)]
    col = name or f"km_to_{target}"
    rows[col] = haversine_km(rows.lat, rows.lng, rows.lat_t, rows.lng_t)
    measure = rows[["ccode", "year", col]]
    measure.attrs = dict(caps.attrs)  # the joins above dropped the reader's stamp
    return add_measure(panel, measure, [col], source="cow_capitals")


HUMAN_RIGHTS = {
    "ciri": ("read_ciri", ["physint"], "ciri_physint"),
    "cirights": ("read_cirights", ["cirights_physint"], "cirights"),
    "fariss": ("read_fariss", ["theta_mean", "theta_sd"], "fariss_lhrs_v4"),
}


def add_human_rights(panel: pd.DataFrame, measure: str = "fariss", lag: int = 0) -> pd.DataFrame:
    """Physical integrity: CIRI ``physint`` (0–8, to 2011), CIRIGHTS (to 2020) or Fariss's
    latent ``theta_mean``/``theta_sd`` (to 2021). For PTS use :func:`add_pts`."""
    if measure not in HUMAN_RIGHTS:
        raise ValueError(f"measure={measure!r}; choose one of {sorted(HUMAN_RIGHTS)} (or add_pts)")
    reader, cols, source = HUMAN_RIGHTS[measure]
    return add_measure(panel, getattr(sources, reader)(), cols, source=source, lag=lag)


def add_conflict(panel: pd.DataFrame, source: str = "ucdp", lag: int = 0) -> pd.DataFrame:
    """Conflict dummies: UCDP (``civil_conflict``, ``civil_war``, ``interstate``) or COW wars
    (``cow_intra_war``, ``cow_inter_war``). Conflict files list only conflict years, so
    a year the source covers with no conflict is 0, and years outside its coverage stay missing."""
    from ..sources.conflict import cow_war_country_years, ucdp_country_years
    readers = {"ucdp": ucdp_country_years, "cow": cow_war_country_years}
    if source not in readers:
        raise ValueError(f"source={source!r}; use 'ucdp' or 'cow'")
    data = readers[source]()
    spans = data.attrs["coverage_years"]
    out = add_measure(panel, data, list(spans), source=data.attrs["source"], lag=lag)  # the registered id
    for col, span in spans.items():
        covered = (out.year - lag).between(*span)
        out.loc[covered, col] = out.loc[covered, col].fillna(0)
        out[col] = out[col].astype("Int64")
    record = out.attrs["merges"][-1]
    record["coverage"] = {c: round(float(out[c].notna().mean()), 4) for c in spans}
    record["zero_when_covered"] = {c: [int(y) for y in span] for c, span in spans.items()}
    return out


def add_constraints(panel: pd.DataFrame, lag: int = 0) -> pd.DataFrame:
    """V-Dem v14 legislative (``v2xlg_legcon``) and judicial (``v2x_jucon``) constraints on
    the executive, and horizontal accountability (``v2x_horacc``), 1970–2023."""
    from ..sources.regimes import CONSTRAINTS
    return add_measure(panel, sources.read_vdem_constraints(), list(CONSTRAINTS), source="vdem_constraints", lag=lag)
