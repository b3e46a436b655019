"""A chapter's stored sweep: ``variants/results.csv`` and its ``stamp.json``, kept as one.

The robustness page shows a sweep that was run earlier, so nothing may make it show numbers the
sweep did not compute, or show them as current when they are not. The stamp records, besides
the inputs (:mod:`.stamp`), the SHA-256, rows and columns of the results file it belongs to.
Reading checks the two files against each other and against the chapter's declared key
quantities; any mismatch (an edited or truncated file, conflict markers, a missing or malformed
stamp) makes the store *damaged*, and the page then shows the refresh command and no numbers.

Writing is all or nothing (each file to a temporary name, then renamed, the stamp last), and a
sweep replaces a stored one only when it ran every declared variant and no variant that was ok
before has failed now, unless forced: a sweep run without data must not wipe good results.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import collect
from .schema import Chapter
from .stamp import RESULTS_FILE, STAMP_FILE, combined, input_hashes, store_dir

FORMAT = 2  # stamps before format 2 did not record the results file and cannot vouch for it
STATUSES = ("ok", "partial", "error")


@dataclass
class Stored:
    """What the chapter's store holds, checked.

    ``state``: ``absent`` (no sweep stored), ``damaged`` (``problem`` says why; no table),
    ``stale`` (``changed`` inputs moved since) or ``fresh``."""

    state: str
    table: pd.DataFrame | None = None
    stamp: dict | None = None
    changed: list[str] = field(default_factory=list)
    problem: str = ""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, float_format="%.6g", lineterminator="\n").encode("utf-8")


def _parse(data: bytes) -> pd.DataFrame:
    table = pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])
    return table.assign(parameters=table.parameters.fillna("").astype(str), error=table.error.fillna("").astype(str))


def _damage(data: bytes, stamp: object, chapter: Chapter) -> tuple[str, pd.DataFrame | None]:
    """Why the two files cannot be trusted ('' when they can), and the parsed table."""
    if not isinstance(stamp, dict):
        return f"{STAMP_FILE} is not a stamp (a JSON object)", None
    results = stamp.get("results")
    if stamp.get("format") != FORMAT or not isinstance(results, dict):
        return f"{STAMP_FILE} was written by an older version of ratify and does not vouch for {RESULTS_FILE}", None
    if results.get("sha256") != _sha(data):
        return f"{RESULTS_FILE} is not the file the sweep stored (it was edited, cut short or merged since)", None
    try:
        table = _parse(data)
    except Exception as err:  # noqa: BLE001 - whatever pandas makes of a malformed file
        return f"{RESULTS_FILE} cannot be read ({type(err).__name__})", None
    if list(table.columns) != results.get("columns") or len(table) != results.get("rows"):
        return f"{RESULTS_FILE} does not have the rows and columns its stamp records", None
    if list(table.columns) != collect.columns(chapter):
        return (f"{RESULTS_FILE} has other columns than the key quantities now declared in variants.yaml "
                "would give"), None
    if list(table.variant) != stamp.get("variants") or not table.status.isin(STATUSES).all():
        return f"{RESULTS_FILE} does not list the variants its stamp records", None
    return "", table


def read(chapter: Chapter, **kwargs) -> Stored:
    """The chapter's stored sweep, checked; ``kwargs`` go to :func:`stamp.input_hashes`."""
    folder = store_dir(chapter)
    results_path, stamp_path = folder / RESULTS_FILE, folder / STAMP_FILE
    if not results_path.exists() and not stamp_path.exists():
        return Stored("absent")
    if not stamp_path.exists():
        return Stored("damaged", problem=f"{STAMP_FILE} is missing, so nothing says what these results were "
                                         "computed from")
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return Stored("damaged", problem=f"{STAMP_FILE} cannot be read (it is not valid JSON)")
    if not results_path.exists():
        return Stored("damaged", stamp=stamp if isinstance(stamp, dict) else None,
                      problem=f"{RESULTS_FILE} is missing")
    problem, table = _damage(results_path.read_bytes(), stamp, chapter)
    if problem:
        return Stored("damaged", stamp=stamp if isinstance(stamp, dict) else None, problem=problem)
    now = input_hashes(chapter, **kwargs)
    recorded = stamp.get("inputs") if isinstance(stamp.get("inputs"), dict) else {}
    changed = [k for k, v in now.items() if recorded.get(k) != v]
    return Stored("stale" if changed else "fresh", table, stamp, changed)


def regressions(chapter: Chapter, table: pd.DataFrame) -> list[str]:
    """Variants that are ok in the stored sweep and failed (or were not run) in ``table``."""
    current = read(chapter)
    if current.table is None:
        return []  # nothing stored, or nothing that can be trusted: there is nothing to lose
    now = dict(zip(table.variant, table.status))
    declared = {v.name for v in chapter.variants}
    return [v for v, s in zip(current.table.variant, current.table.status)
            if s == "ok" and v in declared and now.get(v) != "ok"]


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save(chapter: Chapter, table: pd.DataFrame, *, seconds: float, jobs: int, hashes: dict | None = None) -> Path:
    """Write the collected table and its stamp (``hashes``: :func:`stamp.input_hashes` taken
    before the sweep ran, so an edit made while it ran marks the results stale)."""
    hashes = hashes or input_hashes(chapter)
    folder = store_dir(chapter)
    folder.mkdir(parents=True, exist_ok=True)
    data = _csv_bytes(table)
    stamp = {"format": FORMAT, "sha256": combined(hashes), "inputs": hashes,
             "results": {"file": RESULTS_FILE, "sha256": _sha(data), "rows": len(table),
                         "columns": list(table.columns)},
             "computed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "variants": list(table.variant), "jobs": jobs, "seconds": round(seconds, 1)}
    # results first, stamp last: in between, a reader sees a stamp that does not vouch for the file
    _write_atomic(folder / RESULTS_FILE, data)
    _write_atomic(folder / STAMP_FILE, (json.dumps(stamp, indent=2) + "\n").encode("utf-8"))
    return folder / RESULTS_FILE
