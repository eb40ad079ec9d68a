"""Zero-downtime reload: notice a new CURRENT (poll, SIGHUP, POST /admin/reload), load that
build beside the one being served, then swap; a build that fails to load leaves the old one
serving, and /readyz says so."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Literal

from casebook.errors import CasebookError, IndexNotReady
from casebook.index import layout
from casebook.index.manifest import IndexManifest
from casebook.index.retrieval.searcher import Searcher
from casebook.service.preload import Preload
from casebook.service.state import SearcherSlot, build_of
from casebook.settings import Settings

log = logging.getLogger("casebook.service")

Outcome = Literal["loaded", "unchanged", "failed"]


@dataclass(frozen=True)
class ReloadResult:
    outcome: Outcome
    build: str | None  # the build served afterwards
    error: CasebookError | None = None


class Reloader:
    """Loads builds into a SearcherSlot, one at a time, on a background thread."""

    def __init__(self, settings: Settings, slot: SearcherSlot,
                 preload: Preload | None = None) -> None:
        self.settings = settings
        self.slot = slot
        self._preload = preload  # the first load, when it was started before the app existed
        self._lock = threading.Lock()  # one load at a time, whoever asked
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.holder = uuid.uuid4().hex[:8]  # this server's lease, apart from others in-process

    def lease(self, build: str) -> None:
        layout.take_lease(self.settings.index_dir, build, holder=self.holder)

    def start(self) -> None:
        """Load the current build now (in the background) and keep watching for newer ones."""
        self._thread = threading.Thread(target=self._run, name="casebook-reload", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        layout.drop_lease(self.settings.index_dir, holder=self.holder)

    def request(self) -> None:
        """Ask for a check soon; safe to call from a signal handler."""
        self._wake.set()

    def _run(self) -> None:
        poll = self.settings.reload_poll_s
        while not self._stop.is_set():
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the watcher must outlive any one bad check
                log.exception("checking for a new index build failed")
            self._wake.wait(poll if poll > 0 else None)
            self._wake.clear()

    def check(self, *, force: bool = False) -> ReloadResult:
        """Load the build CURRENT names if it is not the one served (or `force`: retry one that
        failed before). Blocks while loading; requests go on being answered meanwhile."""
        with self._lock:
            served = self.slot.build
            try:
                name = layout.current_name(self.settings.index_dir)
            except CasebookError as exc:
                return self._failed(None, exc)
            if served is not None:
                self.lease(served)  # still in use: refresh
            if name == served:
                return ReloadResult("unchanged", served)
            failure = self.slot.failure
            if failure is not None and failure.build == name and not force:
                return ReloadResult("failed", served, failure.error)
            return self._load(name)

    def _load(self, name: str) -> ReloadResult:
        old = self.slot.current
        started = time.perf_counter()
        preload, self._preload = self._preload, None
        # whichever build CURRENT named when the preload started; a newer one swaps in next poll
        searcher = preload.searcher() if preload is not None else None
        try:
            if searcher is not None:
                started = preload.started  # type: ignore[union-attr]
            elif old is not None and _same_encoder(old, self.settings):
                # an encoder already in memory loads nothing new: reuse it
                searcher = Searcher.open(self.settings, old.embedder)
            else:
                searcher = Searcher.open(self.settings)
        except CasebookError as exc:
            return self._failed(name, exc)
        except Exception as exc:  # noqa: BLE001 - any failure must reach /readyz, not vanish
            log.exception("loading build %s failed", name)
            return self._failed(name, IndexNotReady(f"Loading build {name} failed: {exc}"))
        seconds = time.perf_counter() - started
        loaded = build_of(searcher) or name
        # lease first: from here on no prune may delete it
        self.lease(loaded)
        self.slot.set(searcher)
        if old is None:
            self.slot.first_load_s = seconds
        else:
            self.slot.reloads += 1
        self.slot.last_load_s = seconds
        log.info("serving index build %s (loaded in %.2fs)", loaded, seconds)
        return ReloadResult("loaded", loaded)

    def _failed(self, name: str | None, error: CasebookError) -> ReloadResult:
        served = self.slot.build
        before = self.slot.failure
        # a poll meets the same broken state every few seconds: say it once
        if before is None or (before.build, before.error.message) != (name, error.message):
            if served is None:
                log.error("could not load the index: %s", error)
            else:
                self.slot.failed_reloads += 1
                log.error("could not load build %s, still serving %s: %s", name, served, error)
        self.slot.fail(name, error)
        return ReloadResult("failed", served, error)


def _same_encoder(old: Searcher, settings: Settings) -> bool:
    """Whether the build CURRENT names embeds queries exactly as the one being served does."""
    try:
        manifest = IndexManifest.read(layout.current_build(settings.index_dir))
    except CasebookError:
        return False
    return manifest.embedding_key == old.stored.manifest.embedding_key
