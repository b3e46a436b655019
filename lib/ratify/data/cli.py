"""``ratify data ...``: fetch, status and verify for the registered files."""

from __future__ import annotations

from collections import Counter
from typing import List, Optional

import typer

from . import DataError, cache_dir, fetch, inspect, mirror_dir, registry

app = typer.Typer(help="Fetch and check the upstream data files (see data/sources.toml).",
                  no_args_is_help=True)

IDS = typer.Argument(None, help="Source ids (e.g. polity5) or source:file; default: every file.",
                     show_default=False)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def _select(ids):
    try:
        return registry().select(ids)
    except DataError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


@app.command("fetch")
def fetch_cmd(ids: Optional[List[str]] = IDS,
              quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")) -> None:
    """Copy from the mirror (RATIFY_DATA_MIRROR) or download, verify SHA-256, cache."""
    files = _select(ids)
    mirror = mirror_dir()
    where = f"mirror {mirror}" if mirror else "the network (RATIFY_DATA_MIRROR is not set)"
    typer.echo(f"Fetching {len(files)} file(s) into {cache_dir()} from {where}")
    try:
        fetch(files, progress=not quiet)
    except DataError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from None
    total = sum(f.bytes for f in files)
    typer.echo(f"OK: {len(files)} file(s), {_mib(total)} ({total:,} bytes), all SHA-256 verified.")


def _report(states, by_file: bool) -> Counter:
    counts = Counter(s.state for s in states)
    if by_file:
        for s in states:
            typer.echo(f"{s.state:8} {s.file.key}" + (f"  ({s.detail})" if s.detail else ""))
    else:
        per_source: dict[str, Counter] = {}
        for s in states:
            per_source.setdefault(s.file.source, Counter())[s.state] += 1
        typer.echo(f"{'source':32} {'files':>5} {'present':>7} {'missing':>7} {'corrupt':>7}")
        for source, c in per_source.items():
            typer.echo(f"{source:32} {sum(c.values()):5} {c['present']:7} {c['missing']:7} {c['corrupt']:7}")
        for s in states:
            if s.state == "corrupt":
                typer.echo(f"corrupt: {s.file.key} ({s.detail})")
    size = sum(s.file.bytes for s in states if s.state == "present")
    typer.echo(f"total: {len(states)} files; {counts['present']} present ({_mib(size)}), "
               f"{counts['missing']} missing, {counts['corrupt']} corrupt  [cache: {cache_dir()}]")
    return counts


@app.command("status")
def status_cmd(ids: Optional[List[str]] = IDS,
               files: bool = typer.Option(False, "--files", help="One line per file.")) -> None:
    """Present / missing / corrupt (by size) for each source, with totals. Changes nothing."""
    _report(inspect(_select(ids)), files)


@app.command("verify")
def verify_cmd(ids: Optional[List[str]] = IDS,
               files: bool = typer.Option(False, "--files", help="One line per file.")) -> None:
    """Re-hash every cached file; exit 1 if any is missing or corrupt."""
    counts = _report(inspect(_select(ids), rehash=True, progress=True), files)
    if counts["missing"] or counts["corrupt"]:
        typer.echo("Run `ratify data fetch` to replace missing or corrupt files.", err=True)
        raise typer.Exit(1)
