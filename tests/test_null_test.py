"""Inference under the null, declared in variants.yaml, run on the stored multiverse, stored and shown
(ratify.variants.null), on the toy Grunfeld study of tests/fixtures/multiverse-chapter."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import matplotlib
import pytest
import yaml
from typer.testing import CliRunner

from ratify.cli import app
from ratify.variants import multiverse as engine, null, specification, universes
from ratify.variants.universes import MultiverseError

matplotlib.use("Agg")

FIXTURE = Path(__file__).parent / "fixtures" / "multiverse-chapter"
SMALL = {"vary": {"capital": None, "drop_firm": None}, "exclude": []}  # 6 universes
NULL = {"quantity": "value_pooled", "column": "value", "unit": "firm", "time": "year", "draws": 19}


@pytest.fixture
def toy(tmp_path, monkeypatch):
    folder = tmp_path / "toy-chapter"
    shutil.copytree(FIXTURE, folder)
    monkeypatch.syspath_prepend(str(FIXTURE))
    monkeypatch.setenv("PYTHONPATH", ":".join([str(FIXTURE), *sys.path]))
    monkeypatch.setenv("RATIFY_NO_CACHE", "1")
    edit(folder, lambda raw: raw.update(multiverse=SMALL, null_test=dict(NULL)))
    return folder


def edit(folder: Path, change) -> None:
    raw = yaml.safe_load((folder / "variants.yaml").read_text())
    change(raw)
    (folder / "variants.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))


@pytest.mark.parametrize("change, message", [
    (lambda n: n.update(quantity="value_re"), r"quantity 'value_re' is not a key quantity"),
    (lambda n: n.pop("column"), r"needs 'column'"),
    (lambda n: n.update(draws=0), r"'draws' must be a whole number >= 1"),
    (lambda n: n.update(seed=3), r"unknown keys \['seed'\]"),
])
def test_a_bad_declaration_is_refused_before_anything_runs(toy, change, message):
    edit(toy, lambda raw: change(raw["null_test"]))
    with pytest.raises(MultiverseError, match=message):
        null.declared(universes.load(toy).chapter)


def test_the_stored_test_rejects_a_real_effect_and_goes_stale_with_the_multiverse(toy):
    engine.run(toy, progress=False)
    spec = universes.load(toy).chapter
    assert null.staleness(spec) == "absent"
    record = null.run(toy, progress=False)
    assert record["draws"] == 19 and record["universes"] == 6 and null.staleness(spec) == "fresh"
    assert record["p_median"] == pytest.approx(1 / 20)  # firm value drives investment in Grunfeld's data
    words = null.sentence(record, "Firm value", "coef")
    assert "distinguishable from no effect at the .05 level" in words and "not distinguishable" not in words
    edit(toy, lambda raw: raw["null_test"].update(draws=9))
    assert null.staleness(spec) == "stale"


def test_the_test_can_fail_to_reject_when_the_observed_curve_has_no_effect(toy):
    """Observed results computed on data where value's histories were already permuted: the curve is then
    one more draw from the null, and the test must not call it distinguishable from no effect."""
    multiverse = universes.load(toy)
    rows: list[dict] = []
    engine.evaluate_all(multiverse, multiverse.universes(), rows.extend, progress=False,
                        perturb=specification.null_perturbation("value", "firm", "year", seed=1000))
    import pandas as pd
    table = pd.DataFrame(rows)
    draws = [specification.null_perturbation("value", "firm", "year", seed=k) for k in range(19)]
    test = specification.null_test(multiverse, table, "value_pooled", draws, progress=False)
    assert test["p_median"] > 0.1 and test["p_share_significant"] > 0.1
    record = {**test, "universes": 6, "declaration": NULL, "table": test["table"].to_dict(orient="records")}
    assert "is not distinguishable from no effect" in null.sentence(record, "Firm value", "coef")


def test_cli_and_page_section(toy, monkeypatch):
    cli = CliRunner()
    missing = cli.invoke(app, ["null", str(toy), "--no-progress"])
    assert missing.exit_code == 2 and "no stored multiverse" in missing.output
    engine.run(toy, progress=False)
    done = cli.invoke(app, ["null", str(toy), "--draws", "4", "--no-progress"])
    assert done.exit_code == 0, done.output
    assert "4 draws on 6 universes" in done.output and null.result_path(universes.load(toy).chapter).exists()
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    null.show(universes.load(toy).chapter)
    text = " ".join(getattr(o, "data", "") for o in shown if isinstance(getattr(o, "data", None), str))
    assert "Inference under the null" in text and "p = " in text and "4 datasets" in text
