"""Keep built panels and risk sets on disk, so a variant sweep builds each one once.

A chapter builds its analysis frame from a dozen sources; rebuilding it in every one of
eight variants would dominate a sweep. ``@cached`` stores a function's result (a pickle in
``data/cache/_derived/``) under a key made of

- the function's module and name, and its arguments (after defaults are applied);
- the registry (``data/sources.toml``: every file's SHA-256), so new data means a new key;
- the source of the whole ``ratify`` library, so a fixed reader or verb means a new key.

Writes are atomic (temp file + rename), so parallel variants may race to fill the same
entry: both compute, one rename wins, nobody reads half a file. ``RATIFY_NO_CACHE=1``
switches it off (e.g. to time a cold build).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import pickle
import tempfile
from pathlib import Path

from .data.locations import PROJECT_ROOT, cache_dir

NO_CACHE_ENV = "RATIFY_NO_CACHE"
LIB = Path(__file__).resolve().parent


MISSING = object()  # read_pickle's "nothing usable there"


def hash_files(paths, root: Path | None = None) -> str:
    """One SHA-256 over files' names (relative to ``root``, else base names) and contents;
    a missing file counts as ``<absent>``. Shared by the call cache, the book's execution-cache
    fingerprint and the variant stamps."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root) if root else path.name).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def inputs_digest() -> str:
    """SHA-256 over the registry and every module of the library (computed once per process)."""
    return hash_files([PROJECT_ROOT / "data" / "sources.toml", *sorted(LIB.rglob("*.py"))], root=PROJECT_ROOT)


def key(func, args: tuple, kwargs: dict) -> str:
    """The cache key of one call: function, bound arguments (``repr``), library and data."""
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    call = f"{func.__module__}.{func.__qualname__}({sorted(bound.arguments.items())!r})"
    return hashlib.sha256((call + inputs_digest()).encode()).hexdigest()


def path_for(func, args: tuple = (), kwargs: dict | None = None) -> Path:
    """Where the result of this call is (or would be) stored."""
    name = f"{func.__module__}.{func.__qualname__}".replace("<", "").replace(">", "")
    return cache_dir() / "_derived" / "calls" / f"{name}-{key(func, args, kwargs or {})[:20]}.pkl"


def read_pickle(target: Path):
    """The pickled value at ``target``, or ``MISSING`` if it is absent or unreadable (cut short,
    or written by another pandas): the caller computes it again and replaces it."""
    if not target.exists():
        return MISSING
    try:
        return pickle.loads(target.read_bytes())
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return MISSING


def write_pickle(target: Path, value) -> None:
    """Pickle ``value`` to ``target`` atomically: a concurrent reader sees the old file or the whole new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.stem, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached(func):
    """Decorator: reuse the stored result of an identical call (arguments must have a stable ``repr``).

    ``func.cache_path(*args, **kwargs)`` says where a call's result lives.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if os.environ.get(NO_CACHE_ENV):
            return func(*args, **kwargs)
        target = path_for(func, args, kwargs)
        if (value := read_pickle(target)) is not MISSING:
            return value
        value = func(*args, **kwargs)
        write_pickle(target, value)
        return value

    wrapper.cache_path = lambda *a, **k: path_for(func, a, k)
    return wrapper


def data_builder(func=None, *, keep: int = 4, store: bool = True):
    """Decorator for a study's data builders, called with ``design.data_choices()`` (or other
    arguments with a stable ``repr``): the last ``keep`` results are kept in this process, so a
    worker that fits many universes of one data group (designs that differ only in ``MODEL``
    fields) builds its frame once; with ``store`` they are also stored on disk like :func:`cached`.
    A builder whose every call makes a large frame from stored stages (a multiverse has hundreds)
    passes ``store=False``: rebuilding it is cheaper than keeping a file per data group.

    The value returned is shared: callers copy a frame before changing it.
    """
    if func is None:
        return functools.partial(data_builder, keep=keep, store=store)
    build = cached(func) if store else func
    recent: dict[str, object] = {}  # key -> value, oldest first

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        name = key(func, args, kwargs)
        if name in recent:
            recent[name] = recent.pop(name)  # most recent last
            return recent[name]
        value = build(*args, **kwargs)
        recent[name] = value
        while len(recent) > keep:
            recent.pop(next(iter(recent)))
        return value

    wrapper.cache_path = lambda *a, **k: path_for(func, a, k)
    wrapper.forget = recent.clear
    return wrapper
