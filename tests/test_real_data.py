"""Against the real upstream files (mirror in CI): every registered file fetches and verifies."""

from __future__ import annotations

import pytest

from ratify import data
from ratify.data import fetch, inspect

pytestmark = pytest.mark.realdata


def test_every_registered_file_fetches_and_verifies(real_mirror, tmp_path):
    reg = data.registry()
    paths = fetch(reg.files, cache=tmp_path, mirror=real_mirror, progress=False)
    assert len(paths) == len(reg.files) == len(set(paths))
    assert sum(p.stat().st_size for p in paths) == sum(f.bytes for f in reg.files)
    states = inspect(reg.files, cache=tmp_path, rehash=True)
    assert [s.file.key for s in states if s.state != "present"] == []


def test_path_api_returns_a_verified_file(real_mirror, monkeypatch, tmp_path):
    monkeypatch.setenv("RATIFY_DATA_CACHE", str(tmp_path))
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    p = data.path("untc_mtdsg_2015", "index.csv")
    assert p == tmp_path / "untc_mtdsg_2015" / "index.csv"
    assert p.read_text(encoding="utf-8").splitlines()[0] == (
        "chapter_no,treaty_no,treaty_name,url,chapter_url,chapter_name")
