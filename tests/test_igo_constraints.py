"""IGO memberships (codes and known UN miscoding), V-Dem constraints by V-Dem id, DD regimes."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify import concord
from ratify.sources.igos import read_igo_memberships
from ratify.sources.regimes import read_pacl, read_vdem_constraints

from fixtures.rdata import COUNTRYCODE_PANEL, IGO_MEMBERSHIPS, PACL, VDEM_CONSTRAINTS, write_rda


def test_igo_codes_and_the_un_fix(tmp_path):
    igo = read_igo_memberships(path=write_rda(tmp_path, "state_year_format3", IGO_MEMBERSHIPS))
    rows = {(r.igo, r.ccode, r.year): r.status for r in igo.itertuples()}
    assert ("un", 260, 1970) not in rows and rows[("un", 260, 1974)] == "full"  # joined 18 Sep 1973
    assert ("oas", 260, 1970) not in rows and ("oas", 40, 1970) not in rows     # -1 and 0 are not rows
    assert rows[("oas", 2, 1970)] == "full"
    assert pd.isna(rows[("nato", 40, 1970)])  # -9: a row whose status is missing
    assert igo.attrs["fixes"] == {"rows removed (UN before 1973 for 260/265)": 1}
    with pytest.raises(KeyError, match="oass"):
        read_igo_memberships(["oass"], path=write_rda(tmp_path, "state_year_format3", IGO_MEMBERSHIPS))


def test_vdem_constraints_keyed_through_vdem_ids(tmp_path, monkeypatch):
    from ratify.sources.countrycodes import read_countrycode_panel
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)
    vc = read_vdem_constraints(write_rda(tmp_path, "vdemlite", VDEM_CONSTRAINTS))
    assert sorted(zip(vc.ccode, vc.year)) == [(255, 1991), (260, 1989), (816, 2000)]
    assert vc.attrs["version"] == "v14"
    legcon = read_vdem_constraints(write_rda(tmp_path, "vdemlite", VDEM_CONSTRAINTS), columns=["v2xlg_legcon"])
    assert list(legcon.columns) == ["ccode", "vdem_id", "year", "country", "v2xlg_legcon"]
    with pytest.raises(ValueError, match=r"columns \['v2x_clphy'\] are not in vdemlite"):
        read_vdem_constraints(write_rda(tmp_path, "vdemlite", VDEM_CONSTRAINTS), columns=["v2x_clphy"])


def test_pacl(tmp_path):
    dd = read_pacl(write_rda(tmp_path, "pacl", PACL))
    assert dd[["year", "dd_democracy", "dd_regime"]].values.tolist() == [[1980, 0, 4], [1995, 1, 2]]


@pytest.mark.realdata
def test_real(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.panels import add_constraints, add_democracy, coverage, state_years
    p = state_years("cow", 1990, 2008).pipe(add_constraints).pipe(add_democracy, "dd")
    cov = coverage(p).set_index("column").share_filled
    assert cov["v2xlg_legcon"] > 0.8 and cov["dd_democracy"] > 0.95
    igo = read_igo_memberships(["un"])
    assert igo.loc[(igo.ccode == 260) & (igo.year < 1973)].empty
