"""Hostile clients for tests, on loopback only and bounded: stalled request bodies, a slowloris,
a CRLF drip, and a normal client whose latency is measured meanwhile. Attackers connect from
other loopback addresses (127.0.0.2 and up: Linux routes all of 127/8 to lo) so that per-client
limits tell them from the normal client on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

import httpx

QUESTIONS = ["How did others reach Muslim communities about vaccines?",
             "loneliness in older people", "gardening for mental health",
             "young people in Lambeth", "link workers in hospitals"]


def connect(port: int, source: str = "127.0.0.1", timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0))
    return sock


def stalled_body(port: int, source: str, path: str = "/v1/ask", length: int = 1000) -> socket.socket:
    """A POST whose headers promise `length` bytes of body that never come."""
    sock = connect(port, source)
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n").encode())
    return sock


def answer_of(sock: socket.socket, timeout: float) -> bytes:
    """What the server sent within `timeout` seconds (b"" if it closed without a word; None
    is never returned: a silent open connection gives b"" too, so check `is_open` as well)."""
    sock.settimeout(timeout)
    chunks: list[bytes] = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                break
    except (TimeoutError, ConnectionResetError):
        pass
    return b"".join(chunks)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


def status_of(data: bytes) -> int | None:
    if not data.startswith(b"HTTP/1."):
        return None
    return int(data.split(b" ", 2)[1])


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes the connection within `seconds` (whatever it sends first)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
        except OSError:
            return True
    return False


def is_open(sock: socket.socket) -> bool:
    """Whether the server still holds the connection open (no data, no FIN, no reset)."""
    sock.setblocking(False)
    try:
        data = sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)
    return bool(data)


@dataclass
class Slowloris:
    """`connections` connections from `source`, each sending its headers a byte every
    `interval` seconds and never finishing them; a connection the server closes is opened again,
    until stopped (at most `seconds`)."""

    port: int
    source: str
    connections: int = 32
    interval: float = 0.3
    seconds: float = 30.0
    opened: int = 0
    closed_by_server: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Slowloris:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _open(self) -> tuple[socket.socket, bytes] | None:
        try:
            sock = connect(self.port, self.source, timeout=2)
        except OSError:
            return None
        self.opened += 1
        return sock, b"GET /v1/search?q=vaccines HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 4000

    def _run(self) -> None:
        live: list[tuple[socket.socket, bytes]] = []
        deadline = time.monotonic() + self.seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            while len(live) < self.connections and not self._stop.is_set():
                opened = self._open()
                if opened is None:
                    break
                live.append(opened)
            kept = []
            for sock, rest in live:
                try:
                    sock.send(rest[:1])
                    kept.append((sock, rest[1:] or b"a"))
                except OSError:
                    self.closed_by_server += 1
                    sock.close()
            live = kept
            self._stop.wait(self.interval)
        for sock, _ in live:
            sock.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)


@dataclass
class Timed:
    statuses: list[int]
    seconds: list[float]

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]

    @property
    def median(self) -> float:
        return sorted(self.seconds)[len(self.seconds) // 2]


def normal_client(url: str, requests: int, first: int = 0) -> Timed:
    """`requests` POST /v1/ask, one after another on one keep-alive connection, each question
    new to the server (numbered from `first`), so that every one is embedded and answered."""
    statuses: list[int] = []
    seconds: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(requests):
            started = time.perf_counter()
            try:
                question = f"{QUESTIONS[n % len(QUESTIONS)]} (number {first + n})"
                response = client.post("/v1/ask", json={"question": question})
                statuses.append(response.status_code)
            except httpx.TransportError:
                statuses.append(0)
            seconds.append(time.perf_counter() - started)
    return Timed(statuses, seconds)
