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
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from ratify.cli import app
from ratify.variants import ParameterError, VariantsFileError, check_defaults, load
from ratify.variants import collect, page, runner, stamp, stored
from ratify.variants.schema import CHAPTERS

from conftest import flip_random_bit

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
    with pytest.raises(ParameterError, match=r"unknown parameter 'slope'.*\['drop_last', 'fail', 'fault', 'pause', "
                                             r"'slope_scale'\]"):
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
    assert spec.validate({"slope_scale": 2}) == {"slope_scale": 2.0, "drop_last": 0, "fail": False, "fault": "none",
                                                 "pause": 0.0}
    assert isinstance(spec.validate({"slope_scale": 2})["slope_scale"], float)


def test_command_line_strings_are_parsed_by_declared_type():
    spec = load(FIXTURE)
    assert spec.parse([("slope_scale", "2.5"), ("drop_last", "1"), ("fail", "true")]) == {
        "slope_scale": 2.5, "drop_last": 1, "fail": True}
    with pytest.raises(ParameterError, match="cannot read it as an int"):
        spec.parse([("drop_last", "one")])
    with pytest.raises(ParameterError, match="unknown parameter 'nope'"):
        spec.parse([("nope", "1"), ("drop_last", "one")])  # the name is reported before the value


def test_list_parameters_check_each_item_against_the_choices(chapter_copy):
    raw = yaml.safe_load((chapter_copy / "variants.yaml").read_text())
    raw["parameters"]["controls"] = {"type": "list", "default": ["gdp"], "items": {"type": "str", "choices": ["gdp", "pop"]}}
    (chapter_copy / "variants.yaml").write_text(yaml.safe_dump(raw))
    spec = load(chapter_copy)
    assert spec.parameters["controls"].parse("gdp, pop") == ["gdp", "pop"]
    assert spec.parameters["controls"].parse("[pop]") == ["pop"]
    with pytest.raises(ParameterError, match=r"expected a list, each item one of \['gdp', 'pop'\] \(item 'war': 'war' is not a choice\)"):
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
    table = stored.read(load(folder)).table
    assert dict(zip(table.variant, table.status)) == {"paper": "ok", "double-x": "ok", "drop-two": "ok", "broken": "error"}
    broken = table.set_index("variant").loc["broken"]
    assert "fails on purpose" in broken.error and math.isnan(broken.slope_estimate)
    # the failed run still leaves its executed notebook (with the traceback) for inspection
    assert (out / "fixture-chapter" / "broken" / "analysis.ipynb").exists()


def test_results_table_shape_and_values(swept):
    folder, out, _ = swept
    spec = load(folder)
    table = stored.read(spec).table
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
    assert stored.read(spec).state == "fresh"
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
    assert stored.read(load(folder)).state == "fresh"
    spec_file = folder / "variants.yaml"
    spec_file.write_text(spec_file.read_text().replace("{slope_scale: 2.0}", "{slope_scale: 3.0}"))
    state = stored.read(load(folder))
    assert state.state == "stale" and state.changed == ["variants"]
    notice = page.notice(load(folder), state)
    assert "{admonition}" in notice and "`variants.yaml` (parameters or variants)" in notice
    assert "ratify variants fixture-chapter --jobs 2" in notice


def test_stale_when_the_data_hash_changes(swept, tmp_path, monkeypatch):
    folder = _stored_copy(swept, tmp_path)
    registry = tmp_path / "sources.toml"
    registry.write_text(stamp.registry_file().read_text().replace("sha256 = \"", "sha256 = \"0", 1))
    monkeypatch.setenv("RATIFY_REGISTRY", str(registry))
    state = stored.read(load(folder))
    assert state.state == "stale" and state.changed == ["data"]
    assert "the data registry" in page.notice(load(folder), state)


def test_stale_when_the_notebook_or_library_changes(swept, tmp_path):
    folder = _stored_copy(swept, tmp_path)
    (folder / "analysis.md").write_text((folder / "analysis.md").read_text() + "\nOne more sentence.\n")
    assert stored.read(load(folder)).changed == ["notebook"]
    library = tmp_path / "lib"
    shutil.copytree(stamp.LIB, library)
    (library / "extra.py").write_text("X = 1\n")
    assert stored.read(load(folder), library=library).changed == ["notebook", "library"]


def test_absent_results_get_the_refresh_command(chapter_copy):
    spec = load(chapter_copy)
    state = stored.read(spec)
    assert state.state == "absent" and state.table is None
    assert "No stored variant results" in page.notice(spec, state)


# --- the robustness page ----------------------------------------------------------------------

def test_page_table_and_curves_from_stored_results(swept, monkeypatch):
    folder, _, _ = swept
    spec = load(folder)
    table = stored.read(spec).table
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
    assert stored.read(load(folder), library=library).changed == []
    (folder / "analysis.md").write_text((folder / "analysis.md").read_text()
                                        + "\n```{code-cell} ipython3\nfrom ratify.studies import someone_elses_chapter\n```\n")
    assert "library" in stored.read(load(folder), library=library).changed  # now it is used


# --- issue 19: nothing lost, nothing silently wrong -------------------------------------------

def _run_cli(args, **kwargs):
    return cli.invoke(app, args, **kwargs)


def _no_kernel(monkeypatch) -> list:
    import papermill

    started = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: started.append(a))
    return started


def _failed_table(spec, error: str = "DataUnavailableError: 14 data file(s) could not be fetched") -> pd.DataFrame:
    return collect.table(spec, [collect.row(spec, v, status="error", error=error) for v in spec.variants])


def test_a_failed_sweep_does_not_replace_good_stored_results(swept, tmp_path, monkeypatch):
    """Finding 1: a sweep with no data reachable reported '0 of 14 ok' and overwrote the stored table."""
    folder = _stored_copy(swept, tmp_path)
    spec = load(folder)
    before = {f: (folder / "variants" / f).read_bytes() for f in (stamp.RESULTS_FILE, stamp.STAMP_FILE)}
    monkeypatch.setattr(runner, "sweep", lambda *a, **k: _failed_table(spec))
    result = _run_cli(["variants", str(folder), "--no-progress"])
    assert result.exit_code == 1
    assert "not stored: paper, double-x, drop-two are ok in the stored results and failed in this sweep" in result.output
    assert "pass --force" in result.output
    assert {f: (folder / "variants" / f).read_bytes() for f in before} == before
    assert stored.read(spec).state == "fresh"
    forced = _run_cli(["variants", str(folder), "--no-progress", "--force"])
    assert forced.exit_code == 1 and "stored:" in forced.output
    assert set(stored.read(spec).table.status) == {"error"}


def test_a_sweep_without_a_registry_stops_before_any_kernel(chapter_copy, tmp_path, monkeypatch):
    started = _no_kernel(monkeypatch)
    for registry in (tmp_path / "missing.toml", tmp_path / "bad.toml"):
        if registry.name == "bad.toml":
            registry.write_text("not = [toml")
        monkeypatch.setenv("RATIFY_REGISTRY", str(registry))
        for args in (["variants", str(chapter_copy), "--no-progress"], ["run", str(chapter_copy)]):
            result = _run_cli(args)
            assert result.exit_code == 2 and "data registry" in result.output and "RATIFY_REGISTRY" in result.output
            assert "Traceback" not in result.output
    assert started == [] and not (chapter_copy / "variants").exists()


def test_a_killed_worker_fails_only_its_own_variant(chapter_copy, tmp_path):
    """Finding 1: one killed worker marked every variant of its pool BrokenProcessPool."""
    raw = yaml.safe_load((chapter_copy / "variants.yaml").read_text())
    raw["variants"].append({"name": "killed", "label": "Worker killed", "parameters": {"fault": "kill_worker"}})
    (chapter_copy / "variants.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    table = runner.sweep(load(chapter_copy), jobs=2, root=tmp_path / "out", progress=False)
    by = table.set_index("variant")
    assert dict(by.status) == {"paper": "ok", "double-x": "ok", "drop-two": "ok", "broken": "error", "killed": "error"}
    assert by.loc["killed", "error"] == ("WorkerDied: the process running this variant ended without a result "
                                         "(killed by SIGKILL)")
    assert "fails on purpose" in by.loc["broken", "error"]


def test_stored_files_are_written_whole_and_vouch_for_each_other(swept, tmp_path):
    folder = _stored_copy(swept, tmp_path)
    spec = load(folder)
    table = stored.read(spec).table
    stored.save(spec, table.assign(seconds=1.0), seconds=1.0, jobs=1)
    assert sorted(p.name for p in (folder / "variants").iterdir()) == [stamp.RESULTS_FILE, stamp.STAMP_FILE]
    record = json.loads((folder / "variants" / stamp.STAMP_FILE).read_text())["results"]
    assert record["rows"] == 4 and record["columns"] == collect.columns(spec) and len(record["sha256"]) == 64
    # a process stopped between the two renames leaves new results beside the old stamp: caught, not shown
    (folder / "variants" / stamp.RESULTS_FILE).write_bytes(stored._csv_bytes(table.assign(seconds=2.0)))
    assert stored.read(spec).state == "damaged"


def _page(spec, monkeypatch) -> list:
    shown = []
    monkeypatch.setattr(page, "display", shown.append)
    page.show(spec.slug, chapter=spec)
    return shown


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("damage, problem", [
    ("edited", "results.csv is not the file the sweep stored"),
    ("truncated", "results.csv is not the file the sweep stored"),
    ("conflict", "results.csv is not the file the sweep stored"),
    ("stamp_malformed", "stamp.json cannot be read (it is not valid JSON)"),
    ("stamp_deleted", "stamp.json is missing"),
    ("results_deleted", "results.csv is missing"),
    ("csv_malformed", "results.csv cannot be read"),
    ("old_stamp", "stamp.json was written by an older version of ratify"),
])
def test_the_page_never_shows_damaged_results(swept, tmp_path, monkeypatch, damage, problem):
    """Finding 6: an edited estimate, a truncated file or conflict markers were shown as current; a malformed
    stamp or CSV broke the cell; a deleted stamp showed both 'not run yet' and the table."""
    folder = _stored_copy(swept, tmp_path)
    spec = load(folder)
    results, stamp_file = folder / "variants" / stamp.RESULTS_FILE, folder / "variants" / stamp.STAMP_FILE
    text = results.read_text()
    if damage == "edited":
        paper = next(line for line in text.splitlines() if line.startswith("paper,"))
        _edit(results, paper, paper.replace(paper.split(",")[4], "9.99", 1))
    elif damage == "truncated":
        results.write_text(text[: len(text) // 2])
    elif damage == "conflict":
        lines = text.splitlines(keepends=True)
        results.write_text("".join([*lines[:2], "<<<<<<< HEAD\n", *lines[2:], "=======\n", *lines[2:], ">>>>>>> other\n"]))
    elif damage == "stamp_malformed":
        stamp_file.write_text(stamp_file.read_text()[:-20])
    elif damage == "stamp_deleted":
        stamp_file.unlink()
    elif damage == "results_deleted":
        results.unlink()
    elif damage == "csv_malformed":  # someone rewrote the stamp to match a file that is not a results table
        results.write_text("a,b\n1,2\n")
        record = json.loads(stamp_file.read_text())
        record["results"]["sha256"] = stored._sha(results.read_bytes())
        stamp_file.write_text(json.dumps(record))
    elif damage == "old_stamp":
        record = json.loads(stamp_file.read_text())
        del record["results"], record["format"]
        stamp_file.write_text(json.dumps(record))
    state = stored.read(spec)
    assert state.state == "damaged" and state.table is None and problem in state.problem
    shown = _page(spec, monkeypatch)
    assert len(shown) == 1 and "cannot be shown" in shown[0].data and problem in shown[0].data
    assert "ratify variants fixture-chapter --jobs 2" in shown[0].data and "not been run" not in shown[0].data


def test_editing_the_collector_makes_stored_results_stale(swept, tmp_path):
    folder = _stored_copy(swept, tmp_path)
    library = tmp_path / "lib"
    shutil.copytree(stamp.LIB, library)
    (library / "variants" / "collect.py").write_text((library / "variants" / "collect.py").read_text() + "\n# x\n")
    assert stored.read(load(folder), library=library).changed == ["library"]


def test_fuzz_flipped_bits_in_stored_results_show_the_same_numbers_or_say_so(swept, tmp_path, monkeypatch):
    import random

    folder = _stored_copy(swept, tmp_path)
    spec = load(folder)
    pristine = stored.read(spec).table
    files = [folder / "variants" / stamp.RESULTS_FILE, folder / "variants" / stamp.STAMP_FILE]
    originals = {f: f.read_bytes() for f in files}
    rng = random.Random(19)
    for i in range(120):
        target = files[i % 2]
        flip_random_bit(target, rng)
        state = stored.read(spec)
        if state.table is not None:
            pd.testing.assert_frame_equal(state.table, pristine)     # the same numbers ...
        else:
            assert state.state == "damaged"                         # ... or none, and the page says why
            assert "cannot be shown" in page.notice(spec, state)
        target.write_bytes(originals[target])


def test_out_never_deletes_what_ratify_did_not_write(chapter_copy, tmp_path, monkeypatch):
    """Finding 2: `--out DIR` deleted DIR/results recursively before the run, even when it then failed."""
    mine = tmp_path / "my-folder"
    (mine / "results").mkdir(parents=True)
    (mine / "results" / "thesis-table.csv").write_text("irreplaceable\n")
    (mine / "notes.txt").write_text("mine\n")
    started = _no_kernel(monkeypatch)
    result = _run_cli(["run", str(chapter_copy), "--out", str(mine)])
    assert result.exit_code == 2 and "holds files that ratify did not write; nothing was run" in result.output
    (tmp_path / "fixture-chapter" / "paper").mkdir(parents=True)
    (tmp_path / "fixture-chapter" / "paper" / "notes.txt").write_text("mine\n")
    sweep = _run_cli(["variants", str(chapter_copy), "--only", "paper", "--out", str(tmp_path), "--no-progress"])
    assert sweep.exit_code == 2 and "holds files that ratify did not write" in sweep.output
    assert started == []
    assert (mine / "results" / "thesis-table.csv").read_text() == "irreplaceable\n" and (mine / "notes.txt").exists()


def test_a_failed_run_does_not_replace_a_successful_one(chapter_copy, tmp_path):
    out = tmp_path / "run"
    assert _run_cli(["run", str(chapter_copy), "--out", str(out)]).exit_code == 0
    good = (out / "results" / "fixture_ols.json").read_text()
    failed = _run_cli(["run", str(chapter_copy), "--out", str(out), "-p", "fail", "true"])
    assert failed.exit_code == 1 and f"executed notebook (with the error): {out}.failed/analysis.ipynb" in failed.output
    assert (out / "results" / "fixture_ols.json").read_text() == good
    assert json.loads((out / runner.MARKER).read_text())["status"] == "ok"
    assert json.loads((tmp_path / "run.failed" / runner.MARKER).read_text())["status"] == "failed"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(runner.PARTIAL)] == []
    again = _run_cli(["run", str(chapter_copy), "--out", str(out), "-p", "slope_scale", "2"])
    assert again.exit_code == 0 and (out / "results" / "fixture_ols.json").read_text() != good


def _ratify(*args, **kwargs) -> "subprocess.Popen":
    import os
    import subprocess
    import sys

    exe = shutil.which("ratify", path=str(Path(sys.executable).parent)) or "ratify"
    return subprocess.Popen([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ}, **kwargs)


def test_two_runs_into_one_folder_do_not_race(chapter_copy, tmp_path):
    """Finding 3: a second `ratify run` into the same --out made the first fail ('the notebook wrote no model')."""
    import time

    out = tmp_path / "shared"
    first = _ratify("run", str(chapter_copy), "--out", str(out), "-p", "pause", "25")
    assert first.stdout.readline().startswith("running analysis.md")
    time.sleep(2)
    second = _ratify("run", str(chapter_copy), "--out", str(out), "-p", "slope_scale", "2")
    results = [p.communicate(timeout=300) + (p.returncode,) for p in (second, first)]
    for stdout, stderr, code in results:
        assert code == 0, stdout + stderr
        assert "Slope of y on x" in stdout
    # the folder holds one whole run (the last to finish), its results matching its parameters
    marker = json.loads((out / runner.MARKER).read_text())
    slope = next(t["estimate"] for t in json.loads((out / "results" / "fixture_ols.json").read_text())["terms"]
                 if t["term"] == "x")
    assert marker["status"] == "ok" and slope == pytest.approx(2.0171 / marker["parameters"]["slope_scale"], abs=1e-3)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(runner.PARTIAL)] == []


def test_ctrl_c_during_run_is_one_line_and_exit_130(chapter_copy, tmp_path):
    """Finding 9: Ctrl-C during `ratify run` printed 213 lines of traceback."""
    import os
    import signal
    import time

    proc = _ratify("run", str(chapter_copy), "--out", str(tmp_path / "r"), "-p", "pause", "120",
                   start_new_session=True)
    assert proc.stdout.readline().startswith("running analysis.md")  # checks passed, papermill starting
    time.sleep(8)  # the kernel is up and in the pause (a Ctrl-C before then must end the same way)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C: the whole foreground group
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout + stderr
    assert stderr.strip().splitlines() == [stderr.strip()] and stderr.startswith("interrupted:"), stderr
    assert "Traceback" not in stdout + stderr


def test_a_nan_key_estimate_is_a_failed_key_quantity(chapter_copy, tmp_path):
    """Finding 7: `ratify run` printed 'nan [nan, nan]' with exit 0, and the collector stored it as ok."""
    result = _run_cli(["run", str(chapter_copy), "--out", str(tmp_path / "nan"), "-p", "fault", "nan_estimate"])
    assert result.exit_code == 1, result.output
    assert "nan [" not in result.output
    assert "not found: model 'fixture_ols' gave no usable estimate for 'x' (estimate nan" in result.output
    found, problems = collect.read_results(load(chapter_copy), tmp_path / "nan" / "results")
    assert collect.status(load(chapter_copy), found) == "error" and len(problems) == 2


@pytest.mark.parametrize("chapter, args, message", [
    ("04-soft-balancing", ["-p", "drop_states", "Cuba"], "(item 'Cuba': cannot read it as an int)"),
    ("04-soft-balancing", ["-p", "drop_states", "[40, Cuba]"], "(item 'Cuba': got a str)"),
    ("04-soft-balancing", ["-p", "drop_states", "2"], "(item 2: outside the range)"),  # the US is not at risk
    ("01-bargaining-power", ["-p", "sample_rules", "post_1945,no_comodities"], "(item 'no_comodities': "),
    ("02-migrant-workers", ["-p", "sending_threshold", "nan"], "(not a finite number)"),
    ("02-migrant-workers", ["-p", "sending_threshold", "-inf"], "(not a finite number)"),
    ("02-migrant-workers", ["-p", "end_year", "2016", "-p", "end_year", "2017"],
     "parameter 'end_year' is given 2 times (-p end_year 2016, -p end_year 2017); give each parameter once"),
    ("02-migrant-workers", ["--timeout", "0"], "--timeout"),
    ("02-migrant-workers", ["--timeout", "-5"], "--timeout"),
    ("02-migrant-workers", ["--timeout", "1.5"], "--timeout"),
    ("04-soft-balancing", ["-p", "oas_table", "https://example.org/oas.csv"],
     "'https://example.org/oas.csv' is a URL; only local files are accepted"),
    ("04-soft-balancing", ["-p", "oas_table", "no-such-table.csv"], "there is no file 'no-such-table.csv'"),
])
def test_parameters_are_checked_before_any_kernel(chapter, args, message, monkeypatch):
    """Finding 8: `drop_states Cuba` was accepted and changed nothing; a typo in sample_rules failed in the kernel;
    NaN floats, a repeated -p and a zero, negative or fractional --timeout were not refused."""
    started = _no_kernel(monkeypatch)
    result = _run_cli(["run", chapter, *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()), result.output
    assert started == [] and "Traceback" not in result.output


def test_a_file_parameter_resolves_against_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "oas.csv").write_text("code,title\n")
    spec = load("04-soft-balancing")
    assert spec.parse([("oas_table", "oas.csv")]) == {"oas_table": str(tmp_path / "oas.csv")}
    assert spec.parse([("oas_table", "./oas.csv")]) == {"oas_table": str(tmp_path / "oas.csv")}
    assert spec.parameters["oas_table"].check("") == ""
    assert "the path of a local file" in spec.parameters["oas_table"].allowed()


def test_a_list_parameter_declares_its_items(chapter_copy):
    raw = yaml.safe_load((chapter_copy / "variants.yaml").read_text())
    raw["parameters"]["codes"] = {"type": "list", "default": [], "choices": [1, 2]}
    raw["parameters"]["other"] = {"type": "list", "default": []}
    (chapter_copy / "variants.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(VariantsFileError) as err:
        load(chapter_copy)
    assert "parameter 'codes': a list declares ['choices'] for its elements, under 'items'" in str(err.value)
    assert "parameter 'other': a list needs 'items' with a 'type' in ['int', 'float', 'str', 'bool']" in str(err.value)
