"""Tables for the book: regression tables and the paper-vs-ours comparison.

Stars follow one stated rule everywhere (``STARS``: * p<0.10, ** p<0.05, *** p<0.01,
two-sided, normal reference), so a reader can compare our significance with a paper's.
Published values are never typed into a chapter: they are read from the chapter's
``published.yaml``, each with the table and page it comes from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from IPython.display import HTML
from scipy import stats

from .models.results import ModelResult

STARS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
STARS_NOTE = "* p < 0.10, ** p < 0.05, *** p < 0.01 (two-sided)."


def stars(p: float) -> str:
    """The star string for a p-value under ``STARS``."""
    if p is None or np.isnan(p):
        return ""
    return next((s for cut, s in STARS if p < cut), "")


def band(p: float) -> str:
    """Significance band of a p-value: 'p<0.01', 'p<0.05', 'p<0.10' or 'n.s.'."""
    return next((f"p<{cut:.2f}" for cut, _ in STARS if p < cut), "n.s.")


def regression_table(results: list[ModelResult], *, exponentiate: bool = False, show: str = "se",
                     digits: int = 3, terms: list[str] | None = None, labels: dict | None = None) -> pd.DataFrame:
    """One column per model: estimate with stars, and (SE) or [95% CI] beneath; N, events, log-lik."""
    if show not in ("se", "ci"):
        raise ValueError(f"show={show!r}; use 'se' or 'ci'")
    labels = labels or {}
    order = terms or list(dict.fromkeys(t for r in results for t in r.terms.term))
    columns = {}
    for r in results:
        t = r.terms.set_index("term")
        cells = {}
        for term in order:
            if term not in t.index:
                cells[(labels.get(term, term), "")] = cells[(labels.get(term, term), " ")] = ""
                continue
            row = t.loc[term]
            est = row.exp_estimate if exponentiate else row.estimate
            lo, hi = (row.exp_conf_low, row.exp_conf_high) if exponentiate else (row.conf_low, row.conf_high)
            below = f"({row.std_error:.{digits}f})" if show == "se" else f"[{lo:.{digits}f}, {hi:.{digits}f}]"
            cells[(labels.get(term, term), "")] = f"{est:.{digits}f}{stars(row.p_value)}"
            cells[(labels.get(term, term), " ")] = below
        cells[("N", "")] = f"{r.n:,}"
        cells[("Subjects", "")] = "" if r.subjects is None else f"{r.subjects:,}"
        cells[("Events", "")] = "" if r.events is None else f"{r.events:,}"
        cells[("Log-likelihood", "")] = "" if r.loglik is None else f"{r.loglik:.2f}"
        cells[("AIC", "")] = "" if r.aic is None else f"{r.aic:.2f}"
        columns[r.label] = pd.Series(cells)
    table = pd.DataFrame(columns)
    table.index = pd.MultiIndex.from_tuples(table.index)
    return table.loc[~(table == "").all(axis=1)]


def to_html(table: pd.DataFrame, caption: str = "", note: str = STARS_NOTE, index: bool = True) -> HTML:
    """Render a table for the book (myst-nb embeds the HTML output); ``index=False`` drops the row labels."""
    body = table.to_html(escape=True, border=0, classes="ratify-table", na_rep="", index=index)
    cap = f"<p class='ratify-caption'>{caption}</p>" if caption else ""
    return HTML(f"<div class='ratify-table-wrap'>{cap}{body}<p class='ratify-note'>{note}</p></div>")


# --- paper versus ours -------------------------------------------------------------------------

def load_published(path: Path | str) -> dict:
    """Read a chapter's ``published.yaml`` and check each item names its table or page."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for i, item in enumerate(data.get("items", [])):
        if not item.get("where"):
            raise ValueError(f"{path}: item {i} ({item.get('id')!r}) has no 'where' (table and page)")
        if ("term" in item) == ("quantity" in item):
            raise ValueError(f"{path}: item {item.get('id')!r} needs exactly one of 'term' or 'quantity'")
    return data


def _paper_p(item: dict) -> float | None:
    if item.get("p_value") is not None:
        return float(item["p_value"])
    if item.get("std_error"):
        return float(2 * stats.norm.sf(abs(item["estimate"] / item["std_error"])))
    if item.get("conf_low") and item.get("conf_high"):  # a 95% CI: recover the SE on the model scale
        hr_scale = item.get("scale", "coef") == "hr"
        f = np.log if hr_scale else (lambda x: x)
        se = (f(item["conf_high"]) - f(item["conf_low"])) / (2 * stats.norm.ppf(0.975))
        return float(2 * stats.norm.sf(abs(f(item["estimate"]) / se)))
    if "stars" in item:  # only the band is known: take its upper edge
        return {3: 0.005, 2: 0.03, 1: 0.07, 0: 0.5}[int(item["stars"])]
    return None


def paper_vs_ours(published: dict | Path | str, models: dict[str, ModelResult],
                  quantities: dict[str, float] | None = None, reasons: dict[str, str] | None = None) -> pd.DataFrame:
    """For each published number: paper, ours, difference, same sign, same band, CI covers paper.

    Coefficient items have ``model`` and ``term`` (compared on the scale of ``scale``:
    ``coef`` or ``hr``); other numbers have ``quantity``, a key of ``quantities``
    (e.g. N, AIC, a predicted rate). A missing model or quantity is shown as missing,
    never dropped, so the table always lists everything the paper reported.
    ``reasons`` maps an item's id to the chapter's account of the difference (column ``reason``;
    an item's own ``reason`` in the YAML is the fallback).
    """
    data = load_published(published) if not isinstance(published, dict) else published
    quantities = quantities or {}
    rows = []
    for item in data["items"]:
        row = {"id": item["id"], "what": item.get("label", item["id"]), "where": item["where"],
               "paper": item.get("estimate", item.get("value"))}
        if "quantity" in item:
            ours = quantities.get(item["quantity"])
            row.update(ours=ours, difference=None if ours is None else ours - row["paper"])
            rows.append(row)
            continue
        res = models.get(item["model"])
        terms = None if res is None else res.terms.set_index("term")
        if terms is None or item["term"] not in terms.index:
            row.update(ours=None, note=f"not estimated: {item['model']}/{item['term']}")
            rows.append(row)
            continue
        t = terms.loc[item["term"]]
        hr_scale = item.get("scale", "coef") == "hr"
        est = t.exp_estimate if hr_scale else t.estimate
        lo, hi = (t.exp_conf_low, t.exp_conf_high) if hr_scale else (t.conf_low, t.conf_high)
        null = 1.0 if hr_scale else 0.0
        p_paper = _paper_p(item)
        row.update(ours=float(est), difference=float(est - row["paper"]),
                   paper_se=item.get("std_error"), ours_se=float(t.std_error),
                   same_sign=bool(np.sign(est - null) == np.sign(row["paper"] - null)),
                   paper_band=None if p_paper is None else band(p_paper), ours_band=band(float(t.p_value)),
                   ci_covers_paper=bool(lo <= row["paper"] <= hi))
        row["same_band"] = None if row["paper_band"] is None else row["paper_band"] == row["ours_band"]
        rows.append(row)
    reasons = reasons or {}
    for row, item in zip(rows, data["items"]):
        row["reason"] = reasons.get(item["id"], item.get("reason"))
    cols = ["id", "what", "where", "paper", "ours", "difference", "paper_se", "ours_se", "same_sign",
            "paper_band", "ours_band", "same_band", "ci_covers_paper", "note", "reason"]
    return pd.DataFrame(rows).reindex(columns=cols)


COMPARISON_FILE = "paper_vs_ours.csv"


def record_comparison(comparison: pd.DataFrame, chapter: str, folder: Path | str = "results") -> Path:
    """Save a chapter's paper-vs-ours table where the scorecard page and the variant runner look
    (``<folder>/paper_vs_ours.csv``, with the chapter's slug in a column)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / COMPARISON_FILE
    comparison.assign(chapter=chapter).to_csv(path, index=False)
    return path


def reproduction_score(comparison: pd.DataFrame) -> dict:
    """Counts for the scorecard: how many coefficients match in sign, band and CI coverage."""
    coef = comparison.dropna(subset=["same_sign"])
    return {"published_numbers": len(comparison), "coefficients": len(coef),
            "same_sign": int(coef.same_sign.sum()), "same_band": int(coef.same_band.eq(True).sum()),
            "ci_covers_paper": int(coef.ci_covers_paper.sum()),
            "not_estimated": int(comparison.ours.isna().sum())}
