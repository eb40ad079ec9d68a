"""The first index load, started before the web stack is imported.

`casebook serve` starts it first thing, so the model and the index load (onnxruntime, hashing
and file reads let go of the GIL) while FastAPI, pydantic and uvicorn import; the Reloader
takes the result as its first load. Nothing heavy is imported here, so that starting it is
instant.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from typing import TYPE_CHECKING

from casebook.settings import Settings

if TYPE_CHECKING:
    from casebook.index.retrieval.searcher import Searcher


class Preload:
    """`Searcher.open(settings)` on a thread of its own; `searcher()` waits for it."""

    def __init__(self, settings: Settings) -> None:
        self.started = time.perf_counter()
        self._future: Future[Searcher] = Future()
        # a daemon thread: a load that hangs must not keep a stopped server from exiting
        threading.Thread(target=self._run, args=(settings,), name="casebook-preload",
                         daemon=True).start()

    def _run(self, settings: Settings) -> None:
        try:
            from casebook.index.retrieval.searcher import Searcher

            self._future.set_result(Searcher.open(settings))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the result
            self._future.set_exception(exc)

    def searcher(self) -> Searcher | None:
        """The loaded searcher, or None when loading failed: the caller loads again itself and
        reports that attempt's error (by then an index may have appeared, or been mended)."""
        try:
            return self._future.result()
        except Exception:  # noqa: BLE001 - the load that follows meets and reports the cause
            return None
