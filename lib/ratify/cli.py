"""The ``ratify`` command line."""

import typer

from .data.cli import app as data_app

app = typer.Typer(help="Ratification: the executable book's command line.", no_args_is_help=True)
app.add_typer(data_app, name="data")

if __name__ == "__main__":  # pragma: no cover
    app()
