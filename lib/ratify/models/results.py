"""The tidy result every model returns, and the files a reader can take away.

One shape for every estimator (Cox, fractional logit, beta regression, OLS), so the
tables, the paper-vs-ours comparison and the downloads never care which model made
the numbers. ``save`` writes the estimates as CSV, everything as JSON and the model
frame as CSV, so the same model can be refitted in R or Stata.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..data.errors import UnknownSourceError

Z95 = stats.norm.ppf(0.975)


def terms_table(names: list[str], estimates, std_errors, exponentiate: bool = False,
                df_resid: float | None = None) -> pd.DataFrame:
    """term, estimate, std_error, statistic, p_value, conf_low, conf_high (+ exp columns).

    Normal-based (z) tests and 95% intervals unless ``df_resid`` asks for t.
    """
    est, se = np.asarray(estimates, float), np.asarray(std_errors, float)
    stat = est / se
    if df_resid is None:
        p, crit = 2 * stats.norm.sf(np.abs(stat)), Z95
    else:
        p, crit = 2 * stats.t.sf(np.abs(stat), df_resid), stats.t.ppf(0.975, df_resid)
    out = pd.DataFrame({"term": list(names), "estimate": est, "std_error": se, "statistic": stat,
                        "p_value": p, "conf_low": est - crit * se, "conf_high": est + crit * se})
    if exponentiate:
        out["exp_estimate"] = np.exp(est)
        out["exp_conf_low"] = np.exp(out.conf_low)
        out["exp_conf_high"] = np.exp(out.conf_high)
    return out


def _registered(item: dict, reg) -> dict:
    """``item`` with the registry's file, SHA-256 and citation filled in where the record lacks them.

    A source named without a file resolves to its file when it has only one; a source of many
    files (the MTDSG tables) keeps ``sha256`` empty and says how many files it has.
    """
    if not item.get("source"):  # a within-panel lag of a computed column (panels.add_lag): no file
        return item
    try:
        files = reg.source_files(item["source"])
    except UnknownSourceError:  # a derived table's name: ratify.provenance.problems reports it
        return {**item, "registered": False}
    named = [f for f in files if item.get("file") in (f.file, Path(f.file).name)]
    match = named[0] if named else (files[0] if len(files) == 1 else None)
    out = {**item, "registered": True, "files": len(files), "citation": files[0].citation}
    if match is not None:
        out.update(file=match.file, sha256=out.get("sha256") or match.sha256)
    return out


def describe_sources(frame: pd.DataFrame, sources: list[str] | None = None) -> list[dict]:
    """One record per input file: the frame's own stamp, its merge records, the other inputs its
    builder declared (``attrs["inputs"]``: source ids or ``{"source", "file"}`` dicts) and ``sources``.

    Each carries the source id, file, SHA-256, citation and the reader that parsed it. A file
    is listed once; a source named without a hash (``sources=`` of a many-file source) is
    dropped when a record of the same source has one.
    """
    from ..data import registry

    seen = [frame.attrs] if frame.attrs.get("source") else []
    seen += [m for m in frame.attrs.get("merges", []) if isinstance(m, dict) and m.get("source")]
    named = [*frame.attrs.get("inputs", []), *(sources or [])]
    seen += [{"source": s} if isinstance(s, str) else s for s in named]
    reg = registry()
    records = [_registered({k: item.get(k) for k in ("source", "file", "sha256", "reader")}, reg)
               for item in seen]
    hashed = {r["source"] for r in records if r.get("sha256")}
    out: dict[tuple, dict] = {}
    for rec in records:
        if rec["source"] in hashed and not rec.get("sha256"):
            continue
        key = (rec["source"], rec["file"])
        if key in out:  # the same file again: fill what the first record lacks
            out[key].update({k: v for k, v in rec.items() if out[key].get(k) is None})
        else:
            out[key] = rec
    return list(out.values())


def frame_provenance(frame: pd.DataFrame, sources: list[str] | None = None) -> dict:
    """What a fitted model keeps of its frame's trail: ``sources`` (one record per input file),
    ``merges`` (each merged column's source, file, hash, reader, fill rule and coverage) and
    ``built_by`` (the study function that built the frame; see :func:`ratify.provenance.built_by`).
    A study names the merged columns each model column is made from in ``attrs["derived"]``
    (``{"sending": ["net_migration"]}``); each merge record then lists the columns it ``feeds``.
    Pass it to :class:`ModelResult` as ``**frame_provenance(frame, sources)``."""
    from ..data import registry

    reg = registry()
    derived = frame.attrs.get("derived", {})  # model column -> the merged columns it is made from
    merges = [_registered(dict(m), reg) for m in frame.attrs.get("merges", []) if isinstance(m, dict)]
    for m in merges:
        m["feeds"] = sorted(t for t, cols in derived.items() if set(cols) & set(m.get("columns", [])))
    return {"sources": describe_sources(frame, sources), "merges": _jsonable(merges),
            "built_by": _jsonable(frame.attrs.get("built_by"))}


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating | float):
        return None if math.isnan(x) else float(x)
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    return x


@dataclass
class ModelResult:
    """Estimates plus what a reader needs to judge and refit them."""

    name: str
    label: str
    model: str
    terms: pd.DataFrame
    n: int
    events: int | None = None
    subjects: int | None = None
    loglik: float | None = None
    aic: float | None = None
    specification: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    merges: list = field(default_factory=list)      # the frame's merge records (frame_provenance)
    built_by: dict | None = None                    # the study function that built the frame

    def estimate(self, term: str, column: str = "estimate") -> float:
        row = self.terms.loc[self.terms.term == term, column]
        if row.empty:
            raise KeyError(f"No term {term!r} in {self.name}; terms are {list(self.terms.term)}")
        return float(row.iloc[0])

    def to_dict(self) -> dict:
        d = asdict(self)
        d["terms"] = self.terms.to_dict("records")
        return _jsonable(d)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelResult":
        """The result :meth:`to_dict` (or a ``<name>.json`` file) describes."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{**{k: v for k, v in d.items() if k in known}, "terms": pd.DataFrame(d["terms"])})

    def save(self, folder: Path | str, frame: pd.DataFrame | None = None) -> dict[str, Path]:
        """Write ``<name>.json``, ``<name>.csv`` and (if given) ``<name>-data.csv``; return the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"json": folder / f"{self.name}.json", "csv": folder / f"{self.name}.csv"}
        paths["json"].write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        self.terms.to_csv(paths["csv"], index=False)
        if frame is not None:
            paths["data"] = folder / f"{self.name}-data.csv"
            frame.to_csv(paths["data"], index=False)
        return paths
