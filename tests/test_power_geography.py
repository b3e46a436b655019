"""Capabilities, capitals and distances, IGOs, UNGA ideal points, ratification rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratify import concord
from ratify.sources.capabilities import haversine_km, read_capdist, read_capitals, read_nmc
from ratify.sources.igos import read_igo_counts
from ratify.sources.ratrules import read_ratification_rules
from ratify.sources.unga import read_ideal_points

from fixtures.rdata import COUNTRYCODE_PANEL, COW_CAPITALS, COW_IGO_SY, COW_NMC, write_rda

FIXTURES = Path(__file__).parent / "fixtures"


def test_haversine_matches_known_distances():
    assert haversine_km(0, 0, 0, 180) == pytest.approx(3.14159265 * 6371.0088, rel=1e-6)  # half the equator
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.6, abs=1.0)  # London-Paris


def test_capitals_move_with_the_date(tmp_path):
    caps = read_capitals(write_rda(tmp_path, "cow_capitals", COW_CAPITALS))
    assert caps.set_index("ccode").capital.to_dict() == {2: "Washington D.C.", 260: "Bonn", 255: "Berlin"}
    assert caps.start.dt.year.tolist() == [1816, 1955, 1990]


def test_nmc_igo_and_ideal_points(tmp_path):
    assert read_nmc(write_rda(tmp_path, "cow_nmc", COW_NMC)).cinc.tolist() == [0.14, 0.138]
    igo = read_igo_counts(write_rda(tmp_path, "cow_igo_sy", COW_IGO_SY))
    assert igo[["igo_full", "igo_any"]].values.tolist() == [[70, 74]]
    ip = read_ideal_points(FIXTURES / "IdealpointestimatesAll_Jun2024.csv")
    assert ip.year.tolist() == [1990, 1990] and ip.ideal_point.tolist() == [2.91, -0.21]


def test_capdist_says_its_codes_are_gleditsch_ward():
    cd = read_capdist(FIXTURES / "capdist.csv")
    assert cd.attrs["codes"] == "Gleditsch-Ward" and cd.km.item() == 731


def test_ratification_rules_keyed_by_iso3_and_flagged_unverified(tmp_path, monkeypatch):
    from ratify.sources.countrycodes import read_countrycode_panel
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)
    rr = read_ratification_rules(FIXTURES / "BSrat.csv", year=2020)
    assert rr.set_index("iso3c").ratrules.to_dict() == {"VNM": 1.5}  # DEU has no fixture row for 2020
    assert rr.attrs["direction_verified"] is False
    assert {u["name"] for u in rr.attrs["unmatched"]} == {"DEU", "HKG"}


@pytest.mark.realdata
def test_real_files_and_verbs(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.panels import (add_capabilities, add_distance_to, add_ideal_point, add_igo_count,
                               add_ratification_rules, state_years)
    p = (state_years("cow", 1990, 2014).pipe(add_capabilities).pipe(add_igo_count).pipe(add_ideal_point)
         .pipe(add_ratification_rules).pipe(add_distance_to))
    assert not p.duplicated(["ccode", "year"]).any()
    mexico = p.loc[(p.ccode == 70) & (p.year == 2000), "km_to_2"].item()
    assert mexico == pytest.approx(3042, abs=5)  # the registry's note: Washington-Mexico City 3,042 km
    assert p.loc[p.ccode == 2, "km_to_2"].eq(0).all()
    assert read_ratification_rules().ratrules.value_counts().to_dict() == {2.0: 86, 1.0: 55, 3.0: 21, 1.5: 13,
                                                                           2.5: 1}
