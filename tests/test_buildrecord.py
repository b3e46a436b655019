"""Each build keeps its published estimates; `ratify book diff` lists what changed between two builds."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from typer.testing import CliRunner

from ratify.buildrecord import MANIFEST, diff_records, find_record, list_records, write_record
from ratify.cli import app


def model(name: str, estimates: dict, n: int = 100) -> str:
    terms = [{"term": t, "estimate": e, "std_error": 0.1} for t, e in estimates.items()]
    return json.dumps({"name": name, "terms": terms, "n": n, "events": 10, "sources": []})


def make_book(tmp_path):
    results = tmp_path / "book" / "chapters" / "09-toy" / "results"
    results.mkdir(parents=True)
    (results / "m1.json").write_text(model("m1", {"x": 0.5, "z": -1.0}))
    (results / "m2.json").write_text(model("m2", {"x": 2.0}))
    return tmp_path / "book", results


def at(second: int) -> datetime:
    return datetime(2026, 1, 1, 12, 0, second, tzinfo=timezone.utc)


def test_a_record_lists_every_results_file_with_its_sha256(tmp_path):
    book, _ = make_book(tmp_path)
    (book / "_build" / "html" / "results").mkdir(parents=True)
    (book / "_build" / "html" / "results" / "copy.json").write_text("{}")  # build output: not recorded
    folder = write_record(book, inputs_sha256="f" * 64, now=at(0))
    manifest = json.loads((folder / MANIFEST).read_text())
    assert folder.name == "20260101T120000Z" and manifest["inputs_sha256"] == "f" * 64
    assert sorted(manifest["files"]) == ["chapters/09-toy/results/m1.json", "chapters/09-toy/results/m2.json"]
    assert all(len(sha) == 64 for sha in manifest["files"].values())
    assert write_record(book, now=at(0)).name == "20260101T120000Z-1"  # same second: a second record


def test_diff_lists_each_changed_estimate(tmp_path):
    book, results = make_book(tmp_path)
    first = write_record(book, now=at(0))
    (results / "m1.json").write_text(model("m1", {"x": 0.75, "w": 3.0}, n=98))  # z gone, w new
    (results / "m3.json").write_text(model("m3", {"x": 1.0}))
    second = write_record(book, now=at(1))
    changes, compared = diff_records(first, second)
    assert compared == 3
    assert [c.describe() for c in changes] == [
        "chapters/09-toy/results/m1.json: m1: n 100 -> 98 (-2)",
        "chapters/09-toy/results/m1.json: m1: x estimate 0.5 -> 0.75 (+0.25)",
        "chapters/09-toy/results/m1.json: m1 / z: term removed",
        "chapters/09-toy/results/m1.json: m1 / w: term added",
        "chapters/09-toy/results/m3.json: model added",
    ]
    assert diff_records(second, second)[0] == []


def test_records_are_found_by_id_alias_or_path(tmp_path):
    book, _ = make_book(tmp_path)
    first, second = write_record(book, now=at(0)), write_record(book, now=at(1))
    assert list_records(book) == [first, second]
    assert find_record(book, "latest") == second and find_record(book, "previous") == first
    assert find_record(book, first.name) == first and find_record(book, str(second)) == second


def test_book_diff_command(tmp_path):
    book, results = make_book(tmp_path)
    runner = CliRunner()
    none = runner.invoke(app, ["book", "diff", "--book", str(book)])
    assert none.exit_code == 2 and "no build record 'previous'" in none.output and "Traceback" not in none.output
    write_record(book, now=at(0))
    (results / "m2.json").write_text(model("m2", {"x": 2.5}))
    write_record(book, now=at(1))
    out = runner.invoke(app, ["book", "diff", "--book", str(book)])
    assert out.exit_code == 0, out.output
    assert "m2: x estimate 2 -> 2.5 (+0.5)" in out.output
    assert "20260101T120000Z -> 20260101T120001Z: 1 change(s) in 1 of 2 result files" in out.output
