"""Micro-batching: concurrent callers' texts are embedded together in one forward pass.

No thread of its own: the caller that finds nobody encoding leads, on its own thread, so a lone
query costs no hand-over between threads (about 0.25 ms of CPU each on a busy 2-core machine).
A caller that finds a batch running waits; when the batch is done its leader hands the lead to
the first caller waiting, who gathers whoever else is waiting for up to `max_wait_s` or
`max_batch` texts (text-embeddings-inference's dynamic batching) and runs that batch. Gathering
waits only while there is concurrency to wait for: a lone caller is never delayed, and a batch
that found company keeps gathering on the next round.

A batch that fails is run again one text at a time, so that a text the encoder cannot take
fails its own caller only, never the others who happened to share its batch.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

import numpy as np

from casebook.errors import BadQuery

EncodeBatch = Callable[[Sequence[str]], np.ndarray]
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


def encodable(text: str) -> str:
    """`text`, if it is valid Unicode (no lone surrogate, as JSON's "\\ud800" makes); else
    BadQuery, before it reaches a batch (the service refuses such text first)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadQuery("The text is not valid Unicode: it holds a lone surrogate.",
                       hint="Send text encoded as UTF-8.") from None
    return text


class _Waiting:
    """One caller's text, and then its vector, its error, or the lead."""

    __slots__ = ("done", "error", "lead", "text", "vector")

    def __init__(self, text: str) -> None:
        self.text = text
        self.done = threading.Event()
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None
        self.lead = False


class MicroBatcher:
    """Thread-safe: `submit(text)` from any thread blocks until that text's vector is ready."""

    def __init__(self, encode: EncodeBatch, *, max_batch: int = 32, max_wait_s: float = 0.002) -> None:
        self._encode = encode
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._lock = threading.Condition()
        self._pending: deque[_Waiting] = deque()  # the leader's own entry, if any, is first
        self._leading = False  # whether some caller is leading; while not, nobody is pending
        self._busy = False  # did the last batch have company? then gathering pays off
        self.batches = 0
        self.texts = 0

    @property
    def waiting(self) -> int:
        """Texts queued behind the batch being encoded."""
        with self._lock:
            return len(self._pending)

    def submit(self, text: str) -> np.ndarray:
        me = _Waiting(text)
        with self._lock:
            self._pending.append(me)
            lead = not self._leading
            self._leading = True
            self._lock.notify_all()  # a leader gathering a batch may take this one too
        if not lead:
            me.done.wait()
            lead = me.lead
        if lead:
            self._lead()
        if me.error is not None:
            raise me.error
        assert me.vector is not None
        return me.vector

    def _gather(self) -> list[_Waiting]:
        """The next batch, the leader's own text first."""
        with self._lock:
            if self._busy or len(self._pending) > 1:
                deadline = time.monotonic() + self.max_wait_s
                while len(self._pending) < self.max_batch:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._lock.wait(left)
            batch = [self._pending.popleft() for _ in range(min(self.max_batch, len(self._pending)))]
        self._busy = len(batch) > 1
        return batch

    def _lead(self) -> None:
        """Run one batch, deliver every row, then pass the lead on (or give it up)."""
        batch: list[_Waiting] = []
        try:
            batch = self._gather()
            try:
                vectors = self._encode([w.text for w in batch])
                rows = [vectors[row].copy() for row in range(len(batch))]  # no view pins the batch
            except Exception as exc:  # noqa: BLE001 - find whose text it was
                if len(batch) == 1:
                    batch[0].error = exc
                else:
                    self._one_by_one(batch)
            except BaseException as exc:  # noqa: BLE001 - every caller must hear of the failure
                for waiting in batch:
                    waiting.error = exc
            else:
                self.batches += 1
                self.texts += len(batch)
                for waiting, vector in zip(batch, rows):
                    waiting.vector = vector
        finally:
            # whatever happened, the waiting are woken and the lead moves on: else they hang
            with self._lock:
                successor = self._pending[0] if self._pending else None
                if successor is None:
                    self._leading = False
                else:
                    successor.lead = True
            for waiting in batch[1:]:
                waiting.done.set()
            if successor is not None:
                successor.done.set()

    def _one_by_one(self, batch: list[_Waiting]) -> None:
        """Each text of a failed batch on its own: a vector or an error for each caller."""
        for waiting in batch:
            try:
                waiting.vector = self._encode([waiting.text])[0].copy()
            except Exception as exc:  # noqa: BLE001 - this caller's failure, and only theirs
                waiting.error = exc
            else:
                self.batches += 1
                self.texts += 1
