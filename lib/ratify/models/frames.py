"""The model frame: the rows and columns an estimator actually uses.

Every estimator in ``ratify.models`` drops incomplete rows the same way, listwise on the
columns the model names, as R's ``na.omit`` and Stata do, and says how many rows it kept.
Formula libraries (formulaic, patsy) cannot read pandas' nullable dtypes (``Int64``,
``Float64``, ``boolean``), so numeric columns become ``float64`` and the panel keys
``int64``; text columns (a region, a regime category) are left as they are.
"""

from __future__ import annotations

import re

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

KEYS = ("ccode", "year")


def formula_columns(formula: str, frame: pd.DataFrame) -> list[str]:
    """The frame's columns a formula (or a list of terms joined by ``+``) names, in order of first mention."""
    names = re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", formula)
    return list(dict.fromkeys(n for n in names if n in frame.columns))


def complete(frame: pd.DataFrame, columns: list[str], *, keys: tuple[str, ...] = KEYS) -> pd.DataFrame:
    """Rows of ``frame`` with no missing value in ``columns``; numeric columns as float64, keys as int64."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"Columns {missing} are not in the frame; add them before fitting (it has "
                       f"{len(frame.columns)} columns, e.g. {list(frame.columns)[:8]})")
    used = frame.dropna(subset=list(columns)).copy()
    numeric = [c for c in dict.fromkeys(columns) if c not in keys
               and (is_numeric_dtype(used[c]) or is_bool_dtype(used[c]))]
    used = used.astype({c: float for c in numeric} | {k: "int64" for k in keys if k in used.columns})
    used.attrs = frame.attrs
    return used


def unit_trends(frame: pd.DataFrame, unit: str = "ccode", time: str = "year",
                min_periods: int = 3) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with one linear time trend per unit (centred on the frame's mean ``time``, zero for
    other units), and the new columns' names, for a fixed-effects model with unit-specific trends.

    Units observed in fewer than ``min_periods`` distinct periods get no trend (it would fit their
    few points exactly), and the first unit is left out: with unit and period effects in the model,
    a trend for every unit is collinear with the period effects. Fit on the complete-case frame
    (:func:`complete`), so the trends are centred on the rows the model uses.
    """
    centred = frame[time] - frame[time].mean()
    spread = frame.groupby(unit)[time].nunique()
    codes = sorted(spread.index[spread >= min_periods])[1:]
    names = [f"trend_{code}" for code in codes]
    trends = pd.DataFrame({name: centred.where(frame[unit] == code, 0.0) for name, code in zip(names, codes)},
                          index=frame.index)
    out = pd.concat([frame, trends], axis=1)
    out.attrs = frame.attrs  # concat drops attrs: keep the merge record (it names the sources)
    return out, names
