"""`casebook serve`: run the HTTP API and widget with uvicorn."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from casebook.cli.common import load_settings


def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind (CASEBOOK_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port to bind (CASEBOOK_PORT).")] = None,
) -> None:
    """Serve the API on http://HOST:PORT (docs at /docs); the index loads after start-up."""
    import uvicorn

    from casebook.service.app import create_app

    settings = load_settings(host=host, port=port)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
