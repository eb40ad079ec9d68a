"""onnxruntime sessions as the serving process opens them: one place for the options."""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from types import ModuleType
from typing import Any, Self

import numpy as np

# onnxruntime reads this once, when it is first imported: from then on it neither keeps its
# event store under ~/.cache/Microsoft nor uploads it. casebook/__init__.py sets it first thing;
# here again for a process that imports this module some other way.
TELEMETRY_OFF = ("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault(*TELEMETRY_OFF)


def import_onnxruntime() -> ModuleType:
    """onnxruntime, its telemetry off: off at import (TELEMETRY_OFF), and its events off in case
    something imported it before Casebook could say so."""
    os.environ.setdefault(*TELEMETRY_OFF)
    import onnxruntime

    onnxruntime.disable_telemetry_events()
    return onnxruntime


def cpu_session(model: Path, threads: int = 0, *, arena: bool = True) -> Any:
    """An inference session over an already optimised graph on the CPU (`threads` 0:
    onnxruntime's choice of intra-op threads). `arena` False: no CPU memory arena, for graphs
    fed inputs of very different shapes (onnxruntime's arena grows to the largest tensors ever
    run and never gives the memory back; without it, buffers are freed after each run).

    The graph's weights (`model.onnx.data` beside it, ONNX external data) are read into memory
    and handed over, not left for onnxruntime to memory-map: a mapped file truncated under a
    live server kills it with SIGBUS at the next query. It costs the weights' size in memory
    (about 25 MB for MiniLM's and e5's together) and some 50 ms at start-up.
    """
    onnxruntime = import_onnxruntime()
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # warnings about unused initialisers are noise
    # the build already wrote the optimised graph: redoing it would double start-up
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    # spinning threads burn the cores the request threads need between batches
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = threads
    if not arena:
        options.enable_cpu_mem_arena = False
    weights = model.with_name(model.name + ".data")
    data = np.fromfile(weights, dtype=np.uint8) if weights.is_file() else None
    if data is not None:
        # onnxruntime copies them into the session: `data` may go once it is made
        options.add_external_initializers_from_files_in_memory([weights.name], [data], [data.size])
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
