"""Cold versus warm: what the derived cache saves on one cached panel, and what its checks cost.

Times, in one process, (1) building the panel with the cache switched off, (2) a cold call
(build, store as Parquet + JSON, read back and compare), and (3) a warm call (SHA-256 of every
file, read, rebuild the frame), then prints the ratios. The panel's existing entry is moved
aside for the cold call and removed afterwards (the cold call writes the same entry again).

Usage: python benchmarks/derived_cache.py [country_panel | un_frame | spiral_panel]   (needs the data)
"""

from __future__ import annotations

import os
import shutil
import sys
import time

PANELS = {
    "country_panel": ("ratify.studies.migrant_workers", "country_panel", {}),
    "un_frame": ("ratify.studies.soft_balancing", "un_frame", {}),
    "spiral_panel": ("ratify.studies.spiral", "spiral_panel", {}),
}


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    value = call()
    return time.perf_counter() - start, value


def main(name: str = "country_panel") -> None:
    import importlib

    from ratify.cache import NO_CACHE_ENV

    module, attr, kwargs = PANELS[name]
    func = getattr(importlib.import_module(module), attr)
    entry = func.cache_path(**kwargs)
    aside = entry.with_name(entry.name + ".benchmark-aside")
    if entry.exists():
        os.rename(entry, aside)
    try:
        os.environ[NO_CACHE_ENV] = "1"
        build, frame = timed(lambda: func(**kwargs))
        del os.environ[NO_CACHE_ENV]
        cold, _ = timed(lambda: func(**kwargs))
        warm, again = timed(lambda: func(**kwargs))
    finally:
        os.environ.pop(NO_CACHE_ENV, None)
        shutil.rmtree(aside, ignore_errors=True)
    size = sum(p.stat().st_size for p in entry.iterdir()) / 2**20
    print(f"{module}.{attr}: {len(frame):,} rows x {frame.shape[1]} columns; entry {size:.1f} MiB")
    print(f"  build, no cache        {build:8.2f} s")
    print(f"  cold (build + store)   {cold:8.2f} s   {cold / build:5.2f} x the build")
    print(f"  warm (check + read)    {warm:8.2f} s   build / warm = {build / warm:6.1f}")
    assert again.equals(frame), "the warm call returned another frame"


if __name__ == "__main__":
    main(*sys.argv[1:2])
