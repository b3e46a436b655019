"""Load a registered file and stamp the frame with where it came from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadr

from .. import data


def stamp(df: pd.DataFrame, source: str, file: str | None = None, **notes) -> pd.DataFrame:
    """Record source id, file, SHA-256 and citation in ``df.attrs`` (plus any notes)."""
    f = data.registry().resolve(source, file)
    df.attrs.update({"source": source, "file": f.file, "sha256": f.sha256,
                     "citation": f.citation, **notes})
    return df


def registered_path(source: str, file: str | None = None, path: Path | str | None = None) -> Path:
    """``path`` if given (tests, readers' own copies), else the verified cached file."""
    return Path(path) if path is not None else data.path(source, file)


def read_rdata(path: Path, object_name: str) -> pd.DataFrame:
    """One data frame from an ``.rda``/``.RData`` file, naming the objects it has if absent."""
    objects = pyreadr.read_r(str(path))
    if object_name not in objects:
        raise KeyError(f"{path} has no R object {object_name!r}; it has {sorted(objects)}")
    return objects[object_name]
