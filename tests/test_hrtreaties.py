"""2026 human-rights scrape: same long form as the MTDSG reader; the CRMW risk set from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratify.sources.hrtreaties import read_hr_treaties
from ratify.treaties import treaty_status

FIXTURE = Path(__file__).parent / "fixtures" / "un_hr_ratifications.csv"


def test_rows_become_dated_signature_and_consent_actions():
    hr = read_hr_treaties(FIXTURE)
    assert len(hr) == 4  # Albania: consent; Argentina: signature + consent; Cambodia: signature only
    st = treaty_status(hr, "IV-13", "2010-01-01").set_index("participant").status.to_dict()
    assert st == {"Albania": "party", "Argentina": "party", "Cambodia": "signatory"}
    assert "acceptance" in hr.attrs["caveat"]


@pytest.mark.realdata
def test_crmw_country_year_risk_set(real_mirror, monkeypatch):
    """COW states 1990-2015, exit at first consent to the CRMW (MTDSG IV-13)."""
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.concord import to_cow
    from ratify.panels import state_years
    from ratify.risksets import counting_process, event_years, validate

    hr = read_hr_treaties()
    crmw = hr[(hr.mtdsg_no == "IV-13") & (hr.action == "consent")].copy()
    codes = to_cow(crmw.participant, crmw.date.dt.year)
    assert (codes.status == "matched").all()
    crmw["ccode"] = codes.ccode.to_numpy()
    rs = counting_process(state_years("cow", 1990, 2015), ["ccode"], event_years(crmw, ["ccode"]),
                          origin=1990, end=2015)
    validate(rs, ["ccode"])
    assert (rs.ccode.nunique(), len(rs), int(rs.event.sum())) == (200, 4360, 48)
    assert rs.attrs["bound_before_entry"] == []
    # regional diffusion (World Bank regions, lagged one year, self excluded), computed on the
    # whole state system from 1989 (a risk set lacks the year before entry and bound states)
    from ratify.diffusion import bound_share
    from ratify.panels import add_region
    system = state_years("cow", 1989, 2015).pipe(add_region)
    shares = bound_share(system, event_years(crmw, ["ccode"]), group="region")
    with_share = rs.merge(shares[["ccode", "year", "share_bound"]], on=["ccode", "year"], how="left")
    assert with_share.share_bound.notna().all() and with_share.share_bound.between(0, 1).all()
    assert with_share.loc[with_share.year == 1990, "share_bound"].max() == 0  # nobody bound by end-1989
    assert with_share.loc[with_share.year == 2015, "share_bound"].max() > 0.2
