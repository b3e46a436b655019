"""Execute a chapter's analysis notebook with other parameters, one variant or a sweep.

jupytext turns the MyST page into a notebook, papermill injects the checked parameters
(and ``results_dir``) after the ``parameters`` cell and runs it on the ``python3`` kernel,
in the chapter's folder so relative paths (``published.yaml``) still resolve. Each variant
gets its own output folder with the executed notebook and ``results/*.json``.

A sweep runs variants in worker processes; a failing variant becomes a row with its error
instead of stopping the others. Built panels are shared through ``ratify.cache.cached``,
so the sweep pays for each distinct panel once.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from ..data.locations import PROJECT_ROOT
from . import collect, stamp
from .schema import DESIGN_CHANGES, RESERVED, Chapter, load

OUTPUT_ROOT = PROJECT_ROOT / "build" / "variants"
KERNEL = "python3"


def output_dir(chapter: Chapter, name: str, root: Path | None = None) -> Path:
    """``build/variants/<slug>/<name>/`` unless another root is given."""
    return Path(root or OUTPUT_ROOT) / chapter.slug / name


def run_name(values: dict) -> str:
    """A folder name for an ad-hoc run: ``defaults`` or ``run-<hash of the overrides>``."""
    if not values:
        return "defaults"
    return "run-" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:10]


def describe_error(err: BaseException) -> str:
    """One line: the notebook's own exception (name, message, cell) when papermill has it."""
    ename = getattr(err, "ename", None)
    if ename:
        where = f" (cell [{err.exec_count}])" if getattr(err, "exec_count", None) else ""
        return f"{ename}: {err.evalue}{where}"
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}"


def execute(chapter: Chapter, values: dict, out: Path, timeout: float | None = None) -> Path:
    """Run the analysis notebook with ``values`` (already checked) into ``out``; return the executed notebook."""
    import jupytext
    import papermill

    out = Path(out).resolve()
    results = out / "results"
    shutil.rmtree(results, ignore_errors=True)  # never collect a previous run's files
    results.mkdir(parents=True)
    executed = out / (chapter.notebook.stem + ".ipynb")
    notebook = jupytext.read(str(chapter.notebook))
    parameters = {**values, RESERVED: str(results)}
    if chapter.design:  # the notebook builds its Design from the changed values alone
        defaults = chapter.defaults()
        parameters = {DESIGN_CHANGES: {k: v for k, v in values.items() if v != defaults.get(k)},
                      RESERVED: str(results)}
    papermill.execute_notebook(notebook, str(executed), parameters=parameters,
                               kernel_name=KERNEL, language="python", cwd=str(chapter.folder), progress_bar=False,
                               log_output=False, request_save_on_cell_execute=False, execution_timeout=timeout)
    return executed


def run_variant(folder: str, name: str, root: str | None = None, timeout: float | None = None) -> dict:
    """Run one declared variant and return its table row; never raises for a notebook error.

    Takes plain strings so it can be sent to a worker process.
    """
    chapter = load(folder)
    variant = chapter.variant(name)
    out = output_dir(chapter, name, Path(root) if root else None)
    start = time.perf_counter()
    try:
        execute(chapter, chapter.validate(variant.parameters), out, timeout)
        results, problems = collect.read_results(chapter, out / "results")
    except Exception as err:  # noqa: BLE001 - a failing variant is a result, not a crash of the sweep
        return collect.row(chapter, variant, status="error", error=describe_error(err),
                           seconds=time.perf_counter() - start)
    return collect.row(chapter, variant, status=collect.status(chapter, results), error="; ".join(problems),
                       seconds=time.perf_counter() - start, results=results)


def sweep(chapter: Chapter, names: list[str] | None = None, *, jobs: int = 1, root: Path | None = None,
          progress: bool = True, timeout: float | None = None) -> pd.DataFrame:
    """Run the named (default: all declared) variants with ``jobs`` workers; one row per variant."""
    from tqdm import tqdm  # the console bar: tqdm.auto wants ipywidgets inside a kernel

    names = list(names) if names else [v.name for v in chapter.variants]
    for name in names:
        chapter.variant(name)  # unknown names fail before anything runs
    args = [(str(chapter.folder), name, str(root) if root else None, timeout) for name in names]
    rows: list[dict] = []
    bar = tqdm(total=len(names), desc=f"{chapter.slug} variants", unit="variant", disable=not progress)
    if jobs <= 1:
        for a in args:
            rows.append(run_variant(*a))
            bar.update()
            bar.set_postfix_str(f"{rows[-1]['variant']}: {rows[-1]['status']}")
    else:
        # spawn, not fork: the parent may hold threads (tqdm's monitor) that a fork would copy mid-lock
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(run_variant, *a): a[1] for a in args}
            for future in as_completed(futures):
                try:
                    rows.append(future.result())
                except Exception as err:  # noqa: BLE001 - a worker that died still gets its row
                    rows.append(collect.row(chapter, chapter.variant(futures[future]), status="error",
                                            error=describe_error(err)))
                bar.update()
                bar.set_postfix_str(f"{rows[-1]['variant']}: {rows[-1]['status']}")
    bar.close()
    return collect.table(chapter, rows)


def store(chapter: Chapter, results: pd.DataFrame, *, seconds: float, jobs: int, hashes: dict | None = None) -> Path:
    """Write the collected table and its stamp into the chapter (``variants/``) for the book.

    ``hashes``: :func:`stamp.input_hashes` taken before the sweep ran (default: now)."""
    folder = stamp.store_dir(chapter)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stamp.RESULTS_FILE
    results.to_csv(path, index=False, float_format="%.6g")
    stamp.write_stamp(chapter, seconds=seconds, jobs=jobs, hashes=hashes)
    return path


def stored(chapter: Chapter) -> pd.DataFrame | None:
    """The stored table, or None when the sweep has not been run."""
    path = stamp.store_dir(chapter) / stamp.RESULTS_FILE
    if not path.exists():
        return None
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    return table.assign(parameters=table.parameters.fillna("").astype(str), error=table.error.fillna("").astype(str))
