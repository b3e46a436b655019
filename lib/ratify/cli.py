"""The ``ratify`` command line."""

from pathlib import Path

import typer

from . import book as _book
from .data.cli import app as data_app

app = typer.Typer(help="Ratification: the executable book's command line.", no_args_is_help=True)
app.add_typer(data_app, name="data")

book_app = typer.Typer(help="Build the Jupyter Book.", no_args_is_help=True)
app.add_typer(book_app, name="book")


@book_app.command("build")
def book_build(
    path: Path = typer.Option(_book.BOOK_DIR, "--book", help="The book's folder."),
    strict: bool = typer.Option(True, help="Treat warnings as errors."),
) -> None:
    """Build book/_build/html, rerunning notebooks if lib/, the registry or the bibliography changed."""
    raise typer.Exit(_book.build(path, strict=strict))


@book_app.command("chapter")
def book_chapter(
    slug: str = typer.Argument(..., help="The chapter's folder under book/chapters/, e.g. 02-migrant-workers."),
    strict: bool = typer.Option(True, help="Treat warnings as errors."),
) -> None:
    """Build one chapter (with the intro and appendices) in its own temporary folder."""
    raise typer.Exit(_book.build_chapter(slug, strict=strict))


if __name__ == "__main__":  # pragma: no cover
    app()
