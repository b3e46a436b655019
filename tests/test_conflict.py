"""GW -> COW codes, conflict country-years, and the zero-when-covered rule of add_conflict."""

from __future__ import annotations

import pandas as pd
import pytest

import ratify.panels
from ratify.concord import gw_to_cow
from ratify.sources.conflict import ucdp_country_years
from ratify.sources.states import read_cow_states

from fixtures.rdata import COW_STATES, write_rda


@pytest.fixture
def toy_cow(tmp_path, monkeypatch):
    """state_years() over the fixture COW list (USA, Cuba, GDR, Germany)."""
    spells = read_cow_states(write_rda(tmp_path, "cow_states", COW_STATES))
    real = ratify.panels.state_years
    monkeypatch.setattr(ratify.panels, "state_years", lambda *a, **k: real(*a, spells=spells, **k))


def test_gw_codes_map_to_cow_by_year(toy_cow):
    got = gw_to_cow([260, 260, 2, 265, 999], [1980, 1995, 2000, 1980, 2000]).tolist()
    # GW 260 is West Germany then unified Germany; the fixture list has no West Germany (260),
    # so 1980 finds no COW state, while 1995 maps to 255 by the documented exception
    assert got == [pd.NA, 255, 2, 265, pd.NA]


def test_ucdp_country_years_flags_government_side_and_both_interstate_sides(toy_cow):
    acd = pd.DataFrame({"conflict_id": [1, 1, 2], "year": [1995, 1996, 1995], "gw_a": [2, 2, 2],
                        "gw_b": [pd.NA, pd.NA, 40], "type": ["intrastate", "intrastate", "interstate"],
                        "intensity": [1, 2, 1]}).astype({"gw_b": "Int64"})
    out = ucdp_country_years(acd).set_index(["ccode", "year"])
    assert out.loc[(2, 1995)].tolist() == [1, 0, 1]
    assert out.loc[(2, 1996)].tolist() == [1, 1, 0]
    assert out.loc[(40, 1995)].tolist() == [0, 0, 1]


@pytest.mark.realdata
def test_real_conflict_panel(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.panels import add_conflict, coverage, state_years
    p = state_years("cow", 1990, 2015).pipe(add_conflict).pipe(add_conflict, "cow")
    cov = coverage(p).set_index("column").share_filled
    assert cov["civil_conflict"] == 1.0  # UCDP covers every year: no conflict listed = 0
    assert p.loc[p.year > 2008, "cow_intra_war"].isna().all()  # COW intra-state war data end in 2008
    assert p.loc[p.year > 2003, "cow_inter_war"].isna().all()  # and inter-state in 2003
    assert p.loc[(p.ccode == 2) & (p.year == 2003), "interstate"].item() == 1  # Iraq war
