"""Cached values as files that no reader can be talked into running: JSON, Parquet and ``.npy``.

``pickle.load`` runs whatever the file tells it to, and a cache folder is writable by anyone who
can write the user's disk; so a cached value is written as a JSON tree whose leaves are plain
JSON values, Parquet files (data frames and series, via pyarrow) or NumPy arrays (``.npy``,
read with ``allow_pickle=False``). The tree can hold what the library's cached functions return:

- ``None``, bools, ints, strings, floats (NaN and infinities spelt out), NumPy scalars;
- lists, tuples and dicts (any keys of these kinds), nested;
- DataFrames and Series, with their ``attrs`` (provenance) encoded in the tree itself;
- NumPy arrays of numbers, bools or strings;
- dataclasses defined in ``ratify`` (``ModelResult``, ``CoxFit``): rebuilt from their fields,
  and only when the named class is a dataclass of this library (nothing else is imported).

Anything else raises :class:`Unstorable` when it is written, and :func:`same` lets the writer
read a value back and compare it before keeping it, so a value that would not survive the
trip (a column type Parquet cannot hold) is never served changed.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from pathlib import Path

import numpy as np
import pandas as pd

#: NumPy dtype kinds a scalar or an array may have: bool, signed, unsigned, float, unicode.
PLAIN_KINDS = "biufU"
#: Column that holds a Series' values in its Parquet file (its own name is kept in the tree).
SERIES_COLUMN = "values"
LIBRARY = "ratify"


class Unstorable(TypeError):
    """A value (or part of one) that this format cannot hold exactly."""


class Blobs:
    """Numbers the Parquet and ``.npy`` files of one entry as they are written into ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def name(self, suffix: str) -> str:
        self.count += 1
        return f"{self.count - 1:03d}{suffix}"


def encode(value, blobs: Blobs):
    """The JSON tree for ``value``; frames and arrays are written to ``blobs.folder``."""
    if isinstance(value, np.generic):  # before the builtins: np.float64 is a float, np.str_ a str
        if value.dtype.kind not in PLAIN_KINDS:
            raise Unstorable(f"a NumPy {value.dtype} scalar")
        return {"t": "scalar", "dtype": value.dtype.str, "v": encode(value.item(), blobs)}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"t": "float", "v": repr(value)}  # 'nan', 'inf', '-inf'
    if isinstance(value, list):
        return [encode(v, blobs) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return {"t": "tuple", "items": [encode(v, blobs) for v in value]}
    if isinstance(value, dict) and type(value) is dict:
        return {"t": "dict", "items": [[encode(k, blobs), encode(v, blobs)] for k, v in value.items()]}
    if isinstance(value, pd.DataFrame):
        return {"t": "frame", "file": _write_frame(value, blobs), "attrs": encode(dict(value.attrs), blobs)}
    if isinstance(value, pd.Series):
        frame = value.to_frame(name=SERIES_COLUMN)
        return {"t": "series", "file": _write_frame(frame, blobs), "name": encode(value.name, blobs),
                "attrs": encode(dict(value.attrs), blobs)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in PLAIN_KINDS:
            raise Unstorable(f"a NumPy array of {value.dtype}")
        name = blobs.name(".npy")
        np.save(blobs.folder / name, value, allow_pickle=False)
        return {"t": "array", "file": name}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if cls.__module__.split(".")[0] != LIBRARY:
            raise Unstorable(f"a {cls.__module__}.{cls.__qualname__} (only dataclasses of {LIBRARY} are stored)")
        return {"t": "dataclass", "class": f"{cls.__module__}:{cls.__qualname__}",
                "fields": {f.name: encode(getattr(value, f.name), blobs) for f in dataclasses.fields(value)}}
    raise Unstorable(f"a {type(value).__module__}.{type(value).__qualname__}")


def _write_frame(frame: pd.DataFrame, blobs: Blobs) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    bare = frame.copy(deep=False)
    bare.attrs = {}  # the tree keeps them (as JSON), not Parquet's pandas metadata
    try:
        table = pa.Table.from_pandas(bare)
    except (pa.ArrowException, ValueError, TypeError) as err:
        raise Unstorable(f"a data frame Parquet cannot hold ({type(err).__name__}: {err})") from None
    name = blobs.name(".parquet")
    pq.write_table(table, blobs.folder / name)
    return name


def decode(node, folder: Path):
    """The value a tree written by :func:`encode` stands for (blobs read from ``folder``)."""
    if node is None or isinstance(node, bool | int | str | float):
        return node
    if isinstance(node, list):
        return [decode(v, folder) for v in node]
    kind = node["t"]
    if kind == "float":
        return float(node["v"])
    if kind == "scalar":
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in PLAIN_KINDS:
            raise ValueError(f"scalar of dtype {dtype}")
        return np.array(decode(node["v"], folder), dtype=dtype)[()]
    if kind == "tuple":
        return tuple(decode(v, folder) for v in node["items"])
    if kind == "dict":
        return {decode(k, folder): decode(v, folder) for k, v in node["items"]}
    if kind == "frame":
        frame = _read_frame(folder / _blob(node["file"]))
        frame.attrs = decode(node["attrs"], folder)
        return frame
    if kind == "series":
        series = _read_frame(folder / _blob(node["file"]))[SERIES_COLUMN].rename(decode(node["name"], folder))
        series.attrs = decode(node["attrs"], folder)
        return series
    if kind == "array":
        return np.load(folder / _blob(node["file"]), allow_pickle=False)
    if kind == "dataclass":
        cls = _library_dataclass(node["class"])
        fields = {name: decode(v, folder) for name, v in node["fields"].items()}
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        value = cls(**{k: v for k, v in fields.items() if k in init})
        for k, v in fields.items():
            if k not in init:
                object.__setattr__(value, k, v)
        return value
    raise ValueError(f"unknown node type {kind!r}")


def _blob(name: str) -> str:
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"blob name {name!r} points outside its entry")
    return name


def _read_frame(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas()


def _library_dataclass(spec: str) -> type:
    """The dataclass ``module:qualname``, only if it belongs to this library."""
    module, _, qualname = spec.partition(":")
    if module.split(".")[0] != LIBRARY or not qualname:
        raise ValueError(f"{spec!r} is not a class of {LIBRARY}")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise ValueError(f"{spec!r} is not a dataclass")
    return obj


def same(a, b, where: str = "value") -> str | None:
    """None when ``b`` is ``a`` come back from storage, else where they first differ."""
    if isinstance(a, pd.DataFrame) or isinstance(a, pd.Series):
        if type(a) is not type(b):
            return f"{where}: {type(a).__name__} came back as {type(b).__name__}"
        check = pd.testing.assert_frame_equal if isinstance(a, pd.DataFrame) else pd.testing.assert_series_equal
        try:
            check(a, b, check_exact=True, check_freq=False)
        except AssertionError as err:
            return f"{where}: " + " ".join(str(err).split())[:300]
        return same(dict(a.attrs), dict(b.attrs), f"{where}.attrs")
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.dtype != b.dtype or a.shape != b.shape:
            return f"{where}: array changed type or shape"
        return None if np.array_equal(a, b, equal_nan=a.dtype.kind in "fc") else f"{where}: array values differ"
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return f"{where}: {type(a).__name__} came back as {type(b).__name__}"
    if isinstance(a, float | np.floating):
        return None if a == b or (math.isnan(a) and math.isnan(b)) else f"{where}: {a!r} came back as {b!r}"
    if isinstance(a, list | tuple):
        if len(a) != len(b):
            return f"{where}: length {len(a)} came back as {len(b)}"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := same(x, y, f"{where}[{i}]"))), None)
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{where}: keys {list(a)[:5]} came back as {list(b)[:5]}"
        return next((d for k in a if (d := same(a[k], b[k], f"{where}[{k!r}]"))), None)
    if dataclasses.is_dataclass(a):
        return next((d for f in dataclasses.fields(a)
                     if (d := same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}"))), None)
    return None if a == b else f"{where}: {a!r} came back as {b!r}"
