"""Gather each variant's key quantities from the results its notebook wrote.

The analysis notebook saves every model with ``ratify.downloads.publish`` (``<name>.json``
in ``results_dir``); ``variants.yaml`` says which model and term make each key quantity.
One row per variant, one set of columns per quantity, so the robustness page can draw a
specification curve for each quantity from the same table.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .schema import Chapter, KeyQuantity, Variant

BOUNDS = ("estimate", "conf_low", "conf_high")


def columns(chapter: Chapter) -> list[str]:
    """The collected table's columns, in order."""
    per_quantity = [f"{q.id}_{b}" for q in chapter.key_quantities for b in BOUNDS]
    return ["variant", "label", "origin", "parameters", *per_quantity, "n", "events", "status", "error", "seconds"]


def quantity(result: dict, q: KeyQuantity) -> dict[str, float]:
    """estimate, conf_low, conf_high of ``q.term`` on ``q.scale`` (hazard ratios are exponentiated);
    KeyError when the model lacks the term or its estimate is not a number."""
    rows = [t for t in result["terms"] if t["term"] == q.term]
    if not rows:
        raise KeyError(f"model {q.model!r} has no term {q.term!r}; its terms are {[t['term'] for t in result['terms']]}")
    values = {b: (math.nan if rows[0][b] is None else float(rows[0][b])) for b in BOUNDS}
    # a NaN estimate or bound (a singular fit, a term dropped as collinear) is not a finding
    if not math.isfinite(values["estimate"]) or any(math.isnan(v) for v in values.values()):
        raise KeyError(f"model {q.model!r} gave no usable estimate for {q.term!r} "
                       f"(estimate {values['estimate']}, 95% CI [{values['conf_low']}, {values['conf_high']}])")
    return {b: math.exp(v) for b, v in values.items()} if q.scale == "hr" else values


def read_results(chapter: Chapter, results_dir: Path) -> tuple[dict, list[str]]:
    """Key-quantity columns plus n and events (of the first quantity's model) from ``results_dir``,
    and what could not be found (a model not written, a term not in it): those stay empty."""
    row: dict = {}
    models: dict[str, dict] = {}
    problems: list[str] = []
    for q in chapter.key_quantities:
        if q.model not in models:
            path = Path(results_dir) / f"{q.model}.json"
            models[q.model] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
            if models[q.model] is None:
                problems.append(f"the notebook wrote no model {q.model!r}")
        if models[q.model] is None:
            continue
        try:
            row.update({f"{q.id}_{b}": v for b, v in quantity(models[q.model], q).items()})
        except KeyError as err:
            problems.append(str(err.args[0]))
    first = models[chapter.key_quantities[0].model] or {}
    row["n"], row["events"] = first.get("n"), first.get("events")
    return row, problems


def status(chapter: Chapter, results: dict) -> str:
    """ok (every key quantity found), partial (some) or error (none)."""
    found = sum(f"{q.id}_estimate" in results for q in chapter.key_quantities)
    return "ok" if found == len(chapter.key_quantities) else "partial" if found else "error"


def row(chapter: Chapter, variant: Variant, *, status: str, error: str = "", seconds: float = math.nan,
        results: dict | None = None) -> dict:
    """One line of the collected table (estimates left empty when the variant failed)."""
    out = dict.fromkeys(columns(chapter))
    out.update(variant=variant.name, label=variant.label, origin=variant.origin,
               parameters=variant.overrides(), status=status, error=error, seconds=round(seconds, 2))
    out.update(results or {})
    return out


def table(chapter: Chapter, rows: list[dict]) -> pd.DataFrame:
    """Rows in the order the variants are declared, with the fixed columns."""
    order = {v.name: i for i, v in enumerate(chapter.variants)}
    frame = pd.DataFrame(rows, columns=columns(chapter))
    numbers = [c for c in frame.columns if c.endswith(BOUNDS) or c in ("n", "events", "seconds")]
    frame[numbers] = frame[numbers].astype(float)  # a variant that failed leaves None, not a number
    frame[["parameters", "error"]] = frame[["parameters", "error"]].fillna("")
    return frame.sort_values("variant", key=lambda s: s.map(order).fillna(len(order)), kind="stable").reset_index(drop=True)


def long(chapter: Chapter, results: pd.DataFrame) -> pd.DataFrame:
    """One row per variant and key quantity: the spec curve's input."""
    parts = []
    for q in chapter.key_quantities:
        part = results[["variant", "label", "origin", "status"]].copy()
        for b in BOUNDS:
            part[b] = results[f"{q.id}_{b}"]
        parts.append(part.assign(quantity=q.id, quantity_label=q.label, scale=q.scale))
    return pd.concat(parts, ignore_index=True)
