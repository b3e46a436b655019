"""The book builds with zero warnings, and a cell error stops the build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ratify import data
from ratify.data.locations import PROJECT_ROOT

pytestmark = pytest.mark.book
BOOK = PROJECT_ROOT / "book"
RATIFY = str(Path(sys.executable).parent / "ratify")


def build(book: Path) -> subprocess.CompletedProcess:
    """Build as `make book` does: `ratify book build` (warnings are errors)."""
    return subprocess.run([RATIFY, "book", "build", "--book", str(book)],
                          capture_output=True, text=True, timeout=1800)


# `built_book` (the real book, built once per session) lives in conftest.py: tests/test_site.py
# checks the same build in a browser.


def test_book_builds_without_warnings(built_book):
    html, log = built_book
    assert (html / "intro.html").is_file()
    assert "WARNING" not in log and "ERROR" not in log, log[-4000:]


def test_data_sources_appendix_lists_every_registered_source(built_book):
    html, _ = built_book
    page = (html / "appendix" / "data-sources.html").read_text(encoding="utf-8")
    reg = data.registry()
    assert f"{len(reg.sources)} sources" in page and f"{len(reg.files)} files" in page
    missing = [s for s in reg.sources if f"<code class=\"docutils literal notranslate\"><span class=\"pre\">{s}</span></code>" not in page]
    assert missing == []
    assert "Center for Systemic Peace" in page  # provider column comes from the bibliography


def test_unmatched_names_page_lists_each_keyed_source(built_book):
    from ratify.reports import KEYED_READERS
    html, _ = built_book
    page = (html / "appendix" / "unmatched.html").read_text(encoding="utf-8")
    assert all(source in page for source, _ in KEYED_READERS)
    assert "WLD" in page  # the World Bank's "World" aggregate is reported, not silently dropped


def test_citations_resolve_to_the_bibliography(built_book):
    html, _ = built_book
    intro = (html / "intro.html").read_text(encoding="utf-8")
    assert 'href="appendix/bibliography.html#' in intro  # {cite:p} became a link
    bib = (html / "appendix" / "bibliography.html").read_text(encoding="utf-8")
    for needle in ("Bargaining power at the negotiation table", "Polity5", "Soft Balancing"):
        assert needle.lower() in bib.lower()


def test_a_cell_error_fails_the_build(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(BOOK / "_config.yml", book)
    shutil.copy(BOOK / "references.bib", book)
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: broken\n")
    (book / "intro.md").write_text("# Intro\n")
    (book / "broken.md").write_text(
        "---\njupytext:\n  text_representation:\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# Broken\n\n"
        "```{code-cell} ipython3\nraise RuntimeError('cell failed on purpose')\n```\n")
    proc = build(book)
    assert proc.returncode != 0
    assert "cell failed on purpose" in proc.stdout + proc.stderr


def test_execution_cache_is_dropped_when_inputs_change(tmp_path, monkeypatch):
    from ratify import book as book_mod

    bib = tmp_path / "references.bib"
    bib.write_text("@misc{a, title={A}}\n")
    monkeypatch.setattr(book_mod, "input_files", lambda book: [bib])
    cache = tmp_path / "_build" / ".jupyter_cache"
    assert book_mod.refresh_execution_cache(tmp_path) is True  # first build: nothing to keep
    cache.mkdir(parents=True)
    assert book_mod.refresh_execution_cache(tmp_path) is False and cache.exists()
    bib.write_text("@misc{a, title={B}}\n")
    assert book_mod.refresh_execution_cache(tmp_path) is True and not cache.exists()


# --- the replication package the build writes ------------------------------------------------------

def test_replication_md_is_in_step_with_the_build(built_book):
    """The build wrote REPLICATION.md from its own records; regenerating now gives the same text."""
    from ratify.replication import page_runs, replication_markdown

    html, log = built_book
    assert "REPLICATION.md from this build's execution records" in log
    assert (PROJECT_ROOT / "REPLICATION.md").read_text(encoding="utf-8") == replication_markdown(BOOK)
    chapters = sorted(p.name for p in (BOOK / "chapters").iterdir() if (p / "index.md").exists())
    assert sorted({run.chapter for run in page_runs(BOOK)}) == chapters  # a runtime row per chapter


def test_replication_page_shows_the_runtimes_and_every_exhibit(built_book):
    from ratify.replication import exhibits, page_runs

    html, _ = built_book
    page = (html / "reproducibility" / "replication.html").read_text(encoding="utf-8")
    runs = page_runs(BOOK)
    for chapter in {r.chapter for r in runs}:
        total = sum(r.seconds for r in runs if r.chapter == chapter)
        assert f"<td><p>{chapter}</p></td>" in page and f"<td><p>{total:.1f}</p></td>" in page
    items = exhibits(BOOK, runs)
    assert sum(e.kind == "Figure" for e in items) >= 10 and sum(e.kind == "Table" for e in items) >= 10
    assert f"{sum(e.kind == 'Figure' for e in items)} figures and" in page


def test_each_build_leaves_a_record_of_its_estimates(built_book):
    import json

    from ratify.buildrecord import list_records, results_files

    latest = list_records(BOOK)[-1]
    manifest = json.loads((latest / "manifest.json").read_text())
    assert sorted(manifest["files"]) == [p.relative_to(BOOK).as_posix() for p in results_files(BOOK)]
    assert len(manifest["files"]) >= 20


def test_how_to_cite_page_cites_each_chapter(built_book):
    import html as entities
    import re

    html, _ = built_book
    page = (html / "reproducibility" / "how-to-cite.html").read_text(encoding="utf-8")
    text = entities.unescape(re.sub(r"<[^>]+>", "", page))  # the BibTeX is syntax-highlighted
    for slug in sorted(p.name for p in (BOOK / "chapters").iterdir() if (p / "index.md").exists()):
        assert f"% ratify cite {slug}\n% The study this chapter re-analyses:\n@" in text
    assert "@article{westernlockhartmoney2019," in text and "@software{ratification," in text
