"""`casebook serve`: run the HTTP API and widget with uvicorn."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Optional

import typer

from casebook.cli.common import load_settings


def _access_log_to_stderr() -> None:
    """The JSON access log, one object a line, whatever the CLI's log level."""
    access = logging.getLogger("casebook.access")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    logging.getLogger("casebook.service").setLevel(logging.INFO)


def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind (CASEBOOK_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to bind (CASEBOOK_PORT).")] = None,
    workers: Annotated[Optional[int], typer.Option(
        help="Processes to serve with (CASEBOOK_WORKERS); they share the index files, "
             "memory-mapped.")] = None,
) -> None:
    """Serve the API on http://HOST:PORT (docs at /docs); the index loads after start-up.

    SIGHUP (or POST /admin/reload) loads a new build without downtime; SIGTERM drains, then
    stops once in-flight requests finish. With --workers N, N processes share the index files."""
    settings = load_settings(host=host, port=port, workers=workers)
    _access_log_to_stderr()
    if settings.workers == 1:
        from casebook.service.preload import Preload

        # the index loads while the web stack below imports: ready sooner
        preload = Preload(settings)
        from casebook.service.app import create_app
        from casebook.service.serving import serve as run

        run(create_app(settings, preload=preload), settings)
    else:
        from casebook.service.serving import serve_workers

        serve_workers(settings)
