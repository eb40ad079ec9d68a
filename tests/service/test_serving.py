"""How `casebook serve` configures uvicorn, and the order of a SIGTERM: drain, then stop."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from casebook.service.reload import Reloader
from casebook.service.serving import DrainingServer, uvicorn_options
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
    assert issubclass(options["http"], H11Protocol)


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
