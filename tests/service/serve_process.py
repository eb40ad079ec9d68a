"""`casebook serve` as a real process on a free loopback port, and bounded loopback load."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from casebook.index import layout

REPO = Path(__file__).resolve().parents[2]
CASEBOOK = Path(sys.executable).parent / "casebook"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """Starts `casebook serve` with CASEBOOK_* settings; kills it at the end if still running."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log_path = log
        self.env = {**os.environ, **env, "CASEBOOK_HOST": "127.0.0.1",
                    "CASEBOOK_PORT": str(self.port)}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready: bool, timeout: float = 120) -> ServeProcess:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen([str(CASEBOOK), "serve"], env=self.env, cwd=REPO,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        path = "/readyz" if ready else "/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"casebook serve was not up within {timeout}s:\n{self.log()}")

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        if hasattr(self, "_log"):
            self._log.close()


@dataclass
class Load:
    """`clients` threads sending GET /v1/search over loopback until stopped (at most
    `max_requests` each), one connection per request so a refused connect and a dropped
    request can be told apart."""

    url: str
    clients: int = 8
    max_requests: int = 2000
    statuses: Counter[int] = field(default_factory=Counter)
    dropped: list[str] = field(default_factory=list)  # accepted, then no complete answer
    dropped_at: list[float] = field(default_factory=list)  # time.monotonic() of each drop
    refused: int = 0  # no connection: the server had stopped listening
    first_refused_at: float | None = None
    builds: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        for i in range(self.clients):
            thread = threading.Thread(target=self._run, args=(i,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _run(self, i: int) -> None:
        questions = ["vaccine hesitancy", "loneliness in older people", "young people Lambeth",
                     "gardening for mental health"]
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=self.url, timeout=30, limits=limits) as client:
            for n in range(self.max_requests):
                if self._stop.is_set():
                    return
                try:
                    response = client.get("/v1/search",
                                          params={"q": questions[(i + n) % 4], "k": 3})
                except httpx.ConnectError:
                    with self._lock:
                        self.refused += 1
                        if self.first_refused_at is None:
                            self.first_refused_at = time.monotonic()
                    time.sleep(0.05)
                    continue
                except httpx.TransportError as exc:
                    with self._lock:
                        self.dropped.append(repr(exc))
                        self.dropped_at.append(time.monotonic())
                    continue
                with self._lock:
                    self.statuses[response.status_code] += 1

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def failed(self) -> int:
        return sum(n for s, n in self.statuses.items() if s != 200) + len(self.dropped)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def copy_index(source: Path, target: Path) -> Path:
    """A private copy of an index directory (builds and CURRENT; no leases)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(layout.LEASES))
    return target


def clone_build(index_dir: Path, *, corrupt: bool = False) -> str:
    """A new build made by copying the current one under a new name, swapped in like a
    rebuild (optionally with its passages missing, so it fails to load)."""
    current = layout.current_build(index_dir)
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"{time.time_ns() // 1000 % 10**6:06d}Z"
    target = index_dir / layout.BUILDS / name
    shutil.copytree(current, target)
    if corrupt:
        (target / layout.PASSAGES_FILE).unlink()
    layout.point_to(index_dir, target)
    return name
