"""`casebook serve`: run the HTTP API and widget with uvicorn."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from typing import Annotated

import typer

from casebook.cli.common import load_settings
from casebook.service.workers import log_access_to_stderr  # light: no web stack

MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # glibc's mallopt parameter number


def _few_malloc_arenas() -> None:
    """At most MALLOC_ARENAS glibc malloc arenas, in this process and in --workers processes.

    glibc gives threads that allocate at once arenas of their own, up to 8 a core; the request
    threads' numpy buffers then fragment across 16 of them on 2 cores. Two kept about 15 MB
    less resident at 32 clients, at the same speed. The operator's MALLOC_ARENA_MAX wins; not
    glibc (musl, macOS): nothing to do.
    """
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return
    os.environ["MALLOC_ARENA_MAX"] = str(MALLOC_ARENAS)  # read by worker processes at start
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)  # this process has already started
    except (OSError, AttributeError):
        pass


def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (CASEBOOK_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (CASEBOOK_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Processes to serve with (CASEBOOK_WORKERS); they share the index files, "
             "memory-mapped.")] = None,
) -> None:
    """Serve the API on http://HOST:PORT (docs at /docs); the index loads after start-up.

    SIGHUP (or POST /admin/reload) loads a new build without downtime; SIGTERM drains, then
    stops once in-flight requests finish. With --workers N, N processes share the index files
    and one port, each takes connections once its index has loaded, and SIGHUP and SIGTERM to
    the supervisor reach them all."""
    # a reload asked for before the server can take it: what loads first is the current build
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    settings = load_settings(host=host, port=port, workers=workers)
    log_access_to_stderr()
    _few_malloc_arenas()  # before the threads that load and answer start
    if settings.workers == 1:
        from casebook.service.preload import Preload

        # the index loads while the web stack below imports: ready sooner
        preload = Preload(settings)
        from casebook.service.app import create_app
        from casebook.service.serving import serve as run

        run(create_app(settings, preload=preload), settings)
    else:
        from casebook.service.workers import serve_workers

        status = serve_workers(settings)
        if status:
            raise typer.Exit(status)
