"""Regression tables and the figure helpers (the comparison engine: test_comparison.py)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest

from ratify import figures, tables
from ratify.models import ModelResult, terms_table


@pytest.fixture
def result():
    terms = terms_table(["x", "z"], [np.log(2.0), 0.05], [0.30, 0.10], exponentiate=True)
    return ModelResult(name="m1", label="Model 1", model="cox", terms=terms, n=500, events=40, subjects=90,
                       loglik=-150.0, aic=304.0)


def test_regression_table_stars_and_rows(result):
    table = tables.regression_table([result], exponentiate=True)
    assert table.loc[("x", ""), "Model 1"] == "2.000**"        # z = 2.31, p = 0.021
    assert table.loc[("z", " "), "Model 1"] == "(0.100)"
    assert table.loc[("Events", ""), "Model 1"] == "40"
    assert tables.stars(0.009) == "***" and tables.stars(0.2) == ""
    ci = tables.regression_table([result], show="ci")
    lo, hi = result.terms.loc[0, ["conf_low", "conf_high"]]
    assert ci.loc[("x", " "), "Model 1"] == f"[{lo:.3f}, {hi:.3f}]"
    assert "ratify-table" in tables.to_html(table).data


def test_world_shapes_have_repaired_iso3():
    world = figures.world_shapes()
    assert {"FRA", "NOR", "USA", "BRA"} <= set(world.iso_a3)
    assert len(world) == 177


def test_figures_draw(result):
    figures.set_theme()
    ax = figures.world_map(pd.DataFrame({"iso3c": ["FRA", "BRA"], "v": [1.0, 2.0]}), "v")
    assert "175 of 177" in ax.get_title(loc="right")
    ax = figures.forest_plot(result.terms, exponentiate=True)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "z"]
    variants = pd.DataFrame({"variant": ["a", "b"], "estimate": [0.2, -0.1], "conf_low": [0.1, -0.3],
                             "conf_high": [0.3, 0.1]})
    ax = figures.spec_curve(variants)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]
    consents = pd.DataFrame({"participant": ["A", "B", "A"], "mtdsg_no": ["t"] * 3,
                             "date": pd.to_datetime(["2000-01-01", "2001-06-01", "2003-01-01"])})
    ax = figures.cumulative_ratification(consents, by="mtdsg_no", clock="adoption",
                                         adoption=pd.Series({"t": pd.Timestamp("1999-01-01")}))
    assert ax.lines[0].get_ydata().tolist() == [1, 2]   # A counted once
    with pytest.raises(ValueError, match="adoption="):
        figures.cumulative_ratification(consents, clock="adoption")
