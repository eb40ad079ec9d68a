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
from pydantic_settings import SettingsError

from casebook.errors import BadQuery, CasebookError, NotFound
from casebook.settings import Settings

EXIT_USAGE = 2
EXIT_FAILED = 1


def describe_settings_error(exc: ValidationError | SettingsError) -> list[str]:
    """One line per problem, naming the CASEBOOK_* variable and what is wrong with it."""
    if isinstance(exc, SettingsError):
        return [str(exc).replace('field "', 'CASEBOOK_').replace('" from source', " from")]
    lines = []
    for err in exc.errors(include_url=False):
        loc = err.get("loc") or ()
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if loc:
            shown = repr(err.get("input"))
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            lines.append(f"CASEBOOK_{str(loc[0]).upper()}: {message} (got {shown}).")
        else:
            lines.append(f"Settings: {message}.")
    return lines


def load_settings(**overrides: Any) -> Settings:
    """Settings from CASEBOOK_* variables, with command-line values on top; a wrong value ends
    the command with one line per problem, never a traceback."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except (ValidationError, SettingsError) as exc:
        for line in describe_settings_error(exc):
            typer.secho(f"Error: {line}", err=True, fg=typer.colors.RED)
        typer.echo("Fix the environment variable (see docs/configuration.md).", err=True)
        raise typer.Exit(EXIT_USAGE) from None


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
