"""REPLICATION.md is generated from the registry, the lockfile, the machine and the build's records."""

from __future__ import annotations

from ratify import data
from ratify.data.licences import redistribution
from ratify.replication import (PageRun, _caption, ci_system_packages, computational_requirements,
                                data_availability, hardware, random_number_use, runtime_tables)


def test_data_availability_has_a_row_per_source_with_licence_and_redistribution():
    text = data_availability()
    reg = data.registry()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(reg.sources)
    polity = next(r for r in rows if r.startswith("| `polity5`"))
    assert redistribution(reg.source_files("polity5")[0].licence) in polity
    assert "github.com/xmarquez/democracyData@29ea0a2" in polity and polity.endswith("| no |")
    none_stated = [s for s in reg.sources if reg.source_files(s)[0].licence.startswith("none stated")]
    assert none_stated and all("unknown: no licence stated" in next(r for r in rows if f"`{s}`" in r)
                               for s in none_stated)


def test_hardware_is_read_from_the_machine():
    hw = hardware()
    assert set(hw) == {"Processor", "Cores", "Memory", "Operating system", "Python"}
    assert int(hw["Cores"]) >= 1 and hw["Python"].startswith("3.11")


def test_computational_requirements_name_the_lock_and_the_ci_packages():
    text = computational_requirements()
    assert "`requirements.txt`" in text and "--require-hashes" in text and "jupyter-book 1." in text
    assert "r-cran-survival" in ci_system_packages() and "`chromium`" in text


def test_random_number_use_is_found_with_its_seed(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "a.md").write_text("rng = np.random.default_rng(42)\nother = np.random.default_rng()\n")
    assert random_number_use([tmp_path / "book"]) == [("book/a.md", "42"), ("book/a.md", None)]


def test_runtime_table_totals_each_chapter():
    runs = [PageRun("01-a", "chapters/01-a/index.md", 1.5, "2026-01-01 10:00", 1),
            PageRun("01-a", "chapters/01-a/02-models.md", 30.25, "2026-01-01 10:01", 2),
            PageRun("02-b", "chapters/02-b/01-data.md", 12.0, "2026-01-02 09:00", 3)]
    text = runtime_tables(runs)
    assert "| 01-a | 2 | 31.8 | 02-models.md | 2026-01-01 10:01 |" in text
    assert "| 02-b | 1 | 12.0 | 01-data.md | 2026-01-02 09:00 |" in text
    assert "**0.7 minutes** in all (3 pages" in text
    assert runtime_tables([]).startswith("No execution records yet")


def test_outputs_that_are_tables_or_figures():
    assert _caption({"image/png": "..."}) == ("Figure", "")
    assert _caption({"text/html": "<div><p class='ratify-caption'>Table 1 &amp; more</p><table></table></div>"}) \
        == ("Table", "Table 1 & more")
    assert _caption({"text/markdown": ":::{table} Every source\n:name: x\n\n| a |\n|---|\n| 1 |\n:::"}) \
        == ("Table", "Every source")
    assert _caption({"text/markdown": "Some prose with $x$."}) is None
    assert _caption({"text/plain": "0.5"}) is None
