"""Merging measures onto a panel: every fill is one that was asked for, and recorded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ratify.panels import add_lag, add_measure, add_static, coverage

PANEL = pd.DataFrame({"ccode": [2] * 8 + [20] * 8, "year": list(range(1990, 1998)) * 2})
# reported every five years, as UN DESA's stocks are
FIVE_YEARLY = pd.DataFrame({"ccode": [2, 2, 20], "year": [1990, 1995, 1990], "share": [10.0, 20.0, 5.0]})


def value(panel, code, year, col="share"):
    return panel.loc[(panel.ccode == code) & (panel.year == year), col].item()


def test_no_rule_means_no_fill():
    out = add_measure(PANEL, FIVE_YEARLY, ["share"], source="toy")
    assert out.share.notna().sum() == 3
    assert len(out) == len(PANEL)


def test_linear_fills_between_reports_only():
    out = add_measure(PANEL, FIVE_YEARLY, ["share"], source="toy", interpolate="linear")
    assert [value(out, 2, y) for y in range(1990, 1996)] == [10, 12, 14, 16, 18, 20]
    assert np.isnan(value(out, 2, 1996))   # after the last report: not extrapolated
    assert np.isnan(value(out, 20, 1991))  # one report: nothing to interpolate between


def test_carry_forward_is_bounded():
    out = add_measure(PANEL, FIVE_YEARLY, ["share"], source="toy", carry_forward=2)
    assert [value(out, 20, y) for y in (1990, 1991, 1992)] == [5, 5, 5]
    assert np.isnan(value(out, 20, 1993))
    assert np.isnan(value(out, 2, 1993)) and value(out, 2, 1996) == 20


def test_lag_puts_last_years_value_on_this_year():
    out = add_measure(PANEL, FIVE_YEARLY, ["share"], source="toy", lag=1)
    assert np.isnan(value(out, 2, 1990)) and value(out, 2, 1991) == 10


def test_add_lag_takes_last_year_within_a_country_only_if_that_year_exists():
    gappy = pd.DataFrame({"ccode": [2, 2, 2, 20, 20], "year": [1990, 1991, 1993, 1990, 1991],
                          "score": [1.0, 2.0, 4.0, 10.0, 20.0]})
    gappy = add_measure(gappy[["ccode", "year"]], gappy, ["score"], source="toy")
    out = add_lag(gappy, ["score"])
    assert np.isnan(value(out, 2, 1990, "score_l1"))        # a country's first year has no last year
    assert value(out, 2, 1991, "score_l1") == 1.0
    assert np.isnan(value(out, 2, 1993, "score_l1"))        # 1992 is missing: no borrowing from 1991
    assert np.isnan(value(out, 20, 1990, "score_l1"))       # never the previous row's country (2 in 1993)
    assert value(out, 20, 1991, "score_l1") == 10.0
    two = add_lag(gappy, {"score": "score_two_back"}, lag=2)
    assert value(two, 2, 1993, "score_two_back") == 2.0     # 1991's value: that row exists
    record = out.attrs["merges"][-1]
    assert record["lag_of"] == "score" and record["lag"] == 1 and record["source"] == "toy"


def test_every_merge_is_recorded_with_its_rules_and_coverage():
    out = add_measure(PANEL, FIVE_YEARLY, ["share"], source="toy", interpolate="linear", lag=1)
    cov = coverage(out).iloc[0].to_dict()
    assert cov == {"column": "share", "source": "toy", "interpolate": "linear", "carry_forward": 0, "lag": 1,
                   "share_filled": round(6 / 16 + 1 / 16, 4)}


def test_refuses_duplicates_and_column_clashes():
    with pytest.raises(ValueError, match="more than one row per ccode-year"):
        add_measure(PANEL, pd.concat([FIVE_YEARLY, FIVE_YEARLY]), ["share"], source="dup")
    once = add_measure(PANEL, FIVE_YEARLY, ["share"], source="toy")
    with pytest.raises(ValueError, match="already in the panel"):
        add_measure(once, FIVE_YEARLY, ["share"], source="toy")
    with pytest.raises(ValueError, match="'none' or 'linear'"):
        add_measure(PANEL, FIVE_YEARLY, ["share"], source="toy", interpolate="spline")


def test_static_measures_merge_on_country():
    legal = pd.DataFrame({"ccode": [2, 20], "common_law": [1, 1]})
    out = add_static(PANEL, legal, ["common_law"], source="toy")
    assert out.common_law.eq(1).all()
    with pytest.raises(ValueError, match="more than one row per ccode"):
        add_static(PANEL, pd.concat([legal, legal]), ["common_law"], source="toy")


@pytest.mark.realdata
def test_chapter2_style_panel(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    from ratify.panels import (add_democracy, add_gdp_per_capita, add_legal_origin, add_migrant_stock,
                               add_net_migration, add_pts, add_remittances, state_years)
    base = state_years("cow", 1990, 2015)
    p = (base.pipe(add_democracy, "bmr").pipe(add_gdp_per_capita).pipe(add_net_migration)
         .pipe(add_remittances).pipe(add_migrant_stock).pipe(add_pts).pipe(add_legal_origin))
    assert len(p) == len(base) and not p.duplicated(["ccode", "year"]).any()
    cov = coverage(p).set_index("column").share_filled
    assert cov["bmr_democracy"] > 0.99 and cov["immigrant_share_pct"] > 0.95 and cov["pts_s"] > 0.95
    assert p.loc[(p.ccode == 155) & (p.year == 1990), "common_law"].item() == 0  # Chile: French civil law
