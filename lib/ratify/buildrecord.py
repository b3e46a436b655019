"""A record of every build's published estimates, so a change of data or code shows its effect.

After each book build, ``write_record`` keeps a copy of every ``results/*.json`` the notebooks
wrote (each model's estimates, as ``ratify.downloads.publish`` saved them) under
``book/_build/records/<build id>/``, with a ``manifest.json`` listing each file's SHA-256, the
commit and the input fingerprint the build ran from. ``diff_records`` compares two such records
estimate by estimate: ``ratify book diff OLD NEW``.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

MANIFEST = "manifest.json"
#: What is compared per model term, and per model.
TERM_FIELDS = ("estimate", "std_error")
MODEL_FIELDS = ("n", "events", "subjects")


def records_dir(book: Path) -> Path:
    return book / "_build" / "records"


def results_files(book: Path) -> list[Path]:
    """Every results/*.json under the book's pages (build output and records left out)."""
    return sorted(p for p in book.rglob("results/*.json") if "_build" not in p.relative_to(book).parts)


def _commit(folder: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10)
    except OSError:
        return None
    return out.stdout.strip() or None


def write_record(book: Path, inputs_sha256: str | None = None, now: datetime | None = None) -> Path:
    """Copy every results/*.json into a new record with its manifest; returns the record folder."""
    now = now or datetime.now(timezone.utc)
    base = records_dir(book) / now.strftime("%Y%m%dT%H%M%SZ")
    folder, n = base, 1
    while folder.exists():  # two builds within one second
        folder, n = base.with_name(f"{base.name}-{n}"), n + 1
    files = {}
    for path in results_files(book):
        rel = path.relative_to(book).as_posix()
        target = folder / "results" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        files[rel] = hashlib.sha256(target.read_bytes()).hexdigest()
    manifest = {"build": folder.name, "built": now.isoformat(timespec="seconds"), "commit": _commit(book),
                "inputs_sha256": inputs_sha256, "files": files}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


def list_records(book: Path) -> list[Path]:
    """Record folders, oldest first."""
    root = records_dir(book)
    return sorted(p for p in root.iterdir() if (p / MANIFEST).is_file()) if root.is_dir() else []


def find_record(book: Path, name: str) -> Path:
    """A record by build id (``20260101T120000Z``), by ``latest`` / ``previous``, or by folder path."""
    records = list_records(book)
    aliases = {"latest": records[-1:], "previous": records[-2:-1]}
    if name in aliases and aliases[name]:
        return aliases[name][0]
    for candidate in (Path(name), records_dir(book) / name):
        if (candidate / MANIFEST).is_file():
            return candidate
    have = ", ".join(p.name for p in records[-5:]) or "none yet (build the book first)"
    raise FileNotFoundError(f"no build record {name!r}; use a build id, `latest` or `previous`. "
                            f"Latest records: {have}")


@dataclass(frozen=True)
class Change:
    file: str
    model: str
    what: str          # "term estimate", "n", "model added", ...
    old: float | str | None
    new: float | str | None

    def describe(self) -> str:
        if self.old is None or self.new is None:
            return f"{self.file}: {self.what}"
        delta = (f" ({self.new - self.old:+.4g})" if isinstance(self.old, int | float)
                 and isinstance(self.new, int | float) else "")
        return f"{self.file}: {self.model}: {self.what} {_fmt(self.old)} -> {_fmt(self.new)}{delta}"


def _fmt(x) -> str:
    return f"{x:.6g}" if isinstance(x, float) else str(x)


def _differs(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return not math.isclose(a, b, rel_tol=0, abs_tol=0)  # any change in a published number counts
    return a != b


def _model_changes(rel: str, old: dict, new: dict) -> list[Change]:
    name = new.get("name", rel)
    out = [Change(rel, name, f, old.get(f), new.get(f)) for f in MODEL_FIELDS if _differs(old.get(f), new.get(f))]
    old_terms = {t["term"]: t for t in old.get("terms", [])}
    new_terms = {t["term"]: t for t in new.get("terms", [])}
    for term in [*old_terms, *[t for t in new_terms if t not in old_terms]]:
        if term not in new_terms or term not in old_terms:
            gone = "removed" if term not in new_terms else "added"
            out.append(Change(rel, name, f"{name} / {term}: term {gone}", None, None))
            continue
        out += [Change(rel, name, f"{term} {f}", old_terms[term].get(f), new_terms[term].get(f))
                for f in TERM_FIELDS if _differs(old_terms[term].get(f), new_terms[term].get(f))]
    return out


def diff_records(old: Path, new: Path) -> tuple[list[Change], int]:
    """Every changed published estimate between two records, and how many files were compared."""
    before = json.loads((old / MANIFEST).read_text())["files"]
    after = json.loads((new / MANIFEST).read_text())["files"]
    changes: list[Change] = []
    for rel in sorted(set(before) | set(after)):
        if rel not in after or rel not in before:
            changes.append(Change(rel, "", "model removed" if rel not in after else "model added", None, None))
        elif before[rel] != after[rel]:
            read = lambda folder: json.loads((folder / "results" / rel).read_text())  # noqa: E731
            old_model, new_model = read(old), read(new)
            if isinstance(old_model, dict) and isinstance(new_model, dict):
                changes += _model_changes(rel, old_model, new_model)
    return changes, len(set(before) | set(after))
