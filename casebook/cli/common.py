"""What every subcommand shares: settings, error reporting, JSON output."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import ValidationError

from casebook.errors import BadQuery, CasebookError, NotFound
from casebook.settings import Settings

EXIT_USAGE = 2
EXIT_FAILED = 1


def load_settings(**overrides: Any) -> Settings:
    """Settings from CASEBOOK_* variables, with command-line values on top."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from exc


@contextmanager
def reported() -> Iterator[None]:
    """Turn Casebook errors into a message on stderr and a non-zero exit, without a traceback."""
    try:
        yield
    except CasebookError as exc:
        typer.secho(f"Error: {exc.message}", err=True, fg=typer.colors.RED)
        if exc.hint:
            typer.echo(exc.hint, err=True)
        raise typer.Exit(EXIT_USAGE if isinstance(exc, (BadQuery, NotFound)) else EXIT_FAILED) from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
