"""The comparison engine: what a paper reports or claims, set beside what registered data give.

One engine for every chapter, with one verdict vocabulary. What the paper says lives in data
files beside the chapter's pages, never in code:

* ``published.yaml``: every number the paper prints, each with ``where`` it is printed, and
  the paper's significance convention (``stars:``), declared once and used both to read the
  paper's bands and to state ours.
* ``claims.yaml`` (papers that argue rather than estimate): directional claims, each with
  ``where`` it is made, the studies it cites and the test that puts it to registered data
  (a model term or a linear combination of terms); claims no registered source can reach,
  with the source they would need; and placements of cases in a typology.

:func:`compare` reads both files and returns one tidy table, one row per comparison, whose
``kind`` is ``coefficient`` (a model term), ``quantity`` (a computed number), ``claim`` or
``placement``. Every row that is a test carries a ``verdict`` from :data:`VERDICTS`.

Conventions, stated once:

* A claim's verdict reads the 95% interval of its test against the null (0; 1 for a ratio):
  ``+`` is *supported* when the interval lies above it, *contradicted* when below, and
  *inconclusive* when it straddles it (``-`` mirrors this). A claim of absence (``not +``: no
  positive effect) is *supported* unless the interval lies above the null, the finding of a
  significance test it restates, and *contradicted* when it does.
* A coefficient's verdict treats the paper's own finding as the claim, in the paper's star
  convention: a significant paper estimate is *supported* when ours is significant with the
  same sign, *contradicted* when ours is significant with the other sign and *inconclusive*
  when ours is not significant; a non-significant paper estimate is *supported* when ours is
  not significant either and *contradicted* when it is. Without a band from the paper, the
  sign alone is the claim.
* Items flagged ``approximate`` ("approximately half") are compared by direction and band
  only, never by the distance to, or interval coverage of, a point the paper did not print.
* Items flagged ``derived`` (computed from published numbers) are shown but are not published
  numbers; one printed number attributed to several fits (``models:``) is compared with each
  fit and counted once, as agreeing only if it agrees with every fit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from .models.results import ModelResult

# --- the verdict vocabulary ---------------------------------------------------------------------

SUPPORTED, CONTRADICTED, INCONCLUSIVE = "supported", "contradicted", "inconclusive"
CALIBRATED, UNTESTABLE, NOT_ESTIMATED = "calibrated: not a test", "untestable", "not estimated"
VERDICTS = (SUPPORTED, CONTRADICTED, INCONCLUSIVE, CALIBRATED, UNTESTABLE, NOT_ESTIMATED)

PREDICTIONS = ("+", "-", "not +", "not -")
SCALES = ("coef", "hr")  # hr: a ratio (hazard, incidence rate), compared on the ratio scale, null 1
KINDS = ("coefficient", "quantity", "claim", "placement")
Z95 = stats.norm.ppf(0.975)

PUBLISHED_FILE, CLAIMS_FILE = "published.yaml", "claims.yaml"
COMPARISON_FILE = "paper_vs_ours.csv"  # what the scorecard reads from each chapter's results/

COLUMNS = ["kind", "id", "item", "what", "where", "cites", "model", "term", "scale", "paper", "ours",
           "difference", "paper_se", "ours_se", "conf_low", "conf_high", "paper_band", "ours_band", "same_sign",
           "same_band", "ci_covers_paper", "prediction", "test", "n", "verdict", "rests_on", "needs",
           "source_needed", "initiator", "mechanism", "placed_by", "derived", "approximate", "added",
           "inconsistency", "note", "reason"]


class ComparisonFileError(ValueError):
    """A published.yaml or claims.yaml that the engine cannot read as written."""


# --- significance conventions -------------------------------------------------------------------

@dataclass(frozen=True)
class Stars:
    """A paper's significance convention: star labels and their p-value cut-offs (two-sided)."""

    cutoffs: tuple[tuple[str, float], ...]  # strictest first, e.g. (("***", 0.001), ("**", 0.01), ("*", 0.05))

    @classmethod
    def from_mapping(cls, mapping: Mapping, where: str = "stars") -> Stars:
        if not isinstance(mapping, Mapping) or not mapping:
            raise ComparisonFileError(f"{where}: {mapping!r} is not a convention; write it as a mapping of "
                                      "labels to p-value cut-offs, e.g. {'***': 0.01, '**': 0.05, '*': 0.10}")
        for label, cut in mapping.items():
            if not isinstance(label, str) or not label or not isinstance(cut, int | float) or not 0 < cut < 1:
                raise ComparisonFileError(f"{where}: {label!r}: {cut!r} is not a label with a cut-off in (0, 1); "
                                          "write e.g. '**': 0.05")
        if len(set(mapping.values())) < len(mapping):
            raise ComparisonFileError(f"{where}: two labels share a cut-off in {dict(mapping)}")
        return cls(tuple(sorted(((str(k), float(v)) for k, v in mapping.items()), key=lambda kv: kv[1])))

    @staticmethod
    def _format(cut: float) -> str:
        return f"p<{cut:.{max(2, -math.floor(math.log10(cut)))}f}"

    def band(self, p: float | None) -> str | None:
        """'p<0.01'-style band of a p-value, or 'n.s.' above the loosest cut-off."""
        if p is None or (isinstance(p, float) and math.isnan(p)):
            return None
        return next((self._format(cut) for _, cut in self.cutoffs if p < cut), "n.s.")

    def band_of(self, label: str) -> str:
        """The band a printed star label stands for ('' is not significant)."""
        if label == "":
            return "n.s."
        return next(self._format(cut) for lab, cut in self.cutoffs if lab == label)

    def stars(self, p: float | None) -> str:
        if p is None or (isinstance(p, float) and math.isnan(p)):
            return ""
        return next((lab for lab, cut in self.cutoffs if p < cut), "")

    @property
    def loosest(self) -> float:
        return self.cutoffs[-1][1]

    def note(self) -> str:
        """The convention in words, for a table's note."""
        return ", ".join(f"{lab} {self._format(cut)}" for lab, cut in reversed(self.cutoffs)) + " (two-sided)"


def p_value(estimate: float, *, std_error: float | None = None, conf_low: float | None = None,
            conf_high: float | None = None, scale: str = "coef") -> float | None:
    """Two-sided normal p-value from an estimate and its SE, or from its 95% interval (a ratio's on
    the log scale): how a band is recovered when a paper prints no p-value."""
    f = np.log if scale == "hr" else (lambda x: x)
    if std_error:
        return float(2 * stats.norm.sf(abs(f(estimate) / std_error)))
    if conf_low is not None and conf_high is not None and conf_high > conf_low:
        se = (f(conf_high) - f(conf_low)) / (2 * Z95)
        return float(2 * stats.norm.sf(abs(f(estimate) / se)))
    return None


# --- reading and checking the files -------------------------------------------------------------

ITEM_KEYS = {"id", "label", "where", "model", "models", "term", "quantity", "scale", "estimate", "value",
             "std_error", "conf_low", "conf_high", "p_value", "stars", "p_below", "sign", "derived",
             "approximate", "inconsistency", "reason"}
CLAIM_KEYS = {"id", "claim", "cites", "where", "test", "untestable", "predict", "scale", "calibrated",
              "rests_on", "added", "note"}
TEST_KEYS = {"model", "term", "terms", "claims", "quantity", "label"}
PLACEMENT_KEYS = {"case", "initiator", "mechanism", "initiator_from", "mechanism_from", "where"}


def _fail(path, what: str, problem: str) -> None:
    raise ComparisonFileError(f"{path}: {what}: {problem}")


def _check_keys(path, what: str, entry: Mapping, allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        _fail(path, what, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _require(path, what: str, entry: Mapping, required: dict[str, str]) -> None:
    """Fail on the first of ``required`` (key -> what it holds) that is missing or empty."""
    for key, meaning in required.items():
        if not entry.get(key):
            _fail(path, what, f"no '{key}' ({meaning})")


def _number(path, what: str, entry: Mapping, key: str) -> None:
    if key in entry and (isinstance(entry[key], bool) or not isinstance(entry[key], int | float)):
        _fail(path, what, f"{key}={entry[key]!r} is not a number; write the number as printed")


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise ComparisonFileError(f"{path}: no such file; a chapter keeps its paper's numbers and claims "
                                  "beside its pages")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ComparisonFileError(f"{path}: expected a mapping with 'paper' and entries, got {type(data).__name__}")
    if not data.get("paper"):
        _fail(path, "top level", "no 'paper' (the bibliography key of the paper the file transcribes)")
    return data


def _unique_ids(path, entries: list[dict], key: str = "id") -> None:
    seen = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            _fail(path, f"entry {i}", f"{entry!r} is not a mapping")
        ident = entry.get(key)
        if not ident:
            _fail(path, f"entry {i}", f"no '{key}'")
        if ident in seen:
            _fail(path, f"{key} {ident!r}", "appears twice; ids must be unique")
        seen.add(ident)


def read_published(path: Path | str) -> dict:
    """Read and check a chapter's ``published.yaml``; the ``stars`` convention comes back as :class:`Stars`.

    Each item has ``id``, ``label``, ``where`` (table, page or footnote) and either ``term`` with
    ``model`` (or ``models``, one number printed for several fits) or ``quantity``.
    """
    path = Path(path)
    data = _read_yaml(path)
    _check_keys(path, "top level", data, {"paper", "stars", "items"})
    if "stars" not in data:
        _fail(path, "top level", "no 'stars': declare the paper's significance convention once, e.g. "
                                 "stars: {'***': 0.01, '**': 0.05, '*': 0.10}")
    convention = Stars.from_mapping(data["stars"], f"{path}: stars")
    items = data.get("items") or []
    _unique_ids(path, items)
    labels = {lab for lab, _ in convention.cutoffs} | {""}
    for item in items:
        what = f"item {item['id']!r}"
        _check_keys(path, what, item, ITEM_KEYS)
        _require(path, what, item, {"label": "what the number is", "where": "where in the paper it is printed"})
        if ("term" in item) == ("quantity" in item):
            _fail(path, what, "needs exactly one of 'term' (a model coefficient) or 'quantity' (a computed number)")
        if "term" in item and ("model" in item) == ("models" in item):
            _fail(path, what, "a coefficient needs exactly one of 'model' or 'models' (a list, for one number the "
                              "paper attributes to several fits)")
        if "models" in item and (not isinstance(item["models"], list) or len(item["models"]) < 2):
            _fail(path, what, f"models={item['models']!r}: list two or more fits, or use 'model' for one")
        if "quantity" in item and "value" not in item:
            _fail(path, what, "a quantity needs 'value' (the number as printed)")
        if "term" in item and "value" in item:
            _fail(path, what, "a coefficient's number goes in 'estimate', not 'value'")
        if item.get("scale", "coef") not in SCALES:
            _fail(path, what, f"scale={item['scale']!r}; use one of {list(SCALES)}")
        for key in ("estimate", "value", "std_error", "conf_low", "conf_high", "p_value", "p_below"):
            _number(path, what, item, key)
        if "stars" in item and item["stars"] not in labels:
            _fail(path, what, f"stars={item['stars']!r} is not in the paper's convention {sorted(labels)}")
        if "sign" in item and item["sign"] not in ("+", "-"):
            _fail(path, what, f"sign={item['sign']!r}; use '+' or '-' (for a direction printed without a number)")
        if "term" in item and "estimate" not in item and "sign" not in item and "stars" not in item \
                and "p_below" not in item:
            _fail(path, what, "a coefficient needs 'estimate', or at least the 'sign' and band the paper states")
        for key in ("derived", "approximate"):
            if key in item and not isinstance(item[key], bool):
                _fail(path, what, f"{key}={item[key]!r}; use true or false")
        if item.get("approximate") and not any(k in item for k in ("stars", "p_value", "p_below", "std_error")):
            _fail(path, what, "an approximate item is compared by direction and band only: give its band "
                              "('stars' or 'p_below')")
    return {**data, "stars": convention, "items": items}


def read_claims(path: Path | str) -> dict:
    """Read and check a chapter's ``claims.yaml``: ``claims`` (tested, untestable or calibrated)
    and ``placements`` (cases in a typology)."""
    path = Path(path)
    data = _read_yaml(path)
    _check_keys(path, "top level", data, {"paper", "claims", "placements"})
    claims, placements = data.get("claims") or [], data.get("placements") or []
    _unique_ids(path, claims)
    ids = {c["id"] for c in claims}
    for c in claims:
        what = f"claim {c['id']!r}"
        _check_keys(path, what, c, CLAIM_KEYS)
        _require(path, what, c, {"claim": "the claim in our words", "where": "where in the paper it is made"})
        if not isinstance(c.get("cites", []), list):
            _fail(path, what, f"cites={c['cites']!r}; list the studies the text cites, e.g. [Keith 1999]")
        if ("test" in c) == ("untestable" in c):
            _fail(path, what, "needs exactly one of 'test' (how registered data test it) or 'untestable' "
                              "(what a test needs and the source that would have it)")
        if "untestable" in c:
            u = c["untestable"]
            if not isinstance(u, Mapping) or not u.get("needs") or not u.get("source"):
                _fail(path, what, "untestable needs {needs: what a test needs, source: the source that has it}")
            continue
        test = c["test"]
        if not isinstance(test, Mapping):
            _fail(path, what, f"test={test!r}; write e.g. {{model: effect_pooled, term: ratified}}")
        _check_keys(path, f"{what} test", test, TEST_KEYS)
        if sum(k in test for k in ("term", "terms", "claims", "quantity")) != 1:
            _fail(path, what, "the test needs exactly one of 'term', 'terms' (a linear combination), 'claims' "
                              "(a synthesis of other claims) or 'quantity'")
        if ("term" in test or "terms" in test) and not test.get("model"):
            _fail(path, what, "a test on a term names its 'model'")
        if "terms" in test and (not isinstance(test["terms"], Mapping) or not test["terms"]):
            _fail(path, what, f"terms={test['terms']!r}; write weights, e.g. {{democracy: 1, democracy_x_poor: 1}}")
        if "claims" in test and not set(test["claims"]) <= ids:
            _fail(path, what, f"synthesis of unknown claims {sorted(set(test['claims']) - ids)}")
        if "quantity" in test and not c.get("calibrated"):
            _fail(path, what, "a quantity is not a directional test; only a calibrated claim may show one")
        if not c.get("calibrated") and c.get("predict") not in PREDICTIONS:
            _fail(path, what, f"predict={c.get('predict')!r}; use one of {list(PREDICTIONS)}")
        if c.get("scale", "coef") not in SCALES:
            _fail(path, what, f"scale={c['scale']!r}; use one of {list(SCALES)}")
        if not set(c.get("rests_on", [])) <= ids:
            _fail(path, what, f"rests_on names unknown claims {sorted(set(c['rests_on']) - ids)}")
    for i, p in enumerate(placements):
        what = f"placement {i} ({p.get('case')!r})" if isinstance(p, Mapping) else f"placement {i}"
        if not isinstance(p, Mapping):
            _fail(path, what, "is not a mapping")
        _check_keys(path, what, p, PLACEMENT_KEYS)
        missing = sorted(PLACEMENT_KEYS - set(p))
        if missing:
            _fail(path, what, f"missing {missing}; every placement says who placed it (text or ours) and where")
        for key in ("initiator_from", "mechanism_from"):
            if p[key] not in ("text", "ours"):
                _fail(path, what, f"{key}={p[key]!r}; use 'text' (the paper places it) or 'ours'")
    return {**data, "claims": claims, "placements": placements}


# --- one row per comparison ----------------------------------------------------------------------

def _missing(x) -> bool:
    return x is None or (isinstance(x, float | np.floating) and math.isnan(x))


def _on_scale(x: float, scale: str) -> float:
    return float(np.exp(x)) if scale == "hr" else float(x)


def _sign(x: float, null: float) -> int:
    return int(np.sign(x - null))


def coefficient_verdict(paper_sign: int | None, paper_significant: bool | None, ours_sign: int,
                        ours_significant: bool) -> str:
    """The paper's own finding read as a claim (see the module's conventions)."""
    if paper_significant is False:
        return CONTRADICTED if ours_significant else SUPPORTED
    if not ours_significant:
        return INCONCLUSIVE
    if paper_sign is None:
        return INCONCLUSIVE
    return SUPPORTED if ours_sign == paper_sign else CONTRADICTED


def verdict(prediction: str, low: float, high: float, null: float = 0.0) -> str:
    """What a 95% interval says about a predicted direction (see the module's conventions)."""
    above, below = low > null, high < null
    if prediction == "+":
        return SUPPORTED if above else CONTRADICTED if below else INCONCLUSIVE
    if prediction == "-":
        return SUPPORTED if below else CONTRADICTED if above else INCONCLUSIVE
    if prediction == "not +":
        return CONTRADICTED if above else SUPPORTED
    if prediction == "not -":
        return CONTRADICTED if below else SUPPORTED
    raise ValueError(f"prediction={prediction!r}; use one of {list(PREDICTIONS)}")


def lincom(result: ModelResult, weights: Mapping[str, float]) -> dict:
    """Estimate, SE and 95% interval of a weighted sum of a model's coefficients (log scale for a
    ratio model). Needs the coefficients' covariance in ``specification["vcov"]``, ordered as
    ``result.terms``."""
    names = list(result.terms.term)
    if "vcov" not in result.specification:
        raise ValueError(f"{result.name}: a test on {dict(weights)} needs the covariance of the terms; fit the "
                         "model with its covariance kept in specification['vcov']")
    unknown = sorted(set(weights) - set(names))
    if unknown:
        raise KeyError(f"{result.name} has no term(s) {unknown}; its terms are {names}")
    w = np.array([float(weights.get(n, 0.0)) for n in names])
    est = float(w @ result.terms.estimate.to_numpy())
    se = float(np.sqrt(w @ np.asarray(result.specification["vcov"], float) @ w))
    return {"estimate": est, "std_error": se, "conf_low": est - Z95 * se, "conf_high": est + Z95 * se,
            "p_value": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else float("nan")}


def _paper_band(item: dict, convention: Stars) -> tuple[str | None, float | None]:
    """The paper's band and, when it has one, the p-value behind it."""
    number = item.get("estimate", item.get("value"))
    if item.get("p_value") is not None:
        p = float(item["p_value"])
    elif number is not None and (item.get("std_error") or item.get("conf_low") is not None):
        p = p_value(number, std_error=item.get("std_error"), conf_low=item.get("conf_low"),
                    conf_high=item.get("conf_high"), scale=item.get("scale", "coef"))
    else:
        p = None
    if p is not None:
        return convention.band(p), p
    if "stars" in item:
        return convention.band_of(item["stars"]), None
    if "p_below" in item:
        return Stars._format(float(item["p_below"])), None
    return None, None


def _compare_estimate(row: dict, item: dict, convention: Stars, est: float, lo: float, hi: float,
                      p: float | None, se: float | None) -> dict:
    """Fill the checks of one published estimate against ours (both on the item's scale)."""
    scale = item.get("scale", "coef")
    null = 1.0 if scale == "hr" else 0.0
    paper = item.get("estimate", item.get("value"))
    approximate = bool(item.get("approximate"))
    paper_sign = (_sign(paper, null) if paper is not None else {"+": 1, "-": -1}.get(item.get("sign")))
    paper_band, _ = _paper_band(item, convention)
    if "p_below" in item and p is not None:
        ours_significant = p < float(item["p_below"])
    else:
        ours_significant = p is not None and p < convention.loosest
    ours_band = convention.band(p)
    same_band = None
    if paper_band is not None and ours_band is not None:
        same_band = ours_significant if "p_below" in item else paper_band == ours_band
    paper_significant = None if paper_band is None else paper_band != "n.s."
    row.update(ours=est, conf_low=lo, conf_high=hi, ours_se=se, paper_band=paper_band, ours_band=ours_band,
               same_band=same_band, same_sign=None if paper_sign is None else _sign(est, null) == paper_sign,
               difference=None if paper is None or approximate else est - paper,
               ci_covers_paper=None if paper is None or approximate else bool(lo <= paper <= hi),
               verdict=coefficient_verdict(paper_sign, paper_significant, _sign(est, null), ours_significant))
    return row


def _item_rows(item: dict, convention: Stars, models: Mapping[str, ModelResult], quantities: Mapping) -> list[dict]:
    base = {"item": item["id"], "what": item["label"], "where": item["where"], "scale": item.get("scale", "coef"),
            "paper": item.get("estimate", item.get("value")), "paper_se": item.get("std_error"),
            "derived": bool(item.get("derived", False)), "approximate": bool(item.get("approximate", False)),
            "added": False, "inconsistency": item.get("inconsistency"), "reason": item.get("reason")}
    if "quantity" in item:
        row = {**base, "kind": "quantity", "id": item["id"], "term": item["quantity"]}
        ours = quantities.get(item["quantity"])
        if isinstance(ours, Mapping):
            est, lo, hi = (ours.get(k) for k in ("estimate", "conf_low", "conf_high"))
        else:
            est, lo, hi = ours, None, None
        if _missing(est):
            return [{**row, "verdict": NOT_ESTIMATED, "note": f"not estimated in this run: {item['quantity']}"}]
        est = float(est)
        row.update(ours=est, difference=None if item.get("approximate") else est - float(item["value"]))
        if lo is not None and hi is not None:  # ours has an interval: compare it as an estimate
            p = ours.get("p_value") if ours.get("p_value") is not None else p_value(
                est, conf_low=lo, conf_high=hi, scale=row["scale"])
            row = _compare_estimate(row, item, convention, est, float(lo), float(hi), p, None)
        return [row]
    fits = item.get("models") or [item["model"]]
    rows = []
    for model in fits:
        row = {**base, "kind": "coefficient", "id": item["id"] if len(fits) == 1 else f"{item['id']}@{model}",
               "model": model, "term": item["term"]}
        res = models.get(model)
        if res is None or item["term"] not in set(res.terms.term):
            why = "no such model" if res is None else "no such term"
            rows.append({**row, "verdict": NOT_ESTIMATED,
                         "note": f"not estimated in this run: {model}/{item['term']} ({why})"})
            continue
        t = res.terms.set_index("term").loc[item["term"]]
        est, lo, hi = (_on_scale(t[c], row["scale"]) for c in ("estimate", "conf_low", "conf_high"))
        rows.append(_compare_estimate(row, item, convention, est, lo, hi, float(t.p_value), float(t.std_error)))
    return rows


def _claim_row(claim: dict, models: Mapping[str, ModelResult], quantities: Mapping, calibrated: set[str]) -> dict:
    scale = claim.get("scale", "coef")
    row = {"kind": "claim", "id": claim["id"], "item": claim["id"], "what": claim["claim"], "where": claim["where"],
           "cites": "; ".join(claim.get("cites", [])), "scale": scale, "prediction": claim.get("predict"),
           "added": bool(claim.get("added", False)), "derived": False, "approximate": False,
           "note": claim.get("note"),
           "rests_on": "; ".join(f"{c} ({CALIBRATED})" if c in calibrated else c for c in claim.get("rests_on", []))
           or None}
    if "untestable" in claim:
        return {**row, "verdict": UNTESTABLE, "test": "not run", "needs": claim["untestable"]["needs"],
                "source_needed": claim["untestable"]["source"]}
    test = claim["test"]
    if "claims" in test:  # filled in once the parts have verdicts
        return {**row, "test": test.get("label") or " and ".join(test["claims"]) + " together"}
    if "quantity" in test:  # a calibrated claim: the number is shown, never scored
        value = quantities.get(test["quantity"])
        value, n = (value.get("estimate"), value.get("n")) if isinstance(value, Mapping) else (value, None)
        return {**row, "test": test.get("label") or test["quantity"], "ours": None if _missing(value) else value,
                "n": n, "verdict": CALIBRATED if not _missing(value) else NOT_ESTIMATED,
                "reason": claim["calibrated"]}
    model = test["model"]
    expression = test.get("term") or " + ".join(f"{w:g}·{t}" if w != 1 else t for t, w in test["terms"].items())
    res = models.get(model)
    row["model"], row["term"] = model, expression
    if res is None or ("term" in test and test["term"] not in set(res.terms.term)):
        return {**row, "test": f"{test.get('label') or model} [{model}: {expression}]", "verdict": NOT_ESTIMATED,
                "note": f"not estimated in this run: {model}/{expression}"}
    if "term" in test:
        t = res.terms.set_index("term").loc[test["term"]]
        est, low, high, se = float(t.estimate), float(t.conf_low), float(t.conf_high), float(t.std_error)
    else:
        c = lincom(res, test["terms"])
        est, low, high, se = c["estimate"], c["conf_low"], c["conf_high"], c["std_error"]
    row.update(test=f"{test.get('label') or res.label} [{model}: {expression}]", ours=_on_scale(est, scale),
               conf_low=_on_scale(low, scale), conf_high=_on_scale(high, scale), ours_se=se, n=res.n,
               verdict=verdict(claim["predict"], low, high))
    if claim.get("calibrated"):
        row.update(verdict=CALIBRATED, reason=claim["calibrated"])
    return row


def _synthesis(parts: list[str]) -> str:
    if all(v == SUPPORTED for v in parts):
        return SUPPORTED
    if any(v == CONTRADICTED for v in parts):
        return CONTRADICTED
    if all(v == NOT_ESTIMATED for v in parts):
        return NOT_ESTIMATED
    return INCONCLUSIVE


def _placement_row(i: int, p: dict) -> dict:
    by = {"text": "the text", "ours": "ours"}
    return {"kind": "placement", "id": f"P{i + 1}", "item": f"P{i + 1}", "what": p["case"], "where": p["where"],
            "initiator": p["initiator"], "mechanism": p["mechanism"], "derived": False, "approximate": False,
            "added": False,
            "placed_by": f"initiator: {by[p['initiator_from']]}; mechanism: {by[p['mechanism_from']]}"}


def _as_mapping(models) -> dict[str, ModelResult]:
    if models is None:
        return {}
    if isinstance(models, Mapping):
        return dict(models)
    return {m.name: m for m in models}


def compare(folder: Path | str = ".", models: Mapping[str, ModelResult] | Iterable[ModelResult] | None = None,
            quantities: Mapping | None = None, reasons: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every published number, claim and placement of a chapter beside ours, as one tidy table.

    ``folder`` holds ``published.yaml`` and/or ``claims.yaml``. ``models`` maps a ModelResult's
    name to it (or is a list of results); ``quantities`` maps a quantity's name to a number, or to
    ``{"estimate", "conf_low", "conf_high"}`` when ours has an interval. ``reasons`` maps a row's
    ``id`` (or its published item's id) to the chapter's account of a difference. Nothing the
    paper reports is dropped: what this run did not estimate is a row with verdict ``not estimated``.
    """
    folder = Path(folder)
    models, quantities, reasons = _as_mapping(models), dict(quantities or {}), dict(reasons or {})
    published_path, claims_path = folder / PUBLISHED_FILE, folder / CLAIMS_FILE
    if not published_path.exists() and not claims_path.exists():
        raise ComparisonFileError(f"{folder}: neither {PUBLISHED_FILE} nor {CLAIMS_FILE}; the engine compares "
                                  "what a paper reports, so the chapter must transcribe it first")
    rows: list[dict] = []
    if published_path.exists():
        published = read_published(published_path)
        for item in published["items"]:
            rows += _item_rows(item, published["stars"], models, quantities)
    if claims_path.exists():
        claimed = read_claims(claims_path)
        calibrated = {c["id"] for c in claimed["claims"] if c.get("calibrated")}
        claim_rows = [_claim_row(c, models, quantities, calibrated) for c in claimed["claims"]]
        by_id = {r["id"]: r for r in claim_rows}
        for c in claimed["claims"]:
            parts = c.get("test", {}).get("claims")
            if parts:
                got = [by_id[p]["verdict"] for p in parts]
                by_id[c["id"]].update(verdict=_synthesis(got), ours=sum(v == SUPPORTED for v in got), n=len(got),
                                      note=f"{sum(v == SUPPORTED for v in got)} of {len(got)} parts supported")
        rows += claim_rows + [_placement_row(i, p) for i, p in enumerate(claimed["placements"])]
    for row in rows:
        row["reason"] = reasons.get(row["id"], reasons.get(row["item"], row.get("reason")))
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def convention(folder: Path | str = ".") -> Stars:
    """The significance convention the chapter's paper declares in its published.yaml."""
    return read_published(Path(folder) / PUBLISHED_FILE)["stars"]


def with_vcov(result: ModelResult, cov) -> ModelResult:
    """A copy of ``result`` that carries the covariance of its terms (ordered as ``result.terms``),
    for tests of linear combinations; the cached original is left as it was."""
    return replace(result, specification={**result.specification, "vcov": np.asarray(cov, float).tolist()})


# --- the files the scorecard reads ---------------------------------------------------------------

def record_comparison(comparison: pd.DataFrame, chapter: str, folder: Path | str = "results") -> Path:
    """Save a chapter's comparison where the scorecard page and the variant runner look
    (``<folder>/paper_vs_ours.csv``, with the chapter's slug in a column)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / COMPARISON_FILE
    comparison.assign(chapter=chapter).to_csv(path, index=False)
    return path


def _yes(series: pd.Series) -> pd.Series:
    """True where a (possibly CSV-read) column says True; missing is not True."""
    return series.map(lambda v: v is True or v == "True" or (isinstance(v, bool | np.bool_) and bool(v)))


def _known(series: pd.Series) -> pd.Series:
    return series.map(lambda v: not _missing(v) and v != "")


def reproduction_score(comparison: pd.DataFrame) -> dict:
    """The coefficient section of the scorecard: published numbers and how many of the estimates
    agree in sign, band and interval coverage. Derived items are left out; an item printed once for
    several fits counts once, and agrees only if it agrees with every fit."""
    c = comparison[comparison.kind.isin(["coefficient", "quantity"]) & ~_yes(comparison.derived)]
    units = c.assign(estimated=~c.verdict.eq(NOT_ESTIMATED), compared=_known(c.same_sign),
                     same_sign=_yes(c.same_sign), same_band=_yes(c.same_band),
                     ci_covers_paper=_yes(c.ci_covers_paper), supported=c.verdict.eq(SUPPORTED))
    g = units.groupby("item", sort=False)
    per_item = pd.DataFrame({"estimated": g.estimated.all(), "compared": g.compared.all(),
                             "same_sign": g.same_sign.all(), "same_band": g.same_band.all(),
                             "ci_covers_paper": g.ci_covers_paper.all(), "supported": g.supported.all()})
    compared = per_item[per_item.compared]
    return {"published_numbers": len(per_item), "estimates_compared": len(compared),
            "same_sign": int(compared.same_sign.sum()), "same_band": int(compared.same_band.sum()),
            "ci_covers_paper": int(compared.ci_covers_paper.sum()), "supported": int(compared.supported.sum()),
            "not_estimated": int((~per_item.estimated).sum())}


def claims_score(comparison: pd.DataFrame) -> dict:
    """The claims section of the scorecard: claims of the text (not the chapter's added
    specifications) by verdict; ``untestable`` lists each one with the source it needs."""
    c = comparison[comparison.kind.eq("claim") & ~_yes(comparison.added)]
    counts = c.verdict.value_counts()
    out = {"claims": len(c), "tested": int(c.verdict.isin([SUPPORTED, CONTRADICTED, INCONCLUSIVE]).sum())}
    out.update({v: int(counts.get(v, 0)) for v in VERDICTS})
    out["untestable_sources"] = dict(zip(c.loc[c.verdict.eq(UNTESTABLE), "id"],
                                         c.loc[c.verdict.eq(UNTESTABLE), "source_needed"]))
    return out


__all__ = ["CALIBRATED", "CONTRADICTED", "COMPARISON_FILE", "ComparisonFileError", "INCONCLUSIVE", "NOT_ESTIMATED",
           "SUPPORTED", "Stars", "UNTESTABLE", "VERDICTS", "claims_score", "compare", "convention",
           "coefficient_verdict", "lincom", "p_value", "read_claims", "read_published", "record_comparison",
           "reproduction_score", "verdict", "with_vcov"]
