"""The on-disk call cache that lets a variant sweep build each panel once."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify import cache

CALLS: list[tuple] = []


@cache.cached
def build_panel(start: int, end: int = 2015, measure: str = "polity2") -> pd.DataFrame:
    CALLS.append((start, end, measure))
    df = pd.DataFrame({"year": range(start, end + 1)})
    df.attrs["merges"] = [{"source": measure}]
    return df


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("RATIFY_DATA_CACHE", str(tmp_path))
    monkeypatch.delenv(cache.NO_CACHE_ENV, raising=False)
    CALLS.clear()


def test_an_identical_call_is_served_from_disk_with_its_attrs():
    first = build_panel(1990)
    second = build_panel(1990, end=2015)          # same call once defaults are applied
    assert CALLS == [(1990, 2015, "polity2")]
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs["merges"] == [{"source": "polity2"}]
    assert build_panel.cache_path(1990).is_file()


def test_a_new_parameter_value_is_a_new_entry():
    build_panel(1990)
    build_panel(1990, measure="vdem")
    assert len(CALLS) == 2
    assert build_panel.cache_path(1990) != build_panel.cache_path(1990, measure="vdem")


def test_new_data_or_library_code_invalidates(monkeypatch):
    build_panel(1990)
    old = build_panel.cache_path(1990)
    cache.inputs_digest.cache_clear()
    monkeypatch.setattr(cache, "inputs_digest", lambda: "another registry")
    assert build_panel.cache_path(1990) != old
    build_panel(1990)
    assert len(CALLS) == 2


def test_a_corrupt_entry_is_recomputed_and_replaced():
    build_panel(1990)
    build_panel.cache_path(1990).write_bytes(b"cut short")
    assert len(build_panel(1990)) == 26 and len(CALLS) == 2
    build_panel(1990)
    assert len(CALLS) == 2


def test_switched_off_by_the_environment(monkeypatch):
    monkeypatch.setenv(cache.NO_CACHE_ENV, "1")
    build_panel(1990)
    build_panel(1990)
    assert len(CALLS) == 2 and not build_panel.cache_path(1990).exists()
