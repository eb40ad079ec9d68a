"""The `took_ms` every response reports."""

from __future__ import annotations

import time


def took_ms(start: float) -> float:
    """Milliseconds since `start` (a time.perf_counter() reading), to 0.01 ms."""
    return round((time.perf_counter() - start) * 1000, 2)
