"""A shared rate limit in a real redis-server (Debian's package, on a free loopback port): the
documented redis:// store starts, counts one limit for replicas behind a real load balancer, and
when it stalls or goes away costs a request at most CASEBOOK_RATE_LIMIT_TIMEOUT_MS, lets requests
through, and says so once in the log, not once a request.

The servers here have no index (they start in a second): /v1 answers 503 "index_missing"
until the limit, then 429, so what the limit did is plain in every status."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_process import HAProxy, RedisServer, ServeProcess

pytestmark = pytest.mark.slow

LOST = "rate-limit store unavailable"
BACK = "rate-limit store answers again"
NO_INDEX = (503, "index_missing")  # what a server with no index answers under the limit


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def no_index_env(tmp_path: Path, redis: RedisServer, per_minute: int,
                 **extra: str) -> dict[str, str]:
    return {"CASEBOOK_INDEX_DIR": str(tmp_path / "index"), "CASEBOOK_CORPUS_DIR": str(tmp_path),
            "CASEBOOK_RATE_LIMIT_PER_MINUTE": str(per_minute),
            "CASEBOOK_RATE_LIMIT_STORAGE_URI": redis.uri, **extra}


def search(url: str) -> tuple[int, str, float]:
    """Status, error code and seconds of one /v1/search."""
    started = time.perf_counter()
    response = httpx.get(f"{url}/v1/search", params={"q": "vaccines"}, timeout=30)
    code = response.json().get("error", {}).get("code", "") if response.status_code != 200 else ""
    return response.status_code, code, time.perf_counter() - started


def test_one_limit_across_replicas_behind_the_load_balancer(tmp_path: Path,
                                                            redis: RedisServer) -> None:
    env = no_index_env(tmp_path, redis, 6)
    replicas = [ServeProcess(env, tmp_path / f"r{i}.log") for i in (1, 2)]
    balancer = HAProxy([r.port for r in replicas], tmp_path / "haproxy", check="/healthz")
    try:
        for replica in replicas:
            replica.start(ready=False)
        balancer.start()
        statuses = [search(balancer.url)[0] for _ in range(12)]
        # six requests between them, wherever they landed, then the one limit says no
        assert statuses == [503] * 6 + [429] * 6
        for replica in replicas:
            assert replica.log().count('"path": "/v1/search"') == 6  # round robin: both answered
            assert search(replica.url)[0] == 429  # straight to either: the same limit
    finally:
        balancer.stop()
        for replica in replicas:
            replica.stop()


def test_a_stalled_or_absent_store_costs_a_request_at_most_the_timeout(
        tmp_path: Path, redis: RedisServer) -> None:
    env = no_index_env(tmp_path, redis, 3, CASEBOOK_RATE_LIMIT_TIMEOUT_MS="150",
                       CASEBOOK_RATE_LIMIT_RETRY_S="1")
    server = ServeProcess(env, tmp_path / "serve.log").start(ready=False)
    try:
        assert [search(server.url)[:2] for _ in range(4)] == [NO_INDEX] * 3 + [(429, "rate_limited")]

        redis.pause()  # a hung store: connections open, nothing answers
        stalled = []
        for _ in range(30):  # 3 s or more: the breaker tries the store again every second
            stalled.append(search(server.url))
            time.sleep(0.1)
        # let through, not limited and not timed out; the probes cost the 150 ms deadline each
        assert {(status, code) for status, code, _ in stalled} == {NO_INDEX}
        # (each is a fresh connection on a shared 2-core machine: a margin over the 150 ms)
        assert max(seconds for *_, seconds in stalled) < 2.0, stalled

        redis.resume()  # limited again once a probe finds it: the three hits are still there
        deadline = time.monotonic() + 10
        while search(server.url)[0] != 429:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.1)

        redis.stop()  # gone: connections refused
        gone = [search(server.url) for _ in range(30)]
        assert {(status, code) for status, code, _ in gone} == {NO_INDEX}
        assert max(seconds for *_, seconds in gone) < 2.0, gone

        log = server.log()
        # one line when the store was lost, one when it came back, one when it was lost again
        assert log.count(LOST) == 2 and log.count(BACK) == 1, log[-4000:]
        assert log.index(LOST) < log.index(BACK) < log.rindex(LOST)
    finally:
        server.stop()
