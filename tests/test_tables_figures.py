"""Regression tables, the paper-vs-ours comparison, and the figure helpers."""

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


def test_paper_vs_ours_flags(result, tmp_path):
    published = {"items": [
        {"id": "a", "model": "m1", "term": "x", "scale": "hr", "estimate": 2.55, "conf_low": 1.04,
         "conf_high": 6.27, "where": "fn 25"},
        {"id": "b", "model": "m1", "term": "z", "estimate": -0.40, "std_error": 0.10, "where": "Table 1"},
        {"id": "c", "model": "m2", "term": "x", "estimate": 1.0, "where": "Table 1"},
        {"id": "d", "quantity": "n", "value": 520, "where": "Table 1", "reason": "from the YAML"}]}
    cmp = tables.paper_vs_ours(published, {"m1": result}, quantities={"n": 500},
                               reasons={"a": "proxy variable"}).set_index("id")
    assert cmp.loc["a", "reason"] == "proxy variable" and cmp.loc["d", "reason"] == "from the YAML"
    assert pd.isna(cmp.loc["b", "reason"])
    assert cmp.loc["a", "ours"] == pytest.approx(2.0)
    assert cmp.loc["a", "same_sign"] and cmp.loc["a", "ci_covers_paper"]
    assert cmp.loc["a", "paper_band"] == "p<0.05" == cmp.loc["a", "ours_band"]
    assert not cmp.loc["b", "same_sign"] and not cmp.loc["b", "ci_covers_paper"]
    assert cmp.loc["b", "paper_band"] == "p<0.01" and cmp.loc["b", "ours_band"] == "n.s."
    assert pd.isna(cmp.loc["c", "ours"]) and "not estimated" in cmp.loc["c", "note"]
    assert cmp.loc["d", "difference"] == -20
    score = tables.reproduction_score(cmp.reset_index())
    assert score == {"published_numbers": 4, "coefficients": 2, "same_sign": 1, "same_band": 1,
                     "ci_covers_paper": 1, "not_estimated": 1}
    saved = pd.read_csv(tables.record_comparison(cmp.reset_index(), "02-demo", tmp_path))
    assert len(saved) == 4 and set(saved.chapter) == {"02-demo"}


def test_published_yaml_must_say_where(tmp_path):
    p = tmp_path / "published.yaml"
    p.write_text("items:\n  - id: a\n    model: m\n    term: x\n    estimate: 1\n")
    with pytest.raises(ValueError, match="'a'.*no 'where'"):
        tables.load_published(p)


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
