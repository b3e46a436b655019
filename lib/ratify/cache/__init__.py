"""Keep built panels, risk sets and fits on disk, so a variant sweep builds each one once.

A chapter builds its analysis frame from a dozen sources; rebuilding it in every one of
eight variants would dominate a sweep. ``@cached`` stores a function's result in
``data/cache/_derived/calls/`` under a key (:mod:`.keys`) made of

- the function's module and name, and its arguments (after defaults are applied; any
  argument with a stable ``repr``, such as a frozen dataclass, will do; a file argument
  named in ``files=`` counts by its content, not its path);
- the registry (every data file's SHA-256), so new data means a new key;
- the source of the whole ``ratify`` library, so a fixed reader or verb means a new key.

Values are stored without pickle (:mod:`.codec`: JSON, Parquet, ``.npy``) and checked against
their SHA-256 on every read (:mod:`.store`); a damaged entry is rebuilt with a warning.
``RATIFY_NO_CACHE=1`` switches the cache off (e.g. to time a cold build);
``ratify cache status`` and ``ratify cache clear`` show and prune it (:mod:`.inventory`).
"""

from __future__ import annotations

import functools
import os

from . import keys, store
from .codec import Unstorable
from .keys import LIB, LocalFile, hash_files, inputs_digest, is_url
from .store import MISSING, Damaged

NO_CACHE_ENV = "RATIFY_NO_CACHE"

__all__ = ["cached", "LocalFile", "hash_files", "inputs_digest", "is_url", "LIB", "MISSING", "Damaged",
           "Unstorable", "NO_CACHE_ENV"]


def cached(func=None, *, files: tuple[str, ...] = ()):
    """Decorator: reuse the stored result of an identical call.

    ``files`` names arguments that are paths to local files: the call is keyed by their content
    (relative paths are read from the current working directory; URLs are refused) and the
    function receives a :class:`LocalFile` (a path-like object). ``func.cache_path(*args, **kwargs)``
    says where a call's result lives.
    """
    if func is None:
        return functools.partial(cached, files=tuple(files))

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = keys.bind(func, args, kwargs, files)
        if os.environ.get(NO_CACHE_ENV):
            return func(*bound.args, **bound.kwargs)
        name = keys.qualified_name(func)
        about = {"kind": "call", "function": name, "call": keys.call_text(func, bound)[:2000]}
        return store.reuse_or_build(keys.entry_for(func, bound), lambda: func(*bound.args, **bound.kwargs),
                                    about, label=name)

    wrapper.cache_path = lambda *a, **k: keys.entry_for(func, keys.bind(func, a, k, files))
    return wrapper
