"""The `casebook` console script: registers each subcommand module."""

from __future__ import annotations

from typing import Annotated

import typer

from casebook import __version__
from casebook.cli import evaluate, index, ingest, query, serve
from casebook.cli.common import setup_logging

app = typer.Typer(
    help="Search and question answering over London's social prescribing case studies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(ingest.ingest)
app.add_typer(index.app, name="index")
app.command()(serve.serve)
app.command()(query.search)
app.command()(query.ask)
app.command()(query.similar)
app.command("eval")(evaluate.evaluate)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"casebook {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    setup_logging(verbose)
