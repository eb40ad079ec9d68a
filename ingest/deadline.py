"""A deadline for one HTTP request as a whole: connect, headers and body together.

httpx's timeouts bound each wait, not the sum: a server that sends a byte just inside the
read timeout, in its headers or its body, would hold a crawl for ever. At the deadline the
watchdog shuts the request's socket down, which wakes the blocked read at once.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import httpx


class Watchdog:
    """Use as `with Watchdog(deadline) as dog:`, passing `dog.extensions` to the request.

    `cut` is set once the deadline passed and the connection was shut down.
    """

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.cut = threading.Event()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(deadline - time.monotonic(), 0.0), self._fire)
        self._timer.daemon = True

    @property
    def extensions(self) -> dict[str, Any]:
        """httpx request extensions that report each new connection's socket to the watchdog."""
        return {"trace": self._trace}

    def watch(self, resp: httpx.Response) -> None:
        """Watch the connection a response came on (a reused one reports no new socket)."""
        self._add(resp.extensions.get("network_stream"))

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._timer.cancel()

    def _trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            self._add(info.get("return_value"))

    def _add(self, stream: Any) -> None:
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            late = self.cut.is_set()
        if late:
            _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.cut.set()
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the read it would wake has ended anyway
