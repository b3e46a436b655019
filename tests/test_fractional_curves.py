"""Proportion models (predictions, marginal effects, beta regression) and survival curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from ratify.models import (fit_beta_regression, fit_fractional_logit, kaplan_meier, subject_spells,
                           survival_table)


@pytest.fixture
def shares():
    rng = np.random.default_rng(7)
    n = 180
    x, g = rng.normal(size=n), rng.integers(0, 3, n)
    p = 1 / (1 + np.exp(-(-0.3 + 0.8 * x + 0.4 * (g == 2))))
    y = np.clip(p + rng.normal(0, 0.12, n), 0, 1)
    y[:5] = [0, 1, 0, 1, 0]  # exact boundary values, as real ratification rates have
    return pd.DataFrame({"y": y, "x": x, "g": g, "cl": np.arange(n) % 15})


def test_predictions_have_delta_method_cis(shares):
    fit = fit_fractional_logit(shares, "y ~ x + C(g)", se="HC0")
    at = pd.DataFrame({"x": [shares.x.mean() - shares.x.std(), shares.x.mean()], "g": [0, 0]})
    pred = fit.predict(at)
    assert (pred.conf_low < pred.predicted).all() and (pred.predicted < pred.conf_high).all()
    b = fit.params
    expected = 1 / (1 + np.exp(-(b["Intercept"] + b["x"] * at.x)))
    np.testing.assert_allclose(pred.predicted, expected, rtol=1e-12)
    assert pred.predicted.iloc[1] > pred.predicted.iloc[0]  # positive slope


def test_average_marginal_effect_matches_finite_differences(shares):
    fit = fit_fractional_logit(shares, "y ~ x + C(g)", se="stata")
    ame = fit.average_marginal_effect("x")
    h = 1e-6
    up = fit.predict(shares.assign(x=shares.x + h)).predicted.mean()
    down = fit.predict(shares.assign(x=shares.x - h)).predicted.mean()
    assert ame["ame"] == pytest.approx((up - down) / (2 * h), rel=1e-6)
    assert ame["conf_low"] < ame["ame"] < ame["conf_high"]
    with pytest.raises(KeyError, match="'w'"):
        fit.average_marginal_effect("w")


def test_se_choices_are_checked(shares):
    with pytest.raises(ValueError, match="se='robust'"):
        fit_fractional_logit(shares, "y ~ x", se="robust")
    with pytest.raises(ValueError, match="cluster"):
        fit_fractional_logit(shares, "y ~ x", se="cluster")
    with pytest.raises(ValueError, match="must lie in"):
        fit_fractional_logit(shares.assign(y=shares.y * 2), "y ~ x")
    hc0 = fit_fractional_logit(shares, "y ~ x", se="HC0").result.terms.std_error
    hc1 = fit_fractional_logit(shares, "y ~ x", se="HC1").result.terms.std_error
    np.testing.assert_allclose(hc1 / hc0, np.sqrt(len(shares) / (len(shares) - 2)))


def test_beta_regression_squeezes_boundaries_and_agrees_in_sign(shares):
    with pytest.raises(ValueError, match="exactly 0 or 1"):
        fit_beta_regression(shares, "y ~ x", squeeze=False)
    beta = fit_beta_regression(shares, "y ~ x")
    frac = fit_fractional_logit(shares, "y ~ x").result
    assert beta.specification["values_at_0_or_1"] == int(shares.y.isin([0, 1]).sum()) >= 5
    assert np.sign(beta.estimate("x")) == np.sign(frac.estimate("x")) == 1
    assert "precision" in beta.terms.term.tolist()


def test_km_from_risk_set_respects_entry():
    # subject 1 enters late (start 3): it must not be counted at risk at t = 1
    risk = pd.DataFrame({"id": [0, 0, 0, 1, 1, 2], "start": [0, 1, 2, 3, 4, 0], "stop": [1, 2, 3, 4, 5, 1],
                         "event": [0, 0, 1, 0, 1, 1], "grp": ["a", "a", "a", "b", "b", "a"]})
    spells = subject_spells(risk, ["id"], group="grp")
    assert spells.set_index("id").loc[1, ["entry", "exit", "event"]].tolist() == [3, 5, 1]
    fits = kaplan_meier(spells)
    # by hand: t=1 at risk {0, 2}, one dies -> 1/2; t=3 at risk {0} (1 enters at 3, so is not) -> 0
    table = survival_table(fits, [1, 3])
    assert table.at_risk.tolist() == [2, 1]
    assert table.estimate.tolist() == pytest.approx([0.5, 0.0])
    literal = KaplanMeierFitter().fit([3, 5, 1], [1, 1, 1], entry=[0, 3, 0])  # its table counts entry == t
    assert int(literal.event_table.at_risk.loc[3]) == 2
    with pytest.raises(ValueError, match="changes within 1 subjects"):
        subject_spells(risk.assign(grp=["a", "b", "a", "b", "b", "a"]), ["id"], group="grp")
