"""Micro-batching: concurrent callers' texts are embedded together in one forward pass.

One worker thread takes the first waiting text, then gathers more for up to `max_wait_s` or
`max_batch` texts (text-embeddings-inference's dynamic batching), runs the batch and hands each
caller its own row. It only waits while there is concurrency to wait for: a lone caller is
never delayed, and a batch that found company keeps gathering on the next round. The worker
ends after IDLE_S without work (the next query starts another), so a replaced embedder (an
index reload) is not kept alive by a thread waiting forever.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import numpy as np

EncodeBatch = Callable[[Sequence[str]], np.ndarray]
IDLE_S = 10.0
# Padding a batch to its longest text costs the work of the padded tokens: a micro-batch of 32
# evaluation questions (8 to 70 tokens) padded whole cost 3x the sum of its queries run alone.
# Splitting it into groups of similar length whose padding adds at most this share of the
# group's real tokens cost the least in bench runs (0: one group per length, too many runs).
PADDING_SLACK = 0.1


def length_groups(lengths: Sequence[int], slack: float = PADDING_SLACK) -> list[list[int]]:
    """Indices of `lengths` in groups of similar length, shortest first: a group padded to its
    longest member holds at most `slack` x its real tokens in padding."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    group: list[int] = []
    tokens = 0
    for i in order:
        # sorted ascending: lengths[i] is the width the group would be padded to
        if group and lengths[i] * (len(group) + 1) > (1 + slack) * (tokens + lengths[i]):
            groups.append(group)
            group, tokens = [], 0
        group.append(i)
        tokens += lengths[i]
    if group:
        groups.append(group)
    return groups


class MicroBatcher:
    """Thread-safe: `submit(text)` from any thread blocks until that text's vector is ready."""

    def __init__(self, encode: EncodeBatch, *, max_batch: int = 32, max_wait_s: float = 0.002) -> None:
        self._encode = encode
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._queue: queue.SimpleQueue[tuple[str, Future[np.ndarray]]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._busy = False  # did the last batch have company? then gathering pays off
        self.batches = 0
        self.texts = 0

    def submit(self, text: str) -> np.ndarray:
        future: Future[np.ndarray] = Future()
        self._queue.put((text, future))
        self._ensure_worker()
        return future.result()

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="casebook-batcher",
                                                daemon=True)
                self._worker.start()

    def _gather(self) -> list[tuple[str, Future[np.ndarray]]] | None:
        """The next batch, or None when there was no work for IDLE_S and the worker stopped."""
        try:
            batch = [self._queue.get(timeout=IDLE_S)]
        except queue.Empty:
            with self._start_lock:
                # a submit that queued before this check is served; one after starts a worker
                if self._queue.empty():
                    self._worker = None
                    return None
            batch = [self._queue.get()]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if self._busy or len(batch) > 1:
            deadline = time.monotonic() + self.max_wait_s
            while len(batch) < self.max_batch:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    batch.append(self._queue.get(timeout=left))
                except queue.Empty:
                    break
        self._busy = len(batch) > 1
        return batch

    def _run(self) -> None:
        while True:
            batch = self._gather()
            if batch is None:
                return
            texts = [text for text, _ in batch]
            try:
                vectors = self._encode(texts)
            except BaseException as exc:  # noqa: BLE001 - every caller must hear of the failure
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches += 1
            self.texts += len(batch)
            for row, (_, future) in enumerate(batch):
                future.set_result(vectors[row].copy())  # not a view pinning the batch
