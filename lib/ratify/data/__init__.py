"""Hash-verified access to the upstream data files the book is built from.

>>> from ratify import data
>>> data.path("polity5")                       # doctest: +SKIP
PosixPath('.../data/cache/polity5/data/polity5.rda')
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import (CorruptFileError, DataError, DataUnavailableError, RegistryError,
                     UnknownSourceError)
from .fetch import fetch, inspect, remove_stale_temporaries, retrieve, temporaries
from .locations import cache_dir, mirror_dir, registry_file
from .registry import DataFile, Registry

__all__ = [
    "path", "registry", "fetch", "inspect", "retrieve", "Registry", "DataFile",
    "DataError", "DataUnavailableError", "CorruptFileError", "UnknownSourceError", "RegistryError",
    "temporaries", "remove_stale_temporaries",
    "cache_dir", "mirror_dir", "registry_file",
]


@lru_cache(maxsize=4)
def _load(registry_path: Path) -> Registry:
    return Registry.load(registry_path)


def registry() -> Registry:
    """The registry named by ``RATIFY_REGISTRY`` or ``data/sources.toml`` (loaded once)."""
    return _load(registry_file())


def path(source: str, file: str | None = None) -> Path:
    """A verified local path to one registered file, fetched on first use.

    ``file`` names a file inside a multi-file source by its upstream path or base
    name, e.g. ``path("untc_mtdsg_2015", "treaties/4-9.csv")``.
    """
    f = registry().resolve(source, file)
    return retrieve(f, mirror=mirror_dir())
