"""A circuit breaker for the model's endpoint: after `failures` failed calls in a row it opens
for `open_s` seconds, in which nobody calls the model (answers are extractive, reason
breaker_open); then one call is let through as a probe. Success closes it; failure opens it
again. Runs on one event loop: no locks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

log = logging.getLogger("casebook.generation")

Attempt = Literal["closed", "probe"]


class Breaker:
    def __init__(self, failures: int, open_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.open_s = open_s
        self.clock = clock
        self.in_a_row = 0
        self.open_until: float | None = None  # None: closed
        self.probing = False

    @property
    def is_open(self) -> bool:
        return self.open_until is not None

    def attempt(self) -> Attempt | None:
        """Whether a call may go out: as usual, as the probe, or (None) not now."""
        if self.open_until is None:
            return "closed"
        if self.probing or self.clock() < self.open_until:
            return None
        self.probing = True
        return "probe"

    def succeeded(self, attempt: Attempt) -> None:
        self.in_a_row = 0
        if attempt == "probe" or self.open_until is not None:
            if self.open_until is not None:
                log.info("the model answers again: written answers resume")
            self.probing = False
            self.open_until = None

    def failed(self, attempt: Attempt, reason: str) -> None:
        self.in_a_row += 1
        if attempt == "probe":
            self.probing = False
            self.open_until = self.clock() + self.open_s
            return
        if self.open_until is None and self.in_a_row >= self.failures:
            log.warning("the model failed %d times in a row (last: %s): extractive answers for "
                        "%gs, then one call tries it again", self.in_a_row, reason, self.open_s)
            self.open_until = self.clock() + self.open_s

    def abandoned(self, attempt: Attempt) -> None:
        """The call ended with neither outcome (its request was cancelled)."""
        if attempt == "probe":
            self.probing = False
