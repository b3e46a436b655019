"""The data-sources appendix: registry + bibliography -> one table a reader can use.

Provider and version come from the dataset's BibTeX entry (key = source id), licence,
coverage and caveats from the registry, so the appendix can never list a file that
the code does not actually read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pybtex.database import parse_file

from .registry import Registry


@dataclass(frozen=True)
class SourceSummary:
    source: str
    title: str
    provider: str
    version: str
    licence: str
    coverage: str
    n_files: int
    bytes: int


def summaries(registry: Registry, bibfile: Path | str) -> list[SourceSummary]:
    """One row per registered source; a source with no BibTeX entry is an error."""
    entries = parse_file(str(bibfile)).entries
    missing = [s for s in registry.sources if s not in entries]
    if missing:
        raise KeyError(f"{bibfile} has no entry for source(s) {missing}; add one keyed by the source id")
    out = []
    for source in registry.sources:
        files = registry.source_files(source)
        fields = entries[source].fields
        licences = sorted({f.licence for f in files})
        first = files[0]
        coverage = first.coverage if len(files) == 1 else (
            f"{len(files)} files; first ({first.file}): {first.coverage}")
        out.append(SourceSummary(
            source=source,
            title=_plain(fields.get("title", source)),
            provider=_plain(fields.get("publisher", "")),
            version=_plain(fields.get("version", "")),
            licence="; ".join(licences),
            coverage=coverage,
            n_files=len(files),
            bytes=sum(f.bytes for f in files),
        ))
    return out


def _plain(bibtex_text: str) -> str:
    """BibTeX field text without protective braces or escapes."""
    return bibtex_text.replace("{", "").replace("}", "").replace("\\&", "&").replace("\\%", "%")


def _cell(text: str) -> str:
    """Make text safe inside a Markdown pipe-table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def summary_markdown(rows: list[SourceSummary]) -> str:
    """A MyST table: dataset (with citation), provider, version and size, one row per source."""
    lines = [":::{table} Every registered data source: the dataset, who produced it, the version we read.",
             ":name: data-sources-summary", ":widths: auto", "",
             "| Source id | Dataset | Provider | Version | Files |",
             "|---|---|---|---|---|"]
    for r in rows:
        size = f"{r.n_files} ({r.bytes / 1024:,.0f} KiB)"
        lines.append(
            f"| `{r.source}` | {_cell(r.title)} {{cite:p}}`{r.source}` | {_cell(r.provider)} | "
            f"{_cell(r.version)} | {size} |")
    return "\n".join(lines + [":::"])


def source_label(source: str) -> str:
    """The MyST label of a source's block in the appendix: ``{ref}`polity5 <source-polity5>``` links to it."""
    return f"source-{source}"


def details_markdown(registry: Registry, row: SourceSummary) -> str:
    """A collapsible block per source: licence, coverage, then every file with its caveats.

    Each block carries the label :func:`source_label`, so a chapter's provenance line can link to it.
    """
    return (f"({source_label(row.source)})=\n:::{{dropdown}} `{row.source}` — {_cell(row.title)}\n"
            f"**Licence:** {_cell(row.licence)}  \n**Coverage:** {_cell(row.coverage)}\n\n"
            f"{files_markdown(registry, row.source)}\n:::")


def files_markdown(registry: Registry, source: str) -> str:
    """Every file of one source: pinned URL, SHA-256 prefix, size and the known caveats."""
    lines = []
    for f in registry.source_files(source):
        lines.append(f"- [`{f.file}`]({f.url}) — {f.bytes:,} bytes, sha256 `{f.sha256[:12]}…`, "
                     f"format {_cell(f.format)}. {_cell(f.coverage)}"
                     + (f"  \n  *Caveats:* {_cell(f.notes)}" if f.notes else ""))
    return "\n".join(lines)
