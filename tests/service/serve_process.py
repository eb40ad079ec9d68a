"""`casebook serve` as a real process on a free loopback port, and bounded loopback load."""

from __future__ import annotations

import contextlib
import os
import re
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


def children(pid: int) -> list[int]:
    """The processes `pid` started (through any of its threads)."""
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def workers_of(pid: int) -> list[int]:
    """The worker processes of `casebook serve --workers N` (not multiprocessing's helpers)."""
    found = []
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(child)
    return found


def all_ready(url: str, build: str | None = None, times: int = 10) -> bool:
    """/readyz said ready (serving `build`) `times` running: each worker has, most likely."""
    for _ in range(times):
        response = httpx.get(f"{url}/readyz", timeout=10)
        if response.status_code != 200 or (build and response.json()["build"] != build):
            return False
    return True


class ServeProcess:
    """Starts `casebook serve` with CASEBOOK_* settings (and `args`, such as --workers 2) on
    `port` or a free one; stops it at the end if still running, its workers too."""

    def __init__(self, env: dict[str, str], log: Path, *, port: int | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.port = port or free_port()
        self.args = args
        self.log_path = log
        self.env = {**os.environ, **env, "CASEBOOK_HOST": "127.0.0.1",
                    "CASEBOOK_PORT": str(self.port)}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, ready: bool, timeout: float = 120) -> ServeProcess:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen([str(CASEBOOK), "serve", *self.args], env=self.env, cwd=REPO,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        path = "/readyz" if ready else "/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise AssertionError(f"casebook serve exited:\n{self.log()}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"casebook serve was not up within {timeout}s:\n{self.log()}")

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        """SIGINT (no drain; a supervisor passes it to its workers), a second one after 5 s
        (stop at once), then SIGKILL for it and its workers if it has not exited 10 s later."""
        if self.proc is not None and self.proc.poll() is None:
            workers = children(self.proc.pid)
            for wait_s in (5, 10):
                self.proc.send_signal(signal.SIGINT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(wait_s)
                    break
            else:
                for pid in workers:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
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
    pause: float = 0.0  # seconds each client waits between requests
    statuses: Counter[int] = field(default_factory=Counter)
    dropped: list[str] = field(default_factory=list)  # accepted, then no complete answer
    dropped_at: list[float] = field(default_factory=list)  # time.monotonic() of each drop
    refused: int = 0  # no connection: the server had stopped listening
    first_refused_at: float | None = None
    builds: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # "503 index_not_ready": how many
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
                    if response.status_code != 200:
                        self.errors[f"{response.status_code} {_code(response)}"] += 1
                if self.pause:
                    self._stop.wait(self.pause)

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


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return response.text[:80]


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


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise AssertionError(f"{name} is not installed: scripts/setup --dev installs it "
                             "(Debian's package)")
    return found


class RedisServer:
    """Debian's redis-server on a free loopback port, with no persistence, in `workdir`;
    pause() stalls it (SIGSTOP) as a hung store would, stop() takes it away."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.paused = False

    @property
    def uri(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = (self.workdir / "redis.log").open("wb")
        self.proc = subprocess.Popen(
            [_binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.workdir / "redis.log").read_text()
            if self.ping():
                return self
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not answer within {timeout}s")

    def ping(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def pause(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            if self.paused:
                self.resume()
            self.proc.kill()
            self.proc.wait(10)
        if hasattr(self, "_log"):
            self._log.close()


class HAProxy:
    """Debian's haproxy on a free loopback port in front of `backends` (loopback ports, named
    r1, r2…): round robin, a health check of `check` every 200 ms (down at the first failure,
    up after two successes), a new server connection for every request, and a request whose
    connection is refused tried again on another server."""

    def __init__(self, backends: list[int], workdir: Path, *, check: str = "/readyz") -> None:
        self.port = free_port()
        self.workdir = workdir
        self.backends = backends
        self.check = check
        self.socket_path = workdir / "haproxy.sock"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        servers = "\n".join(f"    server r{i} 127.0.0.1:{port} check"
                            for i, port in enumerate(self.backends, 1))
        return f"""global
    maxconn 1024
    stats socket {self.socket_path} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 2s
    retries 3
    option redispatch 1
    option http-server-close

frontend casebook
    bind 127.0.0.1:{self.port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk
    http-check send meth GET uri {self.check}
    http-check expect status 200
    default-server inter 200ms fall 1 rise 2
{servers}
"""

    def start(self, timeout: float = 30) -> HAProxy:
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "haproxy.cfg"
        path.write_text(self.config())
        binary = _binary("haproxy")
        subprocess.run([binary, "-c", "-q", "-f", str(path)], check=True, timeout=30)
        self._log = (self.workdir / "haproxy.log").open("wb")
        self.proc = subprocess.Popen([binary, "-db", "-f", str(path)], stdout=self._log,
                                     stderr=subprocess.STDOUT)
        for i in range(1, len(self.backends) + 1):
            self.wait_status(f"r{i}", "UP", timeout)
        return self

    def stats(self) -> dict[str, dict[str, str]]:
        """`show stat` of the backend's servers, by name (status, wretr, wredis…)."""
        import socket

        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        return {row["svname"]: row for row in rows if row["pxname"] == "replicas"}

    def wait_status(self, server: str, status: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None and self.proc.poll() is None, \
                (self.workdir / "haproxy.log").read_text()
            try:
                if self.stats()[server]["status"].startswith(status):
                    return
            except (OSError, KeyError, IndexError):
                pass
            assert time.monotonic() < deadline, f"haproxy: {server} not {status} in {timeout}s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if hasattr(self, "_log"):
            self._log.close()


def loads_logged(server: ServeProcess, build: str = "") -> int:
    """How many times a worker logged that it serves a build (`build`, or any)."""
    return len(re.findall(rf"serving index build {build}", server.log()))


def start_with_workers(server: ServeProcess, workers: int, timeout: float) -> ServeProcess:
    """Start `server` and wait until its `workers` workers have loaded the index (by the log,
    or where workers do not log, by /readyz); stopped again if they do not in time."""
    try:
        server.start(ready=True)
        deadline = time.monotonic() + timeout
        while len(workers_of(server.pid)) != workers or not (loads_logged(server) >= workers
                                                              or all_ready(server.url)):
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.1)
    except BaseException:
        server.stop()
        raise
    return server
