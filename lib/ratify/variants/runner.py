"""Execute a chapter's analysis notebook with other parameters, one variant or a sweep.

jupytext turns the MyST page into a notebook, papermill injects the checked parameters
(and ``results_dir``) after the ``parameters`` cell and runs it on the ``python3`` kernel,
in the chapter's folder so relative paths (``published.yaml``) still resolve. Each run gets
its own output folder with the executed notebook and ``results/*.json``.

The runner deletes nothing it did not write. A run executes into a fresh temporary folder
beside its output folder and is moved into place when it ends, so two runs into one folder
cannot trip over each other, and a failed run never replaces a successful one (it goes to
``<folder>.failed``). An output folder that holds anything else is refused before a kernel
starts; the runner's folders carry a marker file (:data:`MARKER`) saying what ran there.

Every run executes in a worker process of its own (a sweep keeps at most ``jobs`` running), in
its own session: Ctrl-C reaches only the command, which stops its workers, and they shut their
kernels down. A failing variant, or a worker that dies, becomes a row with its error instead
of stopping the others. Built panels are shared through ``ratify.cache.cached``, so the sweep pays for each
distinct panel once.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from multiprocessing.connection import wait
from pathlib import Path

import pandas as pd

from ..cache.store import move_into_place
from ..data.locations import PROJECT_ROOT
from . import collect
from .schema import Chapter, load

OUTPUT_ROOT = PROJECT_ROOT / "build" / "variants"
KERNEL = "python3"
MARKER = ".ratify-run.json"
PARTIAL = ".partial"  # a run still executing (or one whose process was killed)
FAILED = ".failed"    # a failed run kept beside a successful one it must not replace


class OutputError(ValueError):
    """An output folder the runner will not write into (it holds files the runner did not write)."""


class RunFailed(Exception):
    """The notebook failed; ``error`` is papermill's exception, ``notebook`` the executed notebook kept."""

    def __init__(self, error: BaseException, notebook: Path):
        super().__init__(str(error))
        self.error, self.notebook = error, notebook


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


# --- output folders: written by us, replaced only by a success --------------------------------

def _marker(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def written_by_runner(folder: Path, chapter: Chapter) -> bool:
    """True for a folder holding a run of this runner: its marker, or (runs from before markers)
    nothing but the executed notebook and a ``results/`` folder of CSV and JSON files."""
    if _marker(folder) is not None:
        return True
    names = {p.name for p in folder.iterdir()}
    results = folder / "results"
    return bool(names) and names <= {chapter.notebook.stem + ".ipynb", "results"} and (
        not results.is_dir() or all(p.is_file() and p.suffix in (".json", ".csv") for p in results.iterdir()))


def check_output(folder: Path, chapter: Chapter) -> None:
    """Refuse an output folder that holds anything the runner did not write."""
    for candidate in (folder, folder.with_name(folder.name + FAILED)):
        if candidate.exists() and (not candidate.is_dir() or (
                any(candidate.iterdir()) and not written_by_runner(candidate, chapter))):
            raise OutputError(f"the output folder {candidate} holds files that ratify did not write; "
                              "nothing was run. Choose a new or empty folder with --out.")


def _write_marker(folder: Path, chapter: Chapter, values: dict, status: str) -> None:
    (folder / MARKER).write_text(json.dumps({
        "written_by": "ratify run / ratify variants", "chapter": chapter.slug, "notebook": chapter.notebook.name,
        "parameters": values, "status": status,
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}, indent=2, default=str) + "\n",
        encoding="utf-8")


def _place(staging: Path, out: Path, ok: bool) -> Path:
    """Move a finished run into ``out``; a failed one goes to ``out.failed`` when ``out`` holds a success."""
    previous = _marker(out) if out.exists() else None
    keep_success = out.exists() and any(out.iterdir()) and (previous is None or previous.get("status") == "ok")
    target = out if ok or not keep_success else out.with_name(out.name + FAILED)
    move_into_place(staging, target)  # a run finishing into the same folder at the same moment: last one wins
    return target


def execute(chapter: Chapter, values: dict, out: Path, timeout: int | None = None) -> Path:
    """Run the analysis notebook with ``values`` (already checked) into ``out``; return the executed notebook.

    Raises :class:`OutputError` before anything runs when ``out`` is not the runner's to write, and
    :class:`RunFailed` (naming the executed notebook, kept for inspection) when the notebook fails."""
    import jupytext
    import papermill

    out = Path(out).resolve()
    check_output(out, chapter)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=PARTIAL))
    staging.chmod(0o755)
    _write_marker(staging, chapter, values, "running")
    results = staging / "results"
    results.mkdir()
    name = chapter.notebook.stem + ".ipynb"
    notebook = jupytext.read(str(chapter.notebook))
    try:
        papermill.execute_notebook(notebook, str(staging / name), parameters={**values, "results_dir": str(results)},
                                   kernel_name=KERNEL, language="python", cwd=str(chapter.folder), progress_bar=False,
                                   log_output=False, request_save_on_cell_execute=False, execution_timeout=timeout)
    except BaseException as err:
        interrupted = isinstance(err, KeyboardInterrupt) or getattr(err, "ename", "") == "KeyboardInterrupt"
        _write_marker(staging, chapter, values, "interrupted" if interrupted else "failed")
        where = _place(staging, out, ok=False)
        if isinstance(err, Exception):
            raise RunFailed(err, where / name) from err
        raise
    _write_marker(staging, chapter, values, "ok")
    return _place(staging, out, ok=True) / name


def run_variant(folder: str, name: str, root: str | None = None, timeout: int | None = None) -> dict:
    """Run one declared variant and return its table row; never raises for a notebook error.

    Takes plain strings so it can be sent to a worker process.
    """
    chapter = load(folder)
    variant = chapter.variant(name)
    out = output_dir(chapter, name, Path(root) if root else None)
    start = time.perf_counter()
    try:
        executed = execute(chapter, chapter.validate(variant.parameters), out, timeout)
        results, problems = collect.read_results(chapter, executed.parent / "results")
    except RunFailed as err:
        return collect.row(chapter, variant, status="error", error=describe_error(err.error),
                           seconds=time.perf_counter() - start)
    except Exception as err:  # noqa: BLE001 - a failing variant is a result, not a crash of the sweep
        return collect.row(chapter, variant, status="error", error=describe_error(err),
                           seconds=time.perf_counter() - start)
    return collect.row(chapter, variant, status=collect.status(chapter, results), error="; ".join(problems),
                       seconds=time.perf_counter() - start, results=results)


def run_once(folder: str, values: dict, out: str, timeout: int | None = None) -> dict:
    """One ad-hoc run (``ratify run``) as plain data: ``executed``, ``found`` and ``problems``, or
    ``error``, ``notebook`` and ``interrupted`` when the notebook failed. Sent from a worker process."""
    chapter = load(folder)
    try:
        executed = execute(chapter, values, Path(out), timeout)
    except RunFailed as err:
        return {"error": describe_error(err.error), "notebook": str(err.notebook),
                "interrupted": getattr(err.error, "ename", "") == "KeyboardInterrupt"}
    found, problems = collect.read_results(chapter, executed.parent / "results")
    return {"executed": str(executed), "found": found, "problems": problems}


# --- worker processes: one per run, so a crash or a Ctrl-C stops only what it should --------

class WorkerDied(RuntimeError):
    """The worker process ended without sending a result (killed, out of memory, ...)."""


def _worker(conn, func, args: tuple) -> None:
    """Run ``func(*args)`` in a process of its own and send the result back."""
    if hasattr(os, "setsid"):
        os.setsid()  # the terminal's Ctrl-C goes to the parent, which stops the workers itself
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so papermill shuts its kernel down
    try:
        conn.send(func(*args))
    except Exception as err:  # noqa: BLE001 - the parent reports it
        conn.send({"worker_error": describe_error(err)})
    conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            how = f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"killed by signal {-exitcode}"
    else:
        how = f"exit code {exitcode}"
    return f"WorkerDied: the process running this variant ended without a result ({how})"


def _start(func, args: tuple, name: str):
    """A started worker process and the end of the pipe its result comes through."""
    context = multiprocessing.get_context("spawn")  # not fork: the parent may hold threads (tqdm's monitor)
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(writer, func, args), name=name)
    process.start()
    writer.close()  # the worker holds the only writer: its death ends the pipe
    return process, reader


def _finish(process, reader) -> dict:
    """The worker's result once its pipe is ready; ``worker_error`` says why when there is none."""
    try:
        result = reader.recv()
    except (EOFError, OSError):
        result = None
    reader.close()
    process.join()
    return result if result is not None else {"worker_error": _death(process.exitcode)}


def _stop(processes) -> None:
    for process in processes:  # SIGTERM: each unwinds and shuts its kernel down
        process.terminate()
    for process in processes:
        process.join(timeout=30)


def in_worker(func, *args) -> dict:
    """``func(*args)`` in a worker process of its own; Ctrl-C stops the worker (and its kernel) and
    is raised here. A worker that dies raises :class:`WorkerDied`."""
    process, reader = _start(func, args, name=func.__name__)
    try:
        wait([reader])
        result = _finish(process, reader)
    except BaseException:
        _stop([process])
        raise
    if "worker_error" in result:
        raise WorkerDied(result["worker_error"])
    return result


def _run_isolated(chapter: Chapter, args: list[tuple], jobs: int, done) -> None:
    """Run each variant in its own worker process, ``jobs`` at a time; ``done(row)`` for each."""
    waiting, running = list(args), {}
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                a = waiting.pop(0)
                process, reader = _start(run_variant, a, name=f"variant {a[1]}")
                running[reader] = (process, a[1], time.perf_counter())
            for reader in wait(list(running)):
                process, name, start = running.pop(reader)
                row = _finish(process, reader)
                if "worker_error" in row:
                    row = collect.row(chapter, chapter.variant(name), status="error", error=row["worker_error"],
                                      seconds=time.perf_counter() - start)
                done(row)
    finally:
        _stop([process for process, _, _ in running.values()])  # Ctrl-C: stop the workers still running


def sweep(chapter: Chapter, names: list[str] | None = None, *, jobs: int = 1, root: Path | None = None,
          progress: bool = True, timeout: int | None = None) -> pd.DataFrame:
    """Run the named (default: all declared) variants with ``jobs`` workers; one row per variant."""
    from tqdm import tqdm  # the console bar: tqdm.auto wants ipywidgets inside a kernel

    names = list(names) if names else [v.name for v in chapter.variants]
    for name in names:
        chapter.variant(name)  # unknown names fail before anything runs
        check_output(output_dir(chapter, name, root).resolve(), chapter)  # and folders we may not write
    args = [(str(chapter.folder), name, str(root) if root else None, timeout) for name in names]
    rows: list[dict] = []
    bar = tqdm(total=len(names), desc=f"{chapter.slug} variants", unit="variant", disable=not progress)

    def done(row: dict) -> None:
        rows.append(row)
        bar.update()
        bar.set_postfix_str(f"{row['variant']}: {row['status']}")

    try:
        _run_isolated(chapter, args, max(1, jobs), done)
    finally:
        bar.close()
    return collect.table(chapter, rows)
