"""`ratify explain CHAPTER ID`: one row of a chapter's comparison, from the paper to the upstream file."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from ratify.cli import app
from ratify.explain import explain, row_ids
from ratify.models import ModelResult, terms_table
from ratify.provenance import TraceError

runner = CliRunner()

PUBLISHED = """paper: toy2020
stars: {"***": 0.01, "**": 0.05, "*": 0.10}
items:
  - id: hr_x
    label: Hazard ratio of x
    models: [m1, m2]
    term: x
    scale: hr
    estimate: 2.5
    where: Table 1, p. 4
  - id: n_events
    label: Events
    quantity: events_total
    value: 47
    where: p. 5
"""
CLAIMS = """paper: toy2020
claims:
  - id: C1
    claim: x and z together raise the hazard
    cites: [Someone 2001]
    where: p. 6
    test: {model: m1, term: x + z}
    predict: "+"
"""
PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {name: python3, display_name: Python 3}
---
# Models

```{code-cell} ipython3
quantities = {"events_total": int(risk.event.sum())}
```
"""


@pytest.fixture
def book(tmp_path):
    """A book with one chapter: its data files, an analysis page, and a results folder as a build leaves it."""
    chapter = tmp_path / "book" / "chapters" / "09-toy"
    chapter.mkdir(parents=True)
    (chapter / "index.md").write_text("# Toy\n")
    (chapter / "published.yaml").write_text(PUBLISHED)
    (chapter / "claims.yaml").write_text(CLAIMS)
    (chapter / "02-models.md").write_text(PAGE)
    results = chapter / "results"
    merges = [{"source": "toy_states", "file": "data/states.csv", "sha256": "ab" * 32, "columns": ["x"],
               "interpolate": "none", "lag": 0, "coverage": {"x": 0.9}, "reader": "ratify.sources.read_toy"}]
    for name in ("m1", "m2"):
        ModelResult(name=name, label=name.upper(), model="Cox proportional hazards",
                    terms=terms_table(["x", "z"], [0.9, 0.1], [0.3, 0.2], exponentiate=True), n=100, events=20,
                    built_by={"module": "ratify.studies.toy", "function": "risk_set", "file": "lib/x.py", "line": 3},
                    merges=merges, sources=[{"source": "toy_states", "file": "data/states.csv", "sha256": "ab" * 32}],
                    ).save(results)
    pd.DataFrame([
        {"kind": "coefficient", "id": "hr_x@m1", "item": "hr_x", "what": "Hazard ratio of x", "model": "m1",
         "term": "x", "paper": 2.5, "ours": 2.46, "conf_low": 1.37, "conf_high": 4.4, "verdict": "supported",
         "same_sign": True, "reason": "the same data"},
        {"kind": "coefficient", "id": "hr_x@m2", "item": "hr_x", "what": "Hazard ratio of x", "model": "m2",
         "term": "x", "paper": 2.5, "ours": 2.46, "verdict": "supported"},
        {"kind": "quantity", "id": "n_events", "item": "n_events", "what": "Events", "paper": 47, "ours": 48,
         "verdict": None},
        {"kind": "claim", "id": "C1", "item": None, "what": "x and z together raise the hazard", "model": "m1",
         "term": "x + z", "ours": 1.0, "verdict": "supported"},
    ]).to_csv(results / "paper_vs_ours.csv", index=False)
    return tmp_path / "book"


def test_an_item_compared_with_two_fits_explains_both_rows_to_the_file(book):
    text = explain("09-toy", "hr_x", book=book)
    assert "== hr_x@m1 (coefficient)" in text and "== hr_x@m2 (coefficient)" in text
    assert "as transcribed in book/chapters/09-toy/published.yaml:" in text and "where: Table 1, p. 4" in text
    assert "paper 2.5   ours 2.46 [1.37, 4.4]   verdict: supported" in text
    assert "reason: the same data" in text
    assert "ratify.studies.toy" in text and "data/states.csv" in text and "abababab" in text   # the trail
    assert "ratify.sources.read_toy" in text


def test_a_claim_on_a_sum_of_terms_traces_each_term_and_a_quantity_names_its_cell(book):
    claim = explain("9", "C1", book=book)
    assert "claims.yaml" in claim and claim.count("term x:") == 1 and claim.count("term z:") == 1
    quantity = explain("09-toy", "n_events", book=book)
    assert "computed, not fitted: 'events_total' is made on 02-models.md, code cell 1" in quantity


def test_every_recorded_row_can_be_explained(book):
    for row in row_ids("09-toy", book / "chapters" / "09-toy" / "results"):
        assert explain("09-toy", row, book=book).startswith("== ")


def test_unknown_rows_and_old_builds_are_clear_errors(book):
    with pytest.raises(TraceError, match="no row 'hr_y' in 09-toy's comparison; rows: hr_x@m1"):
        explain("09-toy", "hr_y", book=book)
    results = book / "chapters" / "09-toy" / "results" / "paper_vs_ours.csv"
    pd.read_csv(results).drop(columns=["item", "kind"]).to_csv(results, index=False)
    with pytest.raises(TraceError, match="written by an older build .*rebuild the chapter"):
        explain("09-toy", "hr_x", book=book)


def test_cli_explain_prints_the_row_and_fails_in_one_line(book, monkeypatch):
    import ratify.explain as ex
    import ratify.provenance as pv

    monkeypatch.setattr(ex, "BOOK_DIR", book)
    monkeypatch.setattr(pv, "BOOK_DIR", book)
    results = str(book / "chapters" / "09-toy" / "results")
    ok = runner.invoke(app, ["explain", "09-toy", "hr_x@m2", "--results", results])
    assert ok.exit_code == 0 and "== hr_x@m2" in ok.output and "hr_x@m1" not in ok.output
    bad = runner.invoke(app, ["explain", "09-toy", "nope", "--results", results])
    assert bad.exit_code == 2 and bad.output.startswith("error: no row 'nope'") and "Traceback" not in bad.output


@pytest.mark.book
def test_every_row_of_every_built_chapter_is_explained(built_book):
    """The acceptance of issue 17: `ratify explain` works for every row of every chapter's comparison."""
    from ratify.data.locations import PROJECT_ROOT

    chapters = sorted(p.parent.name for p in (PROJECT_ROOT / "book" / "chapters").glob("*/index.md"))
    for slug in chapters:
        folder = PROJECT_ROOT / "book" / "chapters" / slug / "results"
        for row in row_ids(slug, folder):
            assert explain(slug, row, folder=folder).startswith("== "), (slug, row)
