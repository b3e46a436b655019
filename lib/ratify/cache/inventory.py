"""What the derived cache holds, how big it is, and pruning it.

Each chapter-4 parameter set adds a model frame, so ``_derived/`` grows with every sweep.
An *entry* is a folder written by :mod:`.store`: a cached call (``calls/<function>-<key>``)
or a parsed upstream file (``parsed/<source>-<sha>-v<N>``); its *kind* is the function or
the source. Besides entries the folder may hold *temporaries* (``*.partial``, left by a
process killed while writing) and *old pickles* (``*.pkl``, the format before entries, which
no version of the library reads any more).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from . import store
from .keys import derived_dir

#: A temporary untouched for this long belongs to no live process (writing an entry takes seconds).
STALE_AFTER_S = 15 * 60
#: Sub-folders of ``_derived/`` that hold entries: cached calls and parsed upstream files.
PARTS = ("calls", "parsed")


@dataclass(frozen=True)
class Item:
    """One thing under ``_derived/``: an entry, a temporary or an old pickle."""

    path: Path
    category: str  # "entry", "temporary" or "old pickle"
    kind: str      # the function or source an entry belongs to
    bytes: int
    mtime: float   # last write, or for an entry its last use

    @property
    def age_days(self) -> float:
        return (time.time() - self.mtime) / 86400


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _kind(folder: Path) -> str:
    name = folder.name
    if folder.parent.name == "parsed":
        return "parsed " + name.split("-")[0]
    return name.rsplit("-", 1)[0]


def items(root: Path | None = None) -> list[Item]:
    """Every entry, temporary and old pickle under the derived cache (empty when there is none)."""
    root = root or derived_dir()
    out: list[Item] = []
    places = [root, *(root / part for part in PARTS)]
    for path in sorted(p for place in places if place.is_dir() for p in place.iterdir()):
        try:
            if path.name.endswith((store.PARTIAL, ".part")):
                out.append(Item(path, "temporary", "temporary", _size(path), path.stat().st_mtime))
            elif path.suffix == ".pkl" and path.is_file():
                out.append(Item(path, "old pickle", "old pickle", _size(path), path.stat().st_mtime))
            elif path.is_dir() and path.parent != root:
                out.append(Item(path, "entry", _kind(path), _size(path), path.stat().st_mtime))
        except FileNotFoundError:
            continue  # removed while we looked (a parallel process replacing an entry)
    return out


def is_stale(item: Item) -> bool:
    return item.category != "temporary" or time.time() - item.mtime > STALE_AFTER_S


def remove(item: Item) -> None:
    if item.path.is_dir():
        shutil.rmtree(item.path, ignore_errors=True)
    else:
        item.path.unlink(missing_ok=True)


def clear(older_than_days: float | None = None, root: Path | None = None) -> tuple[list[Item], list[Item]]:
    """Remove entries last used more than ``older_than_days`` ago (all when None), every old pickle
    and every stale temporary; return (removed, kept)."""
    removed, kept = [], []
    for item in items(root):
        old_enough = older_than_days is None or item.age_days > older_than_days
        if item.category == "old pickle" or (item.category == "temporary" and is_stale(item)) or (
                item.category == "entry" and old_enough):
            remove(item)
            removed.append(item)
        else:
            kept.append(item)
    return removed, kept


def verify(root: Path | None = None, progress: bool = False) -> list[tuple[Item, str]]:
    """Every entry that fails its checks, with the reason (nothing is changed)."""
    from tqdm import tqdm

    entries = [i for i in items(root) if i.category == "entry"]
    bad = []
    for item in tqdm(entries, desc="derived cache", disable=not progress):
        try:
            store.read_entry(item.path)
        except store.Damaged as err:
            bad.append((item, str(err)))
    return bad
