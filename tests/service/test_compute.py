"""The compute lane: at most N works at once, the rest in the order they came."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import anyio
import pytest

from casebook.service.compute import Compute


def _record(log: list[tuple[str, int]], lock: threading.Lock, number: int) -> int:
    with lock:
        log.append(("start", number))
    time.sleep(0.02)
    with lock:
        log.append(("end", number))
    return number


@pytest.mark.parametrize("concurrency", [1, 2])
def test_at_most_n_works_run_at_once_and_they_start_in_order(concurrency: int) -> None:
    log: list[tuple[str, int]] = []
    lock = threading.Lock()
    lane = Compute(concurrency)
    results: list[int] = []

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            for number in range(6):
                tasks.start_soon(_submit, number)
                await anyio.sleep(0.001)  # arrive one after another

    async def _submit(number: int) -> None:
        results.append(await lane.run(lambda: _record(log, lock, number)))

    # on a thread of its own: another test may have left an event loop set on this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, main).result(timeout=30)
    running, most, ended = 0, 0, 0
    for event, number in log:
        running += 1 if event == "start" else -1
        most = max(most, running)
        if event == "end":
            ended += 1
        else:
            # first come first served: work k gets a turn only once all but concurrency - 1 of
            # the k before it are done (two threads may still log their starts either way round)
            assert ended >= number - concurrency + 1
    assert most == concurrency
    assert sorted(results) == list(range(6))


def test_the_app_takes_its_concurrency_from_the_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from casebook.service.app import create_app
    from casebook.settings import Settings

    app = create_app(Settings(index_dir=tmp_path, compute_concurrency=3))
    assert app.state.compute.limiter.total_tokens == 3
