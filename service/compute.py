"""Where the routes' work runs: worker threads, at most `compute_concurrency` at once, the rest
waiting their turn in the order they came.

Left to the thread pool, every request in flight computes at once and the two cores are shared
among them all, so a search that runs e5 (several times the work of one that does not) is slowed
by every cheap one behind it and ends up the slow tail of the load. Taking turns, each request
waits about as long as any other and then runs at full speed: the same throughput, a shorter tail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from anyio import CapacityLimiter, to_thread

T = TypeVar("T")


class Compute:
    """The app's compute lane (one per process)."""

    def __init__(self, concurrency: int) -> None:
        # anyio's limiter hands its tokens to waiters first come, first served
        self.limiter = CapacityLimiter(concurrency)

    async def run(self, work: Callable[[], T]) -> T:
        return await to_thread.run_sync(work, limiter=self.limiter)
