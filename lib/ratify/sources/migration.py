"""Migrant stocks (UN DESA 2020) and remittances on the COW country-year key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..concord import add_cow
from .provenance import read_rdata, registered_path, stamp


def read_migrant_stock_totals(path: Path | str | None = None) -> pd.DataFrame:
    """UN DESA International Migrant Stock 2020, country totals, every five years 1990–2020.

    Both shares come out in percent: the file gives the immigrant share (``fb_share``)
    in percent but the emigrant share (``disp_share``) as a fraction, so the reader
    multiplies the latter by 100 (``attrs["fixes"]``). The refugee column marks some
    country-years with ``~`` (no estimate); those are read as missing.
    """
    raw = pd.read_csv(registered_path("undesa_stock_totals_2020", path=path), na_values={"refugee": ["~"]})
    df = pd.DataFrame({
        "iso3c": raw.alpha3.astype("string"), "year": raw.year.astype("int64"),
        "un_name": raw.name.astype("string"),
        "immigrant_stock": raw.fb.astype(float), "population": raw["pop"].astype(float),
        "immigrant_share_pct": raw.fb_share.astype(float),
        "emigrant_stock": raw.disp.astype(float), "emigrant_share_pct": 100 * raw.disp_share.astype(float),
        "refugees": raw.refugee.astype(float),
    })
    out = add_cow(df, "undesa_stock_totals_2020", iso3c="iso3c")
    return stamp(out, "undesa_stock_totals_2020", fixes=["disp_share (a fraction) x 100 = emigrant_share_pct",
                                                           "refugee '~' read as missing"])


def read_remittances(path: Path | str | None = None) -> pd.DataFrame:
    """Personal remittances received, % of GDP (WDI BX.TRF.PWKR.DT.GD.ZS, frozen 2023 extract),
    on COW codes, 1970–2018, from Crisman-Cox's replication archive."""
    raw = read_rdata(registered_path("remittances_cmps", path=path), "remitNEW")
    df = pd.DataFrame({
        "ccode": raw.ccode.astype("Int64"), "year": raw.year.astype("int64"),
        "country": raw.country.astype("string"),
        "remittances_pct_gdp": raw.remittance_received_pct.astype(float),
        "remittances_usd": raw.remittance_received.astype(float),
    })
    return stamp(df, "remittances_cmps")


def _cow_for_iso3(iso3: pd.Series, years: pd.Series) -> pd.Series:
    """COW code per (ISO3, year), looked up once per distinct pair; missing where none."""
    from ..concord import to_cow

    pairs = pd.DataFrame({"iso3c": iso3, "year": years}).drop_duplicates().reset_index(drop=True)
    pairs["ccode"] = pd.array(to_cow(pairs.iso3c, pairs.year, by="iso3c").ccode, dtype="Int64")
    keyed = pd.DataFrame({"iso3c": iso3, "year": years}).merge(pairs, on=["iso3c", "year"], how="left")
    return keyed.ccode.set_axis(iso3.index)


def read_bilateral_stocks(path: Path | str | None = None) -> pd.DataFrame:
    """UN DESA International Migrant Stock 2020, origin × destination × sex, every five
    years 1990–2020 (IOM gdidata build). One row per reported cell.

    ``origin == "OOO"`` is "other or unknown origin". A missing origin-sex row means
    the UN had too little data, not zero, so no zeros are filled in. Both ends get a
    COW code where one exists that year (missing otherwise; the rows are kept, so
    totals still add up to the UN's). Do not mix with the 2024 edition, which revised
    1990–2020.
    """
    raw = read_rdata(registered_path("undesa_stock_2020", path=path), "undesa_stocks_2020")
    df = pd.DataFrame({"dest_iso3c": raw.geo.astype("string"), "origin_iso3c": raw["from"].astype("string"),
                       "year": raw.t.astype("int64"), "sex": raw.sex.astype("string"),
                       "stock": raw.n.astype("int64"),
                       "by_birthplace": raw.type_b.astype(bool), "by_citizenship": raw.type_c.astype(bool),
                       "refugees_added": raw.type_r.astype(bool), "imputed": raw.type_i.astype(bool)})
    df["dest_ccode"] = _cow_for_iso3(df.dest_iso3c, df.year)
    df["origin_ccode"] = _cow_for_iso3(df.origin_iso3c.where(df.origin_iso3c != "OOO"), df.year)
    return stamp(df, "undesa_stock_2020", edition="IMS 2020")


def bilateral_totals(stocks: pd.DataFrame) -> pd.DataFrame:
    """Immigrant stock by destination and emigrant stock by origin (both sexes), by ISO3-year."""
    both = stocks.groupby(["dest_iso3c", "year"]).stock.sum().rename("immigrants")
    out = stocks.groupby(["origin_iso3c", "year"]).stock.sum().rename("emigrants")
    return (both.rename_axis(["iso3c", "year"]).to_frame()
            .join(out.rename_axis(["iso3c", "year"]), how="outer").reset_index())


IMS_TABLES = {"Table 1": "immigrant_stock", "Table 3": "immigrant_share_pct"}


def read_ims_destination(table: str = "Table 1", path: Path | str | None = None) -> pd.DataFrame:
    """UN DESA IMS 2020 by destination (the UN's own workbook): Table 1 (stock) or
    Table 3 (stock as % of population), both sexes, male and female, 1990–2020.

    The workbook's header is on row 11; regions and development groups have no "Type
    of data" and are left out; ``..`` is missing. Countries are keyed by their M49
    code, converted to ISO3 and then to COW codes.
    """
    import country_converter as coco

    if table not in IMS_TABLES:
        raise ValueError(f"table={table!r}; this reader knows {sorted(IMS_TABLES)}")
    raw = pd.read_excel(registered_path("undesa_ims_2020_destination", path=path), sheet_name=table,
                        header=10, na_values=[".."])
    countries = raw[raw["Type of data"].notna()].copy()
    years = [1990, 1995, 2000, 2005, 2010, 2015, 2020]
    parts = []
    for suffix, sex in (("", "both"), (".1", "male"), (".2", "female")):
        cols = {(y if not suffix else f"{y}{suffix}"): y for y in years}
        part = countries[["Location code", "Region, development group, country or area", "Type of data", *cols]]
        part = part.rename(columns={**cols, "Location code": "m49",
                                    "Region, development group, country or area": "un_name",
                                    "Type of data": "data_type"})
        parts.append(part.melt(id_vars=["m49", "un_name", "data_type"], var_name="year",
                               value_name=IMS_TABLES[table]).assign(sex=sex))
    df = pd.concat(parts, ignore_index=True)
    iso_table = coco.CountryConverter().data[["ISOnumeric", "ISO3"]].dropna()
    iso3 = dict(zip(iso_table.ISOnumeric.astype(int), iso_table.ISO3, strict=True))  # 830 Channel Islands: none
    df["iso3c"] = pd.array(df.m49.astype(int).map(iso3), dtype="string")
    no_iso = df[df.iso3c.isna()]
    df = df.astype({"year": "int64", IMS_TABLES[table]: float})
    df["data_type"] = df.data_type.str.strip().astype("string")
    df["un_name"] = df.un_name.str.strip().astype("string")
    out = add_cow(df.dropna(subset=["iso3c"]), "undesa_ims_2020_destination", iso3c="iso3c")
    out.attrs["unmatched"] += [{"source": "undesa_ims_2020_destination", "name": n.strip(), "status": "no ISO3 for M49 code",
                                "rows": len(p), "first_year": int(p.year.min()), "last_year": int(p.year.max())}
                               for n, p in no_iso.groupby("un_name")]
    return stamp(out, "undesa_ims_2020_destination", table=table)
