"""REPLICATION.md: the replication README in the AEA Data Editor's template, written by the build.

Nothing in it is typed by hand. Data availability comes from the registry (``data/sources.toml``:
licence, pinned URLs, hashes) and the bibliography; computational requirements from the lockfile
and the machine that ran the build; runtimes, tables and figures from the execution records of
the last build (myst-nb's jupyter-cache in ``book/_build/.jupyter_cache``: one executed notebook
per page with its execution time). ``ratify book build`` writes it to the repository root after
each build, and the book shows the same text on its *Replication package* page (read after the
chapters, so their records are those of the current build).
"""

from __future__ import annotations

import html
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import lockfile
from .data.licences import redistribution
from .data.locations import PROJECT_ROOT

BOOK_DIR = PROJECT_ROOT / "book"
TARGET = PROJECT_ROOT / "REPLICATION.md"
CI_SCRIPT = PROJECT_ROOT / ".ci" / "run"
#: Packages named in the software requirements (all others are in the lockfile).
KEY_PACKAGES = ("jupyter-book", "myst-nb", "sphinx", "pandas", "numpy", "scipy", "statsmodels", "lifelines",
                "matplotlib", "sphinx-mathjax-offline")


def _cell(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows])


# --- the machine and the software ---------------------------------------------------------------

def hardware() -> dict[str, str]:
    """What the build ran on, read from the machine (Linux /proc; elsewhere what platform says)."""
    cpu, memory = platform.processor() or platform.machine(), "unknown"
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.exists() and (m := re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)):
        cpu = m.group(1).strip()
    if meminfo.exists() and (m := re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.M)):
        memory = f"{int(m.group(1)) / 2**20:.0f} GiB"
    return {"Processor": cpu, "Cores": str(os.cpu_count()), "Memory": memory,
            "Operating system": f"{platform.system()} {platform.release()} ({platform.machine()})",
            "Python": platform.python_version()}


def ci_system_packages(script: Path = CI_SCRIPT) -> list[str]:
    """The Debian packages CI installs for the tests (R as the second implementation, chromium)."""
    found = re.search(r'^DEB_PACKAGES="([^"]*)"', script.read_text(), re.M) if script.exists() else None
    return found.group(1).split() if found else []


def random_number_use(roots: list[Path]) -> list[tuple[str, str]]:
    """Every place code draws random numbers (paths relative to each root's parent), with its seed
    (``None`` if unseeded)."""
    pattern = re.compile(r"default_rng\((\d*)\)|random\.seed\((\d*)\)|random_state\s*=\s*(\d+)")
    out = []
    for root in roots:
        for path in sorted([*root.rglob("*.py"), *root.rglob("*.md")]):
            if "_build" in path.parts:
                continue
            for m in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
                seed = next((g for g in m.groups() if g), None)
                out.append((path.relative_to(root.parent).as_posix(), seed))
    return out


# --- the execution records of the last build ---------------------------------------------------

@dataclass(frozen=True)
class PageRun:
    chapter: str
    page: str           # path relative to the book, e.g. chapters/02-migrant-workers/02-models.md
    seconds: float
    executed: str       # when the record was made (UTC, to the minute)
    pk: int


def page_runs(book: Path = BOOK_DIR) -> list[PageRun]:
    """One record per chapter page that the last build executed (or reused from the cache)."""
    from jupyter_cache import get_cache

    folder = book / "_build" / ".jupyter_cache"
    if not folder.is_dir():
        return []
    chapters = (book / "chapters").resolve()
    runs = []
    for record in get_cache(str(folder)).list_cache_records():
        path = Path(record.uri)
        if not path.exists() or not path.resolve().is_relative_to(chapters):
            continue
        rel = path.resolve().relative_to(book.resolve()).as_posix()
        runs.append(PageRun(rel.split("/")[1], rel, float((record.data or {}).get("execution_seconds", 0.0)),
                            record.created.strftime("%Y-%m-%d %H:%M"), record.pk))
    return sorted(runs, key=lambda r: _page_order(r.page))


def _page_order(page: str) -> tuple:
    """Chapter, then its opening page, its numbered pages, then the rest (as the table of contents)."""
    chapter, name = page.split("/")[1], page.split("/")[-1]
    return chapter, 0 if name == "index.md" else 1 if name[:1].isdigit() else 2, name


@dataclass(frozen=True)
class Exhibit:
    kind: str           # "Figure" or "Table"
    label: str          # caption or name
    page: str
    cell: int           # the code cell's execution count (as the executed notebook shows it)


def _caption(data: dict) -> tuple[str, str] | None:
    """(kind, caption) when an output is a figure or a table."""
    if any(k.startswith("image/") for k in data):
        return "Figure", ""
    markup = data.get("text/html", "")
    if isinstance(markup, list):
        markup = "".join(markup)
    if "<table" in markup:
        m = re.search(r"<caption[^>]*>(.*?)</caption>|class='ratify-caption'>(.*?)</p>", markup, re.S)
        text = next((g for g in m.groups() if g), "") if m else ""
        return "Table", html.unescape(re.sub(r"<[^>]+>", "", text))
    md = data.get("text/markdown", "")
    if isinstance(md, list):
        md = "".join(md)
    if (m := re.search(r"^[:`]{3,}\{table\}\s*(.*)$", md, re.M)):
        return "Table", m.group(1).strip()
    if re.search(r"^\|.*\|\s*\n\|[-:| ]+\|\s*$", md, re.M):
        return "Table", ""
    return None


def exhibits(book: Path = BOOK_DIR, runs: list[PageRun] | None = None) -> list[Exhibit]:
    """Every figure and table the chapters' cells produce, from the executed notebooks."""
    from jupyter_cache import get_cache

    runs = page_runs(book) if runs is None else runs
    if not runs:
        return []
    cache, out = get_cache(str(book / "_build" / ".jupyter_cache")), []
    for run in runs:
        nb = cache.get_cache_bundle(run.pk).nb
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        for number, cell in enumerate(code_cells, start=1):
            figure = (cell.metadata.get("mystnb") or {}).get("figure") or {}
            for output in cell.get("outputs", []):
                found = _caption(output.get("data", {}))
                if not found:
                    continue
                kind, caption = found
                glued = (output.get("metadata") or {}).get("scrapbook", {}).get("name")
                label = (figure.get("caption") or figure.get("name") if kind == "Figure" else caption) or ""
                label = label or (f"glued as `{glued}`" if glued else "(no caption)")
                out.append(Exhibit(kind, label, run.page, cell.get("execution_count") or number))
    return out


# --- the sections ------------------------------------------------------------------------------------

def _where(urls: list[str]) -> str:
    """Pinned repositories of a source's files: ``github.com/owner/repo@commit`` (one per repository)."""
    repos = []
    for url in urls:
        parts = urlsplit(url).path.strip("/").split("/")
        repo = f"github.com/{parts[0]}/{parts[1]}@{parts[2][:7]}" if len(parts) > 3 else url
        if repo not in repos:
            repos.append(repo)
    return ", ".join(repos)


def data_availability(book: Path = BOOK_DIR) -> str:
    """Per source: the dataset, its licence, whether it may be redistributed, where to get it."""
    from . import data
    from .cite import bibliography

    registry, entries = data.registry(), bibliography(book)
    rows, counts = [], {}
    for source in registry.sources:
        files = registry.source_files(source)
        licence = "; ".join(sorted({f.licence for f in files}))
        verdict = redistribution(licence)
        counts[verdict.split(":")[0].split(",")[0]] = counts.get(verdict.split(":")[0].split(",")[0], 0) + 1
        title = entries[source].fields.get("title", source) if source in entries else source
        where = f"{len(files)} file(s) at {_where([f.url for f in files])}"
        rows.append([f"`{source}`", title.replace("{", "").replace("}", ""), licence, verdict, where, "no"])
    size = sum(f.bytes for f in registry.files) / 2**20
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    return (f"All data are public. The package contains none of them: `ratify data fetch` downloads each of the "
            f"**{len(registry.files)} files** of the **{len(registry.sources)} sources** ({size:,.1f} MiB) from "
            f"its commit-pinned URL and refuses any file whose SHA-256 differs from the registry "
            f"(`data/sources.toml`, which lists every file with its URL, hash, coverage and caveats).\n\n"
            f"Redistribution, as read from each licence (`ratify.data.licences`): {summary}. "
            f"Where the registry states no licence, we say so; those files are fetched from their public "
            f"location and are not redistributed here.\n\n"
            + _table(["Source", "Dataset", "Licence (as stated)", "Redistributable", "Where to get it",
                      "Provided here"], rows))


def computational_requirements(book: Path = BOOK_DIR) -> str:
    """Software (the lockfile), randomness, hardware of this build, and storage."""
    lock = lockfile.LOCKFILE
    pins = lockfile.pins(lock.read_text()) if lock.exists() else {}
    key = [f"{name} {pins[name][0][0]}" for name in KEY_PACKAGES if name in pins]
    seeds = random_number_use([book, PROJECT_ROOT / "lib"])
    randomness = ("No code draws random numbers." if not seeds else
                  "Random numbers are drawn with fixed seeds: " + "; ".join(
                      f"`{path}` (seed {seed})" if seed else f"`{path}` (NO SEED)" for path, seed in seeds) + ".")
    hw = hardware()
    system = ci_system_packages()
    return "\n".join([
        "### Software requirements", "",
        f"- Python {'.'.join(hw['Python'].split('.')[:2])} and the packages pinned, with their SHA-256 hashes, in "
        f"`{lock.name}` ({sum(len(v) for v in pins.values())} pins; generated from `pyproject.toml` by `make lock`). "
        f"`make install` installs exactly these versions (`pip install --require-hashes`); Binder installs the "
        f"same file through `environment.yml`. Among them: {', '.join(key)}.",
        "- The test suite also uses these Debian packages (installed by `.ci/run`): "
        + (", ".join(f"`{p}`" for p in system) or "none") + ". R is the second implementation the model "
        "tests compare against; chromium drives the browser test of the site.",
        "", "### Controlled randomness", "", randomness,
        "", "### Memory, runtime and storage", "",
        "Hardware of the machine that ran the last build (read from the machine by the build):", "",
        _table(["Component", "Value"], [[k, v] for k, v in hw.items()]),
    ])


def runtime_tables(runs: list[PageRun]) -> str:
    """Execution time per chapter (and per page) from the execution records of the last build."""
    if not runs:
        return "No execution records yet: build the book (`make book`) to fill this section."
    chapters: dict[str, list[PageRun]] = {}
    for run in runs:
        chapters.setdefault(run.chapter, []).append(run)
    rows = [[c, len(rs), f"{sum(r.seconds for r in rs):.1f}",
             max(rs, key=lambda r: r.seconds).page.split("/")[-1], max(r.executed for r in rs)]
            for c, rs in chapters.items()]
    total = sum(r.seconds for r in runs)
    return "\n\n".join([
        f"Executing the chapters' notebooks took **{total / 60:.1f} minutes** in all ({len(runs)} pages; "
        f"times are jupyter-cache's execution records, kernel time only, with the data already fetched and "
        f"verified). Pages unchanged since an earlier build are served from that build's record, whose "
        f"date is shown.",
        _table(["Chapter", "Pages", "Seconds", "Slowest page", "Last executed (UTC)"], rows),
        _table(["Page", "Seconds", "Executed (UTC)"],
               [[f"`{r.page}`", f"{r.seconds:.1f}", r.executed] for r in runs]),
    ])


def exhibit_table(items: list[Exhibit]) -> str:
    if not items:
        return "No execution records yet: build the book (`make book`) to fill this section."
    rows = [[e.kind, e.label, f"`{e.page}`", e.cell] for e in items]
    figures, tables = sum(e.kind == "Figure" for e in items), sum(e.kind == "Table" for e in items)
    return (f"{figures} figures and {tables} tables. *Cell* is the code cell's number in the executed notebook "
            f"(the `.ipynb` each page offers for download; the `.md` page is its source).\n\n"
            + _table(["Exhibit", "Caption", "Notebook", "Cell"], rows))


def replication_markdown(book: Path = BOOK_DIR, heading: str = "#") -> str:
    """The whole replication README (``heading`` is the level of its title)."""
    runs = page_runs(book)
    h2 = heading + "#"
    return "\n".join([
        f"{heading} Replication package: *Ratification*", "",
        "This file follows the template README of the AEA Data Editor (social-science-data-editors). It is "
        "generated by `ratify book build` from the data registry, the lockfile, the machine and the execution "
        "records of the last build; do not edit it by hand.", "",
        f"{h2} Overview", "",
        "Five re-analyses of published studies of treaty ratification, one chapter each, written as executable "
        "notebooks (MyST Markdown) of a Jupyter Book. The library `lib/ratify/` reads the data, builds the panels "
        "and fits the models; the notebooks call it. `make book` installs the pinned environment, fetches and "
        "verifies the data and builds the site (`book/_build/html`), executing every notebook; `make test` runs "
        "the test suite. Licences: code MIT (`LICENSE`), text CC BY 4.0 (`LICENSE-TEXT.md`), data their "
        "providers' (below). Citation: `CITATION.cff`; `ratify cite CHAPTER` prints a chapter's study and data "
        "sources as BibTeX.", "",
        f"{h2} Data availability and provenance statements", "",
        data_availability(book), "",
        f"{h2} Computational requirements", "",
        computational_requirements(book), "",
        "Runtime:", "",
        runtime_tables(runs), "",
        f"{h2} Description of programs", "",
        "- `lib/ratify/`: the library (data registry and fetching, readers, panels, models, tables, figures).",
        "- `book/chapters/<chapter>/*.md`: the notebooks; each chapter's analysis notebook and its parameters "
        "are named in its `variants.yaml`.",
        "- `data/sources.toml`: the registry of every data file (URL pinned to a commit, SHA-256, licence).",
        "- `tests/`: the test suite (`make test`), including the model comparisons with R and the browser "
        "test of the built site.", "",
        f"{h2} Instructions to replicators", "",
        "1. With Python 3.11 and `make`: `make book` (install `requirements.txt` into `.venv`, fetch and verify "
        "every data file, build the site with every notebook executed), then `make test`.",
        "2. Without network, point `RATIFY_DATA_MIRROR` at a copy of the files laid out by URL; each is still "
        "checked against its SHA-256.",
        "3. Each build keeps a record of every published estimate (`book/_build/records/`); "
        "`ratify book diff previous latest` lists the estimates that changed between two builds.", "",
        f"{h2} List of tables and figures", "",
        exhibit_table(exhibits(book, runs)), "",
    ])


def write_replication(book: Path = BOOK_DIR, target: Path = TARGET) -> Path:
    target.write_text(replication_markdown(book), encoding="utf-8")
    return target
