"""The variant runner: parameter checks before any kernel, isolated failures, the collected
table, stale stored results, the CLI, and every chapter's variants.yaml against its notebook.

The fixture chapter (tests/fixtures/variants-chapter) fits a least-squares line to six
hand-written rows, so a variant costs a kernel start; one variant fails on purpose.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import matplotlib
import pytest
import yaml
from typer.testing import CliRunner

from ratify.cli import app
from ratify.variants import ParameterError, VariantsFileError, check_defaults, load
from ratify.variants import collect, page, runner, stamp
from ratify.variants.schema import CHAPTERS

matplotlib.use("Agg")

FIXTURE = Path(__file__).parent / "fixtures" / "variants-chapter"
cli = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def frozen_library(tmp_path_factory):
    """Stamps hash a snapshot of lib/ratify: others editing the library must not make these tests stale."""
    snapshot = tmp_path_factory.mktemp("lib") / "ratify"
    shutil.copytree(stamp.LIB, snapshot, ignore=shutil.ignore_patterns("__pycache__"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stamp, "LIB", snapshot)
        yield snapshot


@pytest.fixture
def chapter_copy(tmp_path):
    """A writable copy of the fixture chapter (sweeps store their results inside it)."""
    folder = tmp_path / "fixture-chapter"
    shutil.copytree(FIXTURE, folder)
    return folder


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """The fixture's four variants, run once with two workers through the CLI."""
    root = tmp_path_factory.mktemp("sweep")
    folder = root / "fixture-chapter"
    shutil.copytree(FIXTURE, folder)
    result = cli.invoke(app, ["variants", str(folder), "--jobs", "2", "--out", str(root / "out"), "--no-progress"])
    return folder, root / "out", result


# --- parameters are checked before anything runs ---------------------------------------------

def test_unknown_parameter_names_it_and_lists_the_parameters():
    spec = load(FIXTURE)
    with pytest.raises(ParameterError, match=r"unknown parameter 'slope'.*\['drop_last', 'fail', 'slope_scale'\]"):
        spec.validate({"slope": 2.0})


@pytest.mark.parametrize("name, value, pattern", [
    ("drop_last", "2", r"'drop_last': '2' is not allowed; expected one of \[0, 1, 2\] \(got a str\)"),
    ("drop_last", True, r"'drop_last': True is not allowed.*got a bool"),
    ("drop_last", 5, r"'drop_last': 5 is not allowed; expected one of \[0, 1, 2\] \(5 is not a choice\)"),
    ("slope_scale", 20, r"'slope_scale': 20 is not allowed; expected a float >= 0.1 and <= 10 \(outside the range\)"),
    ("slope_scale", 0.0, r"'slope_scale': 0.0 is not allowed.*outside the range"),
    ("fail", "yes", r"'fail': 'yes' is not allowed; expected a bool"),
])
def test_bad_values_name_parameter_value_and_allowed(name, value, pattern):
    with pytest.raises(ParameterError, match=pattern):
        load(FIXTURE).validate({name: value})


def test_validate_fills_defaults_and_widens_ints_for_floats():
    spec = load(FIXTURE)
    assert spec.validate({"slope_scale": 2}) == {"slope_scale": 2.0, "drop_last": 0, "fail": False}
    assert isinstance(spec.validate({"slope_scale": 2})["slope_scale"], float)


def test_command_line_strings_are_parsed_by_declared_type():
    spec = load(FIXTURE)
    assert spec.parse([("slope_scale", "2.5"), ("drop_last", "1"), ("fail", "true")]) == {
        "slope_scale": 2.5, "drop_last": 1, "fail": True}
    with pytest.raises(ParameterError, match="cannot read it as a int"):
        spec.parse([("drop_last", "one")])
    with pytest.raises(ParameterError, match="unknown parameter 'nope'"):
        spec.parse([("nope", "1"), ("drop_last", "one")])  # the name is reported before the value


def test_list_parameters_check_each_item_against_the_choices(chapter_copy):
    raw = yaml.safe_load((chapter_copy / "variants.yaml").read_text())
    raw["parameters"]["controls"] = {"type": "list", "default": ["gdp"], "choices": ["gdp", "pop"]}
    (chapter_copy / "variants.yaml").write_text(yaml.safe_dump(raw))
    spec = load(chapter_copy)
    assert spec.parameters["controls"].parse("gdp, pop") == ["gdp", "pop"]
    with pytest.raises(ParameterError, match=r"'war' is not a choice"):
        spec.validate({"controls": ["gdp", "war"]})


def test_a_bad_variants_file_reports_every_problem_at_once(chapter_copy):
    raw = yaml.safe_load((chapter_copy / "variants.yaml").read_text())
    raw["variants"].append({"name": "typo", "parameters": {"slop_scale": 2}})
    raw["variants"].append({"name": "too-many-rows", "origin": "theirs", "parameters": {"drop_last": 4}})
    raw["parameters"]["drop_last"]["default"] = 7
    (chapter_copy / "variants.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(VariantsFileError) as err:
        load(chapter_copy)
    text = str(err.value)
    for fragment in ["default of parameter 'drop_last': 7", "variant 'typo': unknown parameter 'slop_scale'",
                     "variant 'too-many-rows': origin must be one of", "variant 'too-many-rows': parameter 'drop_last': 4"]:
        assert fragment in text


def test_no_kernel_starts_when_a_parameter_is_bad(chapter_copy, monkeypatch):
    import papermill

    started = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: started.append(a))
    for args in (["-p", "drop_last", "5"], ["-p", "slope", "2"], ["-p", "slope_scale", "abc"], ["-p", "fail"]):
        result = cli.invoke(app, ["run", str(chapter_copy), *args])
        assert result.exit_code == 2, result.output
    assert started == []
    assert "expected one of [0, 1, 2]" in cli.invoke(app, ["run", str(chapter_copy), "-p", "drop_last", "5"]).output


def test_unknown_chapter_lists_the_chapters_with_variants():
    result = cli.invoke(app, ["variants", "no-such-chapter", "--list"])
    assert result.exit_code == 2 and "no variants.yaml for 'no-such-chapter'" in result.output


# --- a sweep ----------------------------------------------------------------------------------

def test_failing_variant_is_isolated_and_reported(swept):
    folder, out, result = swept
    assert result.exit_code == 1, result.output  # one variant failed: the sweep says so
    assert "FAILED broken: RuntimeError: this variant fails on purpose" in result.output
    table = runner.stored(load(folder))
    assert dict(zip(table.variant, table.status)) == {"paper": "ok", "double-x": "ok", "drop-two": "ok", "broken": "error"}
    broken = table.set_index("variant").loc["broken"]
    assert "fails on purpose" in broken.error and math.isnan(broken.slope_estimate)
    # the failed run still leaves its executed notebook (with the traceback) for inspection
    assert (out / "fixture-chapter" / "broken" / "analysis.ipynb").exists()


def test_results_table_shape_and_values(swept):
    folder, out, _ = swept
    spec = load(folder)
    table = runner.stored(spec)
    assert list(table.columns) == collect.columns(spec)
    assert list(table.columns[4:10]) == [f"{q}_{b}" for q in ("slope", "slope_hr") for b in collect.BOUNDS]
    assert list(table.variant) == [v.name for v in spec.variants]  # declared order, whatever finished first
    by = table.set_index("variant")
    # doubling x halves the slope; the hr scale is the exponentiated coefficient
    assert by.loc["double-x", "slope_estimate"] == pytest.approx(by.loc["paper", "slope_estimate"] / 2, rel=1e-5)
    assert by.loc["paper", "slope_hr_conf_high"] == pytest.approx(math.exp(by.loc["paper", "slope_conf_high"]), rel=1e-5)
    ok = by[by.status == "ok"]
    assert (ok.slope_conf_low < ok.slope_estimate).all() and (ok.slope_estimate < ok.slope_conf_high).all()
    assert by.loc["drop-two", "n"] == 4 and by.loc["paper", "n"] == 6 and by.loc["paper", "events"] == 3
    assert by.loc["double-x", "parameters"] == "slope_scale=2.0" and by.loc["double-x", "origin"] == "paper"
    assert (out / "fixture-chapter" / "paper" / "results" / "fixture_ols.json").exists()


def test_sweep_stores_a_fresh_stamp_and_writes_the_page(swept):
    folder, _, result = swept
    spec = load(folder)
    assert stamp.staleness(spec)["state"] == "fresh"
    assert json.loads((folder / "variants" / "stamp.json").read_text())["variants"] == [v.name for v in spec.variants]
    text = (folder / "robustness.md").read_text()
    assert 'show_robustness("fixture-chapter")' in text and "ratify variants fixture-chapter --jobs 2" in text


def test_a_missing_key_quantity_makes_the_variant_partial(chapter_copy, tmp_path):
    raw = yaml.safe_load((chapter_copy / "variants.yaml").read_text())
    raw["key_quantities"].append({"id": "gone", "label": "Not estimated", "model": "fixture_ols", "term": "z"})
    (chapter_copy / "variants.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    row = runner.run_variant(str(chapter_copy), "paper", str(tmp_path))
    assert row["status"] == "partial" and "model 'fixture_ols' has no term 'z'" in row["error"]
    assert row["slope_estimate"] == pytest.approx(2.0171, abs=1e-3) and row["gone_estimate"] is None
    assert page.curve(load(chapter_copy), collect.table(load(chapter_copy), [row]), "gone") is None


def test_only_runs_a_subset_without_storing(chapter_copy, tmp_path):
    result = cli.invoke(app, ["variants", str(chapter_copy), "--only", "drop-two", "--out", str(tmp_path / "o"),
                              "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 variants ok" in result.output and not (chapter_copy / "variants").exists()


def test_run_prints_where_the_results_are(chapter_copy, tmp_path):
    result = cli.invoke(app, ["run", str(chapter_copy), "-p", "slope_scale", "2", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert f"results: {tmp_path / 'r' / 'results'}" in result.output
    saved = json.loads((tmp_path / "r" / "results" / "fixture_ols.json").read_text())
    slope = next(t["estimate"] for t in saved["terms"] if t["term"] == "x")
    assert f"Slope of y on x: {slope:.4g}" in result.output


# --- stale stored results ---------------------------------------------------------------------

def _stored_copy(swept, tmp_path) -> Path:
    folder = tmp_path / "fixture-chapter"
    shutil.copytree(swept[0], folder)
    return folder


def test_stale_when_a_parameter_changes(swept, tmp_path):
    folder = _stored_copy(swept, tmp_path)
    assert stamp.staleness(load(folder))["state"] == "fresh"
    spec_file = folder / "variants.yaml"
    spec_file.write_text(spec_file.read_text().replace("{slope_scale: 2.0}", "{slope_scale: 3.0}"))
    state = stamp.staleness(load(folder))
    assert state["state"] == "stale" and state["changed"] == ["variants"]
    notice = page.notice(load(folder), state)
    assert "{admonition}" in notice and "`variants.yaml` (parameters or variants)" in notice
    assert "ratify variants fixture-chapter --jobs 2" in notice


def test_stale_when_the_data_hash_changes(swept, tmp_path, monkeypatch):
    folder = _stored_copy(swept, tmp_path)
    registry = tmp_path / "sources.toml"
    registry.write_text(stamp.registry_file().read_text().replace("sha256 = \"", "sha256 = \"0", 1))
    monkeypatch.setenv("RATIFY_REGISTRY", str(registry))
    state = stamp.staleness(load(folder))
    assert state["state"] == "stale" and state["changed"] == ["data"]
    assert "the data registry" in page.notice(load(folder), state)


def test_stale_when_the_notebook_or_library_changes(swept, tmp_path):
    folder = _stored_copy(swept, tmp_path)
    (folder / "analysis.md").write_text((folder / "analysis.md").read_text() + "\nOne more sentence.\n")
    assert stamp.staleness(load(folder))["changed"] == ["notebook"]
    library = tmp_path / "lib"
    shutil.copytree(stamp.LIB, library)
    (library / "extra.py").write_text("X = 1\n")
    assert stamp.staleness(load(folder), library=library)["changed"] == ["notebook", "library"]


def test_absent_results_get_the_refresh_command(chapter_copy):
    spec = load(chapter_copy)
    state = stamp.staleness(spec)
    assert state["state"] == "absent" and runner.stored(spec) is None
    assert "No stored variant results" in page.notice(spec, state)


# --- the robustness page ----------------------------------------------------------------------

def test_page_table_and_curves_from_stored_results(swept, monkeypatch):
    folder, _, _ = swept
    spec = load(folder)
    table = runner.stored(spec)
    readable = page.readable(spec, table)
    assert list(readable.columns) == ["Variant", "Origin", "Parameters changed", "Slope of y on x", "exp(slope)",
                                      "N", "Events", "Status"]
    assert readable.Status.iloc[-1].startswith("error: RuntimeError")
    ax = page.curve(spec, table, "slope_hr")
    assert ax.get_xscale() == "log" and len(ax.get_yticklabels()) == 3  # the failed variant is not drawn
    assert "x doubled (paper)" in [t.get_text() for t in ax.get_yticklabels()]
    shown = []
    monkeypatch.setattr(page, "display", shown.append)
    page.show("fixture-chapter", chapter=spec)
    kinds = [type(x).__name__ for x in shown]
    assert kinds == ["Markdown", "Figure", "Figure", "HTML"]  # fresh: no notice, two curves, one table
    assert shown[0].data.startswith("4 variants were run: 3 gave every key estimate, 1 failed;")


# --- the CLI listing and every chapter's declared defaults ------------------------------------

def test_list_shows_parameters_and_variants():
    result = cli.invoke(app, ["variants", str(FIXTURE), "--list"])
    assert result.exit_code == 0, result.output
    assert "drop_last = 0  (one of [0, 1, 2])" in result.output
    assert "slope_scale = 1.0  (a float >= 0.1 and <= 10)" in result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["double-x", "paper", "x", "doubled", "[slope_scale=2.0]"] in lines
    assert ["broken", "ours", "Fails", "on", "purpose", "[fail=true]"] in lines


def test_check_defaults_finds_a_mismatch(chapter_copy):
    assert check_defaults(load(chapter_copy)) == []
    nb = chapter_copy / "analysis.md"
    nb.write_text(nb.read_text().replace("drop_last = 0", "drop_last = 1\nextra = 'x'"))
    assert check_defaults(load(chapter_copy)) == [
        "'drop_last': the parameters cell says 1, variants.yaml says 0",
        "'extra' is in the parameters cell but not declared in variants.yaml"]


CHAPTER_SPECS = sorted(CHAPTERS.glob("*/variants.yaml"))


@pytest.mark.parametrize("spec_file", CHAPTER_SPECS or [pytest.param(None, marks=pytest.mark.skip(
    reason="no chapter has a variants.yaml yet"))], ids=lambda p: p.parent.name if p else "none")
def test_each_chapter_declares_its_notebook_defaults(spec_file):
    spec = load(spec_file.parent)  # also checks the file itself: types, choices, variants
    assert check_defaults(spec) == []
    assert spec.variants[0].parameters == {} or any(not v.parameters for v in spec.variants), \
        "one variant should be the book's defaults"


def test_another_chapters_study_module_or_the_site_code_does_not_make_results_stale(swept, tmp_path):
    folder = _stored_copy(swept, tmp_path)
    library = tmp_path / "lib"
    shutil.copytree(stamp.LIB, library)
    (library / "studies" / "someone_elses_chapter.py").write_text("X = 1\n")
    (library / "site.py").write_text((library / "site.py").read_text() + "\n# a comment\n")
    assert stamp.staleness(load(folder), library=library)["changed"] == []
    (folder / "analysis.md").write_text((folder / "analysis.md").read_text()
                                        + "\n```{code-cell} ipython3\nfrom ratify.studies import someone_elses_chapter\n```\n")
    assert "library" in stamp.staleness(load(folder), library=library)["changed"]  # now it is used
