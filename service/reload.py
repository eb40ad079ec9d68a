"""Zero-downtime reload: notice a new CURRENT (poll, SIGHUP, POST /admin/reload), load that
build beside the one being served, then swap; a build that fails to load leaves the old one
serving, and /readyz says so.

Each check also stats the served build's files: one whose size, time or inode changed since it
loaded (truncated, written in place, replaced) means the build on disk is damaged. It is no
longer served: the newest other build that loads and passes its checksums takes its place, or,
with none, requests and /readyz answer 503 saying which file changed.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from casebook.errors import CasebookError, IndexCorruptError, IndexNotReady
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
        last = ""  # a poll meets the same trouble every few seconds: one log line per change
        while not self._stop.is_set():
            try:
                self.check()
                last = ""
            except Exception as exc:  # the watcher must outlive any one bad check
                if repr(exc) != last:
                    log.exception("checking for a new index build failed")
                last = repr(exc)
            self._wake.wait(poll if poll > 0 else None)
            self._wake.clear()

    def check(self, *, force: bool = False) -> ReloadResult:
        """Load the build CURRENT names if it is not the one served (or `force`: retry one that
        failed before). Blocks while loading; requests go on being answered meanwhile."""
        with self._lock:
            damaged = self._check_served()
            if damaged is not None:
                return damaged
            served = self.slot.build
            try:
                name = layout.current_name(self.settings.index_dir)
            except CasebookError as exc:
                return self._failed(None, exc)
            if served is not None:
                self.lease(served)  # still in use: refresh
            if name == served:
                if self.slot.failure is not None:  # CURRENT was mended, or pointed back here
                    log.info("CURRENT names the served build %s again", served)
                    self.slot.failure = None
                return ReloadResult("unchanged", served)
            failure = self.slot.failure
            if failure is not None and failure.build == name and not force:
                return ReloadResult("failed", served, failure.error)
            return self._load(name)

    def _check_served(self) -> ReloadResult | None:
        """None while the served build's files are as they were when it loaded; else it is
        dropped for the newest other build that loads, or for nothing (503 with the reason)."""
        change = _changed(self.slot.current)
        if change is None:
            return None
        name = self.slot.build
        error = IndexCorruptError(
            f"Build {name} changed on disk while it was served: {change}.",
            hint="Run `casebook index build` to write a new build, or restore the file and "
                 "POST /admin/reload.")
        log.error("build %s changed on disk while it was served (%s): no longer serving it",
                  name, change)
        old = self.slot.current
        self.slot.drop(name, error)
        self.slot.failed_reloads += 1
        for candidate in self._stand_ins(name):
            started = time.perf_counter()
            folder = self.settings.index_dir / layout.BUILDS / candidate
            try:
                embedder = old.embedder if old is not None and _same_encoder(
                    old, self.settings, folder) else None
                searcher = Searcher.open(self.settings, embedder, build=folder)
                change = _changed(searcher)
                if change is not None:
                    raise IndexCorruptError(f"it changed while it loaded: {change}")
            except Exception as exc:  # noqa: BLE001 - try the next one; the reason is logged
                log.warning("build %s cannot stand in for %s: %s", candidate, name,
                            getattr(exc, "message", exc))
                continue
            self.lease(candidate)
            self.slot.set(searcher)
            self.slot.fail(name, error)  # /readyz: serving the stand-in, and why
            self.slot.reloads += 1
            self.slot.last_load_s = time.perf_counter() - started
            log.error("serving build %s in place of the damaged %s", candidate, name)
            return ReloadResult("failed", candidate, error)
        log.error("no other build could stand in for %s: serving none", name)
        return ReloadResult("failed", None, error)

    def _stand_ins(self, damaged: str | None) -> list[str]:
        """Builds that may stand in for a damaged one, newest first: never one newer than
        CURRENT names (it may still be being swapped in)."""
        try:
            newest: str | None = layout.current_name(self.settings.index_dir)
        except CasebookError:
            newest = None
        return [b for b in layout.build_names(self.settings.index_dir)
                if b != damaged and (newest is None or b <= newest)]

    def _load(self, name: str) -> ReloadResult:
        old = self.slot.current
        started = time.perf_counter()
        preload, self._preload = self._preload, None
        # whichever build CURRENT named when the preload started; a newer one swaps in next poll
        searcher = preload.searcher() if preload is not None else None
        try:
            if preload is not None and searcher is not None:
                started = preload.started
            elif old is not None and _same_encoder(old, self.settings):
                # an encoder already in memory loads nothing new: reuse it
                searcher = Searcher.open(self.settings, old.embedder)
            else:
                searcher = Searcher.open(self.settings)
            change = _changed(searcher)  # the encoders open after the checksums: check again
            if change is not None:
                raise IndexCorruptError(
                    f"Build {build_of(searcher) or name} changed on disk while it loaded: "
                    f"{change}.", hint="Run `casebook index build` to write a new build.")
            # the corpus's word and theme vectors a list question reads (about a second): built
            # here, not on the first asker's request
            _ = searcher.case_words, searcher.theme_meanings
        except CasebookError as exc:
            return self._failed(name, exc)
        except Exception as exc:  # any failure must reach /readyz, not vanish
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


def _same_encoder(old: Searcher, settings: Settings, build: Path | None = None) -> bool:
    """Whether the build CURRENT names (or `build`) embeds queries exactly as the one being
    served does."""
    try:
        manifest = IndexManifest.read(build or layout.current_build(settings.index_dir))
    except CasebookError:
        return False
    return manifest.embedding_key == old.stored.manifest.embedding_key


def _changed(searcher: Searcher | None) -> str | None:
    """What changed on disk in the searcher's build since it loaded (None: nothing, or a
    stand-in searcher without a build)."""
    changed = getattr(getattr(searcher, "stored", None), "changed", None)
    return changed() if callable(changed) else None
