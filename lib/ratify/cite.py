"""What to cite for a chapter: the study it re-analyses and exactly the data its models used.

A chapter's data sources are not a list someone keeps: every model records the registered sources
of its frame (``ModelResult.sources``, written to ``results/*.json`` by ``ratify.downloads.publish``).
``chapter_citation`` reads those records from the last book build (``book/chapters/<slug>/results``)
or from a variant run's results folder, and prints BibTeX from the book's bibliography (the source
id is the BibTeX key of a dataset) with the registry's licence beside each source. The book itself
is cited from ``CITATION.cff``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pybtex.database import BibliographyData, Entry, Person, parse_file

from .data.licences import redistribution
from .data.locations import PROJECT_ROOT

BOOK_DIR = PROJECT_ROOT / "book"
CITATION_FILE = PROJECT_ROOT / "CITATION.cff"


class CitationError(Exception):
    """A chapter that cannot be cited yet (unknown, or not built); the message says what to run."""


def bibliography(book: Path = BOOK_DIR) -> dict[str, Entry]:
    """Every entry of the book's bibliography: references.bib, then each chapter's bib/<slug>.bib."""
    entries: dict[str, Entry] = {}
    for bib in [book / "references.bib", *sorted((book / "bib").glob("*.bib"))]:
        entries.update(parse_file(str(bib)).entries)
    return entries


def bibtex(key: str, entry: Entry) -> str:
    return BibliographyData({key: entry}).to_string("bibtex").strip()


def chapter_paper(slug: str, book: Path = BOOK_DIR) -> str:
    """BibTeX key of the chapter's study: ``paper:`` in published.yaml, else the first
    ``{cite:t}`` of the chapter's opening page (how every chapter introduces its study)."""
    folder = book / "chapters" / slug
    published = folder / "published.yaml"
    if published.exists() and (key := (yaml.safe_load(published.read_text()) or {}).get("paper")):
        return key
    found = re.search(r"\{cite:t\}`([^`,]+)`", (folder / "index.md").read_text(encoding="utf-8"))
    if not found:
        raise CitationError(f"{slug}: no `paper:` in published.yaml and no {{cite:t}} in index.md; "
                            "add `paper: <bibtex key>` to the chapter's published.yaml")
    return found.group(1)


@dataclass
class RecordedSources:
    """The sources a chapter's models recorded, in order of first use, and which models used each."""

    folder: Path
    models: list[str]
    used_by: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, dict[str, str]] = field(default_factory=dict)  # source -> {file: sha256}


def recorded_sources(results: Path) -> RecordedSources:
    """Read every model's ``sources`` from ``results/*.json`` (files without one are not models)."""
    record = RecordedSources(results, [])
    for path in sorted(results.glob("*.json")):
        model = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(model, dict) or "sources" not in model:
            continue
        record.models.append(model.get("name", path.stem))
        for item in model["sources"]:
            source = item["source"] if isinstance(item, dict) else str(item)
            users = record.used_by.setdefault(source, [])
            if record.models[-1] not in users:
                users.append(record.models[-1])
            if isinstance(item, dict) and item.get("file"):
                record.files.setdefault(source, {})[item["file"]] = item.get("sha256") or ""
    return record


def results_folder(slug: str, results: Path | None = None, book: Path = BOOK_DIR) -> Path:
    """Where the chapter's model records are; a clear error when the chapter was not built."""
    if not (book / "chapters" / slug / "index.md").exists():
        have = sorted(p.parent.name for p in (book / "chapters").glob("*/index.md"))
        raise CitationError(f"no chapter {slug!r}; chapters: {', '.join(have)}")
    folder = Path(results) if results else book / "chapters" / slug / "results"
    if not any(folder.glob("*.json")):
        how = ("run the variant again" if results else
               f"build the book first (`make book`, or `ratify book build`), which writes {folder}")
        raise CitationError(f"{slug} has no model results in {folder} (not built yet?); {how}")
    return folder


def book_entry(citation_file: Path = CITATION_FILE) -> tuple[str, Entry]:
    """The book as a BibTeX entry, from CITATION.cff (the one place its citation is kept)."""
    cff = yaml.safe_load(citation_file.read_text(encoding="utf-8"))
    people = [Person(f"{{{a['name']}}}") if "name" in a else Person(first=a.get("given-names", ""),
                                                                        last=a.get("family-names", ""))
              for a in cff["authors"]]
    fields = {"title": cff["title"], "version": str(cff.get("version", "")),
              "url": cff.get("repository-code", cff.get("url", "")), "note": "Executable book"}
    if cff.get("date-released"):
        fields["year"] = str(cff["date-released"])[:4]
    return "ratification", Entry("software", fields=fields, persons={"author": people})


def chapter_citation(slug: str, results: Path | None = None, book: Path = BOOK_DIR) -> str:
    """BibTeX for the chapter's study, each data source its models used, and the book."""
    from . import data

    folder = results_folder(slug, results, book)
    record = recorded_sources(folder)
    entries, registry = bibliography(book), data.registry()
    shown = folder.relative_to(book.parent) if folder.is_relative_to(book.parent) else folder
    where = f"the results of the variant run in {folder}" if results else f"the last book build ({shown})"
    paper = chapter_paper(slug, book)
    if paper not in entries:
        raise CitationError(f"{slug}: the study's key {paper!r} is not in book/references.bib "
                            "or book/bib/*.bib; add its entry there")
    out = [f"% ratify cite {slug}", "% The study this chapter re-analyses:", bibtex(paper, entries[paper]), ""]
    registered = [s for s in record.used_by if s in registry.sources]
    derived = [s for s in record.used_by if s not in registry.sources]
    out.append(f"% The data sources the chapter's models used: {len(registered)} registered source(s), "
               f"recorded by {len(record.models)} model(s) in {where}.")
    if not record.used_by:
        out.append("% (its models recorded no sources)")
    for source in registered:
        licence = "; ".join(sorted({f.licence for f in registry.source_files(source)}))
        files = ", ".join(f"{name} (sha256 {sha[:12]})" for name, sha in record.files.get(source, {}).items())
        out += [f"% {source}: used by {', '.join(record.used_by[source])}",
                f"%   licence: {licence}", f"%   redistributable: {redistribution(licence)}"]
        out += [f"%   files: {files}"] if files else []
        out += [bibtex(source, entries[source]) if source in entries else f"% (no BibTeX entry for {source})"]
    if derived:
        out.append("% Recorded but not registered sources (derived tables; cite the sources above): "
                   + ", ".join(f"{s!r} ({', '.join(record.used_by[s])})" for s in derived))
    key, entry = book_entry()
    out += ["", "% This book (CITATION.cff):", bibtex(key, entry)]
    return "\n".join(out) + "\n"
