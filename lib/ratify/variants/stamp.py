"""Are a chapter's stored variant results still what the code and data would give?

The book shows sweeps that were run earlier (``variants/results.csv``), so it must know
when they are out of date. A stamp written next to them records a SHA-256 of each input
that can change the numbers: the analysis notebook, ``variants.yaml`` (parameters and
variants), the data registry (every file's hash) and the ``ratify`` library. The page
compares the stamp with the inputs as they are now and names what moved.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
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
    modules that only present or run things (site, book, cli, the runner itself)."""
    used = {a or b for page in chapter.folder.glob("*.md")
            for a, b in STUDY_IMPORT.findall(page.read_text(encoding="utf-8"))}
    presentation = {library / "site.py", library / "book.py", library / "cli.py"}  # no numbers there
    return [p for p in sorted(library.rglob("*.py"))
            if (p.parent.name != "studies" or p.stem in used or p.stem == "__init__")
            and p.parent.name != "variants" and p not in presentation]


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


def write_stamp(chapter: Chapter, *, seconds: float, jobs: int, hashes: dict | None = None, **kwargs) -> Path:
    """Record the inputs the stored results were computed from (``hashes`` taken when the sweep
    started, so an edit made while it ran marks the results stale)."""
    hashes = hashes or input_hashes(chapter, **kwargs)
    path = store_dir(chapter) / STAMP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "sha256": combined(hashes), "inputs": hashes,
        "computed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "variants": [v.name for v in chapter.variants], "jobs": jobs, "seconds": round(seconds, 1),
    }, indent=2) + "\n", encoding="utf-8")
    return path


def read_stamp(chapter: Chapter) -> dict | None:
    path = store_dir(chapter) / STAMP_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def staleness(chapter: Chapter, **kwargs) -> dict:
    """``{"state": "fresh" | "stale" | "absent", "changed": [inputs that moved], "stamp": ...}``."""
    stamp = read_stamp(chapter)
    if stamp is None or not (store_dir(chapter) / RESULTS_FILE).exists():
        return {"state": "absent", "changed": [], "stamp": stamp}
    now = input_hashes(chapter, **kwargs)
    changed = [k for k, v in now.items() if stamp.get("inputs", {}).get(k) != v]
    return {"state": "stale" if changed else "fresh", "changed": changed, "stamp": stamp}
