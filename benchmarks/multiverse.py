"""How fast is chapter 4's multiverse? Universes per second, the cost of a universe against a
papermill variant run, and the time with 1 and 2 Dask workers.

    .venv/bin/python benchmarks/multiverse.py                              # 500 universes, 2 jobs
    .venv/bin/python benchmarks/multiverse.py --universes 64 --dask-universes 24   # a quick look

The fixed multiverse is the one declared in book/chapters/04-soft-balancing/variants.yaml, in
its declared order, cut to the first ``--universes``. Everything runs on a copy of the chapter
folder in a temporary directory, so nothing is stored in the book. Before any timing, one
universe is run so the stored data stages (the MTDSG inputs, the risk sets, the country
covariates, the intervention years) are on disk, as they are for any rerun; every timing then
starts from the same cache.

Printed (targets from issue 21, reported here, never asserted by a test):

1. the local run with ``--jobs`` worker processes: seconds, universes per second, and the
   projected time of ``--target`` universes (target: 500 universes in at most 15 minutes on 2 cores);
2. one papermill variant run of the chapter's analysis notebook in the same process tree, and the
   cost of a universe in core-seconds (wall seconds x jobs / universes) against it (target: >= 10x lower);
3. the first ``--dask-universes`` on a Dask ``LocalCluster`` with 1 and with 2 single-threaded
   worker processes, and their time ratio (target: 2 workers / 1 worker <= 0.6).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from ratify.variants import multiverse as engine
from ratify.variants import runner
from ratify.variants.schema import CHAPTERS
from ratify.variants.universes import load

CHAPTER = CHAPTERS / "04-soft-balancing"


def timed_run(folder: Path, **options) -> tuple[float, int, int]:
    """Seconds, universes computed and universes failed of one fresh run."""
    start = time.perf_counter()
    table = engine.run(folder, progress=False, **options)
    seconds = time.perf_counter() - start
    status = engine.universe_status(table)
    return seconds, len(status), int((status != "ok").sum())


def on_dask(folder: Path, workers: int, limit: int) -> float:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        seconds, done, _ = timed_run(folder, scheduler=cluster.scheduler_address, limit=limit)
    print(f"  Dask, {workers} worker(s): {seconds:7.1f} s for {done} universes ({done / seconds:.2f} universes/s)")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--universes", type=int, default=500, help="first K universes of the declared multiverse")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dask-universes", type=int, default=48, help="universes of each Dask timing")
    parser.add_argument("--target", type=int, default=500, help="universes the projected time is given for")
    parser.add_argument("--skip", choices=["local", "papermill", "dask"], action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ratify-multiverse-bench-") as tmp:
        folder = Path(tmp) / CHAPTER.name
        shutil.copytree(CHAPTER, folder, ignore=shutil.ignore_patterns("variants"))
        declared = load(folder)
        print(f"{CHAPTER.name}: {len(declared.universes())} universes declared, {len(declared.decisions)} decisions; "
              f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
        warm, _, _ = timed_run(folder, limit=1)
        print(f"warm-up (one universe, stores the data stages): {warm:.1f} s")

        per_universe = None
        if "local" not in args.skip:
            seconds, done, failed = timed_run(folder, jobs=args.jobs, limit=args.universes)
            per_universe = seconds * args.jobs / done
            print(f"local, --jobs {args.jobs}: {seconds:.1f} s for {done} universes ({failed} failed): "
                  f"{done / seconds:.2f} universes/s; {per_universe:.2f} core-seconds per universe; "
                  f"{args.target} universes would take {args.target * seconds / done / 60:.1f} min (target <= 15)")
        if "papermill" not in args.skip:
            start = time.perf_counter()
            row = runner.run_variant(str(folder), "paper", str(Path(tmp) / "papermill"))
            variant = time.perf_counter() - start
            print(f"one papermill variant ('paper', status {row['status']}): {variant:.1f} s")
            if per_universe:
                print(f"  a universe costs {per_universe:.2f} core-seconds: {variant / per_universe:.1f}x less "
                      "than a papermill variant (target >= 10x)")
        if "dask" not in args.skip:
            one = on_dask(folder, 1, args.dask_universes)
            two = on_dask(folder, 2, args.dask_universes)
            print(f"  ratio 2 workers / 1 worker = {two / one:.2f} (target <= 0.60)")
        print(f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
