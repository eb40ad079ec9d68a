"""Concurrent queries share forward passes, and every caller gets its own row back."""

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from casebook.index.encoders.batching import MicroBatcher, length_groups


class Recorder:
    """Encodes a text as [len(text), number of the batch]; remembers each batch's size."""

    def __init__(self, entered: threading.Event | None = None,
                 release: threading.Event | None = None) -> None:
        self.sizes: list[int] = []
        self.entered, self.release = entered, release

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.sizes.append(len(texts))
        if self.entered is not None and self.release is not None:
            self.entered.set()
            self.release.wait(5)
        return np.array([[len(t), len(self.sizes)] for t in texts], dtype=np.float32)


def test_a_lone_query_is_a_batch_of_one() -> None:
    recorder = Recorder()
    batcher = MicroBatcher(recorder, max_batch=8, max_wait_s=0.002)
    assert batcher.submit("abc")[0] == 3
    assert batcher.submit("abcd")[0] == 4
    assert recorder.sizes == [1, 1]


def test_queries_arriving_while_busy_share_one_batch() -> None:
    entered, release = threading.Event(), threading.Event()
    recorder = Recorder(entered, release)
    batcher = MicroBatcher(recorder, max_batch=32, max_wait_s=0.002)
    results: dict[str, np.ndarray] = {}

    def ask(text: str) -> None:
        results[text] = batcher.submit(text)

    first = threading.Thread(target=ask, args=("x",))
    first.start()
    assert entered.wait(5)  # the first batch is running; the next ones queue up behind it
    texts = ["y" * n for n in range(2, 12)]
    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    while batcher.waiting < len(texts):
        threading.Event().wait(0.001)
    release.set()
    for thread in [first, *threads]:
        thread.join(5)
    assert recorder.sizes == [1, len(texts)]
    assert all(results[t][0] == len(t) for t in texts)
    assert batcher.texts == len(texts) + 1 and batcher.batches == 2


def test_batches_are_capped() -> None:
    entered, release = threading.Event(), threading.Event()
    recorder = Recorder(entered, release)
    batcher = MicroBatcher(recorder, max_batch=4, max_wait_s=0.0)
    threads = [threading.Thread(target=batcher.submit, args=(str(i),)) for i in range(9)]
    threads[0].start()
    assert entered.wait(5)
    for thread in threads[1:]:
        thread.start()
    while batcher.waiting < 8:
        threading.Event().wait(0.001)
    release.set()
    for thread in threads:
        thread.join(5)
    assert recorder.sizes == [1, 4, 4]


def test_a_failure_reaches_every_caller() -> None:
    def broken(texts: Sequence[str]) -> np.ndarray:
        raise ValueError("model gone")

    batcher = MicroBatcher(broken)
    with pytest.raises(ValueError, match="model gone"):
        batcher.submit("anything")
    with pytest.raises(ValueError, match="model gone"):
        batcher.submit("again")


def test_a_failed_batch_reaches_its_waiting_callers_and_the_next_query_still_runs() -> None:
    """A batch that fails is run again text by text (so that one bad text fails only its own
    caller): with the model gone, each caller hears of it from its own run."""
    entered, release, gone = threading.Event(), threading.Event(), threading.Event()
    calls: list[int] = []

    def flaky(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        if len(calls) == 1:
            entered.set()
            release.wait(5)
            gone.set()
            return np.ones((len(texts), 1), dtype=np.float32)
        if gone.is_set():
            raise ValueError("model gone")
        return np.zeros((len(texts), 1), dtype=np.float32)

    batcher = MicroBatcher(flaky, max_batch=8)
    errors: list[BaseException] = []

    def ask(text: str) -> None:
        try:
            batcher.submit(text)
        except ValueError as exc:
            errors.append(exc)

    first = threading.Thread(target=ask, args=("a",))
    first.start()
    assert entered.wait(5)
    waiting = [threading.Thread(target=ask, args=(t,)) for t in "bcd"]
    for thread in waiting:
        thread.start()
    while batcher.waiting < 3:
        threading.Event().wait(0.001)
    release.set()
    for thread in [first, *waiting]:
        thread.join(5)
    assert len(errors) == 3 and calls == [1, 3, 1, 1, 1]
    gone.clear()
    assert batcher.submit("e")[0] == 0.0


def test_a_lone_query_runs_on_the_callers_thread() -> None:
    threads: list[threading.Thread] = []

    def encode(texts: Sequence[str]) -> np.ndarray:
        threads.append(threading.current_thread())
        return np.zeros((len(texts), 2), dtype=np.float32)

    batcher = MicroBatcher(encode)
    batcher.submit("ab")
    helper = threading.Thread(target=batcher.submit, args=("abc",))
    helper.start()
    helper.join(5)
    assert threads == [threading.main_thread(), helper]


def test_the_lead_passes_on_until_nobody_waits() -> None:
    """Many callers at once: every one gets its own row, in batches no larger than the cap."""
    recorder = Recorder()
    batcher = MicroBatcher(recorder, max_batch=4, max_wait_s=0.001)
    results: dict[str, np.ndarray] = {}

    def ask(text: str) -> None:
        results[text] = batcher.submit(text)

    texts = ["z" * n for n in range(1, 41)]
    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert all(results[t][0] == len(t) for t in texts)
    assert max(recorder.sizes) <= 4 and sum(recorder.sizes) == len(texts)
    assert batcher.waiting == 0 and batcher.submit("again")[0] == 5


@pytest.mark.parametrize(("lengths", "slack", "groups"), [
    ([5], 0.1, [[0]]),
    ([10, 10, 10], 0.0, [[0, 1, 2]]),  # equal lengths: no padding at all, one group
    ([30, 8, 9, 31, 8], 0.1, [[1, 4, 2], [0, 3]]),  # shortest first, each group near one width
    ([8, 70], 0.1, [[0], [1]]),  # a long question is not padded onto a short one
    ([8, 70], 10.0, [[0, 1]]),  # unless padding is allowed to cost that much
])
def test_length_groups_bound_the_padding(lengths: list[int], slack: float,
                                         groups: list[list[int]]) -> None:
    assert length_groups(lengths, slack) == groups
    for group in length_groups(lengths, slack):
        real = sum(lengths[i] for i in group)
        assert max(lengths[i] for i in group) * len(group) <= (1 + slack) * real
