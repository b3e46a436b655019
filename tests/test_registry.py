"""The registry says exactly what the shared manifest says, and lookups fail helpfully."""

from __future__ import annotations

import pytest

from ratify.data import Registry, UnknownSourceError
from ratify.data.locations import PROJECT_ROOT
from ratify.data.manifest import read_manifest, registry_toml
from ratify.data.registry import file_in_repo

from conftest import SHARED_MANIFEST

REGISTRY = PROJECT_ROOT / "data" / "sources.toml"

needs_manifest = pytest.mark.skipif(not SHARED_MANIFEST.exists(),
                                    reason=f"NO MANIFEST: {SHARED_MANIFEST} is absent")


@needs_manifest
def test_registry_file_is_regenerated_from_manifest():
    expected = registry_toml(SHARED_MANIFEST)
    assert REGISTRY.read_text(encoding="utf-8") == expected, (
        "data/sources.toml is out of date: run `python scripts/build_registry.py`")


@needs_manifest
def test_every_manifest_row_is_registered_with_same_fields():
    rows = read_manifest(SHARED_MANIFEST)
    reg = Registry.load(REGISTRY)
    assert len(reg.files) == len(rows)
    by_url = {f.url: f for f in reg.files}
    for row in rows:
        f = by_url[row["url"]]
        for field in ("source", "sha256", "bytes", "format", "licence", "citation", "coverage", "notes"):
            assert getattr(f, field) == row[field], (row["url"], field)


def test_registry_lifts_shared_fields_but_keeps_per_file_ones(toy):
    reg, path, _, _ = toy
    text = path.read_text()
    # both toy_treaties files share a citation: it is written once, on the source
    assert text.count('citation = "Toy data toy_treaties"') == 1
    files = reg.source_files("toy_treaties")
    assert [f.citation for f in files] == ["Toy data toy_treaties"] * 2
    assert len({f.sha256 for f in files}) == 2


def test_file_in_repo_and_mirror_path_decode_percent_escapes(toy):
    reg = toy[0]
    f = reg.resolve("toy_xlsx")
    assert f.file == "data/MIP Dataset 2022 OG.xlsx"
    assert str(f.mirror_relpath).endswith("/data/MIP Dataset 2022 OG.xlsx")
    assert str(f.mirror_relpath).startswith("raw.githubusercontent.com/owner/toy_xlsx/")
    with pytest.raises(ValueError, match="commit-pinned"):
        file_in_repo("https://raw.githubusercontent.com/owner/repo/main/data.csv")


def test_resolve_by_path_and_by_base_name(toy):
    reg = toy[0]
    assert reg.resolve("toy_treaties", "treaties/4-9.csv").file == "treaties/4-9.csv"
    assert reg.resolve("toy_treaties", "4-13.csv").file == "treaties/4-13.csv"


def test_multi_file_source_needs_a_file_name(toy):
    with pytest.raises(UnknownSourceError, match="treaties/4-9.csv"):
        toy[0].resolve("toy_treaties")


def test_unknown_source_lists_closest_ids(toy):
    with pytest.raises(UnknownSourceError) as err:
        toy[0].resolve("toy_treaty")
    assert err.value.suggestions[0] == "toy_treaties"
    assert "Did you mean: toy_treaties" in str(err.value)


def test_unknown_file_lists_closest_files(toy):
    with pytest.raises(UnknownSourceError) as err:
        toy[0].resolve("toy_treaties", "treaties/4-8.csv")
    assert "treaties/4-9.csv" in err.value.suggestions


def test_select_expands_sources_and_keeps_order_without_duplicates(toy):
    reg = toy[0]
    chosen = reg.select(["toy_treaties", "toy_treaties:4-9.csv", "toy_states"])
    assert [f.key for f in chosen] == ["toy_treaties:treaties/4-9.csv", "toy_treaties:treaties/4-13.csv",
                                       "toy_states:data/states.csv"]
    assert len(reg.select(None)) == len(reg.files)


@needs_manifest
def test_real_registry_suggests_for_a_near_miss():
    reg = Registry.load(REGISTRY)
    with pytest.raises(UnknownSourceError) as err:
        reg.resolve("polity")
    assert "polity5" in err.value.suggestions


def test_manifest_with_wrong_columns_is_refused(tmp_path):
    bad = tmp_path / "m.tsv"
    bad.write_text("source\turl\nx\thttps://example.org\n")
    with pytest.raises(ValueError, match="expected columns"):
        read_manifest(bad)
