"""The breaker in front of the model: opens after N failures in a row, lets one probe through
after the pause, and closes when it succeeds."""

from __future__ import annotations

from casebook.index.generation.breaker import Breaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_failures_in_a_row_then_probes_once() -> None:
    clock = Clock()
    breaker = Breaker(failures=3, open_s=30, clock=clock)
    for _ in range(2):
        breaker.failed(breaker.attempt() or "closed", "timeout")
    assert breaker.attempt() == "closed"  # two failures: still calling
    breaker.failed("closed", "timeout")
    assert breaker.is_open and breaker.attempt() is None
    clock.now += 31
    assert breaker.attempt() == "probe"
    assert breaker.attempt() is None  # one probe at a time
    breaker.failed("probe", "unavailable")
    assert breaker.attempt() is None  # open again for another 30 s
    clock.now += 31
    breaker.succeeded(breaker.attempt() or "closed")
    assert not breaker.is_open and breaker.attempt() == "closed"


def test_a_success_resets_the_count() -> None:
    breaker = Breaker(failures=2, open_s=30, clock=Clock())
    breaker.failed("closed", "timeout")
    breaker.succeeded("closed")
    breaker.failed("closed", "timeout")
    assert not breaker.is_open


def test_an_abandoned_probe_frees_the_next() -> None:
    clock = Clock()
    breaker = Breaker(failures=1, open_s=5, clock=clock)
    breaker.failed("closed", "bad_reply")
    clock.now += 6
    assert breaker.attempt() == "probe"
    breaker.abandoned("probe")
    assert breaker.attempt() == "probe"
