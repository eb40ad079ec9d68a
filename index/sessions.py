"""onnxruntime sessions as the serving process opens them: one place for the options."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def cpu_session(model: Path, threads: int = 0, *, spin: bool = False) -> Any:
    """An inference session over an already optimised graph on the CPU (`threads` 0:
    onnxruntime's choice of intra-op threads). `spin`: its intra-op threads spin while a run
    lasts, and stop when it ends."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # warnings about unused initialisers are noise
    # the build already wrote the optimised graph: redoing it would double start-up
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    # threads left spinning after a run burn the cores the request threads need between
    # batches: a spinning session stops at the end of each run
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    if spin:
        options.add_session_config_entry("session.force_spinning_stop", "1")
    if threads:
        options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


class QuietOrBusy:
    """Two sessions over one graph; each run picks one. While the server is quiet (a lone query
    after a lone query: see MicroBatcher.quiet) the one whose threads spin between a run's
    operators, sparing each operator a sleep and a wake-up; otherwise the one whose threads
    sleep, since under load a spinning thread takes the core another request's work needs. In
    paired runs (bench/load.py, three of each) one client's p50 fell from 7.3 to 6.8 ms and 32
    clients' requests a second stayed the same, for about 30 MB more memory."""

    def __init__(self, model: Path, threads: int = 0) -> None:
        self.busy = cpu_session(model, threads)
        self.quiet = cpu_session(model, threads, spin=True)

    def get_inputs(self) -> Any:
        return self.busy.get_inputs()

    def run(self, outputs: Any, feed: dict[str, Any], *, quiet: bool = False) -> Any:
        return (self.quiet if quiet else self.busy).run(outputs, feed)
