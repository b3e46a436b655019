"""MIP (multi-target cells split), ICB actor file (BOM), COW MIDs."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify.sources.interventions import read_icb_actors, read_mids, read_mip, split_codes

from fixtures.rdata import write_rda


@pytest.mark.parametrize("cell, codes", [("220, 230", [220, 230]), ("620. 483", [620, 483]), (70, [70]),
                                         ("731, 732, 365", [731, 732, 365]), ("", [])])
def test_split_codes(cell, codes):
    assert split_codes(cell) == codes


def test_mip_one_row_per_target(tmp_path):
    path = tmp_path / "mip.xlsx"
    sheet = pd.DataFrame({"State B": ["SPN, FRN", "MEX", "DOM"], "State B code": ["220, 230", 70, 42],
                          "styear": [1806, 1914, 1965], "endyear": [1810, 1914, 1966],
                          "Name": ["Gulf of Mexico Pirates", "Veracruz", "Power Pack"],
                          "US HighAct": [8, 19, 19], "RemoveCase": [0, 0, 1]})
    with pd.ExcelWriter(path) as xl:
        sheet.to_excel(xl, sheet_name="Dataset No Format", index=False)
        pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="Case Universe", index=False)
    mip = read_mip(path)
    assert mip[["case", "ccode"]].values.tolist() == [[1, 220], [1, 230], [2, 70], [3, 42]]
    assert mip.multi_target.tolist() == [True, True, False, False]
    assert read_mip(path, drop_removed=True).ccode.tolist() == [220, 230, 70]
    assert mip.attrs["removed_cases"] == 1


def test_icb_reads_the_bom(tmp_path):
    path = tmp_path / "icb2v13.csv"
    path.write_text("crisno,cracno,cracid,actor,yrtrig,trigent,usinv,geog,viol\n"
                    "2,2,93,NIC,1918,94,7,42,1\n", encoding="utf-8-sig")
    icb = read_icb_actors(path)
    assert list(icb.columns)[0] == "crisno" and icb.ccode.item() == 93


def test_mids_directed_rows(tmp_path):
    frame = pd.DataFrame({"dispnum": [2.0], "ccode1": [2.0], "ccode2": [200.0], "year": [1902.0],
                          "dispongoing": [1.0], "disponset": [1.0], "sidea1": [1.0], "sidea2": [0.0],
                          "fatality1": [0.0], "fatality2": [0.0], "hiact1": [7.0], "hiact2": [0.0],
                          "hostlev1": [3.0], "hostlev2": [1.0]})
    mids = read_mids(write_rda(tmp_path, "cow_mid_dirdisps", frame))
    assert mids[["ccode1", "ccode2", "hostlev1"]].values.tolist() == [[2, 200, 3]]


@pytest.mark.realdata
def test_real_files(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    mip = read_mip()
    assert mip.attrs["removed_cases"] == 178 and mip.ccode.notna().all()
    assert mip.groupby("case").ccode.size().max() >= 3  # e.g. '731, 732, 365'
    icb = read_icb_actors()
    assert len(icb) == 1065 and (icb.trigger_ccode == 2).sum() == 50  # as the registry's note says
    assert read_mids().year.max() == 2014
