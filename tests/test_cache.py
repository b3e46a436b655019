"""The on-disk call cache that lets a variant sweep build each panel once, and keeps it honest:
no pickle, a checksum on every read, file arguments keyed by content, and faults that cost the
caching but never the result (issue 19)."""

from __future__ import annotations

import errno
import logging
import os
import pickle
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ratify import cache
from ratify.cache import codec, inventory, store
from ratify.cli import app
from ratify.models.results import ModelResult, terms_table

from conftest import flip_random_bit

CALLS: list[tuple] = []
LIB = Path(cache.__file__).resolve().parents[1]


@cache.cached
def build_panel(start: int, end: int = 2015, measure: str = "polity2") -> pd.DataFrame:
    CALLS.append((start, end, measure))
    df = pd.DataFrame({"year": range(start, end + 1), "ccode": pd.array([2] * (end - start + 1), dtype="Int64"),
                       "name": ["USA"] * (end - start + 1), "score": np.linspace(0.1, 0.9, end - start + 1)})
    df.attrs["merges"] = [{"source": measure, "rows": end - start + 1, "share": 0.5}]
    return df


def _result(name: str) -> ModelResult:
    return ModelResult(name, name.upper(), "ols", terms_table(["const", "x"], [1.0, 2.5], [0.1, np.nan]), n=6,
                       events=3, specification={"vcov": np.eye(2), "ties": ("efron", None)}, sources=[{"source": "toy"}])


@cache.cached
def build_many(k: int) -> dict:
    """What the studies' cached fits return: dicts and tuples of frames, arrays, results, plain values."""
    CALLS.append(("many", k))
    frame = pd.DataFrame({"a": [1.5, np.nan, -np.inf], "b": pd.array(["x", None, "z"], dtype="string")},
                         index=pd.Index([3, 1, 2], name="row"))
    frame.attrs = {"source": "toy", "n_fixes": np.int64(2), "when": (1990, 2015)}
    series = pd.Series([1, 2, 3], index=["a", "b", "c"], name="members")
    return {"frame_rows": 3, "pair": (_result("m1"), frame), "series": series, "break": np.int64(k),
            "cov": np.array([[1.0, 0.5], [0.5, 2.0]]), "nan": float("nan"), 7: [None, True, "s", 2**70]}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("RATIFY_DATA_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    store._warned.clear()
    CALLS.clear()


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ratify.cache"]


def test_an_identical_call_is_served_from_disk_with_its_attrs():
    first = build_panel(1990)
    second = build_panel(1990, end=2015)          # same call once defaults are applied
    assert CALLS == [(1990, 2015, "polity2")]
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs["merges"] == [{"source": "polity2", "rows": 26, "share": 0.5}]
    entry = build_panel.cache_path(1990)
    assert (entry / "entry.json").is_file() and [p.suffix for p in entry.glob("0*")] == [".parquet"]


def test_values_that_are_not_frames_come_back_exactly():
    first = build_many(3)
    second = build_many(3)
    assert CALLS == [("many", 3)]
    assert codec.same(first, second) is None
    assert isinstance(second["pair"], tuple) and isinstance(second["pair"][0], ModelResult)
    assert second["pair"][1].attrs["when"] == (1990, 2015) and type(second["break"]) is np.int64
    assert second["pair"][0].specification["vcov"].shape == (2, 2) and math_nan(second["nan"])
    assert second["series"].name == "members" and second[7][3] == 2**70


def math_nan(x) -> bool:
    return isinstance(x, float) and x != x


def test_a_new_parameter_value_is_a_new_entry():
    build_panel(1990)
    build_panel(1990, measure="vdem")
    assert len(CALLS) == 2
    assert build_panel.cache_path(1990) != build_panel.cache_path(1990, measure="vdem")


def test_new_data_or_library_code_invalidates(monkeypatch):
    build_panel(1990)
    old = build_panel.cache_path(1990)
    monkeypatch.setattr(cache.keys, "inputs_digest", lambda: "another registry")
    assert build_panel.cache_path(1990) != old
    build_panel(1990)
    assert len(CALLS) == 2


def test_switched_off_by_the_environment(monkeypatch):
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    build_panel(1990)
    build_panel(1990)
    assert len(CALLS) == 2 and not build_panel.cache_path(1990).exists()


# --- damaged entries are rebuilt, and say so --------------------------------------------------

def test_a_corrupt_entry_is_rebuilt_with_one_warning(caplog):
    build_panel(1990)
    (build_panel.cache_path(1990) / "entry.json").write_bytes(b"cut short")
    assert len(build_panel(1990)) == 26 and len(CALLS) == 2
    assert len(warned := _warnings(caplog)) == 1 and "(entry.json is not valid JSON); rebuilding it" in warned[0]
    build_panel(1990)
    assert len(CALLS) == 2 and len(_warnings(caplog)) == 1   # the rebuilt entry is sound


def test_an_edited_frame_is_not_served(caplog):
    """The issue's probe: a flipped bit erased a ratification and the panel came back one event short."""
    import pyarrow.parquet as pq

    good = build_panel(1990)
    entry = build_panel.cache_path(1990)
    parquet = next(entry.glob("*.parquet"))
    table = pq.read_table(parquet).to_pandas()
    table.loc[5, "score"] = 0.0                      # a well-formed Parquet file with one number changed
    table.to_parquet(parquet)
    again = build_panel(1990)
    pd.testing.assert_frame_equal(again, good)
    assert len(CALLS) == 2 and "does not match its SHA-256" in _warnings(caplog)[0]


class Planted:
    """What an attacker would plant: unpickling it would create a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_pickle_is_never_loaded(tmp_path, caplog):
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(Planted(marker))
    entry = build_panel.cache_path(1990)
    entry.mkdir(parents=True)
    (entry / "entry.json").write_bytes(payload)                  # where the value is read from
    (entry / "000.parquet").write_bytes(payload)
    entry.with_name(entry.name + ".pkl").write_bytes(payload)    # where the old cache kept it
    value = build_panel(1990)
    assert not marker.exists() and len(value) == 26 and len(CALLS) == 1
    assert "failed its check" in _warnings(caplog)[0]


def test_only_dataclasses_of_the_library_are_rebuilt(tmp_path):
    blobs = codec.Blobs(tmp_path)
    tree = codec.encode(_result("m"), blobs)
    tree["class"] = "subprocess:Popen"
    with pytest.raises(ValueError, match="is not a class of ratify"):
        codec.decode(tree, tmp_path)
    with pytest.raises(codec.Unstorable, match="only dataclasses of ratify"):
        from dataclasses import make_dataclass
        codec.encode(make_dataclass("Outside", ["x"])(1), blobs)


FLIPS = 150


@pytest.mark.parametrize("kind", ["frame", "many"])
def test_fuzz_flipped_bits_give_the_same_value_or_a_rebuild_that_says_so(kind, caplog):
    """Every file of an entry (Parquet, .npy, entry.json with the attrs), one random bit at a time."""
    call = (lambda: build_panel(1990)) if kind == "frame" else (lambda: build_many(4))
    pristine = call()
    entry = (build_panel.cache_path(1990) if kind == "frame" else build_many.cache_path(4))
    backup = entry.with_name("backup")
    shutil.copytree(entry, backup)
    files = sorted(p.name for p in backup.iterdir())
    assert {Path(f).suffix for f in files} >= ({".json", ".parquet"} | ({".npy"} if kind == "many" else set()))
    rng = random.Random(19)
    rebuilt = 0
    for i in range(FLIPS):
        shutil.rmtree(entry, ignore_errors=True)
        shutil.copytree(backup, entry)
        target = entry / files[i % len(files)]
        flip_random_bit(target, rng)
        calls, warned = len(CALLS), len(_warnings(caplog))
        value = call()
        assert codec.same(pristine, value) is None, f"flip {i} of {target.name} changed the value silently"
        if len(CALLS) > calls:
            rebuilt += 1
            assert len(_warnings(caplog)) == warned + 1, f"flip {i} of {target.name}: rebuilt without saying so"
    assert rebuilt >= FLIPS * 0.9  # nearly every flip is caught (a flipped JSON space may change nothing)


# --- file arguments are keyed by content ------------------------------------------------------

@cache.cached(files=("table",))
def read_table(table: str = "", scale: float = 1.0) -> float:
    CALLS.append(("table", str(table)))
    return float(pd.read_csv(table).x.sum() * scale) if table else 0.0


def test_a_file_argument_is_keyed_by_its_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "x.csv"
    path.write_text("x\n1\n2\n")
    assert read_table("x.csv") == 3.0
    assert read_table("./x.csv") == 3.0 and read_table(str(path)) == 3.0 and len(CALLS) == 1
    path.write_text("x\n1\n5\n")                     # edited in place: a new entry, not the old estimate
    assert read_table("x.csv") == 6.0 and len(CALLS) == 2
    assert read_table("") == 0.0
    with pytest.raises(ValueError, match=r"table: 'https://example.org/x.csv' is a URL; only local files"):
        read_table("https://example.org/x.csv")
    with pytest.raises(FileNotFoundError, match=r"table: no file at 'y.csv'.*current working directory"):
        read_table("y.csv")


# --- faults that cost the caching, never the result -------------------------------------------

def test_an_unwritable_cache_computes_without_caching_and_warns_once(tmp_path, monkeypatch, caplog):
    derived = tmp_path / "cache" / "_derived"
    derived.parent.mkdir(parents=True)
    derived.write_text("a file where the folder should be")    # root ignores chmod; this fails for everyone
    assert len(build_panel(1990)) == 26 and len(build_panel(1991)) == 25 and len(CALLS) == 2
    warned = _warnings(caplog)
    assert len(warned) == 1 and f"cannot write to {derived / 'calls'}" in warned[0]
    assert "computing without caching" in warned[0]


def test_a_read_only_cache_with_a_damaged_entry_still_gives_the_result(monkeypatch, caplog):
    build_panel(1990)
    (build_panel.cache_path(1990) / "entry.json").write_text("{}")

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store.tempfile, "mkdtemp", read_only)
    assert len(build_panel(1990)) == 26 and len(CALLS) == 2
    warned = _warnings(caplog)
    assert "failed its check" in warned[0] and "(Read-only file system); computing without caching" in warned[1]


@cache.cached
def build_unstorable() -> object:
    CALLS.append("unstorable")
    return {1, 2}


def test_a_value_the_format_cannot_hold_is_returned_uncached_with_a_warning(caplog):
    assert build_unstorable() == {1, 2} and build_unstorable() == {1, 2} and len(CALLS) == 2
    warned = _warnings(caplog)
    assert len(warned) == 1 and "cannot store its result (a builtins.set)" in warned[0]


# --- no pickle load of anything a user's filesystem can hold ----------------------------------

UNSAFE_LOADS = re.compile(r"\bimport pickle\b|\bpickle\.loads?\(|read_pickle|allow_pickle\s*=\s*True|"
                          r"\b(?:joblib|dill|shelve|cloudpickle)\b|torch\.load|np\.load\((?!.*allow_pickle=False)")


def test_the_library_loads_no_pickle():
    offenders = [f"{p.relative_to(LIB)}:{n}: {line.strip()}" for p in sorted(LIB.rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if UNSAFE_LOADS.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []


# --- ratify cache status | clear, and data verify ---------------------------------------------

cli = CliRunner()


def test_cache_status_and_clear_older_than(tmp_path):
    build_panel(1990)
    build_many(2)
    old_entry = build_panel.cache_path(1990)
    month_ago = pd.Timestamp.now().timestamp() - 30 * 86400
    os.utime(old_entry, (month_ago, month_ago))
    calls = old_entry.parent
    (calls / "ratify.studies.x.old-0123.pkl").write_bytes(b"old format")
    stale = calls / ".ratify.x-abc.k2j3.partial"
    stale.mkdir()
    (stale / "000.parquet").write_bytes(b"half")
    os.utime(stale, (month_ago, month_ago))
    status = cli.invoke(app, ["cache", "status"])
    assert status.exit_code == 0, status.output
    lines = status.output.splitlines()
    assert any(re.match(r"test_cache\.build_panel\s+1\s+[\d.]+ MiB\s+30 days ago", line) for line in lines), lines
    assert any(re.match(r"test_cache\.build_many\s+1\s+[\d.]+ MiB\s+today", line) for line in lines), lines
    assert "total: 2 entries" in status.output
    assert "1 old pickle (0.0 MiB): an older format no longer read" in status.output
    assert "1 temporary (0.0 MiB): left by a process stopped while writing" in status.output
    cleared = cli.invoke(app, ["cache", "clear", "--older-than", "7"])
    assert cleared.exit_code == 0 and "removed 3 item(s)" in cleared.output and "kept 1 entries" in cleared.output
    assert not old_entry.exists() and build_many.cache_path(2).exists() and not stale.exists()
    assert "removed 1 item(s)" in cli.invoke(app, ["cache", "clear"]).output
    assert inventory.items() == []


def test_data_verify_checks_the_derived_cache_too(toy, monkeypatch):
    reg, registry, mirror, _ = toy
    monkeypatch.setenv("RATIFY_REGISTRY", str(registry))
    monkeypatch.setenv("RATIFY_DATA_MIRROR", str(mirror))
    assert cli.invoke(app, ["data", "fetch", "-q"]).exit_code == 0
    build_panel(1990)
    assert cli.invoke(app, ["data", "verify"]).exit_code == 0
    parquet = next(build_panel.cache_path(1990).glob("*.parquet"))
    data = bytearray(parquet.read_bytes())
    data[len(data) // 2] ^= 4
    parquet.write_bytes(bytes(data))
    result = cli.invoke(app, ["data", "verify"])
    assert result.exit_code == 1
    assert "derived cache: 1 entries checked, 1 damaged" in result.output
    assert f"damaged: {parquet.parent} ({parquet.name} does not match its SHA-256)" in result.output
