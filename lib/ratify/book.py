"""Build the book, rerunning notebooks whenever what they read has changed.

myst-nb's execution cache is keyed on a notebook's code cells only. Our cells are
short calls into ``ratify``, so a new data registry or a library fix would otherwise
leave stale tables in the site. We fingerprint those inputs and drop the execution
cache when the fingerprint moves.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import sys
from pathlib import Path

from .cache import hash_files
from .data.locations import PROJECT_ROOT

BOOK_DIR = PROJECT_ROOT / "book"


def input_files(book: Path = BOOK_DIR) -> list[Path]:
    """Files whose change must rerun every notebook: library code, registry, bibliography."""
    lib = sorted((PROJECT_ROOT / "lib" / "ratify").rglob("*.py"))
    return lib + [PROJECT_ROOT / "data" / "sources.toml", book / "references.bib", *sorted((book / "bib").glob("*.bib"))]


def fingerprint(files: list[Path]) -> str:
    return hash_files(files)


def refresh_execution_cache(book: Path = BOOK_DIR) -> bool:
    """Delete the execution cache if the inputs changed since it was filled; True if deleted."""
    build = book / "_build"
    stamp = build / ".inputs-sha256"
    current = fingerprint(input_files(book))
    stale = not stamp.exists() or stamp.read_text().strip() != current
    if stale:
        shutil.rmtree(build / ".jupyter_cache", ignore_errors=True)
    build.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n")
    return stale


def build(book: Path = BOOK_DIR, strict: bool = True) -> int:
    """``jupyter-book build`` with warnings as errors; returns its exit code.

    After a build that succeeded: a record of every published estimate (``ratify book diff``), and,
    for the project's own book, ``REPLICATION.md`` regenerated from this build's execution records.
    """
    from .buildrecord import write_record

    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb if jb.exists() else "jupyter-book"), "build", str(book), "--keep-going"]
    if refresh_execution_cache(book):
        print("ratify book: library, registry or bibliography changed; rereading every page")
        cmd.append("--all")  # Sphinx would otherwise skip pages whose own source is unchanged
    if strict:
        cmd.append("--warningiserror")
    code = subprocess.call(cmd)
    if code == 0:
        inputs = (book / "_build" / ".inputs-sha256").read_text().strip()
        print(f"ratify book: build record (every results/*.json with its SHA-256) in {write_record(book, inputs)}")
        if book.resolve() == BOOK_DIR.resolve():
            from .replication import write_replication
            print(f"ratify book: wrote {write_replication(book)} from this build's execution records")
    return code


def chapter_entry(slug: str, book: Path = BOOK_DIR) -> dict:
    """The chapter's place in ``_toc.yml``: its ``index``, its numbered pages, then its robustness page."""
    folder = book / "chapters" / slug
    entry: dict = {"file": f"chapters/{slug}/index", "sections": []}
    if sorted(folder.glob("[0-9]*.md")):
        entry["sections"].append({"glob": f"chapters/{slug}/[0-9]*"})
    if (folder / "robustness.md").exists():
        entry["sections"].append({"file": f"chapters/{slug}/robustness"})
    if not entry["sections"]:
        del entry["sections"]
    return entry


def chapter_build_dir(slug: str) -> Path:
    """Where ``ratify book chapter <slug>`` builds (its notebooks write ``chapters/<slug>/results`` there)."""
    return Path(tempfile.gettempdir()) / f"ratify-chapter-{slug}"


def build_chapter(slug: str, book: Path = BOOK_DIR, strict: bool = True) -> int:
    """Build a small book of the intro, one chapter and the appendices, in a folder of its own.

    Authors check a chapter with this while others work on theirs: no shared ``_build``,
    and the folder's execution cache is kept between runs.
    """
    import yaml

    if not (book / "chapters" / slug / "index.md").exists():
        have = sorted(p.parent.name for p in (book / "chapters").glob("*/index.md"))
        raise SystemExit(f"no chapter {slug!r} (book/chapters/{slug}/index.md); chapters: {have}")
    dest = chapter_build_dir(slug)
    dest.mkdir(parents=True, exist_ok=True)
    # keep _build (the execution cache) and the files the cached notebooks wrote (results/),
    # which their download links point at; refresh everything else from the sources
    results, kept = dest / "chapters" / slug / "results", dest / "_build" / ".kept-results"
    shutil.rmtree(kept, ignore_errors=True)
    if results.is_dir():
        (dest / "_build").mkdir(exist_ok=True)
        shutil.move(results, kept)
    for item in dest.iterdir():
        if item.name != "_build":
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    shutil.copytree(book, dest, dirs_exist_ok=True,
                    ignore=lambda d, names: ["_build"] + (
                        [n for n in names if n != slug] if Path(d).name == "chapters" else []))
    if kept.is_dir() and not results.exists():
        shutil.move(kept, results)
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    toc["parts"] = [{"caption": "Chapter", "chapters": [chapter_entry(slug, book)]},
                    *[p for p in toc["parts"] if p.get("caption") == "Appendices"]]
    (dest / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    # the real front page links to every chapter; a one-chapter book gets a plain one
    (dest / f"{toc['root']}.md").write_text(f"# Ratification: {slug} built alone\n\nA check build of one chapter.\n")
    print(f"ratify book: building {slug} alone in {dest}")
    return build(dest, strict=strict)
