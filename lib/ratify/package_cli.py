"""Commands about the book as a replication package: ``ratify cite`` and ``ratify book diff``.

Registered in ``cli.py``; kept here so the command line's other commands change independently.
"""

from __future__ import annotations

from pathlib import Path

import typer


def cite(
    chapter: str = typer.Argument(..., help="Chapter slug, e.g. 02-migrant-workers."),
    results: Path = typer.Option(None, "--results", help="A variant run's results folder "
                                 "(default: the chapter's results from the last book build)."),
) -> None:
    """Print BibTeX for CHAPTER's study and exactly the data sources its models used (and the book)."""
    from .cite import CitationError, chapter_citation

    try:
        typer.echo(chapter_citation(chapter, results), nl=False)
    except CitationError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


def book_diff(
    old: str = typer.Argument("previous", help="Build id (book/_build/records/), `previous`, or a record folder."),
    new: str = typer.Argument("latest", help="Build id, `latest`, or a record folder."),
    book: Path = typer.Option(None, "--book", help="The book's folder (default: book/)."),
) -> None:
    """List the published estimates that changed between two builds (every results/*.json, term by term)."""
    from .book import BOOK_DIR
    from .buildrecord import diff_records, find_record

    try:
        before, after = find_record(book or BOOK_DIR, old), find_record(book or BOOK_DIR, new)
    except FileNotFoundError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    changes, compared = diff_records(before, after)
    for change in changes:
        typer.echo(change.describe())
    files = len({c.file for c in changes})
    typer.echo(f"{before.name} -> {after.name}: {len(changes)} change(s) in {files} of {compared} result files"
               + ("" if changes else "; every published estimate is identical"))
