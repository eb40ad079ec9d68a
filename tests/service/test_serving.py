"""How `casebook serve` configures uvicorn, and the order of a SIGTERM: drain, then stop."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from casebook.service.reload import Reloader
from casebook.service.serving import DrainingServer, no_delay, uvicorn_options
from casebook.service.state import SearcherSlot
from casebook.settings import Settings


def test_uvicorn_trusts_no_proxy_headers_and_closes_idle_connections(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path, keep_alive_s=3, shutdown_timeout_s=7,
                        trusted_proxies="10.0.0.1")
    options = uvicorn_options(settings)
    assert options["proxy_headers"] is False  # the app applies CASEBOOK_TRUSTED_PROXIES itself
    assert options["access_log"] is False
    assert options["timeout_keep_alive"] == 3
    assert options["timeout_graceful_shutdown"] == 7
    assert issubclass(options["http"], HttpToolsProtocol)


def test_sigterm_drains_first_then_stops(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path, reload_poll_s=0)
    slot = SearcherSlot()
    server = DrainingServer(uvicorn.Config(lambda *_: None), slot=slot,
                            reloader=Reloader(settings, slot), drain_s=0.3)
    server.handle_exit(signal.SIGTERM, None)
    assert slot.draining and not server.should_exit
    time.sleep(0.6)
    assert server.should_exit
    assert not server.force_exit


def test_a_second_sigterm_stops_at_once(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path, reload_poll_s=0)
    slot = SearcherSlot()
    server = DrainingServer(uvicorn.Config(lambda *_: None), slot=slot,
                            reloader=Reloader(settings, slot), drain_s=60)
    server.handle_exit(signal.SIGTERM, None)
    assert not server.should_exit
    server.handle_exit(signal.SIGTERM, None)
    assert server.should_exit


def test_connections_on_a_workers_socket_send_without_delay() -> None:
    """uvicorn's --workers socket has proto 0, on which asyncio leaves Nagle's algorithm on;
    `no_delay` turns it off (else each response body waited ~40 ms for a delayed ACK)."""
    async def accepted_options() -> tuple[int, int]:
        seen: list[int] = []

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                no_delay(transport)
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        listener = socket.socket(family=socket.AF_INET)  # as uvicorn's Config.bind_socket does
        listener.bind(("127.0.0.1", 0))
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        while len(seen) < 2:
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()
        return seen[0], seen[1]

    # a thread of its own: a session fixture (Playwright's) may hold this thread's event loop
    with ThreadPoolExecutor(1) as pool:
        before, after = pool.submit(asyncio.run, asyncio.wait_for(accepted_options(), 10)).result()
    assert before == 0 and after != 0
