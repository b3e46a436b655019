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


def describe_sources(frame: pd.DataFrame, sources: list[str] | None = None) -> list[dict]:
    """Source id, file, SHA-256 and citation of every input: the frame's merge record plus ``sources``."""
    from ..data import registry

    seen = [{"source": frame.attrs["source"], "file": frame.attrs.get("file"), "sha256": frame.attrs.get("sha256")}
            ] if frame.attrs.get("source") else []
    seen += [{k: m.get(k) for k in ("source", "file", "sha256")}
             for m in frame.attrs.get("merges", []) if isinstance(m, dict) and m.get("source")]
    seen += [{"source": s, "file": None, "sha256": None} for s in sources or []]
    reg, out, keys = registry(), [], set()
    for item in seen:
        key = (item["source"], item["file"])
        if key in keys:
            continue
        keys.add(key)
        try:
            files = reg.source_files(item["source"])
        except Exception:  # a derived table rather than a registered source
            out.append(item)
            continue
        out.append({**item, "citation": files[0].citation})
    return out


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

    def estimate(self, term: str, column: str = "estimate") -> float:
        row = self.terms.loc[self.terms.term == term, column]
        if row.empty:
            raise KeyError(f"No term {term!r} in {self.name}; terms are {list(self.terms.term)}")
        return float(row.iloc[0])

    def to_dict(self) -> dict:
        d = asdict(self)
        d["terms"] = self.terms.to_dict("records")
        return _jsonable(d)

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
