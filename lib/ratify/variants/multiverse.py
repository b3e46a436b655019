"""Run a chapter's multiverse through the study's Python API, locally or on a Dask cluster.

Each universe is a design; the study's ``fit_key_models(design, models, perturb)`` fits the
models the key quantities need, building its data through builders keyed on
``design.data_choices()`` (``ratify.cache.data_builder``). So that a data stage is built
once per group of universes that differ only in model options, universes are sent to the
workers in chunks of one data group, groups one after another.

Results stream to Parquet part files (``variants/multiverse.parts/``) as universes finish,
one row per universe and key quantity; a run that stops, for whatever reason, leaves what
it finished there, and ``--resume`` carries on from it. At the end (or on interruption) the
parts are merged into ``variants/multiverse.parquet`` with a stamp of the inputs, read by
the robustness page exactly like the variant sweep's stamp.

A universe that raises is a row with its error, never the end of the run.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import multiprocessing
import os
import signal
import threading
import time
import uuid
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import stamp
from .runner import describe_error
from .schema import SPEC_FILE, Chapter, KeyQuantity, import_reference
from .universes import Multiverse, MultiverseError, Universe, load, value_key

RESULTS_FILE = "multiverse.parquet"
STAMP_FILE = "multiverse-stamp.json"
PARTS_DIR = "multiverse.parts"
FLUSH_EVERY = (25, 20.0)   # write a part file after this many universes or seconds, whichever first
CHUNK = 4                  # universes of one data group sent to a worker at a time
ESTIMATES = ["estimate", "std_error", "conf_low", "conf_high", "p_value"]
UNDEFINED = "undefined"    # the universe's choices leave the quantity out of its model (``undefined:`` rules)
STATUSES = ("ok", UNDEFINED, "error")
SETTLED = ("ok", UNDEFINED)  # a universe whose quantities are all settled did not fail


# --- one chunk of universes, in a worker ----------------------------------------------------------

def _spec(folder: str) -> tuple[Multiverse, Callable]:
    """The chapter's multiverse and fit function, read once per worker (again if variants.yaml changes)."""
    return _read_spec(folder, (Path(folder) / SPEC_FILE).stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_spec(folder: str, _mtime: int) -> tuple[Multiverse, Callable]:
    multiverse = load(folder)
    return multiverse, import_reference(multiverse.chapter.fit)


def quantity_row(result, q: KeyQuantity) -> dict:
    """estimate, std_error, conf_low, conf_high, p_value of ``q.term`` (hazard ratios exponentiated;
    ``std_error`` stays on the coefficient's scale), with the model's N and events."""
    terms = result.terms.set_index("term")
    if q.term not in terms.index:
        raise KeyError(f"model {q.model!r} has no term {q.term!r}; its terms are {list(terms.index)}")
    t = terms.loc[q.term]
    scale = math.exp if q.scale == "hr" else float
    return {"estimate": scale(t.estimate), "std_error": float(t.std_error), "conf_low": scale(t.conf_low),
            "conf_high": scale(t.conf_high), "p_value": float(t.p_value), "n": result.n, "events": result.events}


def _design_columns(design) -> dict:
    """Every design field as a Parquet-friendly value (lists as JSON text)."""
    from ..design import design_fields

    return {f.name: value_key(v) if isinstance(v := getattr(design, f.name), tuple) else v
            for f in design_fields(type(design))}


def evaluate(folder: str, universes: list[tuple[int, str, dict]], perturb: Callable | None = None,
             quantities: tuple[str, ...] | None = None) -> list[dict]:
    """Fit ``universes`` (index, id, changes) of the chapter in ``folder``; rows of results.

    Plain arguments, so it can be sent to a worker process or a Dask worker. Never raises for
    a universe's error: that universe's rows carry it.
    """
    multiverse, fit = _spec(folder)
    wanted = [q for q in multiverse.chapter.key_quantities if quantities is None or q.id in quantities]
    models = sorted({q.model for q in wanted})
    rows = []
    for index, uid, changes in universes:
        design = multiverse.design.from_changes(changes)
        base = {"universe": uid, "index": index, **_design_columns(design)}
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:  # kept with the rows, not printed per universe
            warnings.simplefilter("always")
            try:
                fitted = fit(design, models=models, perturb=perturb)
                error = None
            except Exception as err:  # noqa: BLE001 - a failing universe is a result, not the end of the run
                fitted, error = {}, describe_error(err)
        seconds = time.perf_counter() - start
        warned = "; ".join(dict.fromkeys(str(w.message) for w in caught))
        for q in wanted:
            row = {**base, "quantity": q.id, "status": "error", "error": error or "", "seconds": seconds}
            why_undefined = multiverse.undefined_reason(q.id, design)
            if error is None and why_undefined is not None:
                estimated = q.model in fitted and q.term in set(fitted[q.model].terms.term)
                if estimated:  # the declaration is wrong: say so rather than hide an estimate
                    row["error"] = (f"variants.yaml declares {q.id} undefined here ({why_undefined}) but {q.model} "
                                    f"estimates {q.term}: drop or narrow that 'undefined:' rule")
                else:
                    row.update(status=UNDEFINED, error=why_undefined)
            elif error is None:
                try:
                    if q.model not in fitted:
                        raise KeyError(f"fit_key_models returned no model {q.model!r}; it returned {sorted(fitted)}")
                    row.update(quantity_row(fitted[q.model], q), status="ok")
                    if fitted[q.model].specification.get("converged") is False:  # e.g. a separating covariate
                        row.update(status="error", error=f"{q.model} did not converge: {warned}")
                except KeyError as err:
                    row["error"] = str(err.args[0])
            rows.append(row)
    return rows


# --- where the results go -------------------------------------------------------------------------

def store_dir(chapter: Chapter) -> Path:
    return stamp.store_dir(chapter)


def input_hashes(chapter: Chapter, **kwargs) -> dict[str, str]:
    """The variant stamp's inputs except the notebook, which a multiverse does not run."""
    return {k: v for k, v in stamp.input_hashes(chapter, **kwargs).items() if k != "notebook"}


class PartWriter:
    """Buffer result rows and write them as Parquet part files (atomically: temp file + rename)."""

    def __init__(self, folder: Path, hashes: dict):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        (folder / "inputs.json").write_text(json.dumps(hashes, sort_keys=True), encoding="utf-8")
        self.rows: list[dict] = []
        self.universes = 0
        self.last = time.monotonic()

    def add(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        self.universes += len({r["universe"] for r in rows})
        if self.universes >= FLUSH_EVERY[0] or time.monotonic() - self.last >= FLUSH_EVERY[1]:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            path = self.folder / f"part-{time.time_ns()}-{uuid.uuid4().hex[:6]}.parquet"
            tmp = path.with_suffix(".tmp")
            pd.DataFrame(self.rows).to_parquet(tmp, index=False)
            os.replace(tmp, path)
        self.rows, self.universes, self.last = [], 0, time.monotonic()


def _read_parts(folder: Path) -> list[pd.DataFrame]:
    return [pd.read_parquet(p) for p in sorted(folder.glob("part-*.parquet"))] if folder.exists() else []


def stored(chapter: Chapter) -> pd.DataFrame | None:
    """The stored multiverse results, or None when none were computed."""
    path = store_dir(chapter) / RESULTS_FILE
    return pd.read_parquet(path) if path.exists() else None


def _merge(frames: Iterable[pd.DataFrame], order: dict[str, int]) -> pd.DataFrame:
    frames = [f for f in frames if f is not None and len(f)]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True).drop_duplicates(["universe", "quantity"], keep="last")
    out["index"] = out.universe.map(order).fillna(out["index"]).astype(int)  # today's declared order
    return out.sort_values(["index", "quantity"], kind="stable").reset_index(drop=True)


def read_stamp(chapter: Chapter) -> dict | None:
    path = store_dir(chapter) / STAMP_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def staleness(chapter: Chapter, **kwargs) -> dict:
    """As :func:`stamp.staleness` (fresh, stale or absent, and what moved), for the stored multiverse."""
    found = read_stamp(chapter)
    present = found is not None and (store_dir(chapter) / RESULTS_FILE).exists()
    now = input_hashes(chapter, **kwargs) if present else {}
    changed = [k for k, v in now.items() if found.get("inputs", {}).get(k) != v]
    return {"state": "stale" if changed else "fresh" if present else "absent", "changed": changed, "stamp": found}


def _store(multiverse: Multiverse, table: pd.DataFrame, *, hashes: dict, seconds: float, jobs: int,
           scheduler: str | None) -> Path:
    folder = store_dir(multiverse.chapter)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RESULTS_FILE
    tmp = path.with_suffix(".tmp")
    table.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    per_universe = universe_status(table)
    (folder / STAMP_FILE).write_text(json.dumps({
        "sha256": stamp.combined(hashes), "inputs": hashes,
        "computed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "universes": len(multiverse.universes()), "computed_universes": int(len(per_universe)),
        "failed_universes": int((per_universe != "ok").sum()),
        "jobs": jobs, "scheduler": "dask" if scheduler else "local", "seconds": round(seconds, 1),
    }, indent=2) + "\n", encoding="utf-8")
    return path


# --- running ----------------------------------------------------------------------------------------

def chunks(universes: list[Universe], size: int = CHUNK) -> list[list[tuple[int, str, dict]]]:
    """Universes grouped by their data choices (groups in order of first appearance), cut into
    chunks of at most ``size``: a worker builds a group's data once for a whole chunk."""
    groups: dict[str, list[Universe]] = {}
    for u in universes:
        groups.setdefault(repr(u.design.data_choices()), []).append(u)
    out = []
    for members in groups.values():
        plain = [(u.index, u.id, u.changes()) for u in members]
        out += [plain[i:i + size] for i in range(0, len(plain), size)]
    return out


def evaluate_all(multiverse: Multiverse, universes: list[Universe], on_rows: Callable[[list[dict]], None], *,
                 jobs: int = 1, scheduler: str | None = None, perturb: Callable | None = None,
                 quantities: tuple[str, ...] | None = None, progress: bool = True, desc: str = "") -> None:
    """Fit ``universes`` in this process (``jobs=1``), a process pool, or on the Dask cluster at
    ``scheduler``; ``on_rows`` receives each chunk's rows as it finishes."""
    from tqdm import tqdm  # the console bar: tqdm.auto wants ipywidgets inside a kernel

    folder = str(multiverse.chapter.folder)
    tasks = chunks(universes, CHUNK)
    bar = tqdm(total=len(universes), desc=desc or f"{multiverse.chapter.slug} multiverse", unit="universe",
               disable=not progress, smoothing=0.1)
    failed = 0

    def done(rows: list[dict]) -> None:
        nonlocal failed
        on_rows(rows)
        failed += len({r["universe"] for r in rows if r["status"] not in SETTLED})
        bar.update(len({r["universe"] for r in rows}))
        if failed:
            bar.set_postfix_str(f"{failed} failed")

    def lost(task, err: BaseException) -> list[dict]:  # a worker that died: its universes get an error row
        return [{"universe": uid, "index": index, "quantity": q.id, "status": "error",
                 "error": f"worker lost: {describe_error(err)}", "seconds": math.nan,
                 **_design_columns(multiverse.design.from_changes(changes))}
                for index, uid, changes in task for q in multiverse.chapter.key_quantities
                if quantities is None or q.id in quantities]

    def drain(futures: dict, completed) -> None:
        for future in completed(futures):
            try:
                done(future.result())
            except Exception as err:  # noqa: BLE001 - a worker that died: its universes still get rows
                done(lost(tasks[futures[future]], err))

    try:
        if scheduler:
            from dask.distributed import Client
            from dask.distributed import as_completed as dask_completed

            with Client(scheduler) as client:
                futures = {client.submit(evaluate, folder, t, perturb, quantities, pure=False): i
                           for i, t in enumerate(tasks)}
                try:
                    drain(futures, dask_completed)
                finally:
                    client.cancel(list(futures))
        elif jobs <= 1:
            for t in tasks:
                done(evaluate(folder, t, perturb, quantities))
        else:
            # spawn, not fork: the parent may hold threads (tqdm's monitor) that a fork would copy mid-lock
            with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {pool.submit(evaluate, folder, t, perturb, quantities): i for i, t in enumerate(tasks)}
                try:
                    drain(futures, as_completed)
                except BaseException:  # interrupted: stop the workers now rather than after their chunk
                    workers = list((getattr(pool, "_processes", None) or {}).values())
                    pool.shutdown(wait=False, cancel_futures=True)
                    for process in workers:
                        process.terminate()
                    raise
    finally:
        bar.close()


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (``kill``, a batch system's time limit) stops a run like Ctrl-C: what finished is stored.
    (Background jobs of a non-interactive shell ignore SIGINT, so ``kill -INT`` may not reach us.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(chapter: str | Path | Chapter | Multiverse, *, jobs: int = 1, scheduler: str | None = None,
        limit: int | None = None, resume: bool = False, progress: bool = True) -> pd.DataFrame:
    """Compute the chapter's multiverse (the first ``limit`` universes) and store it; the table.

    ``resume`` keeps what an earlier run of the same inputs computed and runs only the rest;
    without it the run starts afresh. Interrupted runs store what they finished.
    """
    multiverse = chapter if isinstance(chapter, Multiverse) else load(chapter)
    spec = multiverse.chapter
    hashes = input_hashes(spec)
    universes = multiverse.universes()
    if limit is not None:
        if limit < 1:
            raise MultiverseError(f"--limit {limit}: give a number of universes >= 1")
        universes = universes[:limit]
    parts = store_dir(spec) / PARTS_DIR
    previous: list[pd.DataFrame] = []
    if resume:
        earlier = [(read_stamp(spec) or {}).get("inputs") if stored(spec) is not None else None,
                   json.loads((parts / "inputs.json").read_text()) if (parts / "inputs.json").exists() else None]
        if any(e is not None and e != hashes for e in earlier):
            raise MultiverseError(f"{spec.slug}: the inputs changed since the interrupted run (the library, the data "
                                  "or variants.yaml); run again without --resume")
        previous = [stored(spec), *_read_parts(parts)]
    else:
        for p in parts.glob("*") if parts.exists() else []:
            p.unlink()
    finished = set().union(*[set(f.universe) for f in previous if f is not None])
    todo = [u for u in universes if u.id not in finished]
    writer = PartWriter(parts, hashes)
    start = time.perf_counter()
    try:
        with _terminate_as_interrupt():
            evaluate_all(multiverse, todo, writer.add, jobs=jobs, scheduler=scheduler, progress=progress)
    finally:
        writer.flush()
        order = {u.id: u.index for u in multiverse.universes()}
        table = _merge([*previous, *_read_parts(parts)], order)
        if len(table):
            _store(multiverse, table, hashes=hashes, seconds=time.perf_counter() - start, jobs=jobs,
                   scheduler=scheduler)
        for p in parts.glob("*"):
            p.unlink()
        parts.rmdir()
    return table


def universe_status(table: pd.DataFrame) -> pd.Series:
    """ok / error per universe (error when any of its key quantities failed; a quantity its
    choices leave undefined is not a failure)."""
    return table.groupby("universe", sort=False).status.agg(lambda s: "ok" if s.isin(SETTLED).all() else "error")

