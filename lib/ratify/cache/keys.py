"""The key of one cached call: the function, its arguments, the library and the data.

A call is keyed by the ``repr`` of its bound arguments (defaults applied), so any argument
with a stable ``repr`` works: numbers, strings, tuples, frozen dataclasses. A file argument
is different: its path says nothing about what it holds. :class:`LocalFile` stands for a
local file by its SHA-256, so an edit in place is a new entry, and ``./x.csv``, ``x.csv``
and ``/home/me/x.csv`` holding the same bytes are one.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import re
from pathlib import Path

from ..data.locations import cache_dir, registry_file

LIB = Path(__file__).resolve().parents[1]  # the ratify package: its source is part of every key
URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^(?:https?|ftp|s3|gs):", re.ASCII)


def hash_files(paths, root: Path | None = None) -> str:
    """One SHA-256 over files' names (relative to ``root``, else base names) and contents;
    a missing file counts as ``<absent>``. Shared by the call cache, the book's execution-cache
    fingerprint and the variant stamps."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root) if root else path.name).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of one file, read in blocks (cached frames can be tens of MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _inputs_digest(registry: Path) -> str:
    return hashlib.sha256((hash_files([registry]) + hash_files(sorted(LIB.rglob("*.py")), root=LIB)).encode()).hexdigest()


def inputs_digest() -> str:
    """SHA-256 over the registry in use and every module of the library (once per process)."""
    return _inputs_digest(registry_file())


inputs_digest.cache_clear = _inputs_digest.cache_clear  # tests start from a clean slate


def is_url(text: str) -> bool:
    """``https://...``, ``s3://...``, ``ftp:...``: something to download, not a local file."""
    return bool(URL.match(str(text).strip()))


class LocalFile(os.PathLike):
    """A local file passed to a cached function: keyed by content, opened by path.

    ``repr`` shows only the SHA-256 (that is what the cache key sees); ``str`` and
    ``os.fspath`` give the resolved path, so readers such as ``pd.read_csv`` take it as is.
    """

    __slots__ = ("path", "sha256")

    def __init__(self, path: str | os.PathLike, *, what: str = "file"):
        if is_url(path):
            raise ValueError(f"{what}: {str(path)!r} is a URL; only local files are accepted. "
                             "Download it and pass the local path.")
        resolved = Path(path).expanduser()
        resolved = resolved if resolved.is_absolute() else Path.cwd() / resolved
        if not resolved.is_file():
            raise FileNotFoundError(f"{what}: no file at {str(path)!r} (looked for {resolved}); "
                                    "relative paths are read from the current working directory.")
        self.path = resolved.resolve()
        self.sha256 = sha256_file(self.path)

    def __fspath__(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"LocalFile(sha256={self.sha256!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, LocalFile) and other.sha256 == self.sha256

    def __hash__(self) -> int:
        return hash(self.sha256)


def bind(func, args: tuple, kwargs: dict, files: tuple[str, ...] = ()) -> inspect.BoundArguments:
    """The call's arguments with defaults applied, and each argument named in ``files``
    (when not empty) turned into a :class:`LocalFile`."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    for name in files:
        value = bound.arguments.get(name)
        if value not in (None, "") and not isinstance(value, LocalFile):
            bound.arguments[name] = LocalFile(value, what=name)
    return bound


def qualified_name(func) -> str:
    return f"{func.__module__}.{func.__qualname__}".replace("<", "").replace(">", "")


def call_text(func, bound: inspect.BoundArguments) -> str:
    """``module.function([(name, value), ...])``: what the key is made of, readable."""
    return f"{qualified_name(func)}({sorted(bound.arguments.items())!r})"


def key(func, bound: inspect.BoundArguments) -> str:
    """The cache key of one call: function, bound arguments (``repr``), library and data."""
    return hashlib.sha256((call_text(func, bound) + inputs_digest()).encode()).hexdigest()


def derived_dir() -> Path:
    """Everything the library derives and keeps (``<data cache>/_derived``)."""
    return cache_dir() / "_derived"


def calls_dir() -> Path:
    return derived_dir() / "calls"


def entry_for(func, bound: inspect.BoundArguments) -> Path:
    """The folder where the result of this call is (or would be) stored."""
    return calls_dir() / f"{qualified_name(func)}-{key(func, bound)[:20]}"
