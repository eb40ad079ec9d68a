"""Run the app under uvicorn the way an operator needs: proxy headers only from trusted proxies,
idle and slow connections closed, SIGHUP to reload, and on SIGTERM a drain (/readyz 503 while
requests are still answered), then a graceful stop that lets in-flight requests finish."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from types import FrameType
from typing import Any

import uvicorn
from fastapi import FastAPI

from casebook.service.reload import Reloader
from casebook.service.state import SearcherSlot
from casebook.service.wire import WireLimits, guarded_protocol
from casebook.service.wire import no_delay as no_delay  # where callers have found it
from casebook.settings import Settings

log = logging.getLogger("casebook.service")


class DrainingServer(uvicorn.Server):
    """First SIGTERM: mark the slot draining (so /readyz answers 503 and load balancers move
    away), keep serving for `drain_s`, then stop as uvicorn does: no new connections, in-flight
    requests finish. A second SIGTERM, or SIGINT, stops at once. SIGHUP asks for a reload.

    `index_first` (a worker of several, sharing one listening socket): take no connection until
    the first load of the index has ended, so that a worker started or restarted beside others
    that are serving never answers "index not ready" while they could answer."""

    def __init__(self, config: uvicorn.Config, *, slot: SearcherSlot, reloader: Reloader,
                 drain_s: float, index_first: bool = False) -> None:
        super().__init__(config)
        self.slot = slot
        self.reloader = reloader
        self.drain_s = drain_s
        self.index_first = index_first
        self._drain_timer: threading.Timer | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if self.index_first:
            # the app's start-up (which starts the first load) runs first, then this waits,
            # then uvicorn starts accepting on the sockets
            app_startup = self.lifespan.startup

            async def startup_then_index() -> None:
                await app_startup()
                await self._first_load_ended()

            self.lifespan.startup = startup_then_index
        await super().startup(sockets)

    async def _first_load_ended(self) -> None:
        """Until the slot holds a searcher or says why it does not (then /readyz explains, and
        the poll goes on looking for a build), or the server is told to stop."""
        while not (self.slot.ready or self.slot.failure is not None
                   or self.should_exit or self.slot.draining):
            await asyncio.sleep(0.02)
        if self.slot.draining and not self.slot.ready:
            self.should_exit = True  # told to stop before it ever served: nothing to drain

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig == signal.SIGTERM and not self.slot.draining and self.drain_s > 0:
            log.info("SIGTERM: draining for %.1fs, then stopping", self.drain_s)
            self.slot.draining = True
            self._drain_timer = threading.Timer(self.drain_s, self._stop)
            self._drain_timer.daemon = True
            self._drain_timer.start()
            return
        self.slot.draining = True
        if self._drain_timer is not None:
            self._drain_timer.cancel()
        super().handle_exit(sig, frame)

    def _stop(self) -> None:
        self.should_exit = True

    def install_signal_handlers(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, lambda *_: self.reloader.request())


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn settings that follow from ours (tested without starting a server)."""
    return {
        "host": settings.host,
        "port": settings.port,
        # uvicorn would trust X-Forwarded-For from 127.0.0.1 by default; the app applies
        # CASEBOOK_TRUSTED_PROXIES itself, so uvicorn must not rewrite the client first
        "proxy_headers": False,
        "timeout_keep_alive": settings.keep_alive_s,
        "timeout_graceful_shutdown": settings.shutdown_timeout_s or None,
        # httptools, with header deadline and size, blank-line and per-client connection limits
        "http": guarded_protocol(WireLimits.of(settings)),
        "access_log": False,  # ours is JSON and leaves out query strings
        "log_level": "info",
        "lifespan": "on",
    }


def serve(app: FastAPI, settings: Settings, *, sockets: list[socket.socket] | None = None,
          index_first: bool = False) -> None:
    """Run until SIGTERM or SIGINT (after the drain); blocks. `sockets`: listen on these (a
    worker's share of the supervisor's socket) instead of binding HOST:PORT."""
    config = uvicorn.Config(app, **uvicorn_options(settings))
    server = DrainingServer(config, slot=app.state.slot, reloader=app.state.reloader,
                            drain_s=settings.drain_s, index_first=index_first)
    server.install_signal_handlers()
    server.run(sockets)

