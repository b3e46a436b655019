"""BMR, the Political Terror Scale and legal origin: each reader's fixes, on fixtures and real files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ratify.sources.legal import read_legal_origin
from ratify.sources.regimes import read_bmr
from ratify.sources.rights import read_pts

from fixtures.rdata import BMR, write_rda

FIXTURES = Path(__file__).parent / "fixtures"


def test_bmr_keeps_the_continuing_unit_and_reports_uncoded_units(tmp_path):
    bmr = read_bmr(write_rda(tmp_path, "bmr", BMR))
    assert bmr.loc[(bmr.ccode == 345) & (bmr.year == 2006), "bmr_ccode"].item() == 342  # Serbia continues
    assert bmr.attrs["unmatched"] == ["GREAT COLOMBIA"]
    assert not bmr.duplicated(["ccode", "year"]).any()


def test_pts_reads_latin1_fills_codes_and_sets_aside_territories():
    pts = read_pts(FIXTURES / "pts.csv")
    assert "Côte d'Ivoire" in set(pts.country)  # decoded from Latin-1
    russia = pts[pts.ccode == 365].set_index("year")
    # 1980: the Soviet Union is scored (it got 365 from the concordance), the empty Russia row goes
    assert russia.loc[1980, "country"] == "Soviet Union" and russia.loc[1980, "pts_a"] == 3
    # 2000: the Soviet Union's "did not exist" row is dropped before matching
    assert russia.loc[2000, "country"] == "Russian Federation"
    assert pts.loc[pts.ccode == 666, "pts_s"].tolist() == [3]  # Israel as a whole, not its two parts
    assert [u["name"] for u in pts.attrs["unmatched"]] == ["European Union"]
    assert pts.attrs["dropped_duplicates"] == []  # the empty Russia 1980 row went first, as empty


def test_legal_origin_labels_and_common_law_dummy(tmp_path):
    path = tmp_path / "qog.dta"
    pd.DataFrame({"cname": ["United States", "Chile", "Serbia", "Serbia and Montenegro", "Palau"],
                  "ccodecow": [2, 155, 345, 345, 986], "ccodealp": ["USA", "CHL", "SRB", "SCG", "PLW"],
                  "lp_legor": [1.0, 2.0, None, 3.0, None]}).to_stata(path, write_index=False, version=114)  # upstream is 113, which pandas cannot write
    lo = read_legal_origin(path).set_index("country")
    assert lo.loc["United States", "common_law"] == 1 and lo.loc["Chile", "legal_origin"] == "french"
    assert pd.isna(lo.loc["Palau", "common_law"])
    assert "Serbia" not in lo.index and lo.attrs["dropped_duplicates"] == ["Serbia"]


@pytest.mark.realdata
def test_real_files(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    bmr = read_bmr()
    assert bmr.loc[(bmr.ccode == 155) & (bmr.year == 1980), "democracy"].item() == 0  # Chile under Pinochet
    assert bmr.loc[(bmr.ccode == 2) & (bmr.year == 2000), "democracy"].item() == 1
    pts = read_pts()
    assert not pts.duplicated(["ccode", "year"]).any() and pts.year.between(1976, 2023).all()
    assert set(pts[["pts_a", "pts_h", "pts_s"]].stack().unique()) <= {1, 2, 3, 4, 5}
    lo = read_legal_origin()
    assert lo.legal_origin.value_counts().to_dict() == {"french": 80, "english": 63, "socialist": 35,
                                                        "german": 7, "scandinavian": 5}
    assert not lo.ccode.dropna().duplicated().any()


def test_ciri_special_codes_sum_and_keys():
    from ratify.sources.rights import read_ciri
    ciri = read_ciri(FIXTURES / "CIRI_physint2011.csv")
    chile = ciri[ciri.ccode == 155].iloc[0]
    assert chile.physint == 3  # 2 + 1 + 0 + 0, summed here
    assert ciri.loc[ciri.ccode == 345, "physint"].item() == 6  # Serbia: no COW code in the file
    assert "Kosovo" not in set(ciri.country)  # an empty row carries nothing
    somalia = ciri[ciri.ccode == 520].iloc[0]
    assert somalia.ciri_special == "interregnum or anarchy" and pd.isna(somalia.physint)
    peru = ciri[ciri.ccode == 135].iloc[0]
    assert pd.isna(peru.disap) and pd.isna(peru.physint) and peru.kill == 0  # -999 is missing, not a score


def test_cirights_and_fariss_keep_their_own_names():
    from ratify.sources.rights import read_cirights, read_fariss
    cr = read_cirights(FIXTURES / "cirights.csv")
    assert cr.set_index("ccode").cirights_physint.to_dict() == {155: 6, 385: 8}
    fa = read_fariss(FIXTURES / "LHRS-v4.02-2021.csv")
    assert fa.theta_mean.tolist() == [-1.52, 0.95, -0.40] and list(fa.columns[:2]) == ["ccode", "year"]


def test_fariss_input_scales_are_read_the_same_way_round():
    from ratify.sources.rights import read_fariss
    hathaway = read_fariss(FIXTURES / "LHRS-v4.02-2021.csv", columns=("hathaway",))
    assert hathaway[["year", "hathaway"]].values.tolist() == [[1990, 2.0]]   # 6 - 4: higher = less torture
    with pytest.raises(ValueError, match=r"columns \['ciri'\] are not read from the LHRS file"):
        read_fariss(FIXTURES / "LHRS-v4.02-2021.csv", columns=("ciri",))


@pytest.mark.realdata
def test_real_human_rights_files(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.sources.rights import read_ciri, read_cirights, read_fariss
    ciri, cr, fa = read_ciri(), read_cirights(), read_fariss()
    for frame in (ciri, cr, fa):
        assert not frame.duplicated(["ccode", "year"]).any() and frame.ccode.notna().all()
    assert ciri.year.between(1981, 2011).all() and ciri.physint.dropna().between(0, 8).all()
    assert cr.year.between(1981, 2020).all() and cr.cirights_physint.dropna().between(0, 8).all()
    assert fa.year.between(1946, 2021).all() and len(fa) == 11665
