"""CITATION.cff is valid CFF 1.2, and `ratify cite` prints a chapter's study and exactly its data."""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from ratify.cite import CitationError, book_entry, bibtex, chapter_citation, chapter_paper, recorded_sources
from ratify.cli import app
from ratify.data.locations import PROJECT_ROOT

SCHEMA = Path(__file__).parent / "schemas" / "cff-1.2.0.schema.json"


def _strings(value):
    """YAML reads dates as date objects; the CFF schema wants the strings (as its $comment says)."""
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    return value.isoformat() if isinstance(value, datetime.date) else value


def cff() -> dict:
    return _strings(yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text()))


def test_citation_cff_is_valid_cff_1_2():
    schema = json.loads(SCHEMA.read_text())
    assert schema["$id"].startswith("https://citation-file-format.github.io/1.2.0/")
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(cff()), key=str)
    assert [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors] == []


def test_the_schema_check_can_fail():
    broken = {**cff(), "license": "Not-A-Licence"}
    del broken["authors"]
    messages = [e.message for e in jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(broken)]
    assert any("'authors' is a required property" in m for m in messages)
    assert any("Not-A-Licence" in m for m in messages)


def test_citation_cff_agrees_with_pyproject_and_the_book():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    config = yaml.safe_load((PROJECT_ROOT / "book" / "_config.yml").read_text())
    data = cff()
    assert data["version"] == project["version"]
    assert project["license"] in data["license"] and "CC-BY-4.0" in data["license"]
    assert data["repository-code"] == config["repository"]["url"]
    assert (PROJECT_ROOT / "LICENSE").read_text().startswith("MIT License")
    assert "Creative Commons Attribution 4.0 International" in (PROJECT_ROOT / "LICENSE-TEXT.md").read_text()


def test_book_bibtex_comes_from_citation_cff():
    text = bibtex(*book_entry())
    assert text.startswith("@software{ratification,")
    assert cff()["title"] in text and f'version = "{cff()["version"]}"' in text


# --- ratify cite ------------------------------------------------------------------------------------

BIB = """\
@article{study2020, author = {Doe, Jane}, title = {A Study}, journal = {J}, year = {2020}}
@misc{polity5, author = {{Center for Systemic Peace}}, title = {Polity5}, year = {2020}}
@misc{wdi_gdppc, author = {{World Bank}}, title = {GDP per capita}, year = {2026}}
@misc{cow_states, author = {{COW}}, title = {States}, year = {2017}}
"""


def model(name: str, sources: list) -> str:
    return json.dumps({"name": name, "label": name, "model": "cox", "terms": [], "n": 10, "sources": sources})


@pytest.fixture
def book(tmp_path):
    """A book with one chapter whose two models recorded polity5, wdi_gdppc and a derived table."""
    root = tmp_path / "book"
    chapter = root / "chapters" / "09-toy"
    (chapter / "results").mkdir(parents=True)
    (root / "bib").mkdir()
    (root / "references.bib").write_text(BIB)
    (chapter / "index.md").write_text("# Toy\n\n{cite:t}`study2020` argue; see also {cite:t}`cow_states`.\n")
    (chapter / "results" / "m1.json").write_text(model("m1", [
        {"source": "polity5", "file": "data/polity5.rda", "sha256": "ab" * 32, "citation": "x"},
        {"source": "ucdp conflict", "file": None, "sha256": None}]))
    (chapter / "results" / "m2.json").write_text(model("m2", [{"source": "wdi_gdppc"}, {"source": "polity5"}]))
    (chapter / "results" / "other.json").write_text("[1, 2]")  # not a model: ignored
    return root


def test_cite_prints_the_study_and_exactly_the_recorded_sources(book):
    text = chapter_citation("09-toy", book=book)
    assert re.findall(r"^@(\w+)\{(\w+),", text, re.M) == [
        ("article", "study2020"), ("misc", "polity5"), ("misc", "wdi_gdppc"), ("software", "ratification")]
    assert "cow_states" not in text.split("% The data sources")[1].split("% This book")[0]  # cited, not used
    assert "2 registered source(s), recorded by 2 model(s) in the last book build" in text
    assert "% polity5: used by m1, m2" in text and "data/polity5.rda (sha256 abababababab)" in text
    assert "redistributable: unknown: no licence stated" in text  # Polity5's terms state no open licence
    assert "'ucdp conflict' (m1)" in text


def test_cite_prefers_the_paper_named_in_published_yaml(book):
    assert chapter_paper("09-toy", book) == "study2020"
    (book / "chapters" / "09-toy" / "published.yaml").write_text("paper: other2021\nitems: []\n")
    assert chapter_paper("09-toy", book) == "other2021"


def test_cite_reads_a_variant_run_and_says_so(book, tmp_path):
    variant = tmp_path / "variant" / "results"
    variant.mkdir(parents=True)
    (variant / "m1.json").write_text(model("m1", [{"source": "cow_states"}]))
    text = chapter_citation("09-toy", results=variant, book=book)
    assert f"in the results of the variant run in {variant}" in text
    assert re.findall(r"^@misc\{(\w+),", text, re.M) == ["cow_states"]
    assert recorded_sources(variant).used_by == {"cow_states": ["m1"]}


def test_cite_fails_clearly_when_the_chapter_was_not_built(book):
    for path in (book / "chapters" / "09-toy" / "results").glob("*"):
        path.unlink()
    with pytest.raises(CitationError, match="has no model results in .* build the book first"):
        chapter_citation("09-toy", book=book)
    with pytest.raises(CitationError, match="no chapter 'nope'; chapters: 09-toy"):
        chapter_citation("nope", book=book)


def test_cite_command_line(tmp_path):
    runner = CliRunner()
    results = tmp_path / "results"
    results.mkdir()
    missing = runner.invoke(app, ["cite", "02-migrant-workers", "--results", str(results)])
    assert missing.exit_code == 2 and "has no model results" in missing.output and "Traceback" not in missing.output
    (results / "wlm_model1.json").write_text(model("wlm_model1", [{"source": "cow_states"}]))
    found = runner.invoke(app, ["cite", "02-migrant-workers", "--results", str(results)])
    assert found.exit_code == 0, found.output
    assert re.findall(r"^@\w+\{(\w+),", found.output, re.M) == ["westernlockhartmoney2019", "cow_states",
                                                                 "ratification"]
