"""How much does ``ratify variants --jobs 2`` save over running the variants one after another?

Runs the same 8 variants twice, first with one worker, then with ``--jobs`` workers, and
prints both wall-clock times and their ratio (the target is at most 0.60 on 2 cores).
A warm-up run first fills the panel cache (``ratify.cache.cached``) and the OS file cache,
so neither timing pays for a cold start the other does not.

    .venv/bin/python benchmarks/variants_sweep.py                      # the test fixture, 8 variants
    .venv/bin/python benchmarks/variants_sweep.py --chapter 02-migrant-workers   # a chapter's first 8
    .venv/bin/python benchmarks/variants_sweep.py --baseline separate   # vs 8 `ratify run`, no panel cache

``--baseline sweep`` (default) isolates the gain from parallel workers: the same runner
with one worker. ``--baseline separate`` is what a user without the runner would do: one
``ratify run`` process per variant, each rebuilding its panels (``RATIFY_NO_CACHE=1``).

Nothing is stored in the chapter: outputs go to a temporary folder.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from ratify.variants import load, runner

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "variants-chapter"


def fixture_with_eight_variants(folder: Path) -> Path:
    """A copy of the fixture chapter whose variants.yaml declares 8 working variants."""
    shutil.copytree(FIXTURE, folder)
    spec = yaml.safe_load((folder / "variants.yaml").read_text())
    combos = itertools.product([1.0, 2.0, 0.5, 4.0], [0, 2])
    spec["variants"] = [{"name": f"v{i}", "label": f"scale {s}, drop {d}", "origin": "ours",
                         "parameters": {"slope_scale": s, "drop_last": d}} for i, (s, d) in enumerate(combos)]
    (folder / "variants.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder


def timed(chapter, names, jobs, root) -> tuple[float, int]:
    start = time.perf_counter()
    table = runner.sweep(chapter, names, jobs=jobs, root=root, progress=False)
    return time.perf_counter() - start, int((table.status == "ok").sum())


def separate_runs(chapter, names, root) -> tuple[float, int]:
    """Each variant as its own ``ratify run`` process without the panel cache."""
    ratify = Path(sys.executable).parent / "ratify"
    env = {**os.environ, "RATIFY_NO_CACHE": "1"}
    start, ok = time.perf_counter(), 0
    for name in names:
        pairs = [x for k, v in chapter.variant(name).parameters.items() for x in ("-p", k, str(v).lower()
                 if isinstance(v, bool) else str(v))]
        done = subprocess.run([str(ratify), "run", str(chapter.folder), *pairs, "--out", str(root / name)],
                              env=env, capture_output=True, text=True)
        ok += done.returncode == 0
    return time.perf_counter() - start, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", help="a chapter slug or folder (default: the test fixture)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--variants", type=int, default=8)
    parser.add_argument("--baseline", choices=["sweep", "separate"], default="sweep")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ratify-sweep-bench-") as tmp:
        tmp = Path(tmp)
        chapter = load(args.chapter or fixture_with_eight_variants(tmp / "fixture-chapter"))
        names = [v.name for v in chapter.variants][: args.variants]
        print(f"{chapter.slug}: {len(names)} variants ({', '.join(names)}); {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.2f}")
        warm, _ = timed(chapter, names[:1], 1, tmp / "warm")
        print(f"warm-up ({names[0]}): {warm:.1f} s")
        if args.baseline == "sweep":
            serial, ok1 = timed(chapter, names, 1, tmp / "serial")
        else:
            serial, ok1 = separate_runs(chapter, names, tmp / "separate")
        print(f"one after another ({args.baseline}): {serial:.1f} s ({ok1} ok)")
        parallel, ok2 = timed(chapter, names, args.jobs, tmp / "parallel")
        print(f"--jobs {args.jobs}: {parallel:.1f} s ({ok2} ok)")
        print(f"ratio parallel / serial = {parallel / serial:.2f} (target <= 0.60); "
              f"load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
