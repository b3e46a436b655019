"""What a chapter's stored variant results were computed from.

The book shows sweeps that were run earlier (``variants/results.csv``), so it must know
when they are out of date. The stamp written next to them (see :mod:`.stored`) records a
SHA-256 of each input that can change the numbers: the analysis notebook, ``variants.yaml``
(parameters and variants), the data registry (every file's hash) and the ``ratify`` library,
including the collector that turns a run's models into the table. The page compares the
stamp with the inputs as they are now and names what moved.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from ..cache import LIB
from ..cache import hash_files as _sha
from ..data.locations import registry_file
from .schema import SPEC_FILE, Chapter

STORE = "variants"
RESULTS_FILE = "results.csv"
STAMP_FILE = "stamp.json"


STUDY_IMPORT = re.compile(r"ratify\.studies(?:\.(\w+)|\s+import\s+(\w+))")


def library_files(chapter: Chapter, library: Path) -> list[Path]:
    """The library source a chapter's numbers depend on: everything except other chapters'
    study modules (``ratify.studies.<name>`` that no page of this chapter imports) and the
    modules that only present or run things (site, book, cli, the runner and the page). The
    collector counts: it decides which estimate lands in which column."""
    used = {a or b for page in chapter.folder.glob("*.md")
            for a, b in STUDY_IMPORT.findall(page.read_text(encoding="utf-8"))}
    presentation = {library / "site.py", library / "book.py", library / "cli.py"}  # no numbers there
    return [p for p in sorted(library.rglob("*.py"))
            if (p.parent.name != "studies" or p.stem in used or p.stem == "__init__")
            and (p.parent.name != "variants" or p.name == "collect.py") and p not in presentation]


def input_hashes(chapter: Chapter, registry: Path | None = None, library: Path | None = None) -> dict[str, str]:
    """SHA-256 of each input of a sweep: notebook, variants.yaml, data registry, library source."""
    library = library or LIB
    return {"notebook": _sha([chapter.notebook]),
            "variants": _sha([chapter.folder / SPEC_FILE]),
            "data": _sha([registry or registry_file()]),
            "library": _sha(library_files(chapter, library), root=library)}


def combined(hashes: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


def store_dir(chapter: Chapter) -> Path:
    return chapter.folder / STORE
