"""Build the book, rerunning notebooks whenever what they read has changed.

myst-nb's execution cache is keyed on a notebook's code cells only. Our cells are
short calls into ``ratify``, so a new data registry or a library fix would otherwise
leave stale tables in the site. We fingerprint those inputs and drop the execution
cache when the fingerprint moves.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from .data.locations import PROJECT_ROOT

BOOK_DIR = PROJECT_ROOT / "book"


def input_files(book: Path = BOOK_DIR) -> list[Path]:
    """Files whose change must rerun every notebook: library code, registry, bibliography."""
    lib = sorted((PROJECT_ROOT / "lib" / "ratify").rglob("*.py"))
    return lib + [PROJECT_ROOT / "data" / "sources.toml", book / "references.bib"]


def fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<absent>")
    return digest.hexdigest()


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
    """``jupyter-book build`` with warnings as errors; returns its exit code."""
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb if jb.exists() else "jupyter-book"), "build", str(book), "--keep-going"]
    if refresh_execution_cache(book):
        print("ratify book: library, registry or bibliography changed; rereading every page")
        cmd.append("--all")  # Sphinx would otherwise skip pages whose own source is unchanged
    if strict:
        cmd.append("--warningiserror")
    return subprocess.call(cmd)
