"""Two replicas, each `casebook serve --workers 2`, behind Debian's haproxy on loopback, sharing
their rate limit in Debian's redis-server: a rolling restart and a reload of both under 16-client
load lose no request. Bounded: 16 clients pausing 0.75 s between requests, at most 60 each.

Prints the figures as one JSON line per measure (`pytest tests/service/test_replicas.py -s`)."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from serve_process import (
    HAProxy,
    Load,
    RedisServer,
    ServeProcess,
    all_ready,
    clone_build,
    copy_index,
    loads_logged,
    start_with_workers,
)

from casebook.settings import Settings

pytestmark = pytest.mark.slow

CLIENTS = 16
PAUSE_S = 0.75
MAX_EACH = 60


@dataclass
class Replicas:
    servers: list[ServeProcess]
    balancer: HAProxy
    index_dir: Path
    env: dict[str, str]
    workdir: Path
    started: int = 0

    def start(self, port: int | None = None) -> ServeProcess:
        """A replica (on `port`, or a free one) whose two workers have loaded the index."""
        self.started += 1
        server = ServeProcess(self.env, self.workdir / f"replica{self.started}.log", port=port,
                              args=("--workers", "2"))
        return start_with_workers(server, 2, timeout=120)


@pytest.fixture(scope="module")
def replicas(index_settings: Settings,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    workdir = tmp_path_factory.mktemp("replicas")
    redis = RedisServer(workdir / "redis").start()
    index_dir = copy_index(index_settings.index_dir, workdir / "index")  # a volume both mount
    env = {"CASEBOOK_INDEX_DIR": str(index_dir),
           "CASEBOOK_CORPUS_DIR": str(index_settings.corpus_dir),
           # every request is counted in the one store; the limit is above what the load sends
           "CASEBOOK_RATE_LIMIT_STORAGE_URI": redis.uri,
           "CASEBOOK_RATE_LIMIT_PER_MINUTE": "100000",
           "CASEBOOK_RELOAD_POLL_S": "0", "CASEBOOK_DRAIN_S": "2"}
    group = Replicas([], None, index_dir, env, workdir)  # type: ignore[arg-type]
    try:
        group.servers = [group.start(), group.start()]
        group.balancer = HAProxy([s.port for s in group.servers], workdir / "haproxy").start()
        yield group
    finally:
        if group.balancer is not None:
            group.balancer.stop()
        for server in group.servers:
            server.stop()
        redis.stop()


def report(measure: str, load: Load, balancer: HAProxy, **extra: object) -> None:
    stats = balancer.stats()
    print(json.dumps({
        "measure": measure, "clients": load.clients, "requests": load.answered + len(load.dropped),
        "failed": load.failed, "refused": load.refused, "statuses": dict(load.statuses),
        "errors": dict(load.errors), "dropped": len(load.dropped),
        "lb_retries": sum(int(row.get("wretr") or 0) for row in stats.values()),
        "lb_redispatches": sum(int(row.get("wredis") or 0) for row in stats.values()),
        **extra}), flush=True)


def test_a_rolling_restart_behind_the_load_balancer_loses_no_request(replicas: Replicas) -> None:
    load = Load(replicas.balancer.url, clients=CLIENTS, max_requests=MAX_EACH,
                pause=PAUSE_S).start()
    time.sleep(1)
    for i, old in enumerate(list(replicas.servers)):
        old.signal(signal.SIGTERM)  # drains: /readyz 503, haproxy takes it out, then it stops
        assert old.wait(60) == 0, old.log()
        old.stop()  # its log file
        replicas.balancer.wait_status(f"r{i + 1}", "DOWN")
        replicas.servers[i] = replicas.start(port=old.port)
        replicas.balancer.wait_status(f"r{i + 1}", "UP")
    answered = load.answered
    time.sleep(1)
    load.stop()
    report("rolling_restart", load, replicas.balancer)
    assert load.answered > answered  # the load ran on past the whole restart
    assert load.failed == 0 and load.refused == 0, (load.errors, load.dropped)


def test_a_reload_of_both_replicas_under_load_loses_no_request(replicas: Replicas) -> None:
    load = Load(replicas.balancer.url, clients=CLIENTS, max_requests=MAX_EACH,
                pause=PAUSE_S).start()
    time.sleep(2)
    new = clone_build(replicas.index_dir)
    for server in replicas.servers:
        server.signal(signal.SIGHUP)  # each supervisor: every worker loads it in place
    deadline = time.monotonic() + 120
    while not all(loads_logged(server, new) >= 2 or all_ready(server.url, new)
                  for server in replicas.servers):
        assert time.monotonic() < deadline, [s.log()[-2000:] for s in replicas.servers]
        time.sleep(0.1)
    answered = load.answered
    time.sleep(2)
    load.stop()
    report("reload", load, replicas.balancer, build=new)
    assert load.answered > answered
    assert load.failed == 0 and load.refused == 0, (load.errors, load.dropped)
