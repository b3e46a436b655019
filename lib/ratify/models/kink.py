"""Threshold (kink) search: is a straight line enough, or does the slope change at some value?

For each candidate break ``b`` the outcome is regressed on ``x``, the hinge ``max(x − b, 0)``
and the controls (:func:`ratify.models.fit_linear`, same fixed effects); the straight line is
the model without the hinge. Information criteria compare them (AIC, BIC; the break with the
lowest BIC is the usual pick). All candidates are fitted on the same rows: those complete on
the outcome, ``x`` and the controls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .linear import fit_linear

__all__ = ["hinge", "kink_search"]


def hinge(x: pd.Series, at: float) -> pd.Series:
    """``max(x − at, 0)``: the extra slope above ``at`` (missing where ``x`` is)."""
    return np.maximum(x - at, 0).where(x.notna())


def kink_search(frame: pd.DataFrame, outcome: str, x: str, breaks: Iterable[float], *,
                controls: Sequence[str] = (), fixed_effects: Sequence[str] = ("year",)) -> pd.DataFrame:
    """AIC and BIC of the straight line (first row, ``break`` = NaN) and of a kink at each of
    ``breaks``; ``attrs["n"]`` is the number of rows every model is fitted to."""
    terms = [x, *controls]

    def criteria(data: pd.DataFrame, extra: list[str]) -> dict:
        fit = fit_linear(data, outcome, terms + extra, fixed_effects=fixed_effects, name="kink_search")
        return {"aic": fit.result.aic, "bic": fit.result.specification["bic"], "n": fit.result.n}

    rows = [{"break": np.nan, **criteria(frame, [])}]
    rows += [{"break": b, **criteria(frame.assign(kink=hinge(frame[x], b)), ["kink"])} for b in breaks]
    out = pd.DataFrame(rows)
    n = out.pop("n")
    if n.nunique() != 1:
        raise ValueError(f"the kink models were fitted to different rows ({sorted(n.unique())}); "
                         f"the criteria are comparable only on one sample")
    out.attrs["n"] = int(n.iloc[0])
    return out
