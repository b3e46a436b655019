"""Keep a study's data stages in memory for the universes of one data group.

A multiverse worker fits many universes that share their data (designs that differ only in
``MODEL`` fields): building the frame once per group, not once per universe, is most of the
speed-up. The on-disk cache (:func:`ratify.cache.cached`) already shares stages between
processes; this adds the last few values in this process.
"""

from __future__ import annotations

import functools

from . import keys


def data_builder(func=None, *, keep: int = 4, store: bool = True):
    """Decorator for a study's data builders, called with ``design.data_choices()`` (or other
    arguments with a stable ``repr``): the last ``keep`` results are kept in this process, so a
    worker that fits many universes of one data group builds its frame once; with ``store`` they
    are also stored on disk like :func:`ratify.cache.cached`. A builder whose every call makes a
    large frame from stored stages (a multiverse has hundreds) passes ``store=False``: rebuilding
    it is cheaper than keeping a file per data group.

    The value returned is shared: callers copy a frame before changing it.
    """
    from . import cached  # the package's decorator (this module is imported by it)

    if func is None:
        return functools.partial(data_builder, keep=keep, store=store)
    build = cached(func) if store else func
    recent: dict[str, object] = {}  # key -> value, oldest first

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        name = keys.key(func, keys.bind(func, args, kwargs))
        if name in recent:
            recent[name] = recent.pop(name)  # most recent last
            return recent[name]
        value = build(*args, **kwargs)
        recent[name] = value
        while len(recent) > keep:
            recent.pop(next(iter(recent)))
        return value

    wrapper.cache_path = lambda *a, **k: keys.entry_for(func, keys.bind(func, a, k))
    wrapper.forget = recent.clear
    return wrapper
