"""Where rate-limit counts live, and what a request pays when that store is slow or gone.

memory:// keeps them in the process. A shared store (redis://, which `limits` reaches through
redis-py's asyncio client) makes one limit of several workers and replicas; it is also one more
thing that can stall or go away. So every request asks it under a short deadline, and a circuit
breaker stops asking after a failure: requests are then let through unlimited (fail open: a rate
limit is no reason to refuse service) and one request every `retry_s` tries the store again. The
log gets one line when the store is lost and one when it answers again, never one per request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Literal

from limits import RateLimitItem
from limits.aio.strategies import MovingWindowRateLimiter, RateLimiter, SlidingWindowCounterRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from limits.util import WindowStats

log = logging.getLogger("casebook.service")

# the schemes `limits` serves with a redis client; redis-py's (installed with Casebook) is asked
# for, rather than `limits`' default of coredis
REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


def limiter_for(uri: str, *, timeout_s: float | None = None) -> RateLimiter:
    """An asyncio limiter on the storage `uri` names (memory://, redis://…): a moving window
    where the store supports one, else the sliding window counter. A network store's client
    gives up connecting or waiting for an answer after `timeout_s`."""
    scheme = uri.split("://", 1)[0].removeprefix("async+")
    options: dict[str, float | str | bool] = {}
    if scheme in REDIS_SCHEMES:
        options["implementation"] = "redispy"
        if timeout_s is not None:
            options |= {"socket_timeout": timeout_s, "socket_connect_timeout": timeout_s}
    try:
        storage = storage_from_string(uri if uri.startswith("async+") else f"async+{uri}", **options)
    except ConfigurationError as exc:  # a client library that is not installed, say
        raise ValueError(f"CASEBOOK_RATE_LIMIT_STORAGE_URI cannot be used: {exc}") from None
    try:
        return MovingWindowRateLimiter(storage)
    except NotImplementedError:
        return SlidingWindowCounterRateLimiter(storage)


Attempt = Literal["closed", "probe"]


class Breaker:
    """Closed: the store is asked. A failure opens it for `retry_s`: nobody asks the store.
    Then one request probes it (the rest still pass unasked): success closes the breaker,
    failure opens it again for `retry_s`. A request that started before the breaker opened and
    answers afterwards changes nothing, so a store that is slow for every request still counts as
    one outage. Runs on one event loop: no locks."""

    def __init__(self, retry_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_s = retry_s
        self.clock = clock
        self.open_until: float | None = None  # None: closed
        self.probing = False

    def attempt(self) -> Attempt | None:
        """Whether this request may ask the store: as usual, as the probe, or (None) not at all."""
        if self.open_until is None:
            return "closed"
        if self.probing or self.clock() < self.open_until:
            return None
        self.probing = True
        return "probe"

    def succeeded(self, attempt: Attempt) -> None:
        if attempt == "probe":
            self.probing = False
            self.open_until = None
            log.info("rate-limit store answers again: requests are limited again")

    def abandoned(self, attempt: Attempt) -> None:
        """The attempt ended with neither answer (its request was cancelled)."""
        if attempt == "probe":
            self.probing = False

    def failed(self, attempt: Attempt, reason: str) -> None:
        if self.open_until is None:
            log.warning("rate-limit store unavailable (%s): requests are not limited; trying it "
                        "again every %gs", reason, self.retry_s)
        elif attempt != "probe":
            return  # began before the outage was noticed: already counted
        self.probing = False
        self.open_until = self.clock() + self.retry_s


class RateStore:
    """Counts hits in the store under a deadline and a circuit breaker; None where it could not
    (then the request is not limited)."""

    def __init__(self, uri: str, *, timeout_s: float, retry_s: float) -> None:
        self.local = uri.split("://", 1)[0].removeprefix("async+") == "memory"
        self.timeout_s = timeout_s
        self.limiter = limiter_for(uri, timeout_s=timeout_s)
        self.breaker = Breaker(retry_s)

    async def hit(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, WindowStats] | None:
        """Count one hit: (allowed, the window after it), or None when the store was not asked or
        did not answer within the deadline."""
        if self.local:  # in this process: nothing to wait for, nothing to lose
            return await self._hit(item, identifiers)
        attempt = self.breaker.attempt()
        if attempt is None:
            return None
        try:
            async with asyncio.timeout(self.timeout_s):
                counted = await self._hit(item, identifiers)
        except TimeoutError:
            self.breaker.failed(attempt, f"no answer within {self.timeout_s * 1000:g} ms")
            return None
        except Exception as exc:  # noqa: BLE001 - any store failure must not fail the request
            self.breaker.failed(attempt, f"{type(exc).__name__}: {exc}")
            return None
        except BaseException:  # cancelled (the client left): the probe must not stay taken
            self.breaker.abandoned(attempt)
            raise
        self.breaker.succeeded(attempt)
        return counted

    async def _hit(self, item: RateLimitItem,
                   identifiers: tuple[str, ...]) -> tuple[bool, WindowStats]:
        allowed = await self.limiter.hit(item, *identifiers)
        return allowed, await self.limiter.get_window_stats(item, *identifiers)
