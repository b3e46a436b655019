"""Event-study designs: event-time dummies for a fixed-effects model, and the path they trace.

Each unit's rows are dated relative to its own event year (a ratification, an accession, a
transition). One dummy per year of the ``window``, except the ``reference`` year, whose
coefficient is normalised to zero; the window's ends are *binned*: rows further out count
in the first or last dummy, so the reference is compared with every other period and not
with an implicit, unmodelled "far away" group (Schmidheiny and Siegloch 2023). Units that
never have the event are all zero: with unit and year effects they identify the year
effects (the control group).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .results import ModelResult

EVENT_TERM = re.compile(r"ev_([mp])(\d+)")


def event_term(k: int) -> str:
    """The dummy for event time ``k``: ``ev_m5`` (five years before), ``ev_p0`` (the event year), ``ev_p10``."""
    return f"ev_{'m' if k < 0 else 'p'}{abs(k)}"


def event_time_dummies(frame: pd.DataFrame, event_year: str | pd.Series, window: tuple[int, int],
                       reference: int = -1) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with binned event-time dummies relative to ``event_year`` (a column name or a series
    aligned with the frame; missing = never), and the dummy names in time order."""
    first, last = window
    if not first <= reference <= last:
        raise ValueError(f"reference={reference} lies outside window={window}; pick a year inside it (usually -1)")
    event = frame[event_year] if isinstance(event_year, str) else event_year
    relative = (frame.year - pd.to_numeric(event, errors="coerce").astype(float)).clip(first, last)
    out = frame.copy()
    names = [event_term(k) for k in range(first, last + 1) if k != reference]
    for k in range(first, last + 1):
        if k != reference:
            out[event_term(k)] = (relative == k).astype(int)  # NaN (never treated) compares False: 0
    return out, names


def event_path(result: ModelResult, reference: int = -1) -> pd.DataFrame:
    """Event time, estimate and 95% interval of each event dummy in ``result``, with the reference
    year at zero, in time order (for plotting). Dummies the model dropped are absent."""
    terms = result.terms.set_index("term")
    rows = [{"event_time": reference, "estimate": 0.0, "conf_low": 0.0, "conf_high": 0.0}]
    for term, row in terms.iterrows():
        match = EVENT_TERM.fullmatch(term)
        if match:
            k = int(match.group(2)) * (-1 if match.group(1) == "m" else 1)
            rows.append({"event_time": k, **row[["estimate", "conf_low", "conf_high"]].astype(float).to_dict()})
    return pd.DataFrame(rows).sort_values("event_time", ignore_index=True).astype({"event_time": np.int64})
