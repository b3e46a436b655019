"""US interventions, crises and disputes: MIP (Kushi & Toft), ICB actor-level v13, COW MIDs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .provenance import read_rdata, registered_path, stamp

_SPLIT = re.compile(r"[,.;]\s*|\s+")


def split_codes(cell) -> list[int]:
    """'220, 230' -> [220, 230]; also survives the file's '620. 483' typo."""
    return [int(part) for part in _SPLIT.split(str(cell).strip()) if part.isdigit()]


def read_mip(path: Path | str | None = None, drop_removed: bool = False) -> pd.DataFrame:
    """Military Intervention Project (2022 workbook): one row per intervention and target state.

    Multi-target cells ('40, 55') are split into one row per COW code. MIP flags 178
    cases ``RemoveCase = 1``; they are kept (``remove_case``) unless ``drop_removed``,
    because the flag's exact meaning must be checked against the MIP codebook, which is
    not among our sources.
    """
    raw = pd.read_excel(registered_path("mip_interventions", path=path), sheet_name="Dataset No Format")
    removed = int((raw.RemoveCase == 1).sum())
    if drop_removed:
        raw = raw[raw.RemoveCase != 1]
    raw = raw.assign(case=raw.index + 1, targets=raw["State B code"].map(split_codes))
    long = raw.explode("targets").dropna(subset=["targets"])
    df = pd.DataFrame({
        "case": long.case.astype("int64"), "name": long.Name.astype("string"),
        "ccode": long.targets.astype("Int64"), "start_year": long.styear.astype("Int64"),
        "end_year": long.endyear.astype("Int64"), "us_highact": long["US HighAct"].astype("Int64"),
        "multi_target": long["State B code"].astype(str).map(split_codes).map(len).gt(1),
        "remove_case": long.RemoveCase.eq(1),
    }).reset_index(drop=True)
    return stamp(df, "mip_interventions", removed_cases=removed, dropped_removed=drop_removed)


def read_icb_actors(path: Path | str | None = None) -> pd.DataFrame:
    """ICB actor-level crises v13: crisis, actor (COW code), trigger year, triggering entity,
    US involvement (``usinv``), region (``geog``) and violence; the file has a BOM."""
    raw = pd.read_csv(registered_path("icb_v13", path=path), encoding="utf-8-sig")
    df = pd.DataFrame({"crisno": raw.crisno.astype("Int64"), "ccode": raw.cracid.astype("Int64"),
                       "actor": raw.actor.astype("string"), "year": raw.yrtrig.astype("Int64"),
                       "trigger_ccode": raw.trigent.astype("Int64"), "us_involvement": raw.usinv.astype("Int64"),
                       "geog": raw.geog.astype("Int64"), "violence": raw.viol.astype("Int64")})
    return stamp(df, "icb_v13")


def read_mids(path: Path | str | None = None) -> pd.DataFrame:
    """COW MID 5.0 directed dispute-years (to 2014): ``ccode1`` acting toward ``ccode2``,
    with side A, onset, highest action and hostility level (4 = use of force, 5 = war)."""
    raw = read_rdata(registered_path("cow_mid", path=path), "cow_mid_dirdisps")
    cols = {"dispnum": "dispnum", "ccode1": "ccode1", "ccode2": "ccode2", "year": "year",
            "disponset": "onset", "sidea1": "side_a1", "hiact1": "hiact1", "hostlev1": "hostlev1",
            "fatality1": "fatality1"}
    df = raw[list(cols)].rename(columns=cols).astype("Int64")
    return stamp(df, "cow_mid")
