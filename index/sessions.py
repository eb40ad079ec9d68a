"""onnxruntime sessions as the serving process opens them: one place for the options."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Self


def cpu_session(model: Path, threads: int = 0) -> Any:
    """An inference session over an already optimised graph on the CPU (`threads` 0:
    onnxruntime's choice of intra-op threads)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # warnings about unused initialisers are noise
    # the build already wrote the optimised graph: redoing it would double start-up
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    # spinning threads burn the cores the request threads need between batches
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


class OpensOnce(ABC):
    """An encoder that is cheap to construct and opens its session on the first `load()`
    (idempotent, thread-safe: concurrent first queries open it once). Subclasses set
    `_session` in `_open`."""

    _session: Any = None

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def load(self) -> Self:
        with self._lock:
            if self._session is None:
                self._open()
        return self

    @abstractmethod
    def _open(self) -> None:
        """Open the session (and whatever the encoder reads beside it); runs under the lock."""
