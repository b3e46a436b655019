"""The trail from a fitted number back to the upstream file: readers stamp, verbs record, builders
sign, results keep it, pages show it, `ratify trace` prints it, and no published model lacks it."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import jupytext
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ratify import provenance
from ratify.cli import app
from ratify.data.catalog import source_label
from ratify.data.locations import PROJECT_ROOT
from ratify.models import ModelResult, fit_cox
from ratify.panels import add_measure, add_static, keep_merges
from ratify.sources.provenance import stamp

from conftest import make_toy

runner = CliRunner()
CHAPTERS = PROJECT_ROOT / "book" / "chapters"


@pytest.fixture
def toy_registry(tmp_path, monkeypatch):
    """The hand-made registry of conftest (sources toy_states, toy_treaties, toy_xlsx) as the registry."""
    reg, path, _, _ = make_toy(tmp_path)
    monkeypatch.setenv("RATIFY_REGISTRY", str(path))
    return reg


def read_toy_states():
    """A reader as the library writes them: parse, then stamp."""
    return stamp(pd.DataFrame({"ccode": [2, 20], "year": [2000, 2000], "score": [1.0, 2.0]}), "toy_states")


def histories(n=60, seed=3):
    """Country-years at risk (start, stop], one event per country at most, and a covariate."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        x = rng.normal()
        for t in range(1, 9):
            event = int(rng.random() < 0.08 * np.exp(0.7 * x))
            rows.append({"ccode": c, "year": 1999 + t, "start": t - 1, "stop": t, "event": event, "x": x})
            if event:
                break
    return pd.DataFrame(rows)


@provenance.built_by
def build_panel(years: int = 8) -> pd.DataFrame:
    """A study-style builder: a frame, one measure merged with a stated rule."""
    frame = histories()
    frame = frame[frame.year < 1999 + years + 1]
    measure = stamp(frame[["ccode", "year"]].assign(x_source=frame.x), "toy_states")
    return add_measure(frame, measure, ["x_source"], source="toy_states", interpolate="linear")


# --- readers, verbs, builders -------------------------------------------------------------------

def test_stamp_names_the_reader_that_called_it(toy_registry):
    df = read_toy_states()
    assert df.attrs["reader"] == f"{__name__}.read_toy_states"
    assert df.attrs["sha256"] == toy_registry.resolve("toy_states").sha256


def test_merge_records_carry_file_hash_reader_rule_and_coverage(toy_registry):
    panel = pd.DataFrame({"ccode": [2, 2, 20], "year": [2000, 2001, 2000]})
    out = add_measure(panel, read_toy_states(), ["score"], source="toy_states", carry_forward=1)
    (record,) = out.attrs["merges"]
    assert record == {"source": "toy_states", "file": "data/states.csv",
                      "sha256": toy_registry.resolve("toy_states").sha256,
                      "reader": f"{__name__}.read_toy_states", "columns": ["score"], "interpolate": "none",
                      "carry_forward": 1, "lag": 0, "coverage": {"score": 1.0}}
    static = add_static(panel, read_toy_states().drop(columns="year"), ["score"], source="toy_states")
    assert static.attrs["merges"][0]["static"] is True
    json.dumps(out.attrs)  # plain JSON: the derived-panel cache stores attrs as JSON


def test_keep_merges_puts_back_what_a_join_drops(toy_registry):
    panel = add_measure(pd.DataFrame({"ccode": [2, 20], "year": [2000, 2000]}), read_toy_states(), ["score"],
                        source="toy_states")
    joined = panel.merge(pd.DataFrame({"ccode": [2], "extra": [1]}), on="ccode", how="left")
    assert joined.attrs == {}  # what pandas does when the two sides' attrs differ
    kept = keep_merges(joined, panel, panel)
    assert kept.attrs["merges"] == panel.attrs["merges"]  # each record once


def test_built_by_names_the_builder_and_survives_pickle_and_json(toy_registry):
    frame = build_panel(years=5)
    stamp_ = frame.attrs["built_by"]
    assert stamp_["module"] == __name__ and stamp_["function"] == "build_panel"
    assert stamp_["file"] == "tests/test_provenance.py" and stamp_["arguments"] == {"years": 5}
    source = (PROJECT_ROOT / stamp_["file"]).read_text().splitlines()
    assert source[stamp_["line"] - 1].startswith("def build_panel(")
    assert pickle.loads(pickle.dumps(frame)).attrs["built_by"] == stamp_
    assert json.loads(json.dumps(frame.attrs))["built_by"] == stamp_


def test_built_by_keeps_the_inner_builder_and_refuses_non_frames(toy_registry):
    outer = provenance.built_by(lambda frame: frame.assign(y=1))
    assert outer(build_panel()).attrs["built_by"]["from"]["function"] == "build_panel"
    with pytest.raises(TypeError, match="returned a dict"):
        provenance.built_by(lambda: {})()


# --- the result keeps the trail -------------------------------------------------------------------

@pytest.fixture
def fitted(toy_registry):
    return fit_cox(build_panel(), ["x_source"], cluster="ccode", name="toy_model", label="Toy model",
                   sources=["toy_treaties", "toy_states"])


def test_model_result_keeps_builder_merges_and_hashed_sources(fitted, toy_registry):
    r = fitted.result
    assert r.built_by["function"] == "build_panel"
    assert [m["columns"] for m in r.merges] == [["x_source"]]
    assert r.merges[0]["interpolate"] == "linear" and r.merges[0]["reader"]
    by_source = {s["source"]: s for s in r.sources}
    assert list(by_source) == ["toy_states", "toy_treaties"]  # toy_states named twice, listed once
    assert by_source["toy_states"]["sha256"] == toy_registry.resolve("toy_states").sha256
    assert by_source["toy_treaties"]["sha256"] is None and by_source["toy_treaties"]["files"] == 2
    back = ModelResult.from_dict(json.loads(json.dumps(r.to_dict())))
    assert back.built_by == r.built_by and back.merges == r.merges and back.sources == r.sources
    assert provenance.problems(r) == []


def test_problems_name_what_a_trail_lacks(fitted):
    r = fitted.result
    bare = ModelResult(name="bare", label="Bare", model="OLS", terms=r.terms, n=10)
    assert provenance.problems(bare) == [
        "lists no sources", "names no study function that built its frame (@provenance.built_by)"]
    derived = ModelResult(name="d", label="D", model="OLS", terms=r.terms, n=10, built_by=r.built_by,
                          sources=[{"source": "ucdp conflict", "registered": False}],
                          merges=[{"source": "toy_states", "columns": ["x"]}])
    assert provenance.problems(derived) == ["source 'ucdp conflict' is not a registered source id",
                                            "merge of 'toy_states' (x) names no reader"]


# --- leaks that once cut the trail ---------------------------------------------------------------

def test_five_year_net_migration_keeps_the_file_and_hash_of_its_input(toy_registry):
    from ratify.studies.migrant_workers import five_year_net_migration

    annual = stamp(pd.DataFrame({"ccode": [2] * 5, "year": range(1985, 1990), "net_migration": [1.0] * 5}),
                   "toy_states")
    five = five_year_net_migration(annual)
    assert {k: five.attrs[k] for k in ("source", "file", "sha256")} == {
        "source": "toy_states", "file": "data/states.csv", "sha256": toy_registry.resolve("toy_states").sha256}


@pytest.mark.realdata
def test_table2_models_keep_the_covariates_merges_and_sources(real_mirror):
    """build_un_frame used to replace the frame's attrs and fit_table2 passed no sources: Table 2's
    JSON listed none."""
    from ratify.studies import soft_balancing as sb

    frame = sb.build_un_frame(*sb.un_inputs(1946, 2015))
    result = sb.fit_table2(frame, "all", name="t2", label="Table 2, column 2").result
    merged = {m["source"] for m in result.merges}
    assert {"ideal_points_2024", "cow_nmc", "cow_capitals", "polity5"} <= merged
    assert {"untc_mtdsg_2015", "cow_states", "mip_interventions"} <= {s["source"] for s in result.sources}
    assert [p for p in provenance.problems(result) if "built its frame" not in p] == []


# --- the line under a table or figure ------------------------------------------------------------

def test_line_names_builder_specification_and_linked_sources(fitted, toy_registry):
    text = provenance.line(fitted).data
    sha = toy_registry.resolve("toy_states").sha256
    assert f"`{__name__}.build_panel` (`tests/test_provenance.py`, line" in text
    assert "Toy model: Cox proportional hazards (efron ties); `x_source`; SE cluster-robust by ccode" in text
    assert f"N = {fitted.result.n:,}, {fitted.result.events} events" in text
    assert f"{{ref}}`toy_states <{source_label('toy_states')}>` `{sha[:8]}`" in text
    assert f"{{ref}}`toy_treaties <{source_label('toy_treaties')}>` (2 files)" in text
    with pytest.raises(TypeError, match="not a fitted model"):
        provenance.line("wlm_model1")
    user = ModelResult(name="u", label="U", model="OLS", terms=fitted.result.terms, n=5,
                       sources=[{"source": "OAS table (user-supplied)", "registered": False}])
    assert "`OAS table (user-supplied)` (not registered)" in provenance.line(user).data  # no link to nowhere


def test_specification_shows_a_factor_once_and_groups_se_variants():
    terms = pd.DataFrame({"term": ["Intercept", "C(issue)[T.b]", "C(issue)[T.c]", "x"], "estimate": 0.0})
    a = ModelResult(name="a", label="M1", model="OLS", terms=terms, n=50, specification={"se": "HC0"})
    b = ModelResult(name="b", label="M1", model="OLS", terms=terms, n=50, specification={"se": "HC1"})
    assert provenance.specification([a, b]) == "M1: OLS; `C(issue)` (2 dummies), `x`; SE HC0 / HC1; N = 50"


def test_every_registered_source_has_its_label_in_the_appendix():
    from ratify import data
    from ratify.data.catalog import details_markdown, summaries

    reg = data.registry()
    rows = summaries(reg, PROJECT_ROOT / "book" / "references.bib")
    text = "\n".join(details_markdown(reg, r) for r in rows)
    assert all(f"({source_label(s)})=\n:::{{dropdown}}" in text for s in reg.sources)


# --- ratify trace --------------------------------------------------------------------------------

@pytest.fixture
def results_dir(fitted, tmp_path):
    """A chapter's results folder as `ratify.downloads.publish` leaves it."""
    folder = tmp_path / "results"
    fitted.result.save(folder, frame=fitted.frame)
    return folder


def test_trace_prints_estimate_builder_merge_record_and_sources(results_dir, fitted, toy_registry):
    text = provenance.trace("02", "toy_model", "x_source", folder=results_dir)
    row = fitted.result.terms.iloc[0]
    assert f"term x_source: estimate {row.estimate:.4g}" in text
    assert f"built by  {__name__}.build_panel" in text and "called with years=8" in text
    assert "from column(s) x_source" in text
    assert f"sha256   {toy_registry.resolve('toy_states').sha256}" in text
    assert f"reader   {__name__}.build_panel" in text  # the measure was stamped inside the builder
    assert "fill     linear interpolation between reports, lag 0" in text
    assert re.search(r"coverage x_source 100\.0%", text)
    assert "toy_treaties               (2 files)" in text


def test_trace_errors_say_what_exists(results_dir):
    with pytest.raises(provenance.TraceError, match="no model 'nope' in .*; models: toy_model"):
        provenance.trace("02", "nope", folder=results_dir)
    with pytest.raises(provenance.TraceError, match="no term 'z' in toy_model; terms: x_source"):
        provenance.trace("02", "toy_model", "z", folder=results_dir)
    with pytest.raises(provenance.TraceError, match="no chapter 'nine'; use one of 01-bargaining-power"):
        provenance.chapter_slug("nine")
    assert provenance.chapter_slug("2") == provenance.chapter_slug("02") == "02-migrant-workers"


def test_results_folder_is_the_newest_build(tmp_path, monkeypatch):
    book = tmp_path / "book"
    (book / "chapters" / "02-migrant-workers").mkdir(parents=True)
    (book / "chapters" / "02-migrant-workers" / "index.md").write_text("# Two\n")
    alone = tmp_path / "alone"
    monkeypatch.setattr(provenance, "chapter_build_dir", lambda slug: alone / slug)
    with pytest.raises(provenance.TraceError, match="chapter 02-migrant-workers has not been built .*"
                                                    "run `ratify book chapter 02-migrant-workers` first"):
        provenance.results_folder("2", book)
    full = book / "chapters" / "02-migrant-workers" / "results"
    single = alone / "02-migrant-workers" / "chapters" / "02-migrant-workers" / "results"
    for folder, mtime in ((full, 1_000_000), (single, 2_000_000)):
        folder.mkdir(parents=True)
        (folder / "m.json").write_text("{}")
        import os
        os.utime(folder / "m.json", (mtime, mtime))
    assert provenance.results_folder("2", book) == single


def test_cli_trace_prints_the_trail(results_dir):
    result = runner.invoke(app, ["trace", "02-migrant-workers", "toy_model", "x_source",
                                 "--results", str(results_dir)])
    assert result.exit_code == 0, result.output
    assert "term x_source: estimate" in result.output and f"built by  {__name__}.build_panel" in result.output
    every = runner.invoke(app, ["trace", "2", "toy_model", "--results", str(results_dir)])
    assert every.exit_code == 0 and "term x_source" in every.output


def test_cli_trace_errors_are_one_line_and_exit_2(results_dir, monkeypatch, tmp_path):
    bad = runner.invoke(app, ["trace", "2", "toy_model", "nope", "--results", str(results_dir)])
    assert bad.exit_code == 2 and bad.output.strip().count("\n") == 0
    assert bad.output.startswith("error: no term 'nope' in toy_model; terms: x_source")
    assert "Traceback" not in bad.output
    monkeypatch.setattr(provenance, "chapter_build_dir", lambda slug: tmp_path / "nowhere" / slug)
    monkeypatch.setattr(provenance, "BOOK_DIR", _book_without_results(tmp_path))
    unbuilt = runner.invoke(app, ["trace", "2", "wlm_model1"])
    assert unbuilt.exit_code == 2 and unbuilt.output.strip().count("\n") == 0
    assert "has not been built" in unbuilt.output
    assert "ratify book chapter 02-migrant-workers" in unbuilt.output


def _book_without_results(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    for slug in ("01-bargaining-power", "02-migrant-workers"):
        (book / "chapters" / slug).mkdir(parents=True)
        (book / "chapters" / slug / "index.md").write_text("# Chapter\n")
    return book


# --- the pages -----------------------------------------------------------------------------------

#: Not model fits: a table footer of a fit, and the Kaplan–Meier curve (lifelines' fitter; a
#: nonparametric curve for a figure, with no model behind it).
NOT_FITS = {"fit_statistics", "kaplan_meier"}


def fitting_functions() -> set[str]:
    """Names of the library's functions that fit a model: ``fit_*`` estimators, functions that call a
    statsmodels ``.fit(``, and every function of ``ratify.models`` or ``ratify.studies`` that calls
    one of those (to a fixed point: effect_family -> fit_ratification_effects)."""
    import importlib
    import inspect
    import pkgutil

    import ratify.models
    import ratify.studies

    functions = {}
    for package in (ratify.models, ratify.studies):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for name, obj in vars(module).items():
                if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                    functions[name] = inspect.getsource(obj)
    found = {n for n, src in functions.items()
             if (n.startswith("fit_") or ".fit(" in src) and n not in NOT_FITS}
    while True:
        calls = re.compile(r"\b(" + "|".join(sorted(found)) + r")\(")
        more = {n for n, src in functions.items() if n not in found and calls.search(src)}
        if not more:
            return found
        found |= more


def test_fitting_functions_are_found_transitively():
    found = fitting_functions()
    assert {"fit_cox", "fit_table2", "fit_ratification_effects", "effect_family", "all_evidence"} <= found
    assert not found & NOT_FITS and "model_specs" not in found


def calls(names: set[str]) -> re.Pattern:
    return re.compile(r"(?<![\w])(?:" + "|".join(sorted(names)) + r")\(|\.fit\(")


def test_cells_that_fit_or_publish_models_are_never_removed():
    """The fitting code of every table can be opened on the page: collapsed at most. A function the
    page defines that fits or publishes (a ``show(key)`` helper) counts as fitting too."""
    library = fitting_functions() | {"publish"}
    removed = []
    for page in sorted(CHAPTERS.glob("*/*.md")):
        cells = [c for c in jupytext.read(page).cells if c.cell_type == "code"]
        defined = {m.group(1): c.source for c in cells for m in re.finditer(r"^def (\w+)\(", c.source, re.M)}
        names = library | {n for n, src in defined.items() if calls(library).search(src)}
        for cell in cells:
            tags = set(cell.metadata.get("tags", []))
            fits = calls(names).search(re.sub(r"^def \w+\(", "", cell.source, flags=re.M))
            if fits and tags & {"remove-cell", "remove-input"}:
                removed.append(f"{page.relative_to(CHAPTERS)}: {cell.source.splitlines()[0][:60]}")
    assert removed == [], "use hide-input (or hide-cell) for these cells:\n" + "\n".join(removed)


# --- no published model without its trail (on the built book, as CI builds it) -------------------

@pytest.mark.book
def test_every_published_model_has_its_trail(built_book):
    folders = sorted(CHAPTERS.glob("*/results"))
    assert {f.parent.name for f in folders} >= {p.parent.name for p in CHAPTERS.glob("*/published.yaml")}
    gaps = {f"{folder.parent.name}/{name}": issues for folder in folders
            for name, issues in provenance.check_folder(folder).items()}
    assert gaps == {}
