"""`casebook serve --workers N`: N worker processes on one listening socket, each serving as the
single process does, under a small supervisor that passes operators' signals on.

- SIGHUP to the supervisor reaches every worker, and each loads the new build in place beside
  the one it serves (service/reload.py), as one process does: no worker restarts for a reload.
- SIGTERM reaches every worker: each turns /readyz to 503 "draining", serves on for
  CASEBOOK_DRAIN_S, stops accepting, and exits once its in-flight requests are answered; the
  supervisor exits when they all have. A second SIGTERM, or SIGINT, stops them at once.
- A worker that dies is replaced, and the new one takes no connection before its index has
  loaded (the others answer meanwhile). A worker that cannot start at all (exit status 3: its
  app's start-up failed) stops the server instead of being restarted for ever.
- /metrics counts every worker: prometheus-client's multiprocess mode, in a private directory
  the supervisor makes before the first worker starts and removes after the last one exits.
- Every worker writes the JSON access log (and the service log) to stderr.

Nothing heavy is imported at module level: `casebook serve` imports this before it starts the
first index load.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

from casebook.settings import Settings

log = logging.getLogger("casebook.service")

LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"  # as `casebook` sets up logging
STARTUP_FAILURE = 3  # uvicorn's exit status when an app's start-up fails
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
FORWARDED = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)
QUICK_EXIT_S = 10.0  # a worker that dies sooner after its start is restarted after a backoff
STOP_MARGIN_S = 10.0  # past the drain and the graceful shutdown: then the supervisor kills


def log_access_to_stderr() -> None:
    """The JSON access log, one object a line, whatever the CLI's log level; the service's own
    log at INFO."""
    access = logging.getLogger("casebook.access")
    if not any(getattr(h, "casebook_access", False) for h in access.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.casebook_access = True  # type: ignore[attr-defined]  # our marker, read above
        access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False
    logging.getLogger("casebook.service").setLevel(logging.INFO)


def run_worker(settings: Settings, sock: socket.socket, log_level: int) -> None:
    """A worker process's body (spawned: it imports everything afresh, after the supervisor set
    PROMETHEUS_MULTIPROC_DIR)."""
    _stop_with_supervisor()
    logging.basicConfig(level=log_level, format=LOG_FORMAT)
    log_access_to_stderr()
    from casebook.service.preload import Preload

    preload = Preload(settings)  # loads while the web stack imports
    from casebook.service.app import create_app
    from casebook.service.serving import serve

    try:
        serve(create_app(settings, preload=preload), settings, sockets=[sock], index_first=True)
    except KeyboardInterrupt:  # SIGINT, passed on by the supervisor: stopped as asked
        pass


def _stop_with_supervisor() -> None:
    """Drain and stop if the supervisor dies without stopping us (kill -9): an orphaned worker
    would hold the port and the CPU for ever."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        log.warning("the supervisor is gone: stopping this worker")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="casebook-supervisor-watch", daemon=True).start()


def serve_workers(settings: Settings) -> int:
    """Run `settings.workers` worker processes on one listening socket, each serving as the
    single process does, under a Supervisor. Blocks; returns the exit status."""
    import uvicorn

    from casebook.service.serving import uvicorn_options

    # binds HOST:PORT once; every worker listens on its copy of this socket
    config = uvicorn.Config("casebook.service.app:create_app_from_env", **uvicorn_options(settings))
    return Supervisor(settings, config.bind_socket()).run()


class Supervisor:
    """Starts `settings.workers` workers on `sock` and keeps them running until told to stop."""

    def __init__(self, settings: Settings, sock: socket.socket) -> None:
        self.settings = settings
        self.sock: socket.socket | None = sock
        self.context = multiprocessing.get_context("spawn")
        # one place a worker: None while a replacement waits out its backoff
        self.workers: list[BaseProcess | None] = []
        self.restart_at: dict[int, float] = {}
        self.started_at: dict[int, float] = {}
        self.signals: list[int] = []
        self.stopping = False
        self.stop_by: float | None = None
        self.status = 0
        self.quick_exits = 0
        self.metrics_dir = ""

    def run(self) -> int:
        """Serve until stopped; the exit status (0 after a clean stop)."""
        self.metrics_dir = tempfile.mkdtemp(prefix="casebook-metrics-")
        # read by prometheus-client when each worker imports it: counters in files there
        os.environ[MULTIPROC_ENV] = self.metrics_dir
        previous = {sig: signal.signal(sig, self._queue) for sig in FORWARDED}
        try:
            self.workers = [self._spawn() for _ in range(self.settings.workers)]
            log.info("supervisor %d: %d workers on http://%s:%d", os.getpid(),
                     self.settings.workers, self.settings.host, self.settings.port)
            while not self._done():
                self._handle_signals()
                if not self.stopping:
                    self._keep_workers()
                wait([w.sentinel for w in self._alive()], timeout=0.2)
        finally:
            for worker in self._alive():  # only after a failure above: a clean stop left none
                worker.kill()
                worker.join(5)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._close_socket()
            shutil.rmtree(self.metrics_dir, ignore_errors=True)
            os.environ.pop(MULTIPROC_ENV, None)
        log.info("supervisor %d: stopped", os.getpid())
        return self.status

    def _queue(self, sig: int, _frame: object) -> None:
        self.signals.append(sig)  # handled on the loop, not inside a signal handler

    def _alive(self) -> list[BaseProcess]:
        return [w for w in self.workers if w is not None and w.is_alive()]

    def _spawn(self) -> BaseProcess:
        assert self.sock is not None
        worker = self.context.Process(
            target=run_worker, name="casebook-worker",
            args=(self.settings, self.sock, logging.getLogger().getEffectiveLevel()))
        # a worker starts with SIGHUP ignored (kept across exec) until its server takes it: a
        # reload asked for while it imports would otherwise kill it, and the build it is about
        # to load is the current one anyway
        handler = signal.signal(signal.SIGHUP, signal.SIG_IGN)
        try:
            worker.start()
        finally:
            signal.signal(signal.SIGHUP, handler)
        assert worker.pid is not None
        self.started_at[worker.pid] = time.monotonic()
        return worker

    def _handle_signals(self) -> None:
        while self.signals:
            sig = self.signals.pop(0)
            if sig == signal.SIGHUP and not self.stopping:
                log.info("SIGHUP: every worker loads the current build in place")
            elif sig in (signal.SIGTERM, signal.SIGINT) and not self.stopping:
                self._begin_stop(sig)
            self._forward(sig)

    def _begin_stop(self, sig: int) -> None:
        self.stopping = True
        if sig == signal.SIGTERM:
            log.info("SIGTERM: workers drain for %.1fs, then stop once their requests are "
                     "answered", self.settings.drain_s)
        grace = self.settings.shutdown_timeout_s
        # no limit where the operator set none; else the drain, the grace and a margin
        self.stop_by = (None if grace == 0 else
                        time.monotonic() + self.settings.drain_s + grace + STOP_MARGIN_S)
        # the workers keep their own copies of the socket; once the last one closes its copy,
        # new connections are refused at once instead of queueing where nobody accepts
        self._close_socket()

    def _forward(self, sig: int) -> None:
        for worker in self._alive():
            assert worker.pid is not None  # alive, so started
            try:
                os.kill(worker.pid, sig)
            except ProcessLookupError:
                pass

    def _done(self) -> bool:
        if not self.stopping:
            return False
        for worker in self.workers:
            if worker is not None and not worker.is_alive():
                self._reap(worker)
        self.workers = list(self._alive())
        if self.workers and self.stop_by is not None and time.monotonic() > self.stop_by:
            log.error("workers %s did not stop in time: killing them",
                      ", ".join(str(w.pid) for w in self.workers if w is not None))
            for worker in self._alive():
                worker.kill()
                worker.join(5)
                self._reap(worker)
            self.workers = []
            self.status = self.status or 1
        return not self.workers

    def _keep_workers(self) -> None:
        """Replace a worker that died (after a backoff if it died soon after starting)."""
        now = time.monotonic()
        for i, worker in enumerate(self.workers):
            if worker is None:
                if now >= self.restart_at.get(i, 0.0):
                    self.workers[i] = self._spawn()
                continue
            if worker.is_alive():
                continue
            lived = self._reap(worker)
            if worker.exitcode == STARTUP_FAILURE:
                log.error("worker %d could not start (exit status %d): stopping", worker.pid,
                          STARTUP_FAILURE)
                self.status = 1
                self._begin_stop(signal.SIGINT)
                self._forward(signal.SIGINT)
                return
            self.quick_exits = self.quick_exits + 1 if lived < QUICK_EXIT_S else 0
            backoff = min(30.0, 0.5 * 2 ** self.quick_exits) if self.quick_exits else 0.0
            log.warning("worker %d exited (status %s) after %.1fs: starting another%s", worker.pid,
                        worker.exitcode, lived, f" in {backoff:g}s" if backoff else "")
            if backoff:
                self.workers[i] = None
                self.restart_at[i] = now + backoff
            else:
                self.workers[i] = self._spawn()

    def _reap(self, worker: BaseProcess) -> float:
        """Seconds the worker lived; its live gauges leave /metrics (its counters stay: what it
        counted happened)."""
        worker.join(0)
        started = self.started_at.pop(worker.pid or -1, None)
        if worker.pid is not None:
            _mark_dead(self.metrics_dir, worker.pid)
        return time.monotonic() - started if started is not None else 0.0

    def _close_socket(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _mark_dead(metrics_dir: str, pid: int) -> None:
    try:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, metrics_dir)
    except OSError:
        pass
