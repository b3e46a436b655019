"""``ratify data ...``: fetch, status and verify for the registered files."""

from __future__ import annotations

from collections import Counter
from typing import List, Optional

import typer

from . import DataError, cache_dir, fetch, inspect, mirror_dir, registry
from .fetch import STALE_TEMPORARY_S, remove_stale_temporaries, temporaries

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


def _clean(min_age_s: float) -> None:
    gone = remove_stale_temporaries(registry().files, min_age_s=min_age_s)
    if gone:
        typer.echo(f"removed {len(gone)} temporary file(s) left by interrupted fetches "
                   f"({_mib(sum(t.bytes for t in gone))})")


@app.command("fetch")
def fetch_cmd(ids: Optional[List[str]] = IDS,
              quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar.")) -> None:
    """Copy from the mirror (RATIFY_DATA_MIRROR) or download, verify SHA-256, cache."""
    files = _select(ids)
    mirror = mirror_dir()
    where = f"mirror {mirror}" if mirror else "the network (RATIFY_DATA_MIRROR is not set)"
    if mirror and not mirror.is_dir():
        typer.echo(f"warning: the mirror folder {mirror} (RATIFY_DATA_MIRROR) does not exist; is it misspelt? "
                   "Files will be downloaded from their URLs instead.", err=True)
        where = "the network"
    typer.echo(f"Fetching {len(files)} file(s) into {cache_dir()} from {where}")
    _clean(STALE_TEMPORARY_S)
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
    temps = temporaries(registry().files)
    stale = [t for t in temps if t.stale]
    if stale:
        typer.echo(f"{len(stale)} stale temporary file(s) ({_mib(sum(t.bytes for t in stale))}) left by interrupted "
                   "fetches: `ratify data clean` (or the next `ratify data fetch`) removes them")
        for t in stale:
            typer.echo(f"  {t.path}")
    if len(temps) > len(stale):
        typer.echo(f"{len(temps) - len(stale)} temporary file(s) written in the last "
                   f"{STALE_TEMPORARY_S // 60} minutes (a fetch may be running)")
    return counts


@app.command("status")
def status_cmd(ids: Optional[List[str]] = IDS,
               files: bool = typer.Option(False, "--files", help="One line per file.")) -> None:
    """Present / missing / corrupt (by size) for each source, with totals. Changes nothing."""
    _report(inspect(_select(ids)), files)


@app.command("verify")
def verify_cmd(ids: Optional[List[str]] = IDS,
               files: bool = typer.Option(False, "--files", help="One line per file.")) -> None:
    """Re-hash every cached file and every derived-cache entry; exit 1 if any is missing or corrupt."""
    from ..cache import inventory

    counts = _report(inspect(_select(ids), rehash=True, progress=True), files)
    damaged = inventory.verify(progress=True) if not ids else []
    if not ids:
        checked = sum(i.category == "entry" for i in inventory.items())
        typer.echo(f"derived cache: {checked} entries checked, {len(damaged)} damaged")
        for item, why in damaged:
            typer.echo(f"damaged: {item.path} ({why})")
    if counts["missing"] or counts["corrupt"]:
        typer.echo("Run `ratify data fetch` to replace missing or corrupt files.", err=True)
    if damaged:
        typer.echo("Damaged derived entries are rebuilt when next used; `ratify cache clear` removes them now.",
                   err=True)
    if counts["missing"] or counts["corrupt"] or damaged:
        raise typer.Exit(1)


@app.command("clean")
def clean_cmd(min_age: float = typer.Option(STALE_TEMPORARY_S / 60, "--min-age", min=0,
                                            help="Only temporaries untouched for this many minutes.")) -> None:
    """Remove temporary files that interrupted fetches left in the cache (verified files are kept)."""
    _clean(min_age * 60)
    typer.echo(f"no stale temporary files left [cache: {cache_dir()}]")
