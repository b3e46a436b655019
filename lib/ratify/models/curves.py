"""Kaplan–Meier and Nelson–Aalen curves (lifelines) from counting-process risk sets.

A risk set has one row per subject-year; the curves want one row per subject: entry
(left truncation), exit and whether the exit was an event. ``subject_spells`` makes
that collapse and refuses a grouping that changes within a subject, because a
time-varying group has no single curve to belong to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter, NelsonAalenFitter


def subject_spells(risk: pd.DataFrame, subject: list[str], group: str | None = None) -> pd.DataFrame:
    """One row per subject: entry = first start, exit = last stop, event = any event."""
    agg = {"entry": ("start", "min"), "exit": ("stop", "max"), "event": ("event", "max")}
    if group:
        varying = risk.groupby(subject)[group].nunique(dropna=False)
        if (varying > 1).any():
            raise ValueError(f"{group!r} changes within {int((varying > 1).sum())} subjects; "
                             "group by a value fixed per subject (e.g. its value at entry)")
        agg[group] = (group, "first")
    return risk.groupby(subject).agg(**agg).reset_index()


def kaplan_meier(spells: pd.DataFrame, group: str | None = None, kind: str = "km") -> dict:
    """Fitted lifelines curves by group (``kind='km'`` survival or ``'na'`` cumulative hazard).

    Entry times are passed to lifelines, so late entrants join the risk set only once
    they are observed (left truncation). lifelines' event table counts a subject
    entering at ``t`` among those at risk at ``t``; a spell ``(entry, exit]`` is not, so
    entry is nudged to the next float above it, which gives the at-risk numbers of the
    same ``entry < t <= exit`` rule as the Cox models and R.
    """
    if kind not in ("km", "na"):
        raise ValueError(f"kind={kind!r}; use 'km' (Kaplan–Meier) or 'na' (Nelson–Aalen)")
    groups = spells.groupby(group) if group else [("all", spells)]
    fitters = {}
    for name, part in groups:
        fitter = KaplanMeierFitter() if kind == "km" else NelsonAalenFitter()
        fitters[name] = fitter.fit(part.exit, event_observed=part.event,
                                     entry=np.nextafter(part.entry.to_numpy(float), np.inf), label=str(name))
    return fitters


def survival_table(fitters: dict, times: list[float]) -> pd.DataFrame:
    """Survival (or cumulative hazard) with 95% CI and numbers at risk at chosen times."""
    rows = []
    for name, f in fitters.items():
        est = f.predict(times)
        ci = f.confidence_interval_
        at = f.event_table
        for t in times:
            lower = ci[ci.index <= t].iloc[-1] if (ci.index <= t).any() else ci.iloc[0]
            at_risk = int(at.at_risk[at.index >= t].iloc[0]) if (at.index >= t).any() else 0
            rows.append({"group": name, "time": t, "estimate": float(est.loc[t]),
                         "conf_low": float(lower.iloc[0]), "conf_high": float(lower.iloc[1]), "at_risk": at_risk})
    return pd.DataFrame(rows)
