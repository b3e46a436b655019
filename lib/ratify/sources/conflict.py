"""Armed conflict by country-year: UCDP/PRIO (GW codes, mapped to COW) and COW wars."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import read_rdata, registered_path, stamp

CIVIL = {"intrastate", "internationalized intrastate"}


def read_ucdp_acd(path: Path | str | None = None) -> pd.DataFrame:
    """UCDP/PRIO Armed Conflict Dataset, conflict-years 1946–2024 (peacesciencer build)."""
    raw = read_rdata(registered_path("ucdp_acd", path=path), "ucdp_acd")
    df = pd.DataFrame({"conflict_id": raw.conflict_id.astype("Int64"), "year": raw.year.astype("Int64"),
                       "gw_a": raw.gwno_a.astype("Int64"), "gw_b": raw.gwno_b.astype("Int64"),
                       "type": raw.type_of_conflict.astype("string"),
                       "intensity": raw.intensity_level.astype("Int64")})
    return stamp(df, "ucdp_acd", codes="Gleditsch-Ward")


def ucdp_country_years(acd: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per COW country-year: any civil conflict (government side of an intrastate or
    internationalized intrastate conflict, 25+ battle deaths), civil war (1,000+), and
    any interstate conflict (either primary side). Only years with a conflict appear."""
    from ..concord import gw_to_cow

    acd = read_ucdp_acd() if acd is None else acd
    civil = acd[acd.type.isin(CIVIL)].assign(gw=acd.gw_a)
    inter = acd[acd.type == "interstate"]
    inter = pd.concat([inter.assign(gw=inter.gw_a), inter.assign(gw=inter.gw_b)])
    rows = pd.concat([civil.assign(civil_conflict=1, civil_war=(civil.intensity == 2).astype(int), interstate=0),
                      inter.assign(civil_conflict=0, civil_war=0, interstate=1)])
    rows = rows.dropna(subset=["gw"])
    rows["ccode"] = gw_to_cow(rows.gw, rows.year).to_numpy()
    unmapped = rows.loc[rows.ccode.isna(), ["gw", "year"]].drop_duplicates().astype(str).to_dict("records")
    out = (rows.dropna(subset=["ccode"]).groupby(["ccode", "year"])[["civil_conflict", "civil_war", "interstate"]]
           .max().reset_index())
    span = (int(acd.year.min()), int(acd.year.max()))
    return stamp(out.astype({"ccode": "Int64", "year": "Int64"}), "ucdp_acd", gw_codes_not_in_cow=unmapped,
                 coverage_years={c: span for c in ("civil_conflict", "civil_war", "interstate")})


def cow_war_country_years() -> pd.DataFrame:
    """Per COW country-year: ongoing intra-state war with the state on side A (v5.1, to 2008)
    and ongoing inter-state war (v4.0, to 2003). Only war years appear; each file's span
    is in ``attrs["coverage_years"]``."""
    intra = read_rdata(registered_path("cow_war_intra"), "cow_war_intra")
    inter = read_rdata(registered_path("cow_war_inter"), "cow_war_inter")
    a = intra[(intra.ccodea > 0) & (intra.cowintraongoing == 1)][["ccodea", "year"]].rename(columns={"ccodea": "ccode"})
    b = inter[inter.cowinterongoing == 1][["ccode1", "year"]].rename(columns={"ccode1": "ccode"})
    a = a.drop_duplicates().assign(cow_intra_war=1)
    b = b.drop_duplicates().assign(cow_inter_war=1)
    # each column is 1 where its own file lists a war; elsewhere missing (add_conflict sets 0 inside its span)
    out = a.merge(b, on=["ccode", "year"], how="outer").astype(
        {"ccode": "Int64", "year": "Int64", "cow_intra_war": "Int64", "cow_inter_war": "Int64"})
    spans = {"cow_intra_war": (int(intra.year.min()), int(intra.year.max())),
             "cow_inter_war": (int(inter.year.min()), int(inter.year.max()))}
    return stamp(out, "cow_war_intra", also="cow_war_inter", coverage_years=spans)


def read_ucdp_onsets(path: Path | str | None = None) -> pd.DataFrame:
    """UCDP conflict onsets per country-year, 1946–2017 (peacesciencer ``ucdp_onsets``):
    new conflicts, and onsets after 1, 2, 3, 5 and 10 years of peace in that dyad.

    Keyed by Gleditsch–Ward code in the file; COW codes come from ``concord.gw_to_cow``
    (same number when COW has the state that year, plus its documented exceptions).
    Rows with no COW code are listed in ``attrs["unmatched"]``.
    """
    from ..concord import gw_to_cow

    raw = read_rdata(registered_path("ucdp_onsets", path=path), "ucdp_onsets")
    df = raw.rename(columns={"gwcode": "gwcode", "sumnewconf": "new_conflicts"}).astype({"gwcode": "int64", "year": "int64"})
    df = df.rename(columns={c: c.replace("sumonset", "onsets_after_") for c in df.columns if c.startswith("sumonset")})
    df.insert(0, "ccode", gw_to_cow(df.gwcode, df.year).to_numpy())
    lost = df[df.ccode.isna()]
    unmatched = [{"source": "ucdp_onsets", "name": f"GW {g}", "status": "no COW code that year", "rows": len(p),
                  "first_year": int(p.year.min()), "last_year": int(p.year.max())} for g, p in lost.groupby("gwcode")]
    from .units import keep_continuing_unit

    # Serbia 2006: GW 345 (Serbia and Montenegro) and GW 340 (Serbia) both map to COW 345;
    # the unit still there the next year is kept, the other listed in attrs["dropped_duplicates"]
    keyed = df.dropna(subset=["ccode"]).astype({"ccode": "int64"}).assign(country=lambda d: "GW " + d.gwcode.astype(str))
    keyed.attrs = {}
    out = keep_continuing_unit(keyed, "gwcode").drop(columns="country")
    return stamp(out, "ucdp_onsets", unmatched=unmatched, codes="Gleditsch-Ward mapped to COW",
                 dropped_duplicates=out.attrs["dropped_duplicates"])
