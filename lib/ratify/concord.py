"""One concordance for the whole book: country names or ISO3 codes -> COW code, by year.

Names are matched with the countrycode package's English regexes (the same ones R users
get from ``countrycode()``), so "Viet Nam", "Côte d'Ivoire" and "Bolivia (Plurinational
State of)" all land on one entity; the entity's COW code is then looked up *in the year
asked*, because codes change (West Germany is 260 until 1990, Germany 255 after).

Rules that are choices, not data, are here in one place:
- ``SUCCESSOR_COW``: COW keeps Yugoslavia's code 345 for Serbia and Montenegro and then
  Serbia; the countrycode panel leaves Serbia without a COW code.
- ``ISO3_ALIASES``: Kosovo has no ISO3 code; the World Bank writes XKX, Gapminder KOS.
- Years after the panel's last COW year carry that year's code forward (the panel stops
  before our latest data); the carried years are counted in ``attrs["carried_years"]``.
Anything that still has no code is *reported*, never dropped: see :func:`unmatched`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

SUCCESSOR_COW = {"Serbia": 345, "Serbia and Montenegro": 345}

# ISO 3166 has not assigned Kosovo a code; data providers use their own user-assigned ones.
ISO3_ALIASES = {"XKX": "Kosovo", "KOS": "Kosovo"}  # World Bank, Gapminder

STATUS_OK = "matched"


@lru_cache(maxsize=1)
def _panel() -> pd.DataFrame:
    from .sources.countrycodes import read_countrycode_panel  # the readers use this module too
    return read_countrycode_panel()


def _entities(panel: pd.DataFrame) -> list[tuple[str, re.Pattern]]:
    ents = panel[["entity", "regex"]].drop_duplicates("entity").dropna()
    return [(e, re.compile(r, re.IGNORECASE)) for e, r in ents.itertuples(index=False)]


def match_names(names, panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Entity for each distinct name: the regex with the longest match wins; a tie is
    ``ambiguous`` and no match is ``no name match`` (both left without an entity)."""
    panel = _panel() if panel is None else panel
    entities = _entities(panel)
    rows = []
    for name in pd.unique(pd.Series(list(names), dtype="string").dropna()):
        hits = sorted(((m.end() - m.start(), e) for e, rx in entities if (m := rx.search(name))), reverse=True)
        if not hits:
            rows.append((name, pd.NA, "no name match"))
        elif len(hits) > 1 and hits[0][0] == hits[1][0]:
            rows.append((name, pd.NA, "ambiguous: " + ", ".join(e for _, e in hits[:3])))
        else:
            rows.append((name, hits[0][1], STATUS_OK))
    return pd.DataFrame(rows, columns=["name", "entity", "status"]).astype({"name": "string", "entity": "string"})


def match_iso3(codes, panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Entity for each distinct ISO3 code (aggregates such as WLD get ``no code match``)."""
    panel = _panel() if panel is None else panel
    lookup = panel.dropna(subset=["iso3c"]).drop_duplicates("iso3c").set_index("iso3c").entity
    codes = pd.Series(pd.unique(pd.Series(list(codes), dtype="string").dropna()), dtype="string")
    entity = codes.map(lookup).fillna(codes.map(ISO3_ALIASES)).astype("string")
    status = entity.isna().map({True: "no code match", False: STATUS_OK})
    return pd.DataFrame({"name": codes, "entity": entity, "status": status})


def to_cow(names, years=None, panel: pd.DataFrame | None = None, by: str = "name") -> pd.DataFrame:
    """COW code (``ccode``), ISO3 and display name for each (name, year).

    ``by="iso3c"`` matches ISO3 codes instead of names. ``years`` may be one year, a
    sequence aligned with ``names``, or ``None`` (the entity's most recent code).
    Status is ``matched`` or says why not.
    """
    panel = _panel() if panel is None else panel
    matcher = {"name": match_names, "iso3c": match_iso3}.get(by)
    if matcher is None:
        raise ValueError(f"by={by!r}; use 'name' or 'iso3c'")
    names = pd.Series(list(names), dtype="string")
    if years is None or pd.api.types.is_scalar(years):
        years = pd.Series([years] * len(names), dtype="Int64")
    else:
        years = pd.Series(list(years), dtype="Int64")
    out = pd.DataFrame({"name": names, "year": years})
    out = out.merge(matcher(names, panel), on="name", how="left")
    codes = panel[["entity", "year", "ccode", "iso3c"]]
    last_cow_year = int(panel.loc[panel.ccode.notna(), "year"].max())
    lookup_year = out.year.fillna(last_cow_year).clip(upper=last_cow_year)
    out = out.assign(_y=lookup_year).merge(codes, left_on=["entity", "_y"], right_on=["entity", "year"],
                                           how="left", suffixes=("", "_panel"))
    out["ccode"] = out.ccode.fillna(out.entity.map(SUCCESSOR_COW).astype("Int64"))
    out["country"] = out.entity
    has_entity = out.entity.notna()
    out.loc[has_entity & out.ccode.isna(), "status"] = "no COW code that year"
    out = out.drop(columns=["_y", "year_panel"])
    out.attrs = {"carried_years": int((out.year > last_cow_year).sum()), "last_cow_year": last_cow_year,
                 "source": "countrycode_panel"}
    return out[["name", "year", "ccode", "iso3c", "country", "status"]]


def add_cow(df: pd.DataFrame, source: str, *, name: str | None = None, iso3c: str | None = None,
            year: str = "year") -> pd.DataFrame:
    """Put ``ccode`` on a frame keyed by country name or ISO3 and year; rows without a
    COW code are dropped *and* listed in ``attrs["unmatched"]`` (e.g. World Bank
    aggregates, territories, years before independence)."""
    if (name is None) == (iso3c is None):
        raise ValueError("give exactly one of name= or iso3c=")
    codes = to_cow(df[name or iso3c], df[year], by="name" if name else "iso3c")
    out = df.assign(ccode=pd.array(codes.ccode, dtype="Int64"))
    attrs = {**df.attrs, "unmatched": unmatched(codes, source).to_dict("records")}
    out = out[out.ccode.notna()].reset_index(drop=True)
    out.attrs = attrs
    return out


#: Where Gleditsch–Ward and COW number the same state differently: (GW code, first year) -> COW code.
GW_TO_COW_EXCEPTIONS = {(260, 1991): 255,   # unified Germany: GW keeps West Germany's 260
                        (678, 1991): 679,   # unified Yemen: GW keeps North Yemen's 678
                        (340, 2006): 345}   # Serbia: COW keeps Yugoslavia's 345


def gw_to_cow(gwcodes, years) -> pd.Series:
    """COW code for each (Gleditsch–Ward code, year): the same number when COW has that
    state in that year, else one of the three documented exceptions, else missing."""
    from .panels import state_years

    left = pd.DataFrame({"gwcode": pd.array(list(gwcodes), dtype="Int64"),
                         "year": pd.array(list(years), dtype="Int64")})
    code = left.gwcode.copy()
    for (gw, first), cow in GW_TO_COW_EXCEPTIONS.items():
        code = code.mask((left.gwcode == gw) & (left.year >= first), cow)
    last = int(left.year.max()) if left.year.notna().any() else 2016
    cow_years = state_years("cow", extend_ongoing=True, end=max(last, 2016))[["ccode", "year"]]
    known = pd.MultiIndex.from_frame(cow_years.astype("int64"))
    probe = pd.MultiIndex.from_arrays([code.fillna(-1).astype("int64"), left.year.fillna(-1).astype("int64")])
    return code.where(probe.isin(known)).astype("Int64").reset_index(drop=True)


def vdem_to_cow(vdem_ids, years, panel: pd.DataFrame | None = None) -> pd.Series:
    """COW code for each (V-Dem country id, year), from the countrycode panel; missing where none."""
    panel = _panel() if panel is None else panel
    pairs = panel.dropna(subset=["vdem_id", "ccode"])[["vdem_id", "year", "ccode"]].drop_duplicates(["vdem_id", "year"])
    last = int(pairs.year.max())
    left = pd.DataFrame({"vdem_id": pd.array(list(vdem_ids), dtype="Int64"),
                         "_y": pd.array(list(years), dtype="Int64")})
    left["_y"] = left._y.clip(upper=last)
    out = left.merge(pairs.rename(columns={"year": "_y"}), on=["vdem_id", "_y"], how="left")
    return pd.Series(out.ccode.to_numpy(), dtype="Int64")


def unmatched(result: pd.DataFrame, source: str) -> pd.DataFrame:
    """The report chapters print: each distinct name that got no COW code, and why."""
    bad = result[result.status != STATUS_OK]
    rep = (bad.groupby(["name", "status"], dropna=False)
           .agg(rows=("name", "size"), first_year=("year", "min"), last_year=("year", "max"))
           .reset_index())
    rep.insert(0, "source", source)
    return rep
