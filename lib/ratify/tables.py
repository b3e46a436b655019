"""Tables for the book: regression tables, and comparisons rendered for a page.

Regression tables follow one stated rule (``STARS``: * p<0.10, ** p<0.05, *** p<0.01,
two-sided, normal reference). The comparison with a paper is made by
:mod:`ratify.comparison`, in that paper's own convention; this module only shows it.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from IPython.display import HTML

from .comparison import COMPARISON_FILE, record_comparison  # noqa: F401  (their old home: pages still call them here)
from .models.results import ModelResult

STARS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
STARS_NOTE = "* p < 0.10, ** p < 0.05, *** p < 0.01 (two-sided)."


def stars(p: float) -> str:
    """The star string for a p-value under ``STARS``."""
    if p is None or np.isnan(p):
        return ""
    return next((s for cut, s in STARS if p < cut), "")


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


# --- showing a comparison -----------------------------------------------------------------------

#: Readable headers for the columns of ``ratify.comparison.compare``.
COMPARISON_HEADERS = {
    "id": "id", "what": "What", "where": "Where in the paper", "cites": "Studies cited", "test": "Our test",
    "paper": "Paper", "ours": "Ours", "difference": "Difference", "paper_se": "Paper SE", "ours_se": "Our SE",
    "conf_low": "95% CI low", "conf_high": "95% CI high", "paper_band": "Paper band", "ours_band": "Our band",
    "same_sign": "Same sign", "same_band": "Same band", "ci_covers_paper": "CI covers paper",
    "prediction": "Predicted", "n": "N", "verdict": "Verdict", "rests_on": "Rests on", "needs": "A test needs",
    "source_needed": "Source it needs", "initiator": "Initiator", "mechanism": "Mechanism",
    "placed_by": "Placed by", "inconsistency": "The paper's own inconsistency", "note": "Note",
    "reason": "Why they differ", "scale": "Scale",
}


def _cell(value, digits: int) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)) or value in ("True", "False"):
        return "yes" if value in (True, "True") else "no"
    if isinstance(value, (float, np.floating)):
        return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1000 else f"{value:.{digits}g}"
    return str(value)


def comparison_html(comparison: pd.DataFrame, columns: list[str], caption: str = "", note: str = "",
                    digits: int = 3) -> HTML:
    """A comparison (``ratify.comparison.compare``) as a book table: the ``columns`` chosen, yes/no
    for the checks, ``digits`` significant digits, blanks where a check does not apply."""
    shown = comparison.reindex(columns=columns).astype(object).map(lambda v: _cell(v, digits))
    return to_html(shown.rename(columns=COMPARISON_HEADERS), caption=html.escape(caption), note=html.escape(note),
                   index=False)
