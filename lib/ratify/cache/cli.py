"""``ratify cache ...``: what the derived cache holds, and pruning it."""

from __future__ import annotations

from collections import defaultdict
from typing import Optional

import typer

from . import inventory
from .keys import derived_dir

app = typer.Typer(help="Show and prune the derived cache (built panels, risk sets, fits, parsed files).",
                  no_args_is_help=True)


def _mib(n: int) -> str:
    return f"{n / 2**20:,.1f} MiB"


def _age(days: float) -> str:
    return "today" if days < 1 else f"{days:,.0f} day{'s' if days >= 1.5 else ''} ago"


@app.command("status")
def status_cmd() -> None:
    """Entries per kind (cached function or parsed source), their size and last use; totals. Changes nothing."""
    items = inventory.items()
    entries = [i for i in items if i.category == "entry"]
    typer.echo(f"derived cache: {derived_dir()}")
    by_kind = defaultdict(list)
    for item in entries:
        by_kind[item.kind].append(item)
    if by_kind:
        width = max(len(k) for k in by_kind)
        typer.echo(f"{'kind':{width}}  {'entries':>7}  {'size':>11}  last used")
        for kind, group in sorted(by_kind.items()):
            typer.echo(f"{kind:{width}}  {len(group):7}  {_mib(sum(i.bytes for i in group)):>11}  "
                       f"{_age(min(i.age_days for i in group))}")
    typer.echo(f"total: {len(entries)} entries, {_mib(sum(i.bytes for i in entries))}")
    for category, note in (("old pickle", "an older format no longer read"),
                           ("temporary", "left by a process stopped while writing")):
        found = [i for i in items if i.category == category and inventory.is_stale(i)]
        if found:
            typer.echo(f"{len(found)} {category}{'s' if len(found) > 1 else ''} ({_mib(sum(i.bytes for i in found))}):"
                       f" {note}; `ratify cache clear` removes them")


@app.command("clear")
def clear_cmd(older_than: Optional[float] = typer.Option(
        None, "--older-than", min=0, help="Only entries not used for more than this many days.")) -> None:
    """Remove entries (all, or those unused for --older-than DAYS), old pickles and stale temporaries.

    Removed entries are rebuilt when next needed."""
    removed, kept = inventory.clear(older_than)
    typer.echo(f"removed {len(removed)} item(s), {_mib(sum(i.bytes for i in removed))}; "
               f"kept {sum(i.category == 'entry' for i in kept)} entries, {_mib(sum(i.bytes for i in kept))} "
               f"[{derived_dir()}]")
