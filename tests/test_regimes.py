"""Polity5 reader: special codes, duplicated transition years, the stray 2019-20 rows."""

from __future__ import annotations

import pytest

from ratify.sources import read_polity5

from fixtures.rdata import POLITY5, write_rda


@pytest.fixture
def polity(tmp_path):
    return read_polity5(write_rda(tmp_path, "polity5", POLITY5))


def test_special_codes_become_missing_but_are_named(polity):
    chile77 = polity[(polity.ccode == 155) & (polity.year == 1977)].iloc[0]
    assert chile77.polity_special == "transition"
    assert chile77[["democ", "autoc", "polity", "xconst"]].isna().all()
    assert chile77.polity2 == -6  # Polity's own interpolated series is kept as published
    assert (polity[["democ", "autoc", "polity", "xconst"]] < -10).sum().sum() == 0


def test_one_row_per_country_year_keeping_the_continuing_unit(polity):
    assert not polity.duplicated(["ccode", "year"]).any()
    assert polity.loc[(polity.ccode == 816) & (polity.year == 1976), "scode"].tolist() == ["VIE"]
    assert polity.attrs["dropped_duplicates"] == [
        {"ccode": "816", "year": "1976", "country": "Vietnam North", "scode": "DRV"}]


def test_panel_ends_in_2018_and_unmatched_units_are_reported(polity):
    assert polity.year.max() == 2018
    assert polity.attrs["unmatched"] == ["Gran Colombia"]
    assert polity.ccode.notna().all()


@pytest.mark.realdata
def test_real_polity5(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    p = read_polity5()
    assert p.loc[(p.ccode == 155) & (p.year == 1976), "polity2"].item() == -7  # Chile under Pinochet
    assert not p.duplicated(["ccode", "year"]).any()
    assert len(p.attrs["dropped_duplicates"]) == 7
    assert p.year.between(1776, 2018).all()


def test_vdem_keys_and_reports(tmp_path):
    from ratify.sources import read_vdem
    from fixtures.rdata import VDEM
    v = read_vdem(write_rda(tmp_path, "vdem_simple", VDEM))
    assert v.loc[(v.ccode == 325) & (v.year == 1861), "country"].item() == "Italy"  # the unit that continues
    assert v.attrs["unmatched"] == ["Hamburg"]
    assert v.loc[v.ccode == 155, "v2x_polyarchy"].item() == pytest.approx(0.074)
    assert (v.v2x_polyarchy_codelow.dropna() <= v.v2x_polyarchy.dropna()).all()


@pytest.mark.realdata
def test_real_vdem(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.sources import read_vdem
    v = read_vdem()
    assert not v.duplicated(["ccode", "year"]).any()
    assert v.year.max() == 2024 and v.v2x_polyarchy.dropna().between(0, 1).all()
    assert v.loc[(v.ccode == 155) & (v.year == 1980), "v2x_polyarchy"].item() < 0.2  # Chile under Pinochet
