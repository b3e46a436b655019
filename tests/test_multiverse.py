"""The multiverse: declaration and validation, exclusion rules, running (in-process, process pool,
Dask LocalCluster), resume after an interruption, a failing universe, reading the results
(decision shares on a constructed example, the null test on a toy study) and the page's explorer.

The toy study (tests/fixtures/multiverse-chapter/grunfeld_study.py) regresses investment on
firm value in Grunfeld's panel of 11 US firms, 1935-1954, which statsmodels ships.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from ratify.cli import app
from ratify.variants import check_defaults, load, multiverse as engine, specification, universes
from ratify.variants.universes import MultiverseError

matplotlib.use("Agg")

FIXTURE = Path(__file__).parent / "fixtures" / "multiverse-chapter"
cli = CliRunner()


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A writable copy of the toy chapter, importable here and in worker processes, without the disk cache."""
    folder = tmp_path / "toy-chapter"
    shutil.copytree(FIXTURE, folder)
    monkeypatch.syspath_prepend(str(FIXTURE))
    monkeypatch.setenv("PYTHONPATH", ":".join([str(FIXTURE), *sys.path]))
    monkeypatch.setenv("RATIFY_NO_CACHE", "1")
    return folder


def edit(folder: Path, change) -> None:
    raw = yaml.safe_load((folder / "variants.yaml").read_text())
    change(raw)
    (folder / "variants.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))


# --- declaring a multiverse -------------------------------------------------------------------

def test_universes_are_the_product_minus_exclusions_in_a_stable_order(toy):
    spec = universes.load(toy)
    assert spec.decisions == ["first_year", "outcome", "capital", "drop_firm", "errors"]
    assert spec.vary["outcome"] == ("level", "log") and spec.vary["capital"] == (True, False)  # declared choices
    found = spec.universes()
    assert len(spec.combinations()) == 3 * 2 * 2 * 3 * 2 and len(found) == 72 - 24
    assert not any(u.design.outcome == "log" and u.design.first_year >= 1940 for u in found)
    assert list(spec.excluded().values()) == [24]
    assert [u.index for u in found] == list(range(48)) and len({u.id for u in found}) == 48
    assert found[0].design == spec.design() and found[1].changes() == {"errors": "classical"}  # first field slowest
    assert [u.id for u in universes.load(toy).universes()] == [u.id for u in found]  # deterministic


def test_a_universe_id_depends_on_its_choices_only(toy):
    edit(toy, lambda raw: raw["multiverse"]["vary"].update(errors=["classical", "cluster"]))
    reordered = {u.id: u.changes() for u in universes.load(toy).universes()}
    assert reordered == {u.id: u.changes() for u in universes.load(FIXTURE).universes()}


@pytest.mark.parametrize("change, message", [
    (lambda m: m["vary"].update(frist_year=[1940]), r"unknown parameter 'frist_year'; the parameters are \["),
    (lambda m: m["vary"].update(outcome=["level", "sqrt"]),
     r"parameter 'outcome': 'sqrt' is not allowed; expected one of \['level', 'log'\]"),
    (lambda m: m["vary"].update(first_year=[1930]), r"'first_year': 1930 is not allowed.*outside the range"),
    (lambda m: m["vary"].update(first_year=None), r"'first_year' has no declared choices \(int\); list its values"),
    (lambda m: m["exclude"].append({"why": "x", "outcme": "log"}), r"exclude\[1\]: unknown parameter 'outcme'"),
    (lambda m: m["exclude"].append({"why": "x", "drop_firm": "Ford"}),
     r"exclude\[1\]: parameter 'drop_firm': 'Ford' is not allowed"),
    (lambda m: m["exclude"].append({"why": "x", "outcome": {"min": 1}}), r"a range is \{min, max\} on a number"),
    (lambda m: m["exclude"].append({"outcome": "log"}), r"exclude\[1\]: each rule needs a 'why:'"),
    (lambda m: m.update(vary={"errors": ["cluster"]}), r"no parameter varies"),
    (lambda m: m["exclude"].append({"why": "everything", "errors": ["cluster", "classical"]}),
     r"the exclusion rules leave no universe"),
    (lambda m: m.update(explode=True), r"unknown keys \['explode'\]"),
    (lambda m: m.update(undefined=[{"why": "x", "quantity": "value_re", "capital": False}]),
     r"undefined\[0\]: 'quantity' must name a key quantity, one of \['value_pooled', 'value_fe'\]; got 'value_re'"),
    (lambda m: m.update(undefined=[{"quantity": "value_fe", "capital": False}]), r"undefined\[0\]: each rule needs a 'why:'"),
    (lambda m: m.update(undefined=[{"why": "x", "quantity": "value_fe", "captial": False}]),
     r"undefined\[0\]: unknown parameter 'captial'"),
])
def test_a_bad_multiverse_is_refused_before_anything_runs(toy, change, message):
    edit(toy, lambda raw: change(raw["multiverse"]))
    with pytest.raises(MultiverseError, match=message):
        universes.load(toy)
    result = cli.invoke(app, ["multiverse", str(toy), "--no-progress"])
    assert result.exit_code == 2 and result.output.startswith("error: ") and "Traceback" not in result.output
    assert not (toy / "variants").exists()


def test_every_problem_is_listed_at_once(toy):
    edit(toy, lambda raw: raw["multiverse"]["vary"].update(frist_year=[1940], outcome=["sqrt"]))
    with pytest.raises(MultiverseError) as err:
        universes.load(toy)
    assert "'frist_year'" in str(err.value) and "'sqrt'" in str(err.value)


def test_a_chapter_without_a_design_has_no_multiverse():
    with pytest.raises(MultiverseError, match="names no study design"):
        universes.load(Path(__file__).parent / "fixtures" / "variants-chapter")


# --- running --------------------------------------------------------------------------------------

def test_a_run_stores_every_universe_and_quantity_with_a_fresh_stamp(toy):
    import grunfeld_study

    grunfeld_study.panel.forget()
    grunfeld_study.BUILDS.clear()
    result = cli.invoke(app, ["multiverse", str(toy), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "48 of 48 universes ok (48 declared)" in result.output
    table = engine.stored(load(toy))
    assert len(table) == 48 * 2 and set(table.quantity) == {"value_pooled", "value_fe"}
    assert {"universe", "index", "first_year", "outcome", "capital", "drop_firm", "errors", "fail", "estimate",
            "std_error", "conf_low", "conf_high", "p_value", "n", "events", "status", "error",
            "seconds"} <= set(table.columns)
    # each data group (designs differing only in `errors`) is built once
    assert len(grunfeld_study.BUILDS) == 24 and set(grunfeld_study.BUILDS.values()) == {1}
    row = table[(table["index"] == 0) & (table.quantity == "value_pooled")].iloc[0]
    direct = grunfeld_study.fit_key_models(grunfeld_study.Design())["pooled"]
    assert row.estimate == pytest.approx(direct.estimate("value")) and row.n == 220
    assert engine.staleness(load(toy))["state"] == "fresh"
    assert not (toy / "variants" / engine.PARTS_DIR).exists()
    (toy / "variants.yaml").write_text((toy / "variants.yaml").read_text() + "\n# edited\n")
    assert engine.staleness(load(toy)) | {"stamp": None} == {"state": "stale", "changed": ["variants"], "stamp": None}


def test_a_failing_universe_is_recorded_and_the_others_go_on(toy):
    edit(toy, lambda raw: raw["multiverse"].update(vary={"capital": None, "fail": None}))
    result = cli.invoke(app, ["multiverse", str(toy), "--no-progress", "--jobs", "2"])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "RuntimeError: this universe fails on purpose" in result.output
    assert "2 of 4 universes ok" in result.output
    table = engine.stored(load(toy))
    failed = table[table.fail]
    assert (failed.status == "error").all() and failed.estimate.isna().all()
    assert (table[~table.fail].status == "ok").all()


def _capital_quantity(raw, *, undefined_when_capital: bool) -> None:
    """Adds the capital-stock coefficient as a key quantity, declared undefined where ``capital`` is
    ``undefined_when_capital`` (rightly when False: the model then has no capital term)."""
    raw["key_quantities"].append({"id": "capital_pooled", "label": "Capital stock, pooled OLS",
                                  "model": "pooled", "term": "capital", "scale": "coef"})
    raw["multiverse"].update(vary={"capital": None, "errors": None}, exclude=[], undefined=[
        {"why": "Without the control there is no capital coefficient.", "quantity": "capital_pooled",
         "capital": undefined_when_capital}])


def test_a_quantity_the_choices_leave_out_is_undefined_not_a_failure(toy):
    edit(toy, lambda raw: _capital_quantity(raw, undefined_when_capital=False))
    result = cli.invoke(app, ["multiverse", str(toy), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "4 of 4 universes ok" in result.output and "FAILED" not in result.output
    table = engine.stored(load(toy))
    capital = table[table.quantity == "capital_pooled"]
    assert (capital[~capital.capital].status == "undefined").all() and capital[~capital.capital].estimate.isna().all()
    assert (capital[~capital.capital].error == "Without the control there is no capital coefficient.").all()
    assert (capital[capital.capital].status == "ok").all() and (table[table.quantity != "capital_pooled"].status == "ok").all()
    assert json.loads((toy / "variants" / engine.STAMP_FILE).read_text())["failed_universes"] == 0
    counts = specification.summary(universes.load(toy), table, "capital_pooled")
    assert (counts["universes"], counts["undefined"], counts["estimated"]) == (2, 2, 2)


def test_a_quantity_declared_undefined_but_estimated_is_an_error(toy):
    edit(toy, lambda raw: _capital_quantity(raw, undefined_when_capital=True))
    result = cli.invoke(app, ["multiverse", str(toy), "--no-progress"])
    # the rule is the wrong way round: where it applies the model has the term, where it does not, the
    # model lacks it, so every universe fails, each with its own message
    assert result.exit_code == 1 and "0 of 4 universes ok" in result.output
    assert "declares capital_pooled undefined here" in result.output and "pooled estimates capital" in result.output
    table = engine.stored(load(toy)).query("quantity == 'capital_pooled'")
    assert (table.status == "error").all()
    assert table[~table.capital].error.str.contains("has no term 'capital'").all()


def test_an_interrupted_run_resumes_where_it_stopped(toy, monkeypatch):
    full = engine.run(toy, progress=False)
    real, calls = engine.evaluate, []

    def stops_after_three_chunks(*args, **kwargs):
        calls.append(args[1])
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "evaluate", stops_after_three_chunks)
    monkeypatch.setattr(engine, "FLUSH_EVERY", (1, 0.0))
    with pytest.raises(KeyboardInterrupt):
        engine.run(toy, progress=False)
    partial = engine.stored(load(toy))
    finished = sum(len(chunk) for chunk in engine.chunks(universes.load(toy).universes())[:3])
    assert finished == 6 and partial.universe.nunique() == finished  # what finished was stored
    assert engine.read_stamp(load(toy))["computed_universes"] == finished
    monkeypatch.setattr(engine, "evaluate", real)
    seen = []
    monkeypatch.setattr(engine, "evaluate", lambda *a, **k: seen.extend(a[1]) or real(*a, **k))
    resumed = engine.run(toy, resume=True, progress=False)
    assert len(seen) == 48 - finished and not set(u[1] for u in seen) & set(partial.universe)
    pd.testing.assert_frame_equal(resumed.drop(columns="seconds"), full.drop(columns="seconds"))


def test_resume_refuses_results_of_other_inputs(toy):
    engine.run(toy, limit=5, progress=False)
    (toy / "variants.yaml").write_text((toy / "variants.yaml").read_text() + "\n# edited\n")
    result = cli.invoke(app, ["multiverse", str(toy), "--resume", "--no-progress"])
    assert result.exit_code == 2 and "the inputs changed since the interrupted run" in result.output


def test_limit_runs_the_first_universes_and_resume_finishes(toy):
    assert engine.run(toy, limit=10, progress=False).universe.nunique() == 10
    assert set(engine.stored(load(toy))["index"]) == set(range(10))
    assert engine.run(toy, resume=True, progress=False).universe.nunique() == 48


def test_a_dask_local_cluster_gives_the_same_results(toy):
    distributed = pytest.importorskip("dask.distributed")
    local = engine.run(toy, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = cli.invoke(app, ["multiverse", str(toy), "--scheduler", cluster.scheduler_address, "--no-progress"])
    assert result.exit_code == 0, result.output
    on_dask = engine.stored(load(toy))
    assert engine.read_stamp(load(toy))["scheduler"] == "dask"
    pd.testing.assert_frame_equal(on_dask.drop(columns="seconds"), local.drop(columns="seconds"))


def test_an_unreachable_scheduler_is_one_line_error(toy):
    from conftest import free_port

    result = cli.invoke(app, ["multiverse", str(toy), "--scheduler", f"tcp://127.0.0.1:{free_port()}",
                              "--no-progress"], env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert result.exit_code == 2 and result.output.startswith("error: ") and "Traceback" not in result.output


# --- reading it -----------------------------------------------------------------------------------

def test_decision_shares_recover_a_known_decomposition():
    """y = 2a + b + ab on a balanced ±1 design, replicated over an irrelevant c: the sums of squares
    are 4N, N and N of 6N, so a explains 2/3, b 1/6, their interaction 1/6 and c nothing."""
    rows = [{"a": a, "b": b, "c": c, "y": 2 * a + b + a * b}
            for a, b, c in itertools.product([-1, 1], [-1, 1], ["x", "y", "z"])]
    shares = specification.decision_shares(pd.DataFrame(rows), "y", ["a", "b", "c"]).set_index("term")
    assert shares.loc["a", "share"] == pytest.approx(2 / 3)
    assert shares.loc["b", "share"] == pytest.approx(1 / 6)
    assert shares.loc["a × b", "share"] == pytest.approx(1 / 6) and shares.loc["a × b", "kind"] == "interaction"
    assert shares.loc["c", "share"] == pytest.approx(0, abs=1e-12)
    assert list(shares.index[:2]) == ["a", "b"] or list(shares.index[:2]) == ["a", "a × b"]


def test_summary_curve_and_paper_sign(toy):
    table = engine.run(toy, progress=False)
    spec = universes.load(toy)
    data = specification.curve(spec, table, "value_pooled")
    assert list(data["rank"]) == list(range(48)) and data.estimate.is_monotonic_increasing
    published = {"items": [{"model": "pooled", "term": "value", "estimate": -1.0}]}
    s = specification.summary(spec, table, "value_pooled", published)
    assert s["paper_sign"] == -1 and s["share_paper_sign"] == pytest.approx((data.estimate < 0).mean())
    assert s["share_significant"] == pytest.approx((data.p_value < 0.05).mean())
    assert specification.summary(spec, table, "value_fe")["paper_sign"] is None
    shares = specification.importance(spec, table, "value_pooled")
    assert set(shares.term) >= set(spec.decisions) and shares.share.between(0, 1).all()
    errors = shares.set_index("term").loc["errors", "share"]
    assert errors == pytest.approx(0, abs=1e-9)  # standard errors do not move the estimate


def test_permuting_histories_moves_whole_blocks():
    frame = pd.DataFrame({"unit": np.repeat(["a", "b", "c"], 3), "year": np.tile([1, 2, 3], 3),
                          "x": [1, 2, 3, 10, 20, 30, 100, 200, 300], "y": range(9)})
    out = specification.permute_histories(frame, "x", "unit", "year", seed=3)
    histories = {tuple(g.x) for _, g in out.groupby("unit")}
    assert histories == {(1, 2, 3), (10, 20, 30), (100, 200, 300)}
    assert out.y.tolist() == frame.y.tolist() and out.unit.tolist() == frame.unit.tolist()
    assert not out.x.equals(frame.x)  # this seed moves the histories
    ragged = frame.iloc[:-1]  # unit c has no year 3: its borrower gets a missing value there
    assert specification.permute_histories(ragged, "x", "unit", "year", seed=3).x.isna().sum() <= 1


def test_the_null_test_separates_a_real_effect_from_permuted_histories(toy):
    """Firm value drives investment in Grunfeld's data; with firm histories of value permuted the
    curve's median sits near zero, so the observed curve is far outside the null distribution."""
    edit(toy, lambda raw: raw["multiverse"].update(vary={"capital": None, "drop_firm": None}, exclude=[]))
    table = engine.run(toy, progress=False)
    spec = universes.load(toy)
    draws = [specification.null_perturbation("value", "firm", "year", seed=k) for k in range(19)]
    test = specification.null_test(spec, table, "value_pooled", draws, progress=False)
    assert test["draws"] == 19 and test["direction"] == 1
    assert test["p_median"] == pytest.approx(1 / 20) and test["p_share_significant"] <= 0.1
    null_medians = test["table"]["median"]
    assert null_medians.abs().median() < test["observed"]["median"] / 2
    assert (test["table"].estimated == 6).all()


# --- the page and its explorer --------------------------------------------------------------------

def test_explorer_data_and_page_section(toy, monkeypatch):
    from ratify.variants import explorer, multiverse_page

    table = engine.run(toy, progress=False)
    spec = universes.load(toy)
    data = explorer.explorer_data(spec, table)
    assert len(data["choices"]) == 48 and [d["name"] for d in data["decisions"]] == spec.decisions
    assert data["decisions"][1] == {"name": "outcome", "help": "investment in millions of dollars, or its log",
                                    "values": ["level", "log"], "labels": ["level", "log"], "default": "level"}
    first = data["estimates"]["value_pooled"][0]
    pooled = table[table.quantity == "value_pooled"].set_index("index")
    assert first == [pytest.approx(pooled.loc[0, c], rel=1e-3) for c in ("estimate", "conf_low", "conf_high", "p_value")]
    html = explorer.explorer_html(data, "mv-test")
    assert 'id="mv-test"' in html and "select data-decision=\"outcome\"" in html and "http" not in html.replace(
        "http://www.w3.org/2000/svg", "")  # no CDN, nothing fetched
    shown = []
    monkeypatch.setattr(multiverse_page, "display", shown.append)
    multiverse_page.show(load(toy))
    kinds = [type(x).__name__ for x in shown]
    assert kinds == ["Markdown", "Markdown", "Markdown", "Figure", "Markdown", "Figure", "Markdown", "HTML",
                     "Markdown", "HTML"]
    assert "48 universes, every combination of 5 decisions" in shown[0].data
    assert "24 ruled out where outcome = 'log' and first_year >= 1940" in shown[1].data
    assert "no published sign to compare with" in shown[4].data


def test_page_says_when_the_multiverse_is_absent(toy, monkeypatch):
    from ratify.variants import multiverse_page

    shown = []
    monkeypatch.setattr(multiverse_page, "display", shown.append)
    multiverse_page.show(load(toy))
    assert "No stored multiverse results" in shown[-1].data and "ratify multiverse toy-chapter --jobs 2" in shown[-1].data


# --- a study with a Design: the notebook's parameters cell and the variant runner ------------------

def test_the_parameters_block_is_the_designs_and_sync_rewrites_it(toy):
    assert check_defaults(load(toy)) == []
    spec_file = toy / "variants.yaml"
    spec_file.write_text(spec_file.read_text().replace("help: investment in millions", "help: investment in billions"))
    assert "not the one grunfeld_study:Design generates (differs in ['outcome'])" in check_defaults(load(toy))[0]
    result = cli.invoke(app, ["variants", str(toy), "--sync"])
    assert result.exit_code == 0 and "rewritten from the Design" in result.output
    assert check_defaults(load(toy)) == []
    assert (toy / "variants.yaml").read_text().startswith("# Fixture for tests/test_multiverse.py")  # comments kept


def test_the_runner_passes_design_changes_to_the_notebook(toy, tmp_path):
    from ratify.variants import runner

    import grunfeld_study

    row = runner.run_variant(str(toy), "log", str(tmp_path / "out"))
    assert row["status"] == "ok", row["error"]
    expected = grunfeld_study.fit_key_models(grunfeld_study.Design(outcome="log"))["pooled"].estimate("value")
    assert row["value_pooled_estimate"] == pytest.approx(expected)
    executed = json.loads((tmp_path / "out" / "toy-chapter" / "log" / "analysis.ipynb").read_text())
    injected = next(c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert "design_changes = {\"outcome\": \"log\"}" in "".join(injected["source"]).replace("'", '"')


# --- chapter 4, the first real client ----------------------------------------------------------------

def test_chapter_4_declares_a_multiverse_of_at_least_500_universes():
    spec = universes.load("04-soft-balancing")
    assert len(spec.universes()) >= 500 and len(spec.combinations()) > len(spec.universes())
    assert all(rule.why for rule in spec.rules)
    assert spec.fields()["ties"].model_only and "ties" in spec.decisions
    data_groups = {repr(u.design.data_choices()) for u in spec.universes()}
    assert len(data_groups) == len(spec.universes()) // 2  # each data group serves both ways of handling ties


def test_chapter_4_fit_key_models_refuses_an_unknown_model_before_building_data():
    from ratify.studies import soft_balancing as sb

    with pytest.raises(KeyError, match=r"no Table 2 model 'ls_un_al'; the models are \['ls_oas', 'ls_un_all'"):
        sb.fit_key_models(sb.Design(), ["ls_un_al"])
    assert sb.Design.from_changes({"ties": "efron"}).data_choices() == sb.Design()


def test_list_valued_decisions_are_matched_as_stored_and_labelled_by_set():
    """Chapter 1 varies a list (its sample rules): the explorer and the curve's panel must find every
    stored universe's value (stored as JSON text), and label the long lists briefly."""
    chapter = load(Path(__file__).parents[1] / "book" / "chapters" / "01-bargaining-power")
    spec, results = universes.load(chapter), engine.stored(chapter)
    assert results is not None
    assert universes.value_key(("a", "b")) == '["a", "b"]' and universes.value_key(True) == "True"
    labels = universes.value_labels(spec.vary["sample_rules"])
    assert list(labels.values()) == [f"set {i} ({len(v)} items)" for i, v in enumerate(spec.vary["sample_rules"], 1)]
    assert set(results.sample_rules) == set(labels)  # every stored value is one of the declared keys
    from ratify.variants import explorer

    data = explorer.explorer_data(spec, results)
    for i, decision in enumerate(data["decisions"]):
        picked = [c[i] for c in data["choices"]]
        assert min(picked) >= 0 and len(set(picked)) == len(decision["values"]), decision["name"]
