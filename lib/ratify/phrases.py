"""The words the prose uses to judge agreement, computed from rows of the comparison.

A sentence such as "close to the paper's" or "as the text predicts" is a verdict, so it is
made here from a row of :func:`ratify.comparison.compare` and glued into the page; a variant
run or a data update then rewrites it with the numbers, never leaving a stale judgement.

Conventions: an estimate is *close to the paper's* when our 95% interval covers the paper's
value; otherwise it is *stronger* or *weaker* by its distance from no effect (0, or 1 for a
ratio, compared on the log scale). A plain number (a count, a share) is *the same as the
paper's* when it rounds to the paper's printed digits, and *close* within ``CLOSE`` of it.
"""

from __future__ import annotations

import math

import pandas as pd

from .comparison import (CALIBRATED, CONTRADICTED, INCONCLUSIVE, NOT_ESTIMATED, SUPPORTED, UNTESTABLE,
                         VERDICTS)

CLOSE = 0.10  # a plain number within 10% of the paper's is "close to" it


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def checked(v) -> bool:
    """True only where a check of the comparison holds (missing, NaN or 'False' are not)."""
    return v is True or v == "True" or (not _missing(v) and not isinstance(v, str) and bool(v) is True)


def _digits(value: float) -> int:
    """Decimal places of a number as the paper printed it (the YAML keeps the printed form)."""
    text = repr(float(value)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _distance(value: float, scale: str) -> float:
    return abs(math.log(value)) if scale == "hr" else abs(value)


def agreement(row) -> str:
    """How our number stands to the paper's, in the words the prose uses."""
    row = pd.Series(row)
    if row.get("verdict") == NOT_ESTIMATED or _missing(row.get("ours")):
        return "not estimated"
    paper, ours, scale = row.get("paper"), float(row["ours"]), row.get("scale") or "coef"
    if _missing(row.get("same_sign")):  # a plain number: no interval to read
        if _missing(paper):
            return "not compared (the paper prints no number)"
        paper = float(paper)
        # a count or a year must be equal; a fraction printed as 0.6 is read as 0.60 (YAML drops the zero)
        digits = 0 if paper.is_integer() else max(2, _digits(paper))
        if round(ours, digits) == round(paper, digits):
            return "the same as the paper's"
        if paper != 0 and abs(ours - paper) / abs(paper) <= CLOSE:
            return "close to the paper's"
        return "higher than the paper's" if ours > paper else "lower than the paper's"
    if not checked(row["same_sign"]):
        return "opposite in sign to the paper's"
    if checked(row.get("approximate")) or _missing(paper):
        band = "and in the same significance band" if checked(row.get("same_band")) else \
            "but in another significance band"
        return f"in the direction the paper reports, {band}"
    if checked(row.get("ci_covers_paper")):
        return "close to the paper's"
    stronger = _distance(ours, scale) > _distance(float(paper), scale)
    return "same sign, stronger than the paper's" if stronger else "same sign, weaker than the paper's"


CLAIM_WORDS = {
    SUPPORTED: "supported, as the text predicts",
    CONTRADICTED: "contradicted, against the text's prediction",
    INCONCLUSIVE: "inconclusive: the 95% interval includes no effect",
    CALIBRATED: "calibrated, so not a test",
    UNTESTABLE: "untestable with registered data",
    NOT_ESTIMATED: "not estimated in this run",
}


def claim_result(row) -> str:
    """A claim's verdict in words (for prose that says how a claim fared)."""
    verdict = pd.Series(row).get("verdict")
    if verdict not in CLAIM_WORDS:
        raise ValueError(f"verdict={verdict!r} is not one of {list(VERDICTS)}; make rows with ratify.comparison")
    return CLAIM_WORDS[verdict]


def tally(rows: pd.DataFrame, verdicts: tuple[str, ...] = (SUPPORTED, INCONCLUSIVE, CONTRADICTED)) -> str:
    """'3 supported, 2 inconclusive and 1 contradicted' for a set of rows (zeros left out)."""
    counts = rows.verdict.value_counts()
    parts = [f"{int(counts[v])} {v}" for v in verdicts if counts.get(v, 0)]
    if not parts:
        return "none " + " or ".join(verdicts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


__all__ = ["CLAIM_WORDS", "CLOSE", "agreement", "checked", "claim_result", "tally"]
