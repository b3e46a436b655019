"""Load a registered file and stamp the frame with where it came from."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyreadr

from .. import data


def stamp(df: pd.DataFrame, source: str, file: str | None = None, **notes) -> pd.DataFrame:
    """Record source id, file, SHA-256, citation and the reader that called us in ``df.attrs``
    (plus any notes), so a model's trail can name the function that parsed each file."""
    f = data.registry().resolve(source, file)
    caller = sys._getframe(1)  # the reader function: every reader stamps the frame it returns
    reader = f"{caller.f_globals.get('__name__', '?')}.{caller.f_code.co_qualname}"
    df.attrs.update({"source": source, "file": f.file, "sha256": f.sha256,
                     "citation": f.citation, "reader": reader, **notes})
    return df


def origin(df: pd.DataFrame) -> dict:
    """The stamp a reader left on ``df``: source id, file, SHA-256 and reader (``None`` where absent)."""
    return {k: df.attrs.get(k) for k in ("source", "file", "sha256", "reader")}


def registered_path(source: str, file: str | None = None, path: Path | str | None = None) -> Path:
    """``path`` if given (tests, readers' own copies), else the verified cached file."""
    return Path(path) if path is not None else data.path(source, file)


def read_rdata(path: Path, object_name: str) -> pd.DataFrame:
    """One data frame from an ``.rda``/``.RData`` file, naming the objects it has if absent."""
    objects = pyreadr.read_r(str(path))
    if object_name not in objects:
        raise KeyError(f"{path} has no R object {object_name!r}; it has {sorted(objects)}")
    return objects[object_name]
