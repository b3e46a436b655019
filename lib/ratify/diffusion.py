"""Diffusion: the share of a country's peers already bound, as a covariate.

For country *i* in year *t* the share is computed over the states in the system in
year *t − lag* (in *i*'s region, or all of them), leaving *i* itself out, of those
bound by the end of *t − lag*. Lagging keeps a country's own decision, and its
neighbours' decisions in the same year, out of its covariate.

Compute it on the whole state-system panel, starting ``lag`` years before the risk
set, and merge it onto the risk set afterwards: a risk set has no year before entry
and drops countries once they are bound, so shares computed on it would be wrong.
"""

from __future__ import annotations

import pandas as pd


def bound_share(panel: pd.DataFrame, event_year: pd.DataFrame, group: str | None = None, lag: int = 1,
                exclude_self: bool = True, name: str = "share_bound") -> pd.DataFrame:
    """Add ``name`` to ``panel`` (ccode, year[, group]) from first-event years per ccode."""
    if group is not None and group not in panel.columns:
        raise ValueError(f"group={group!r} is not a panel column; add it first (e.g. add_region)")
    keys = ["year"] + ([group] if group else [])
    base = panel[["ccode", *keys]].merge(event_year[["ccode", "event_year"]], on="ccode", how="left")
    base["bound"] = (base.event_year <= base.year).fillna(False).astype(int)
    totals = base.groupby(keys).agg(n=("ccode", "size"), n_bound=("bound", "sum")).reset_index()
    totals["year"] += lag  # what was true at the end of t - lag is known in t
    own = base[["ccode", *keys, "bound"]].copy()
    own["year"] += lag
    out = panel.merge(totals, on=keys, how="left").merge(own, on=["ccode", *keys], how="left")
    n, bound = out.n, out.n_bound
    if exclude_self:
        in_lag_year = out.bound.notna()
        n = n - in_lag_year.astype(int)
        bound = bound - out.bound.fillna(0)
    out[name] = (bound / n.where(n > 0)).astype(float)
    out = out.drop(columns=["n", "n_bound", "bound"])
    out.attrs = {**panel.attrs, name: {"group": group, "lag": lag, "exclude_self": exclude_self}}
    return out
