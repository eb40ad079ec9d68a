"""The searcher the service answers with: loaded in the background at start-up, swapped whole
when a newer build loads, and what went wrong when one did not."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from casebook.errors import CasebookError, IndexNotReady
from casebook.index.retrieval.searcher import Searcher

log = logging.getLogger("casebook.service")


@dataclass(frozen=True)
class LoadFailure:
    """A build that could not be loaded, and why (the message is shown on /readyz)."""

    build: str | None
    error: CasebookError


def build_of(searcher: Searcher) -> str | None:
    """The name of the build a searcher reads (None for a stand-in without one)."""
    stored = getattr(searcher, "stored", None)
    path = getattr(stored, "path", None)
    return getattr(path, "name", None)


class SearcherSlot:
    """Holds the Searcher once loaded; until then, or if loading failed, says why not.

    A swap replaces one reference, so every request sees the old build or the new one whole;
    requests already running keep the searcher they started with.
    """

    def __init__(self) -> None:
        self._searcher: Searcher | None = None
        self._error: CasebookError | None = None
        self._done = threading.Event()
        self.failure: LoadFailure | None = None  # the newest build that failed to load
        self.draining = False  # set on SIGTERM: /readyz turns 503 while requests still run
        self.first_load_s: float | None = None  # model and first index, at start-up
        self.last_load_s: float | None = None
        self.reloads = 0
        self.failed_reloads = 0

    def load_in_background(self, open_searcher: Callable[[], Searcher]) -> threading.Thread:
        def run() -> None:
            try:
                self.set(open_searcher())
                log.info("index loaded; ready")
            except CasebookError as exc:
                log.error("could not load the index: %s", exc)
                self._error = exc
            except Exception as exc:  # any failure must reach /readyz, not vanish
                log.exception("could not load the index")
                self._error = CasebookError(f"Loading the index failed: {exc}")
            finally:
                self._done.set()

        thread = threading.Thread(target=run, name="casebook-load", daemon=True)
        thread.start()
        return thread

    def set(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._error = None
        self.failure = None
        self._done.set()

    def drop(self, build: str | None, error: CasebookError) -> None:
        """Stop serving what is served (its build was damaged on disk): requests and /readyz
        answer 503 with `error` until a build loads. Requests already running finish with the
        searcher they hold."""
        self._searcher = None
        self._error = error
        self.failure = LoadFailure(build, error)
        self._done.set()

    def fail(self, build: str | None, error: CasebookError) -> None:
        """Record a build that did not load; what is served (if anything) stays."""
        self.failure = LoadFailure(build, error)
        if self._searcher is None:
            self._error = error
        self._done.set()

    @property
    def ready(self) -> bool:
        return self._searcher is not None

    @property
    def current(self) -> Searcher | None:
        return self._searcher

    @property
    def build(self) -> str | None:
        return build_of(self._searcher) if self._searcher is not None else None

    def get(self) -> Searcher:
        if self._searcher is not None:
            return self._searcher
        if isinstance(self._error, IndexNotReady):
            raise self._error
        if self._error is not None:
            raise IndexNotReady(f"The index could not be loaded: {self._error.message}",
                                hint=self._error.hint)
        raise IndexNotReady("The index is still loading.", hint="Retry in a few seconds.")
