"""Where the registry, the cache and the mirror live.

Defaults suit a clone of the repository (``data/sources.toml``, ``data/cache/``);
environment variables let CI, Binder or a reader with a USB stick point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CACHE_ENV, MIRROR_ENV

REGISTRY_ENV = "RATIFY_REGISTRY"

#: The repository root when the package is installed from a clone (``pip install -e .``).
PROJECT_ROOT = Path(__file__).resolve().parents[3]


def registry_file() -> Path:
    """The TOML registry of upstream files (``data/sources.toml`` unless overridden)."""
    return Path(os.environ.get(REGISTRY_ENV) or PROJECT_ROOT / "data" / "sources.toml")


def cache_dir() -> Path:
    """Where verified copies are kept (git-ignored ``data/cache/`` unless overridden)."""
    return Path(os.environ.get(CACHE_ENV) or PROJECT_ROOT / "data" / "cache")


def mirror_dir() -> Path | None:
    """The local mirror named by ``RATIFY_DATA_MIRROR``, or ``None`` to use the network."""
    value = os.environ.get(MIRROR_ENV)
    return Path(value).expanduser() if value else None
