"""Reading a multiverse: specification curves, which decisions matter, and inference under the null.

Following Simonsohn, Simmons & Nelson (2020), "Specification curve analysis":

- the **curve** sorts the universes by their estimate of a key quantity, with 95% intervals,
  above a panel saying which choice each universe made;
- the **decomposition** says how much of the spread each decision explains: the estimate
  (log hazard ratio for ``hr`` quantities, where effects multiply) is regressed on the decisions
  as categorical factors by least squares (statsmodels), and each decision's type-II sum of
  squares is divided by the total sum of squares; a two-way interaction's share is its type-II
  sum of squares in a model of all main effects plus that one interaction;
- the **summary** counts the universes with the paper's sign (``published.yaml``) and p < .05;
- **inference under the null** reruns every universe on data where the focal effect is zero by
  construction (``perturb``) and compares the observed curve's median and share of significant
  results with their distribution over the draws.
"""

from __future__ import annotations

import functools
import math
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .schema import KeyQuantity
from .universes import Multiverse

ALPHA = 0.05


def quantity(multiverse: Multiverse, quantity_id: str) -> KeyQuantity:
    for q in multiverse.chapter.key_quantities:
        if q.id == quantity_id:
            return q
    raise KeyError(f"no key quantity {quantity_id!r}; they are {[q.id for q in multiverse.chapter.key_quantities]}")


def curve(multiverse: Multiverse, results: pd.DataFrame, quantity_id: str) -> pd.DataFrame:
    """The universes that estimated ``quantity_id``, sorted by estimate, with a ``rank`` column,
    the decisions, and ``significant`` (p < .05)."""
    rows = results[(results.quantity == quantity_id) & (results.status == "ok")].dropna(subset=["estimate"])
    rows = rows.sort_values(["estimate", "index"], kind="stable").reset_index(drop=True)
    return rows.assign(rank=np.arange(len(rows)), significant=rows.p_value < ALPHA)


def _coefficient_scale(q: KeyQuantity, estimates: pd.Series) -> pd.Series:
    """Estimates on the scale where effects add: log for hazard ratios."""
    return np.log(estimates) if q.scale == "hr" else estimates


def decision_shares(data: pd.DataFrame, outcome: str, decisions: list[str]) -> pd.DataFrame:
    """Share of the variance of ``outcome`` explained by each decision and each two-way interaction.

    One row per term (``decision`` or ``a × b``), with ``kind`` (main / interaction) and ``share``
    (type-II sum of squares over the total sum of squares), largest first. Decisions that take one
    value in ``data`` are left out.
    """
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import SingularMatrixWarning

    used = [d for d in decisions if data[d].nunique(dropna=False) > 1]
    if not used or len(data) < 3:
        return pd.DataFrame(columns=["term", "kind", "share"])
    names = {d: f"C(d{i})" for i, d in enumerate(used)}  # formula-safe names
    frame = pd.DataFrame({names[d][2:-1]: data[d].astype(str).to_numpy() for d in used})
    frame["y"] = data[outcome].to_numpy(float)
    total = float(((frame.y - frame.y.mean()) ** 2).sum())
    if total == 0:
        return pd.DataFrame(columns=["term", "kind", "share"])

    def ssr(terms: list[str]) -> float:  # residual sum of squares of a least-squares fit on these factors
        with warnings.catch_warnings():
            # exclusion rules leave interaction cells empty, so such designs are rank-deficient by
            # construction; the pseudo-inverse fit's residuals (all that is used) are still exact
            warnings.simplefilter("ignore", SingularMatrixWarning)
            return float(smf.ols("y ~ " + (" + ".join(terms) or "1"), frame).fit().ssr)

    # Type-II sums of squares: what a term adds to a model holding every other term it is not part of.
    # (anova_lm(typ=2) gives the same numbers but also F-tests, which fail noisily when exclusion rules
    # leave interaction cells empty; only the sums of squares are used here.)
    main = [names[d] for d in used]
    full = ssr(main)
    rows = [{"term": d, "kind": "main", "share": max(ssr([m for m in main if m != names[d]]) - full, 0.0) / total}
            for d in used]
    for i, a in enumerate(used):
        for b in used[i + 1:]:
            added = full - ssr([*main, f"{names[a]}:{names[b]}"])
            rows.append({"term": f"{a} × {b}", "kind": "interaction", "share": max(added, 0.0) / total})
    return pd.DataFrame(rows).sort_values("share", ascending=False, kind="stable").reset_index(drop=True)


def importance(multiverse: Multiverse, results: pd.DataFrame, quantity_id: str) -> pd.DataFrame:
    """:func:`decision_shares` of one key quantity over the multiverse's decisions."""
    q = quantity(multiverse, quantity_id)
    data = curve(multiverse, results, quantity_id)
    data = data.assign(effect=_coefficient_scale(q, data.estimate))
    return decision_shares(data, "effect", multiverse.decisions)


def published_sign(q: KeyQuantity, published: dict | None) -> int | None:
    """+1 or −1: the sign of the paper's estimate of ``q`` (matched by model and term in
    ``published.yaml``; hazard ratios compared with 1), or None when the paper has no such row."""
    for item in (published or {}).get("items", []):
        fits = item.get("models") or [item.get("model")]
        if q.model not in fits or item.get("term") != q.term or item.get("derived"):
            continue
        if item.get("estimate") is not None:
            value = float(item["estimate"])
            value = math.log(value) if (item.get("scale") or q.scale) == "hr" else value
            return int(np.sign(value)) or None
        if item.get("sign") in ("+", "-"):  # a direction printed without a number
            return 1 if item["sign"] == "+" else -1
    return None


def summary(multiverse: Multiverse, results: pd.DataFrame, quantity_id: str, published: dict | None = None) -> dict:
    """Counts for one key quantity: universes where it exists (and where the choices leave it
    undefined), how many estimated it, the median estimate, the share with p < .05, and the
    share with the paper's sign (None: no published sign)."""
    q = quantity(multiverse, quantity_id)
    data = curve(multiverse, results, quantity_id)
    effect = _coefficient_scale(q, data.estimate)
    sign = published_sign(q, published)
    rows = results[results.quantity == q.id]
    undefined = rows.status == "undefined"
    return {"quantity": q.id, "label": q.label, "scale": q.scale,
            "universes": int(rows.loc[~undefined, "universe"].nunique()),
            "undefined": int(rows.loc[undefined, "universe"].nunique()),
            "estimated": len(data),
            "median": float(data.estimate.median()) if len(data) else math.nan,
            "share_significant": float(data.significant.mean()) if len(data) else math.nan,
            "paper_sign": sign,
            "share_paper_sign": float((np.sign(effect) == sign).mean()) if sign and len(data) else None}


# --- inference under the null ---------------------------------------------------------------------

def permute_histories(frame: pd.DataFrame, column: str, unit: str, time: str, seed: int) -> pd.DataFrame:
    """``frame`` with ``column`` replaced by another unit's history: the units are permuted at random
    (``seed``) and each row takes the value its donor unit had at the same ``time``.

    A block permutation: it keeps each history whole (its level, trend and serial correlation)
    and every other column as it was, and breaks only the link between a unit's ``column`` and
    its outcomes, so the true effect of ``column`` is zero. Rows whose donor has no value at that
    time get a missing value (and drop out of a fit, as any row with a missing covariate does).
    """
    histories = frame[[unit, time, column]].drop_duplicates([unit, time])
    units = np.sort(histories[unit].unique())
    donors = dict(zip(units, np.random.default_rng(seed).permutation(units), strict=True))
    lookup = histories.set_index([unit, time])[column]
    keys = pd.MultiIndex.from_arrays([frame[unit].map(donors), frame[time]])
    return frame.assign(**{column: lookup.reindex(keys).to_numpy()})


def null_perturbation(column: str, unit: str, time: str, seed: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A picklable ``perturb`` for the engine: :func:`permute_histories` with these arguments."""
    return functools.partial(permute_histories, column=column, unit=unit, time=time, seed=seed)


def curve_statistics(data: pd.DataFrame, q: KeyQuantity, direction: int) -> dict:
    """The median estimate (coefficient scale) and the share of universes significant in ``direction``."""
    effect = _coefficient_scale(q, data.estimate)
    return {"median": float(effect.median()),
            "share_significant": float(((data.p_value < ALPHA) & (np.sign(effect) == direction)).mean())}


def null_test(multiverse: Multiverse, results: pd.DataFrame, quantity_id: str,
              perturbations: list[Callable], *, jobs: int = 1, scheduler: str | None = None,
              progress: bool = True) -> dict:
    """Simonsohn et al.'s test of a whole curve against the null.

    Each perturbation is one dataset under the null; every universe that estimated the quantity
    is refitted on it. The observed median (coefficient scale) is compared with the draws' medians
    in absolute value, and the observed share of universes significant in the observed median's
    direction with the draws' shares in that direction; p = (1 + draws at least as extreme) /
    (1 + draws). Returns the observed statistics, the p-values and the table of draws.
    """
    from .multiverse import evaluate_all

    q = quantity(multiverse, quantity_id)
    observed_rows = curve(multiverse, results, quantity_id)
    if observed_rows.empty:
        raise ValueError(f"no universe estimated {quantity_id!r}; nothing to test")
    direction = int(np.sign(_coefficient_scale(q, observed_rows.estimate).median())) or 1
    observed = curve_statistics(observed_rows, q, direction)
    wanted = set(observed_rows.universe)
    universes = [u for u in multiverse.universes() if u.id in wanted]
    draws = []
    for k, perturb in enumerate(perturbations):
        rows: list[dict] = []
        evaluate_all(multiverse, universes, rows.extend, jobs=jobs, scheduler=scheduler, perturb=perturb,
                     quantities=(quantity_id,), progress=progress, desc=f"null draw {k + 1}/{len(perturbations)}")
        frame = pd.DataFrame(rows)
        frame = frame[frame.status == "ok"].dropna(subset=["estimate"])
        draws.append({"draw": k, "estimated": len(frame), **curve_statistics(frame, q, direction)})
    table = pd.DataFrame(draws)
    n = len(table)
    return {"quantity": quantity_id, "draws": n, "direction": direction, "observed": observed,
            "p_median": (1 + int((table["median"].abs() >= abs(observed["median"])).sum())) / (1 + n),
            "p_share_significant": (1 + int((table.share_significant >= observed["share_significant"]).sum()))
            / (1 + n),
            "table": table}


def load_published(folder: Path) -> dict | None:
    """The chapter's ``published.yaml`` (None when it has none)."""
    from ..comparison import read_published as read

    path = Path(folder) / "published.yaml"
    return read(path) if path.exists() else None
