"""The searcher the service answers with, loaded once in the background at start-up."""

from __future__ import annotations

import logging
import threading
from typing import Callable

from casebook.errors import CasebookError, IndexNotReady
from casebook.index.retrieval.searcher import Searcher

log = logging.getLogger("casebook.service")


class SearcherSlot:
    """Holds the Searcher once loaded; until then, or if loading failed, says why not."""

    def __init__(self) -> None:
        self._searcher: Searcher | None = None
        self._error: CasebookError | None = None
        self._done = threading.Event()

    def load_in_background(self, open_searcher: Callable[[], Searcher]) -> threading.Thread:
        def run() -> None:
            try:
                self.set(open_searcher())
                log.info("index loaded; ready")
            except CasebookError as exc:
                log.error("could not load the index: %s", exc)
                self._error = exc
            except Exception as exc:  # noqa: BLE001 - any failure must reach /readyz, not vanish
                log.exception("could not load the index")
                self._error = CasebookError(f"Loading the index failed: {exc}")
            finally:
                self._done.set()

        thread = threading.Thread(target=run, name="casebook-load", daemon=True)
        thread.start()
        return thread

    def set(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._done.set()

    @property
    def ready(self) -> bool:
        return self._searcher is not None

    def get(self) -> Searcher:
        if self._searcher is not None:
            return self._searcher
        if isinstance(self._error, IndexNotReady):
            raise self._error
        if self._error is not None:
            raise IndexNotReady(f"The index could not be loaded: {self._error.message}",
                                hint=self._error.hint)
        raise IndexNotReady("The index is still loading.", hint="Retry in a few seconds.")
